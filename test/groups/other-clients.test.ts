/**
 * Consumer groups with librdkafka (kcat -G, JoinGroup with MEMBER_ID_REQUIRED and static membership) and
 * kafka-python (Debian's python3-kafka 2.0.2: JoinGroup v2, OffsetCommit v2, OffsetFetch v1) over sockets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { AssignerProtocol, type Admin, type Kafka, type Producer } from 'kafkajs';
import { startTestBroker, kafkaClient, run } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { until, startMember } from './helpers.js';

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const children: ChildProcess[] = [];

before(async () => {
  broker = await startTestBroker();
  kafka = kafkaClient(broker);
  admin = kafka.admin();
  producer = kafka.producer();
  await admin.connect();
  await producer.connect();
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
});

async function committed(groupId: string, topic: string): Promise<string[]> {
  return (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset);
}

async function send(topic: string, values: string[]) {
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 3 })) });
}

test('kcat -G consumes, commits on close, and a second run resumes after the committed offsets', async () => {
  await admin.createTopics({ topics: [{ topic: 'kcat-in', numPartitions: 3 }] });
  await send('kcat-in', ['a', 'b', 'c', 'd', 'e', 'f']);
  const kcat = (count: number) => run('kcat', ['-b', broker.bootstrap, '-G', 'kcat-group', 'kcat-in', '-X', 'auto.offset.reset=earliest', '-c', String(count), '-f', '%s\n', '-q']);
  const first = await kcat(6);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trim().split('\n').sort(), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(await committed('kcat-group', 'kcat-in'), ['2', '2', '2']);
  await send('kcat-in', ['g', 'h']);
  const second = await kcat(2);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.stdout.trim().split('\n').sort(), ['g', 'h']);
});

/** A kcat -G member in its own process; its librdkafka debug log tells when it joined and synced. */
function kcatMember(group: string, topic: string, extra: string[] = []) {
  const child = spawn('kcat', ['-b', broker.bootstrap, '-G', group, topic, '-X', 'heartbeat.interval.ms=500', ...extra, '-d', 'cgrp', '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { log += c; });
  const count = (re: RegExp) => log.match(re)?.length ?? 0;
  return { child, joins: () => count(/JoinGroup response: GenerationId \d+/g), syncs: () => count(/SyncGroup response: Success/g), log: () => log };
}

test('static membership (librdkafka group.instance.id): a killed and restarted member rejoins without a rebalance', async () => {
  await admin.createTopics({ topics: [{ topic: 'static-in', numPartitions: 3 }] });
  const dynamic = kcatMember('static-group', 'static-in');
  await until('the dynamic member synced', () => dynamic.syncs() > 0);
  const staticArgs = ['-X', 'group.instance.id=kcat-1', '-X', 'session.timeout.ms=30000'];
  const s1 = kcatMember('static-group', 'static-in', staticArgs);
  await until('the static member synced', () => s1.syncs() > 0);
  await until('a Stable group of two', async () => {
    const [g] = (await admin.describeGroups(['static-group'])).groups;
    return g.state === 'Stable' && g.members.length === 2;
  });
  const joinsBefore = dynamic.joins();
  s1.child.kill('SIGKILL');
  const s2 = kcatMember('static-group', 'static-in', staticArgs);
  await until('the restarted static member synced', () => s2.syncs() > 0);
  const [group] = (await admin.describeGroups(['static-group'])).groups;
  assert.equal(group.state, 'Stable', 'the rejoin did not start a rebalance');
  assert.equal(group.members.length, 2, 'the new instance replaced the old one');
  assert.ok(group.members.some((m) => m.memberId.startsWith('kcat-1-')));
  assert.equal(dynamic.joins(), joinsBefore, 'the other member was not rebalanced');
  assert.match(s2.log(), /JoinGroup response: GenerationId \d+, Protocol range, LeaderId [^ ]+, my MemberId kcat-1-/);
});

test('kafkajs and librdkafka members cannot share a group (no common assignor): INCONSISTENT_GROUP_PROTOCOL', async () => {
  await admin.createTopics({ topics: [{ topic: 'mixed-in', numPartitions: 3 }] });
  const js = await startMember(kafka, 'mixed-group', 'mixed-in');
  await until('kafkajs joined', () => js.partitions.length === 3);
  const rd = kcatMember('mixed-group', 'mixed-in');
  await until('librdkafka refused', () => /INCONSISTENT_GROUP_PROTOCOL|inconsistent group protocol|incompatible/i.test(rd.log()));
  assert.equal(js.partitions.length, 3, 'the kafkajs member keeps its partitions');
  rd.child.kill('SIGKILL');
  await js.consumer.disconnect();
});

/** Each member's partitions of `topic`, decoded from DescribeGroups (consumer-protocol assignments). */
async function assignments(group: string, topic: string): Promise<{ state: string; protocol: string; partitions: number[][] }> {
  const [g] = (await admin.describeGroups([group])).groups;
  const partitions = g.members.map((m) => {
    const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
    return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
  });
  return { state: g.state, protocol: g.protocol, partitions };
}

test('cooperative rebalancing (librdkafka cooperative-sticky): partitions are shared, then handed back when a member leaves', async () => {
  await admin.createTopics({ topics: [{ topic: 'coop-in', numPartitions: 4 }] });
  const coop = ['-X', 'partition.assignment.strategy=cooperative-sticky'];
  const a = kcatMember('coop-group', 'coop-in', coop);
  await until('one member owns all 4', async () => (await assignments('coop-group', 'coop-in')).partitions[0]?.length === 4);
  const b = kcatMember('coop-group', 'coop-in', coop);
  const shared = await until('two members share the 4 partitions', async () => {
    const x = await assignments('coop-group', 'coop-in');
    const all = x.partitions.flat().sort();
    return x.state === 'Stable' && x.partitions.length === 2 && x.partitions.every((p) => p.length === 2) && all.join() === '0,1,2,3' ? x : undefined;
  });
  assert.equal(shared.protocol, 'cooperative-sticky');
  assert.ok(a.joins() >= 2, 'cooperative: the first member rejoined (revoke, then assign)');
  b.child.kill('SIGTERM'); // kcat leaves the group on SIGTERM
  await until('the remaining member owns all 4 again', async () => {
    const x = await assignments('coop-group', 'coop-in');
    return x.state === 'Stable' && x.partitions.length === 1 && x.partitions[0].join() === '0,1,2,3';
  });
  a.child.kill('SIGTERM');
});

const PYTHON_CONSUMER = `
import json, sys
from kafka import KafkaConsumer
bootstrap, group, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=20000, session_timeout_ms=6000, heartbeat_interval_ms=500)
out = []
for m in c:
    out.append(m.value.decode())
    if len(out) >= count:
        break
c.commit()
c.close()
print(json.dumps(out))
`;

test('kafka-python KafkaConsumer joins (JoinGroup v2), consumes, commits and resumes', async () => {
  await admin.createTopics({ topics: [{ topic: 'py-in', numPartitions: 3 }] });
  await send('py-in', ['1', '2', '3', '4']);
  const py = (count: number) => run('/usr/bin/python3', ['-c', PYTHON_CONSUMER, broker.bootstrap, 'py-group', 'py-in', String(count)], { timeoutMs: 60_000 });
  const first = await py(4);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout).sort(), ['1', '2', '3', '4']);
  const offsets = await committed('py-group', 'py-in');
  assert.equal(offsets.reduce((n, o) => n + Number(o), 0), 4);
  await send('py-in', ['5']);
  const second = await py(1);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(JSON.parse(second.stdout), ['5']);
});
