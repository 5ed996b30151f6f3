/**
 * Transactional produce is verified against the coordinator (KIP-890 part 1), with raw requests: a batch from a
 * producer id no coordinator issued, or for a partition not added to the transaction, is refused and stores nothing.
 * A transaction a partition holds open without coordinator state is aborted after transaction.max.timeout.ms, on the
 * broker's (manual) clock.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { AddPartitionsToTxnApi, DescribeProducersApi, EndTxnApi, InitProducerIdApi, ListTransactionsApi, ProduceApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ManualClock } from '../../src/clock.js';

const clock = new ManualClock();
let running: RunningBroker;
before(async () => {
  running = await startTestBroker({ clock });
  running.broker.createTopic('txv', 2);
});
after(async () => { await running.close(); });

const txnBatch = (producerId: number, producerEpoch: number, baseSequence = 0) =>
  encodeBatch([{ key: null, value: Buffer.from('in a transaction'), timestamp: clock.now() }], { isTransactional: true, producerId, producerEpoch, baseSequence });

async function produce(transactionalId: string | null, partition: number, records: Buffer): Promise<number> {
  const res = await callApi(running.port, ProduceApi, 7, {
    transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: 'txv', partitionData: [{ index: partition, records }] }],
  });
  return res.responses[0].partitionResponses[0].errorCode;
}

test('a transactional batch from a producer id no coordinator issued is refused; the partition stays stable', async () => {
  assert.equal(await produce('nobody', 0, txnBatch(987654, 0)), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(await produce(null, 0, txnBatch(987654, 0)), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  const log = running.broker.partition('txv', 0)!;
  assert.equal(log.logEndOffset, 0);
  assert.equal(log.lastStableOffset, log.highWatermark);
});

test('a transactional batch is accepted only for partitions added to the ongoing transaction, with its epoch', async () => {
  const init = await callApi(running.port, InitProducerIdApi, 1, { transactionalId: 'txv-id', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  assert.equal(init.errorCode, ErrorCode.NONE);
  const { producerId, producerEpoch } = init;
  assert.equal(await produce('txv-id', 0, txnBatch(producerId, producerEpoch)), ErrorCode.INVALID_TXN_STATE, 'no AddPartitionsToTxn');
  const added = await callApi(running.port, AddPartitionsToTxnApi, 1, { transactionalId: 'txv-id', producerId, producerEpoch, topics: [{ name: 'txv', partitions: [0] }] });
  assert.equal(added.results[0].results[0].errorCode, ErrorCode.NONE);
  assert.equal(await produce('txv-id', 1, txnBatch(producerId, producerEpoch)), ErrorCode.INVALID_TXN_STATE, 'partition 1 was not added');
  assert.equal(await produce('txv-id', 0, txnBatch(producerId, producerEpoch + 1)), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(await produce('txv-id', 0, txnBatch(producerId, producerEpoch)), ErrorCode.NONE);
  const log = running.broker.partition('txv', 0)!;
  assert.equal(log.lastStableOffset, 0, 'the open transaction holds the LSO');
  const ended = await callApi(running.port, EndTxnApi, 1, { transactionalId: 'txv-id', producerId, producerEpoch, committed: true });
  assert.equal(ended.errorCode, ErrorCode.NONE);
  assert.equal(log.lastStableOffset, log.highWatermark);
  assert.equal(await produce('txv-id', 0, txnBatch(producerId, producerEpoch, 1)), ErrorCode.INVALID_TXN_STATE, 'the transaction is over');
  assert.equal(running.broker.partition('txv', 1)!.logEndOffset, 0);
});

test('an open partition transaction without coordinator state is aborted after transaction.max.timeout.ms', async () => {
  // Data from before verification existed: appended straight to the log, as an older version would have stored it.
  const log = running.broker.partition('txv', 1)!;
  log.append(txnBatch(55555, 3));
  const stuckAt = log.lastStableOffset;
  assert.equal(stuckAt, 0);
  const maxTimeout = running.broker.config.int('transaction.max.timeout.ms');
  await clock.advance(maxTimeout - 5_000);
  assert.equal(log.lastStableOffset, stuckAt, 'still open before the limit');
  await clock.advance(10_000);
  assert.equal(log.lastStableOffset, log.highWatermark, 'an ABORT marker closed it');
  assert.deepEqual(log.abortedTransactions(0, log.highWatermark).map((a) => a.producerId), [55555]);
});

test('DescribeProducers and ListTransactions (KIP-664) show a hanging transaction and the coordinator\'s ids', async () => {
  running.broker.createTopic('hang', 1);
  const log = running.broker.partition('hang', 0)!;
  log.append(encodeBatch([{ key: null, value: Buffer.from('plain'), timestamp: clock.now() }]));
  log.append(txnBatch(77777, 2));
  const described = await callApi(running.port, DescribeProducersApi, 0, { topics: [{ name: 'hang', partitionIndexes: [0, 5] }] });
  const [p0, p5] = described.topics[0].partitions;
  assert.equal(p0.errorCode, ErrorCode.NONE);
  assert.deepEqual(p0.activeProducers.map((p) => [p.producerId, p.producerEpoch, p.lastSequence, p.currentTxnStartOffset]), [[77777, 2, 0, 1]]);
  assert.equal(p5.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  const all = await callApi(running.port, ListTransactionsApi, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null });
  assert.equal(all.errorCode, ErrorCode.NONE);
  assert.ok(all.transactionStates.some((t) => t.transactionalId === 'txv-id' && t.transactionState === 'CompleteCommit'), JSON.stringify(all.transactionStates));
  const filtered = await callApi(running.port, ListTransactionsApi, 0, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null });
  assert.deepEqual(filtered.unknownStateFilters, ['Bogus']);
  assert.ok(filtered.transactionStates.every((t) => t.transactionState === 'Ongoing'));
  const byId = await callApi(running.port, ListTransactionsApi, 0, { stateFilters: [], producerIdFilters: [123456789], durationFilter: -1, transactionalIdPattern: null });
  assert.deepEqual(byId.transactionStates, []);
});
