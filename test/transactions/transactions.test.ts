/**
 * Idempotent and transactional producers with real clients: kafkajs transactions, kcat reading under both
 * isolation levels, raw retried batches, zombie fencing, timeouts and restarts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, kafkaClient, tempDir, run, callApi as call } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { ProduceApi, InitProducerIdApi, EndTxnApi, AddPartitionsToTxnApi } from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { ManualClock } from '../../src/clock.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker(); });
after(async () => { await broker.close(); });

async function createTopic(b: RunningBroker, topic: string, numPartitions = 1): Promise<void> {
  const admin = kafkaClient(b).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** Values kcat reads under an isolation level. */
async function readAll(b: RunningBroker, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
  const out = await run('kcat', ['-C', '-b', b.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%s\n']);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.split('\n').filter(Boolean);
}

async function latest(b: RunningBroker, topic: string): Promise<string> {
  const admin = kafkaClient(b).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return offsets[0].high;
}

test('a committed transaction is visible to read_committed; an aborted one only to read_uncommitted', async () => {
  await createTopic(broker, 'tx-basic');
  const producer = kafkaClient(broker).producer({ transactionalId: 'tx-basic-producer', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send({ topic: 'tx-basic', messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
  await committed.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'tx-basic', messages: [{ value: 'aborted-1' }] });
  await aborted.abort();
  await producer.disconnect();
  assert.deepEqual(await readAll(broker, 'tx-basic', 'read_committed'), ['committed-1', 'committed-2']);
  assert.deepEqual(await readAll(broker, 'tx-basic', 'read_uncommitted'), ['committed-1', 'committed-2', 'aborted-1']);
});

test('an open transaction holds back the last stable offset until it ends', async () => {
  await createTopic(broker, 'tx-lso');
  const plain = kafkaClient(broker).producer();
  await plain.connect();
  await plain.send({ topic: 'tx-lso', messages: [{ value: 'before' }] });
  const producer = kafkaClient(broker).producer({ transactionalId: 'tx-lso-producer', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'tx-lso', messages: [{ value: 'pending' }] });
  await plain.send({ topic: 'tx-lso', messages: [{ value: 'after' }] });
  assert.deepEqual(await readAll(broker, 'tx-lso', 'read_committed'), ['before'], 'nothing past the open transaction is stable');
  assert.deepEqual(await readAll(broker, 'tx-lso', 'read_uncommitted'), ['before', 'pending', 'after']);
  await txn.commit();
  assert.deepEqual(await readAll(broker, 'tx-lso', 'read_committed'), ['before', 'pending', 'after']);
  await producer.disconnect();
  await plain.disconnect();
});

test('sendOffsets commits the group offsets only with the transaction', async () => {
  await createTopic(broker, 'tx-out');
  await createTopic(broker, 'tx-in');
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  const producer = kafkaClient(broker).producer({ transactionalId: 'tx-offsets', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'tx-out', messages: [{ value: 'x' }] });
  await aborted.sendOffsets({ consumerGroupId: 'pipeline', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '5' }] }] });
  await aborted.abort();
  let offsets = await admin.fetchOffsets({ groupId: 'pipeline', topics: ['tx-in'] });
  assert.equal(offsets[0].partitions[0].offset, '-1', 'aborted offsets are not committed');
  const committed = await producer.transaction();
  await committed.send({ topic: 'tx-out', messages: [{ value: 'y' }] });
  await committed.sendOffsets({ consumerGroupId: 'pipeline', topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: '7' }] }] });
  await committed.commit();
  offsets = await admin.fetchOffsets({ groupId: 'pipeline', topics: ['tx-in'] });
  assert.equal(offsets[0].partitions[0].offset, '7');
  await producer.disconnect();
  await admin.disconnect();
});

test('a new producer with the same transactional id fences the zombie and aborts its transaction', async () => {
  await createTopic(broker, 'tx-zombie');
  const zombie = kafkaClient(broker).producer({ transactionalId: 'tx-zombie-id', maxInFlightRequests: 1, idempotent: true, retry: { retries: 1 } });
  await zombie.connect();
  const stale = await zombie.transaction();
  await stale.send({ topic: 'tx-zombie', messages: [{ value: 'from the zombie' }] });
  const successor = kafkaClient(broker).producer({ transactionalId: 'tx-zombie-id', maxInFlightRequests: 1, idempotent: true });
  await successor.connect();
  // kafkajs sends InitProducerId for the transactional id when the first transaction begins, not on connect.
  const txn = await successor.transaction();
  await assert.rejects(stale.commit(), (err: any) => /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|epoch/i.test(`${err.type} ${err.message}`));
  await txn.send({ topic: 'tx-zombie', messages: [{ value: 'from the successor' }] });
  await txn.commit();
  assert.deepEqual(await readAll(broker, 'tx-zombie', 'read_committed'), ['from the successor']);
  await successor.disconnect();
  await zombie.disconnect().catch(() => {});
});

test('transaction.timeout.ms aborts an abandoned transaction (on the broker clock)', async () => {
  const clock = new ManualClock(Date.now());
  const own = await startTestBroker({ clock });
  try {
    await createTopic(own, 'tx-timeout');
    const producer = kafkaClient(own).producer({ transactionalId: 'tx-timeout-id', maxInFlightRequests: 1, idempotent: true, transactionTimeout: 1000 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'tx-timeout', messages: [{ value: 'abandoned' }] });
    const log = own.broker.partition('tx-timeout', 0)!;
    assert.ok(log.lastStableOffset < log.highWatermark, 'open');
    await clock.advance(500);
    assert.ok(log.lastStableOffset < log.highWatermark, 'still open before the timeout');
    await clock.advance(1_600);
    assert.equal(log.lastStableOffset, log.highWatermark, 'the abort marker closed the transaction');
    assert.deepEqual(await readAll(own, 'tx-timeout', 'read_committed'), []);
    await assert.rejects(txn.commit());
    await producer.disconnect().catch(() => {});
  } finally {
    await own.close();
  }
});

test('an idempotent batch retried after a lost response is acknowledged with its first offset, not stored twice', async () => {
  await createTopic(broker, 'idem');
  const { producerId, producerEpoch, errorCode } = await call(broker.port, InitProducerIdApi, 0, { transactionalId: null, transactionTimeoutMs: 0, producerId: -1, producerEpoch: -1 });
  assert.equal(errorCode, 0);
  const produce = (baseSequence: number) => call(broker.port, ProduceApi, 7, {
    transactionalId: null, acks: -1, timeoutMs: 1000,
    topicData: [{ name: 'idem', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from(`seq-${baseSequence}`) }, { key: null, value: Buffer.from('second') }], { producerId, producerEpoch, baseSequence }) }] }],
  }).then((res) => res.responses[0].partitionResponses[0]);
  const first = await produce(0);
  const retry = await produce(0);
  assert.equal(first.errorCode, 0);
  assert.equal(retry.errorCode, 0);
  assert.equal(retry.baseOffset, first.baseOffset);
  assert.equal(await latest(broker, 'idem'), '2', 'the retry stored nothing');
  const gap = await produce(10);
  assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const next = await produce(2);
  assert.equal(next.errorCode, 0);
  assert.equal(next.baseOffset, 2);
});

test('transactional calls out of order get Kafka error codes, not a stuck transaction', async () => {
  const tooLong = await call(broker.port, InitProducerIdApi, 1, { transactionalId: 'tx-bad', transactionTimeoutMs: 10 ** 9, producerId: -1, producerEpoch: -1 });
  assert.equal(tooLong.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const unknownTxn = await call(broker.port, EndTxnApi, 1, { transactionalId: 'never-initialised', producerId: 5, producerEpoch: 0, committed: true });
  assert.equal(unknownTxn.errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  const { producerId, producerEpoch } = await call(broker.port, InitProducerIdApi, 1, { transactionalId: 'tx-bad', transactionTimeoutMs: 5000, producerId: -1, producerEpoch: -1 });
  const added = await call(broker.port, AddPartitionsToTxnApi, 1, { transactionalId: 'tx-bad', producerId, producerEpoch, topics: [{ name: 'no-such-topic', partitions: [0] }] });
  assert.equal(added.results[0].results[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const wrongEpoch = await call(broker.port, EndTxnApi, 1, { transactionalId: 'tx-bad', producerId, producerEpoch: producerEpoch + 3, committed: true });
  assert.equal(wrongEpoch.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  const nothingOpen = await call(broker.port, EndTxnApi, 1, { transactionalId: 'tx-bad', producerId, producerEpoch, committed: false });
  assert.equal(nothingOpen.errorCode, ErrorCode.INVALID_TXN_STATE, 'nothing open to abort, as Kafka answers');
});

test('a broker restart in the middle of a transaction: the transaction can still be committed', async () => {
  const tmp = tempDir();
  try {
    let b = await startTestBroker({ dataDir: tmp.dir });
    const port = b.port;
    await createTopic(b, 'tx-restart');
    const producer = kafkaClient(b).producer({ transactionalId: 'tx-restart-id', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'tx-restart', messages: [{ value: 'across a restart' }] });
    await b.close();
    b = await startTestBroker({ dataDir: tmp.dir, port });
    assert.deepEqual(await readAll(b, 'tx-restart', 'read_committed'), [], 'still open after the restart');
    await txn.commit();
    assert.deepEqual(await readAll(b, 'tx-restart', 'read_committed'), ['across a restart']);
    await producer.disconnect();
    await b.close();
  } finally {
    tmp.remove();
  }
});
