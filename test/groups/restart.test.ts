/**
 * Durability of groups and committed offsets (records in `__consumer_offsets`, replayed on start): a clean restart,
 * and a broker process killed with SIGKILL, both over a data directory in a temporary folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startTestBroker, kafkaClient, tempDir, callApi } from '../helpers.js';
import { CreateTopicsApi, DescribeGroupsApi, HeartbeatApi, JoinGroupApi, OffsetCommitApi, SyncGroupApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { until, startMember } from './helpers.js';
import type { TestContext } from 'node:test';

/** Cleanups run last-registered first (clients before the broker they talk to), as node:test's after() does not. */
function cleanups(t: TestContext) {
  const list: Array<() => unknown> = [];
  t.after(async () => {
    for (const c of list.reverse()) await c();
  });
  return (c: () => unknown) => void list.push(c);
}

test('after a clean restart a new member resumes from the committed offsets; the group is still listed', async (t) => {
  const defer = cleanups(t);
  const data = tempDir();
  defer(() => data.remove());
  let broker = await startTestBroker({ dataDir: data.dir });
  let kafka = kafkaClient(broker);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 6 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'durable', messages: Array.from({ length: 30 }, (_, i) => ({ value: `before-${i}`, partition: i % 6 })) });
  const first = await startMember(kafka, 'durable-group', 'durable');
  await until('30 messages', () => first.messages.length >= 30);
  await first.consumer.disconnect();
  await admin.setOffsets({ groupId: 'standalone', topic: 'durable', partitions: [{ partition: 3, offset: '2' }] });
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();

  broker = await startTestBroker({ dataDir: data.dir });
  defer(() => broker.close());
  kafka = kafkaClient(broker);
  const admin2 = kafka.admin();
  await admin2.connect();
  defer(() => admin2.disconnect());
  const offsets = (await admin2.fetchOffsets({ groupId: 'durable-group', topics: ['durable'] }))[0].partitions;
  assert.deepEqual(offsets.map((p) => p.offset), ['5', '5', '5', '5', '5', '5']);
  assert.equal((await admin2.fetchOffsets({ groupId: 'standalone', topics: ['durable'] }))[0].partitions.find((p) => p.partition === 3)?.offset, '2');
  const listed = (await admin2.listGroups()).groups.map((g) => g.groupId).sort();
  assert.deepEqual(listed, ['durable-group', 'standalone']);
  assert.ok(!(await admin2.listTopics()).includes('__consumer_offsets'), 'the internal topic is hidden');
  const producer2 = kafka.producer();
  await producer2.connect();
  defer(() => producer2.disconnect());
  await producer2.send({ topic: 'durable', messages: Array.from({ length: 6 }, (_, i) => ({ value: `after-${i}`, partition: i })) });
  const second = await startMember(kafka, 'durable-group', 'durable');
  defer(() => second.consumer.disconnect());
  await until('6 new messages', () => second.messages.length >= 6);
  assert.deepEqual(second.messages.map((m) => m.value).sort(), Array.from({ length: 6 }, (_, i) => `after-${i}`));
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** The broker as its own process (the CLI), so it can be killed with SIGKILL. */
async function brokerProcess(dataDir: string, port: number, extra: string[] = []) {
  const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--port', String(port), '--data-dir', dataDir, '--registry-port=-1', '--admin-port', '0', '--log-level', 'info', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SAMSA_LOG_LEVEL: 'info' } });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  await until('the broker process is ready', () => out.includes('samsa is ready') || child.exitCode !== null);
  assert.equal(child.exitCode, null, out);
  return { child, bootstrap: `localhost:${port}`, killed: new Promise((r) => child.once('exit', r)) };
}

test('kill -9 of the broker loses no committed offset; a running member carries on after the restart', async (t) => {
  const defer = cleanups(t);
  const data = tempDir();
  defer(() => data.remove());
  const port = await freePort();
  let proc = await brokerProcess(data.dir, port);
  defer(() => proc.child.kill('SIGKILL'));
  const kafka = kafkaClient({ bootstrap: proc.bootstrap });
  const admin = kafka.admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'crash', numPartitions: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  await producer.send({ topic: 'crash', messages: Array.from({ length: 9 }, (_, i) => ({ value: `a${i}`, partition: i % 3 })) });
  const m = await startMember(kafka, 'crash-group', 'crash');
  defer(() => m.consumer.disconnect());
  await until('9 messages', () => m.messages.length >= 9);
  await until('offsets committed', async () => (await admin.fetchOffsets({ groupId: 'crash-group', topics: ['crash'] }))[0].partitions.every((p) => p.offset === '3'));
  await admin.setOffsets({ groupId: 'crash-standalone', topic: 'crash', partitions: [{ partition: 1, offset: '7' }] });

  proc.child.kill('SIGKILL');
  await proc.killed;
  proc = await brokerProcess(data.dir, port);

  const offsets = await until('offsets after the crash', async () => {
    try {
      return (await admin.fetchOffsets({ groupId: 'crash-group', topics: ['crash'] }))[0].partitions.map((p) => p.offset);
    } catch {
      return undefined; // the admin client reconnects
    }
  });
  assert.deepEqual(offsets, ['3', '3', '3']);
  assert.equal((await admin.fetchOffsets({ groupId: 'crash-standalone', topics: ['crash'] }))[0].partitions.find((p) => p.partition === 1)?.offset, '7');
  // The member was never told anything: it reconnects, and the group (restored Stable) lets it go on.
  await until('produce after the crash', async () => {
    try {
      await producer.send({ topic: 'crash', messages: [0, 1, 2].map((p) => ({ value: `b${p}`, partition: p })) });
      return true;
    } catch {
      return false;
    }
  });
  await until('the member consumes after the crash', () => m.messages.filter((x) => x.value.startsWith('b')).length >= 3);
  assert.deepEqual(m.messages.filter((x) => x.value.startsWith('a')).length, 9, 'nothing consumed twice');
});

test('kill -9 in the middle of a rebalance: the group restarts at its last settled generation, members and assignments', async (t) => {
  const defer = cleanups(t);
  const data = tempDir();
  defer(() => data.remove());
  const port = await freePort();
  const noDelay = ['--set', 'group.initial.rebalance.delay.ms=0'];
  let proc = await brokerProcess(data.dir, port, noDelay);
  defer(() => proc.child.kill('SIGKILL'));
  await callApi(port, CreateTopicsApi, 2, { topics: [{ name: 'mid', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, 3, 0x6d, 0x69, 0x64, 0xff, 0xff, 0xff, 0xff]); // v0, ["mid"], no user data
  const join = (memberId: string) => callApi(port, JoinGroupApi, 3, {
    groupId: 'mid-group', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }], reason: null,
  });
  const heartbeat = (memberId: string, generationId: number) => callApi(port, HeartbeatApi, 2, { groupId: 'mid-group', generationId, memberId, groupInstanceId: null });

  // A alone: generation 1, Stable with its assignment.
  const a = await join('');
  assert.equal(a.errorCode, ErrorCode.NONE);
  const assignment = Buffer.from('assignment-of-a');
  const synced = await callApi(port, SyncGroupApi, 2, { groupId: 'mid-group', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, assignments: [{ memberId: a.memberId, assignment }], protocolType: null, protocolName: null });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  // B joins, A rejoins: generation 2 is between join and sync when the broker is killed.
  const bJoin = join('');
  await until('B\'s join started a rebalance', async () => (await heartbeat(a.memberId, a.generationId)).errorCode === ErrorCode.REBALANCE_IN_PROGRESS);
  const a2 = await join(a.memberId);
  const b = await bJoin;
  assert.equal(a2.generationId, a.generationId + 1);
  assert.equal(b.generationId, a2.generationId);
  proc.child.kill('SIGKILL');
  await proc.killed;
  proc = await brokerProcess(data.dir, port, noDelay);

  const described = (await callApi(port, DescribeGroupsApi, 0, { groups: ['mid-group'], includeAuthorizedOperations: false })).groups[0];
  assert.equal(described.groupState, 'Stable');
  assert.equal(described.protocolData, 'range');
  assert.deepEqual(described.members.map((m) => [m.memberId, m.memberAssignment.toString()]), [[a.memberId, assignment.toString()]]);
  // Generation 1 is the group's: A's heartbeat and commit with it are accepted, generation 2 was never settled.
  assert.equal((await heartbeat(a.memberId, a.generationId)).errorCode, ErrorCode.NONE);
  assert.equal((await heartbeat(a.memberId, a2.generationId)).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await heartbeat(b.memberId, b.generationId)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'B was only in the lost generation');
  const commit = await callApi(port, OffsetCommitApi, 2, { groupId: 'mid-group', generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: 'mid', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  assert.equal(commit.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  // The rebalance happens again from there: B joins, A rejoins, generation 2.
  const bAgain = join('');
  await until('B\'s join started a rebalance again', async () => (await heartbeat(a.memberId, a.generationId)).errorCode === ErrorCode.REBALANCE_IN_PROGRESS);
  const [ra, rb] = await Promise.all([join(a.memberId), bAgain]);
  assert.deepEqual([ra.generationId, rb.generationId], [a.generationId + 1, a.generationId + 1]);
});
