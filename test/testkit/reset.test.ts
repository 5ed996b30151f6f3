/**
 * reset() between tests: one broker (Schema Registry on) serves the whole file, and after each reset nothing of the
 * test before is left — topics, groups, committed offsets, transactional ids, schemas — while kafkajs clients
 * connected before the reset keep working, a parked long poll is answered, and a group member is told to rejoin.
 *
 * Admins are made per test: a kafkajs admin that looked a topic up (fetchOffsets, setOffsets, ...) keeps asking for its
 * metadata and fails with UNKNOWN_TOPIC_OR_PARTITION once it is gone, as it does against Kafka when another client
 * deletes the topic. Producers and consumers recreate their topics (auto-creation) and carry on.
 */
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { startTestBroker, kafkaClient, openRequest, readResponse, callApi, tempDir } from '../helpers.js';
import { until } from '../groups/helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { FetchApi, OffsetCommitApi, type FetchResponse } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { passThrough } from '../../src/server/pipeline.js';

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

before(async () => {
  broker = await startTestBroker({ registryPort: -1 });
  kafka = kafkaClient(broker);
  producer = kafka.producer();
  await producer.connect();
});
beforeEach(async () => {
  await broker.reset();
  admin = kafka.admin();
  await admin.connect();
});
afterEach(async () => { await admin.disconnect(); });
after(async () => {
  await producer.disconnect();
  await broker.close();
});

const registry = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(`${broker.registryUrl}${path}`, { ...init, headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' } });
  return { status: res.status, body: await res.json() };
};
/** Commits offsets for a group without members (generation -1), as admin tools do, over the wire. */
async function commit(groupId: string, topic: string, offsets: number[]): Promise<void> {
  const res = await callApi(broker.port, OffsetCommitApi, 2, {
    groupId, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: topic, partitions: offsets.map((committedOffset, partitionIndex) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: null })) }],
  });
  assert.ok(res.topics.every((t) => t.partitions.every((p) => p.errorCode === 0)));
}

const SCHEMA = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] });

test('after reset(): no topics, groups, committed offsets, transactional ids or schemas; clients connected before keep working', async () => {
  // A test's worth of state.
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }, { topic: 'payments' }] });
  await producer.send({ topic: 'orders', messages: [{ value: 'o1', partition: 0 }, { value: 'o2', partition: 1 }] });
  await commit('billing', 'orders', [1]);
  const txn = kafka.producer({ transactionalId: 'reset-txn', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 20 } });
  await txn.connect();
  const t = await txn.transaction();
  await t.send({ topic: 'payments', messages: [{ value: 'open' }] });
  const registered = await registry('/subjects/users-value/versions', { method: 'POST', body: JSON.stringify({ schema: SCHEMA }) });
  assert.equal(registered.status, 200);
  const schemaId = (registered.body as { id: number }).id;
  assert.equal(broker.topics().length, 2);
  assert.equal(broker.committedOffsets('billing').length, 1);
  assert.equal(broker.broker.transactions.list([], [], -1).transactions.length, 1);

  await admin.disconnect();
  const started = performance.now();
  await broker.reset();
  const ms = performance.now() - started;
  admin = kafka.admin();
  await admin.connect();

  assert.deepEqual(broker.topics(), []);
  assert.deepEqual(broker.groups(), []);
  assert.deepEqual(broker.committedOffsets('billing'), []);
  assert.deepEqual(broker.broker.transactions.list([], [], -1).transactions, []);
  assert.deepEqual((await registry('/subjects')).body, []);
  assert.equal((await registry(`/schemas/ids/${schemaId}`)).status, 404);
  // Internal topics stay; clients see no user topic.
  assert.deepEqual((await admin.listTopics()).filter((n) => !n.startsWith('_')), []);
  assert.deepEqual((await admin.listGroups()).groups, []);
  assert.deepEqual(await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] }).catch(() => []), []);

  // The producer connected before the reset works on: a fresh topic, from offset 0.
  await producer.send({ topic: 'orders', messages: [{ value: 'after' }] });
  assert.deepEqual(broker.records('orders').map((r) => [r.offset, r.value?.toString()]), [[0, 'after']]);
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 2 }] });
  assert.equal(broker.topics().find((x) => x.name === 'payments')!.partitions.length, 2);
  // The registry starts over too; ids are never handed out twice.
  const again = await registry('/subjects/users-value/versions', { method: 'POST', body: JSON.stringify({ schema: SCHEMA }) });
  assert.equal(again.status, 200);
  assert.ok((again.body as { id: number }).id > schemaId);
  // The open transaction's id is gone: committing it fails, as on a fresh broker.
  await assert.rejects(t.commit());
  await txn.disconnect().catch(() => {});
  console.log(`# reset() of 2 topics, 1 group, 1 transaction, 1 schema: ${ms.toFixed(2)} ms`);
});

test('a long poll parked on a topic is answered UNKNOWN_TOPIC_OR_PARTITION at reset, not left hanging', async () => {
  await admin.createTopics({ topics: [{ topic: 'polled' }] });
  const parked = broker.broker.fetchWaits.parked;
  const sock = await openRequest(broker.port, FetchApi, 11, {
    replicaId: -1, maxWaitMs: 60_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'polled', topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '', clusterId: null,
  });
  try {
    await until('the fetch to park', () => broker.broker.fetchWaits.parked === parked + 1, 5000);
    const answer = readResponse<FetchResponse>(sock, FetchApi, 11);
    await broker.reset();
    const res = await answer;
    assert.equal(res.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  } finally {
    sock.destroy();
  }
});

test('a consumer in a group at reset joins again and consumes the recreated topic', async () => {
  await admin.createTopics({ topics: [{ topic: 'feed' }] });
  const seen: string[] = [];
  const consumer = kafka.consumer({ groupId: 'feed-group', sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'feed', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  try {
    const before = await broker.waitForGroup('feed-group', { state: 'Stable', members: 1 });
    await producer.send({ topic: 'feed', messages: [{ value: 'before' }] });
    await broker.waitForCommitted('feed-group', 'feed', { lag: 0 });
    await admin.disconnect();
    await broker.reset();
    admin = kafka.admin();
    await admin.connect();
    assert.deepEqual(broker.groups(), []);
    // The member learns at its next heartbeat that the (fresh) coordinator does not know it, and joins again.
    const rejoined = await broker.waitForGroup('feed-group', { state: 'Stable', members: 1 });
    assert.notEqual(rejoined.members[0].memberId, before.members[0].memberId);
    await admin.createTopics({ topics: [{ topic: 'feed' }] }).catch(() => {}); // may already be auto-created by the consumer's metadata
    await producer.send({ topic: 'feed', messages: [{ value: 'after' }] });
    await until('the message produced after the reset', () => seen.includes('after'), 15_000);
    assert.deepEqual(seen, ['before', 'after']);
  } finally {
    await consumer.disconnect();
  }
});

test('reset() with 100 topics and 10 groups takes a few milliseconds', async () => {
  await admin.createTopics({ topics: Array.from({ length: 100 }, (_, i) => ({ topic: `bulk-${i}`, numPartitions: 2 })) });
  for (let g = 0; g < 10; g++) await commit(`bulk-group-${g}`, `bulk-${g}`, [0, 0]);
  assert.equal(broker.topics().length, 100);
  assert.equal(broker.groups().length, 10);
  const started = performance.now();
  await broker.reset();
  const ms = performance.now() - started;
  assert.equal(broker.topics().length, 0);
  assert.equal(broker.groups().length, 0);
  console.log(`# reset() of 100 topics (200 partitions) and 10 groups: ${ms.toFixed(2)} ms`);
  assert.ok(ms < 1000, `reset took ${ms} ms`);
});

test('reset() empties a fault injector that can clear itself, drops any other, and runs the registered reset hooks', async () => {
  const installed = broker.broker.faults;
  try {
    let cleared = 0;
    const clearable = { intercept: (_call: unknown, next: () => unknown) => next(), clear: () => { cleared++; } };
    broker.broker.faults = clearable;
    await broker.reset();
    assert.equal(cleared, 1);
    assert.equal(broker.broker.faults, clearable, 'kept in the pipeline, emptied');
    broker.broker.faults = { intercept: (_call, next) => next() };
    await broker.reset();
    assert.equal(broker.broker.faults, passThrough);
    const calls: string[] = [];
    broker.broker.resetHooks.push(async () => { calls.push('hook'); });
    await broker.reset();
    assert.deepEqual(calls, ['hook']);
    broker.broker.resetHooks.pop();
  } finally {
    broker.broker.faults = installed;
  }
});

test('reset() on a broker with a data directory: a restart after it brings nothing back', async () => {
  const tmp = tempDir('samsa-reset-');
  try {
    const durable = await startTestBroker({ dataDir: tmp.dir });
    const k = kafkaClient(durable);
    const p = k.producer();
    await p.connect();
    await p.send({ topic: 'kept-until-reset', messages: [{ value: 'x' }] });
    await p.disconnect();
    await callApi(durable.port, OffsetCommitApi, 2, {
      groupId: 'durable-group', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: 'kept-until-reset', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    assert.equal(durable.groups().length, 1);
    await durable.reset();
    await durable.close();
    const restarted = await startTestBroker({ dataDir: tmp.dir });
    try {
      assert.deepEqual(restarted.topics(), []);
      assert.deepEqual(restarted.groups(), []);
      await assert.rejects(restarted.waitForCommitted('durable-group', 'kept-until-reset', { partition: 3, lag: 0, timeoutMs: 20 }), /no topic 'kept-until-reset'/);
    } finally {
      await restarted.close();
    }
  } finally {
    tmp.remove();
  }
});
