/**
 * Consumer groups with real kafkajs clients over sockets: assignment across 1 and 3 members of a 6-partition
 * topic, rebalance when a member leaves or is killed (session expiry), committed offsets and admin views.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { until, startMember, balanced, type Member } from './helpers.js';

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const cleanup: Array<() => Promise<unknown>> = [];

before(async () => {
  broker = await startTestBroker();
  kafka = kafkaClient(broker);
  admin = kafka.admin();
  producer = kafka.producer();
  await admin.connect();
  await producer.connect();
});

after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
});

async function topic(name: string, partitions = 6): Promise<string> {
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }] });
  return name;
}

async function member(groupId: string, topicName: string, options?: Parameters<typeof startMember>[3]): Promise<Member> {
  const m = await startMember(kafka, groupId, topicName, options);
  cleanup.push(() => m.consumer.disconnect());
  return m;
}

test('one member gets all 6 partitions and reads every message; first message latency is reported', async (t) => {
  const name = await topic('solo');
  await producer.send({ topic: name, messages: Array.from({ length: 12 }, (_, i) => ({ value: `m${i}`, partition: i % 6 })) });
  const started = performance.now();
  const m = await member('solo-group', name);
  const firstAt = await m.firstMessageAt;
  t.diagnostic(`consumer.connect+subscribe+run() to first message: ${(firstAt - started).toFixed(1)} ms`);
  await until('12 messages', () => m.messages.length >= 12);
  assert.deepEqual(m.partitions, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(m.messages.map((x) => x.value).sort(), Array.from({ length: 12 }, (_, i) => `m${i}`).sort());
  const [described] = (await admin.describeGroups(['solo-group'])).groups;
  assert.equal(described.state, 'Stable');
  assert.equal(described.protocolType, 'consumer');
  assert.equal(described.members.length, 1);
  assert.equal(described.members[0].clientId, 'samsa-test');
  assert.match(described.members[0].clientHost, /^\/(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
});

test('three members split 6 partitions 2/2/2 and consume each message once; a leaving member\'s partitions move', async () => {
  const name = await topic('trio');
  const members = [await member('trio-group', name), await member('trio-group', name), await member('trio-group', name)];
  await until('a 2/2/2 assignment', () => balanced(members, 6, [2, 2, 2]));
  await producer.send({ topic: name, messages: Array.from({ length: 60 }, (_, i) => ({ value: `v${i}`, partition: i % 6 })) });
  await until('60 messages', () => members.reduce((n, m) => n + m.messages.length, 0) >= 60);
  for (const m of members) for (const msg of m.messages) assert.ok(m.partitions.includes(msg.partition), 'a member reads only its own partitions');
  assert.equal(new Set(members.flatMap((m) => m.messages.map((x) => x.value))).size, 60);
  const [group] = (await admin.describeGroups(['trio-group'])).groups;
  assert.equal(group.state, 'Stable');
  assert.equal(group.members.length, 3);
  await members[2].consumer.disconnect();
  await until('a 3/3 assignment of the two left', () => balanced(members.slice(0, 2), 6, [3, 3]));
  const [after] = (await admin.describeGroups(['trio-group'])).groups;
  assert.equal(after.members.length, 2);
});

test('a killed member (no LeaveGroup) is dropped when its session expires and its partitions are reassigned', async () => {
  const name = await topic('doomed');
  const fixture = fileURLToPath(new URL('./fixtures/kafkajs-member.js', import.meta.url));
  const child = spawn(process.execPath, [fixture, broker.bootstrap, 'doomed-group', name, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(async () => child.kill('SIGKILL'));
  let childPartitions: number[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) childPartitions = JSON.parse(line).partitions;
  });
  await until('the child joined', () => childPartitions.length > 0);
  const survivors = [await member('doomed-group', name), await member('doomed-group', name)];
  await until('2/2/2 with the child', () => [childPartitions, ...survivors.map((m) => m.partitions)].every((p) => p.length === 2)
    && new Set([...childPartitions, ...survivors.flatMap((m) => m.partitions)]).size === 6);
  child.kill('SIGKILL');
  await until('the survivors take all 6 partitions', () => balanced(survivors, 6, [3, 3]));
  const [group] = (await admin.describeGroups(['doomed-group'])).groups;
  assert.equal(group.members.length, 2);
  assert.ok(group.members.every((m) => m.clientId === 'samsa-test'), 'the killed member is gone');
});

test('committed offsets are visible to admin (lag), resumed by a new member, and reset / deleted by admin', async () => {
  const name = await topic('commits', 2);
  await producer.send({ topic: name, messages: Array.from({ length: 10 }, (_, i) => ({ value: `c${i}`, partition: i % 2 })) });
  const first = await member('commit-group', name);
  await until('10 messages', () => first.messages.length >= 10);
  await first.consumer.disconnect(); // commits what it consumed, then leaves
  const offsets = await admin.fetchOffsets({ groupId: 'commit-group', topics: [name] });
  assert.deepEqual(offsets[0].partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '5'], [1, '5']]);
  const [empty] = (await admin.describeGroups(['commit-group'])).groups;
  assert.equal(empty.state, 'Empty');
  assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === 'commit-group' && g.protocolType === 'consumer'));
  await producer.send({ topic: name, messages: [{ value: 'late', partition: 0 }] });
  const second = await member('commit-group', name);
  await until('the one new message', () => second.messages.length >= 1);
  assert.deepEqual(second.messages.map((m) => m.value), ['late'], 'a new member resumes from the committed offsets');
  await second.consumer.disconnect();
  await admin.setOffsets({ groupId: 'commit-group', topic: name, partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '0' }] });
  assert.deepEqual((await admin.fetchOffsets({ groupId: 'commit-group', topics: [name] }))[0].partitions.map((p) => [p.partition, p.offset]).sort(), [[0, '1'], [1, '0']]);
  await admin.deleteGroups(['commit-group']);
  assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === 'commit-group'));
  assert.deepEqual((await admin.fetchOffsets({ groupId: 'commit-group', topics: [name] }))[0].partitions.map((p) => p.offset), ['-1', '-1']);
});

test('admin.deleteGroups refuses a group with members (NON_EMPTY_GROUP)', async () => {
  const name = await topic('busy', 1);
  const m = await member('busy-group', name);
  await until('joined', () => m.partitions.length === 1);
  await assert.rejects(admin.deleteGroups(['busy-group']), (err: any) => JSON.stringify(err.groups ?? err).includes('NON_EMPTY_GROUP') || /non.?empty/i.test(String(err.message)));
});
