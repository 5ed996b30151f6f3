/**
 * startBroker({ clock: 'manual' }): time moves only by `broker.clock.advance(ms)`, and everything that expires follows
 * it — a kafkajs transaction past transaction.timeout.ms, 7-day retention, a group member's session, LogAppendTime
 * stamps — in milliseconds of wall time. On the real clock `advance` throws with a code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { startTestBroker, kafkaClient, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { JoinGroupApi, SyncGroupApi } from '../../src/protocol/generated/index.js';

const DAY = 24 * 3600_000;
let broker: RunningBroker;
let kafka: Kafka;

before(async () => {
  broker = await startTestBroker({ clock: 'manual' });
  kafka = kafkaClient(broker);
});
after(async () => { await broker.close(); });

async function createTopic(topic: string, configs: Record<string, string> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  await admin.disconnect();
}

test('the manual clock starts at the real time and moves only when advanced', async () => {
  assert.equal(broker.clock.manual, true);
  const t0 = broker.clock.now();
  assert.ok(Math.abs(t0 - Date.now()) < 60_000, 'starts near the real time, so clients\' timestamps agree with it');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(broker.clock.now(), t0);
  await broker.clock.advance(1500);
  assert.equal(broker.clock.now(), t0 + 1500);
  await assert.rejects(broker.clock.advance(-1), { code: 'SAMSA_INVALID_ARGUMENT' });
});

test('a kafkajs transaction past transaction.timeout.ms is aborted when the clock passes it, without waiting', async () => {
  await broker.reset();
  await createTopic('tx-clock');
  const producer = kafka.producer({ transactionalId: 'tx-clock-id', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000, retry: { retries: 1, initialRetryTime: 20 } });
  await producer.connect();
  const wall = performance.now();
  const txn = await producer.transaction();
  await txn.send({ topic: 'tx-clock', messages: [{ value: 'abandoned' }] });
  await broker.clock.advance(59_000);
  assert.deepEqual(broker.records('tx-clock').map((r) => r.control ?? r.value?.toString()), ['abandoned'], 'still open before its timeout');
  await broker.clock.advance(2_000);
  const records = broker.records('tx-clock');
  assert.deepEqual(records.map((r) => r.control ?? r.value?.toString()), ['abandoned', 'ABORT']);
  assert.ok(records[1].producerEpoch > records[0].producerEpoch, 'the abort fenced the producer with a bumped epoch');
  assert.equal(broker.topics()[0].partitions[0].lastStableOffset, 2);
  await assert.rejects(txn.commit());
  await producer.disconnect().catch(() => {});
  const ms = performance.now() - wall;
  assert.ok(ms < 10_000, `a 60 s timeout took ${ms} ms of wall time`);
});

test('7-day retention deletes records once the clock has moved 7 days, in milliseconds', async () => {
  await broker.reset();
  await createTopic('week', { 'retention.ms': String(7 * DAY) });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'week', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  const wall = performance.now();
  await broker.clock.advance(6 * DAY);
  assert.equal(broker.records('week').length, 3, 'kept for 6 days');
  await broker.clock.advance(DAY + 10 * 60_000); // past 7 days, and past the next retention check (every 5 minutes)
  const ms = performance.now() - wall;
  assert.deepEqual(broker.records('week'), []);
  assert.equal(broker.topics()[0].partitions[0].logStartOffset, 3);
  await producer.send({ topic: 'week', messages: [{ value: 'd' }] });
  assert.deepEqual(broker.records('week').map((r) => [r.offset, r.value?.toString()]), [[3, 'd']]);
  await producer.disconnect();
  console.log(`# 7 days of retention under the manual clock: ${ms.toFixed(1)} ms`);
  assert.ok(ms < 5_000, `took ${ms} ms`);
});

test('LogAppendTime stamps records with the manual clock\'s time', async () => {
  await broker.reset();
  await createTopic('stamped', { 'message.timestamp.type': 'LogAppendTime' });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'stamped', messages: [{ value: 'first' }] });
  const first = broker.clock.now();
  await broker.clock.advance(3600_000);
  await producer.send({ topic: 'stamped', messages: [{ value: 'an hour later' }] });
  await producer.disconnect();
  const records = broker.records('stamped');
  assert.deepEqual(records.map((r) => [r.timestampType, r.timestamp]), [['LogAppendTime', first], ['LogAppendTime', first + 3600_000]]);
});

test('a group member that stops heartbeating is removed when the clock passes its session timeout', async () => {
  await broker.reset();
  const join = await callApi(broker.port, JoinGroupApi, 1, {
    groupId: 'sessions', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }], reason: null,
  });
  assert.equal(join.errorCode, 0);
  const sync = await callApi(broker.port, SyncGroupApi, 0, {
    groupId: 'sessions', generationId: join.generationId, memberId: join.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: join.memberId, assignment: Buffer.alloc(0) }],
  });
  assert.equal(sync.errorCode, 0);
  await broker.waitForGroup('sessions', { state: 'Stable', members: 1 });
  await broker.clock.advance(29_000);
  assert.equal(broker.group('sessions')?.members.length, 1, 'alive within its session');
  await broker.clock.advance(2_000);
  const group = await broker.waitForGroup('sessions', { state: 'Empty', members: 0, timeoutMs: 1000 });
  assert.equal(group.generationId, join.generationId + 1);
});

test('clock.advance on a broker with the real clock throws, with a code', async () => {
  const real = await startTestBroker();
  try {
    assert.equal(real.clock.manual, false);
    await assert.rejects(real.clock.advance(1000), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SAMSA_CLOCK_NOT_MANUAL');
      assert.match(err.message, /clock: 'manual'/);
      return true;
    });
  } finally {
    await real.close();
  }
});
