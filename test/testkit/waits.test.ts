/**
 * The test kit's waits and inspection on real kafkajs traffic over sockets: a group reaching Stable with 2 members,
 * committed offsets reaching lag 0, records arriving, a timeout's message, and `records()` showing a transaction's
 * records and its commit marker.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer, Kafka } from 'kafkajs';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { TestkitError } from '../../src/index.js';

let broker: RunningBroker;
let kafka: Kafka;
const consumers: Consumer[] = [];

before(async () => {
  broker = await startTestBroker();
  kafka = kafkaClient(broker);
});
beforeEach(async () => {
  for (const c of consumers.splice(0)) await c.disconnect();
  await broker.reset();
});
after(async () => {
  for (const c of consumers) await c.disconnect().catch(() => {});
  await broker.close();
});

async function consumer(groupId: string, topic: string, seen: string[] = []): Promise<Consumer> {
  const c = kafka.consumer({ groupId, sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  consumers.push(c);
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({ autoCommitInterval: 50, eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  return c;
}

test('waitForGroup resolves when two kafkajs members have joined and the group is Stable', async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'pair', numPartitions: 4 }] });
  await admin.disconnect();
  const waiting = broker.waitForGroup('pair-group', { state: 'Stable', members: 2 });
  await consumer('pair-group', 'pair');
  await consumer('pair-group', 'pair');
  const group = await waiting;
  assert.equal(group.state, 'Stable');
  assert.equal(group.members.length, 2);
  assert.equal(group.protocolType, 'consumer');
  // The assignment the coordinator holds: the 4 partitions split between the two members.
  const assigned = group.members.flatMap((m) => m.assignment?.pair ?? []).sort();
  assert.deepEqual(assigned, [0, 1, 2, 3]);
  assert.deepEqual(broker.groups().map((g) => g.groupId), ['pair-group']);
});

test('waitForCommitted resolves when the group has consumed and committed everything (lag 0)', async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'lagging', numPartitions: 3 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'lagging', messages: Array.from({ length: 30 }, (_, i) => ({ value: `m${i}`, partition: i % 3 })) });
  await producer.disconnect();
  const seen: string[] = [];
  await consumer('lag-group', 'lagging', seen);
  const committed = await broker.waitForCommitted('lag-group', 'lagging', { lag: 0 });
  assert.deepEqual(committed.map((o) => [o.partition, o.offset, o.lag]), [[0, 10, 0], [1, 10, 0], [2, 10, 0]]);
  assert.equal(seen.length, 30, 'committed past every record: all were consumed');
  assert.deepEqual(broker.committedOffsets('lag-group').map((o) => o.offset), [10, 10, 10]);
  const atLeast = await broker.waitForCommitted('lag-group', 'lagging', { partition: 1, offset: 10 });
  assert.equal(atLeast.length, 3);
});

test('waitForRecords resolves with the decoded records once they arrive, including on a topic created after the wait began', async () => {
  const waiting = broker.waitForRecords('arrivals', 3);
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic: 'arrivals', messages: [{ key: 'k1', value: 'a', headers: { h: 'x' } }] });
  await producer.send({ topic: 'arrivals', messages: [{ key: 'k2', value: 'b' }, { key: null, value: 'c' }] });
  await producer.disconnect();
  const records = await waiting;
  assert.deepEqual(records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString()]), [[0, 'k1', 'a'], [1, 'k2', 'b'], [2, null, 'c']]);
  assert.equal(records[0].headers[0].key, 'h');
  assert.equal(records[0].headers[0].value?.toString(), 'x');
  assert.ok(records.every((r) => r.control === null && !r.transactional && r.timestampType === 'CreateTime'));
  assert.ok(Math.abs(records[0].timestamp - Date.now()) < 60_000, 'the producer\'s timestamp');
});

test('a wait that is not met rejects after its timeout saying what it awaited and what it saw', async () => {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'few', messages: [{ value: 'only one' }] }).catch(() => producer.send({ topic: 'few', messages: [{ value: 'only one' }] }));
  await producer.disconnect();
  const started = performance.now();
  await assert.rejects(broker.waitForRecords('few', 5, { timeoutMs: 200 }), (err: unknown) => {
    assert.ok(err instanceof TestkitError);
    assert.equal(err.code, 'SAMSA_WAIT_TIMEOUT');
    assert.match(err.message, /waitForRecords\('few', 5\): timed out after 200 ms; last seen: 1 record\(s\)/);
    return true;
  });
  assert.ok(performance.now() - started >= 190);
  await assert.rejects(broker.waitForGroup('nobody', { state: 'Stable', members: 2, timeoutMs: 50 }),
    /waitForGroup\('nobody', state Stable with 2 member\(s\)\): timed out after 50 ms; last seen: no such group \(Dead\)/);
  await assert.rejects(broker.waitForCommitted('nobody', 'few', { lag: 0, timeoutMs: 50 }),
    /waitForCommitted\('nobody', 'few', lag <= 0\): timed out after 50 ms; last seen: partition 0: committed none, high watermark 1/);
  await assert.rejects(broker.waitForCommitted('nobody', 'few', { timeoutMs: 50 }), { code: 'SAMSA_INVALID_ARGUMENT' });
  await assert.rejects(broker.waitForGroup('nobody', { lag: 0, timeoutMs: 50 }), { code: 'SAMSA_INVALID_ARGUMENT' });
  await assert.rejects(broker.waitForGroup('nobody', { lag: 0, topic: 'few', timeoutMs: 50 }),
    /waitForGroup\('nobody', lag <= 0 on 'few'\): timed out after 50 ms; last seen: no such group \(Dead\); partition 0: committed none, high watermark 1/);
});

test('records() shows a transaction\'s records, transactional, and its COMMIT marker; an aborted one its ABORT marker', async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'txn-view', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId: 'txn-view-id', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send({ topic: 'txn-view', messages: [{ value: 'one' }, { value: 'two' }] });
  await committed.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'txn-view', messages: [{ value: 'three' }] });
  await aborted.abort();
  await producer.disconnect();
  const records = broker.records('txn-view', 0);
  assert.deepEqual(records.map((r) => [r.offset, r.control ?? r.value!.toString()]), [[0, 'one'], [1, 'two'], [2, 'COMMIT'], [3, 'three'], [4, 'ABORT']]);
  assert.ok(records.every((r) => r.transactional));
  const producerIds = new Set(records.map((r) => r.producerId));
  assert.equal(producerIds.size, 1);
  assert.ok(records[0].producerId >= 0);
  assert.deepEqual(broker.records('txn-view', 0, { offset: 2, limit: 2 }).map((r) => r.offset), [2, 3]);
  assert.throws(() => broker.records('no-such-topic'), { code: 'SAMSA_UNKNOWN_TOPIC' });
});
