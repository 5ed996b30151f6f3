/** The transaction coordinator's state machine over an in-memory log, including replay after a restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TransactionCoordinator, type OpenPartitionTxn, type PendingOffset } from '../../src/coordinator/txn/transaction-coordinator.js';
import { MemoryKeyValueLog } from '../../src/log/key-value-log.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { ManualClock } from '../../src/clock.js';

const ID_EXPIRATION_MS = 120_000;

function setup(log = new MemoryKeyValueLog(), clock = new ManualClock()) {
  const markers: Array<[string, number, number, number, boolean]> = [];
  const committed: Array<[string, PendingOffset[]]> = [];
  /** What the partitions hold open, as the broker would report it. */
  const open: OpenPartitionTxn[] = [];
  const coordinator = new TransactionCoordinator({
    log, logger: pino({ level: 'silent' }), maxTimeoutMs: 60_000, idExpirationMs: ID_EXPIRATION_MS, clock,
    partitionExists: (topic) => topic !== 'missing',
    openPartitionTxns: () => open,
    writeMarker: async (...args) => { markers.push(args); },
    commitOffsets: async (group, offsets) => { committed.push([group, offsets]); },
  });
  return { coordinator, markers, committed, log, clock, open };
}

test('idempotent producers get distinct ids that survive a restart', async () => {
  const { coordinator, log } = setup();
  const a = await coordinator.initProducerId(null, 0, -1, -1);
  const b = await coordinator.initProducerId(null, 0, -1, -1);
  assert.notEqual(a.producerId, b.producerId);
  coordinator.close();
  const again = setup(log).coordinator;
  const c = await again.initProducerId(null, 0, -1, -1);
  assert.ok(c.producerId > b.producerId, 'ids are never reused after a restart');
  again.close();
});

test('an idempotent producer gets a new id at epoch 0 whatever id and epoch it names, as in Kafka', async () => {
  const { coordinator } = setup();
  const transactional = await coordinator.initProducerId('tx', 10_000, -1, -1);
  const first = await coordinator.initProducerId(null, 0, -1, -1);
  const naming = await coordinator.initProducerId(null, 0, first.producerId, first.producerEpoch);
  const namingTheTransactional = await coordinator.initProducerId(null, 0, transactional.producerId, transactional.producerEpoch);
  const ids = [transactional, first, naming, namingTheTransactional].map((r) => r.producerId);
  assert.equal(new Set(ids).size, 4, `ids ${ids.join(', ')} are not distinct`);
  assert.deepEqual([naming.producerEpoch, namingTheTransactional.producerEpoch], [0, 0]);
  coordinator.close();
});

test('commit writes markers to every partition and applies offsets; abort applies none', async () => {
  const { coordinator, markers, committed } = setup();
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 10_000, -1, -1);
  const added = await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }]);
  assert.deepEqual(added.map((r) => r.errorCode), [0, 0]);
  assert.equal(await coordinator.addOffsets('tx', producerId, producerEpoch, 'g'), ErrorCode.NONE);
  const offset = { topic: 'in', partition: 0, offset: 42, leaderEpoch: -1, metadata: null };
  assert.equal(await coordinator.txnOffsetCommit('tx', producerId, producerEpoch, 'g', [offset]), ErrorCode.NONE);
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
  assert.deepEqual(markers, [['a', 0, producerId, producerEpoch, true], ['b', 1, producerId, producerEpoch, true]]);
  assert.deepEqual(committed, [['g', [offset]]]);
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE, 'a retried commit gets the same answer');
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE);

  await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
  await coordinator.addOffsets('tx', producerId, producerEpoch, 'g');
  await coordinator.txnOffsetCommit('tx', producerId, producerEpoch, 'g', [{ ...offset, offset: 99 }]);
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, false), ErrorCode.NONE);
  assert.equal(committed.length, 1, 'aborted offsets are dropped');
  assert.deepEqual(markers[2], ['a', 0, producerId, producerEpoch, false]);
  coordinator.close();
});

test('a new incarnation fences the old producer and aborts its open transaction', async () => {
  const { coordinator, markers } = setup();
  const first = await coordinator.initProducerId('tx', 10_000, -1, -1);
  await coordinator.addPartitions('tx', first.producerId, first.producerEpoch, [{ topic: 'a', partition: 0 }]);
  const second = await coordinator.initProducerId('tx', 10_000, -1, -1);
  assert.equal(second.producerId, first.producerId);
  assert.equal(second.producerEpoch, first.producerEpoch + 1);
  assert.deepEqual(markers, [['a', 0, first.producerId, first.producerEpoch, false]]);
  assert.equal(await coordinator.endTxn('tx', first.producerId, first.producerEpoch, true), ErrorCode.INVALID_PRODUCER_EPOCH);
  const zombie = await coordinator.addPartitions('tx', first.producerId, first.producerEpoch, [{ topic: 'a', partition: 0 }]);
  assert.equal(zombie[0].errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  coordinator.close();
});

test('bad input gets Kafka error codes', async () => {
  const { coordinator } = setup();
  assert.equal(await coordinator.endTxn('nobody', 1, 0, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal((await coordinator.initProducerId('tx', 10 ** 9, -1, -1)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 1000, -1, -1);
  const res = await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'missing', partition: 0 }, { topic: 'a', partition: 0 }]);
  assert.deepEqual(res.map((r) => r.errorCode), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.OPERATION_NOT_ATTEMPTED]);
  assert.equal(await coordinator.txnOffsetCommit('tx', producerId, producerEpoch, 'g', []), ErrorCode.INVALID_TXN_STATE, 'offsets need AddOffsetsToTxn first');
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE, 'nothing to commit');
  coordinator.close();
});

test("InitProducerId: an empty transactional id is INVALID_REQUEST; a KIP-360 bump asked again gets the same epoch; a spent epoch gets a new id", async () => {
  const log = new MemoryKeyValueLog();
  const { coordinator } = setup(log);
  assert.equal((await coordinator.initProducerId('', 1000, -1, -1)).errorCode, ErrorCode.INVALID_REQUEST);
  const first = await coordinator.initProducerId('tx', 1000, -1, -1);
  const bumped = await coordinator.initProducerId('tx', 1000, first.producerId, first.producerEpoch);
  assert.equal(bumped.producerEpoch, first.producerEpoch + 1);
  assert.deepEqual(await coordinator.initProducerId('tx', 1000, first.producerId, first.producerEpoch), bumped, 'the retry of the same request');
  // A new incarnation (no id named) fences every earlier epoch: the old pair is no retry any more.
  const next = await coordinator.initProducerId('tx', 1000, -1, -1);
  assert.equal((await coordinator.initProducerId('tx', 1000, first.producerId, first.producerEpoch)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  coordinator.close();
  // An id at epoch 32765 (as a record replayed): the next bump gives 32766, the one after a new id at 0, never 32767.
  const worn = new MemoryKeyValueLog();
  await worn.append([{ key: Buffer.from('txn:old'), value: Buffer.from(JSON.stringify({ transactionalId: 'old', producerId: next.producerId + 100, epoch: 32765, timeoutMs: 1000, state: 'Empty', partitions: [], offsets: {}, startedAt: 0 })) }]);
  const { coordinator: again } = setup(worn);
  assert.deepEqual((await again.initProducerId('old', 1000, -1, -1)).producerEpoch, 32766);
  const renewed = await again.initProducerId('old', 1000, -1, -1);
  assert.deepEqual([renewed.errorCode, renewed.producerEpoch], [ErrorCode.NONE, 0]);
  assert.notEqual(renewed.producerId, next.producerId + 100);
  again.close();
});

test('a transaction caught in PrepareCommit by a crash is completed on restart', async () => {
  const log = new MemoryKeyValueLog();
  const { coordinator } = setup(log);
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 10_000, -1, -1);
  await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
  coordinator.close();
  // Simulate a crash right after the PrepareCommit record was stored.
  const state = [...log.replay()].filter((r) => r.key.toString() === 'txn:tx').pop()!;
  await log.append([{ key: state.key, value: Buffer.from(JSON.stringify({ ...JSON.parse(state.value!.toString()), state: 'PrepareCommit' })) }]);
  const restarted = setup(log);
  await restarted.coordinator.recover();
  assert.deepEqual(restarted.markers, [['a', 0, producerId, producerEpoch, true]]);
  assert.equal(await restarted.coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
  restarted.coordinator.close();
});

test('a commit whose marker could not be written is finished by the next housekeeping round, not left until a restart', async () => {
  const clock = new ManualClock();
  let failures = 1;
  const markers: Array<[string, boolean]> = [];
  const coordinator = new TransactionCoordinator({
    log: new MemoryKeyValueLog(), logger: pino({ level: 'silent' }), maxTimeoutMs: 60_000, idExpirationMs: ID_EXPIRATION_MS, clock,
    partitionExists: () => true, openPartitionTxns: () => [], commitOffsets: async () => {},
    writeMarker: async (topic, _partition, _producerId, _epoch, commit) => {
      if (failures-- > 0) throw new Error('No space left on device');
      markers.push([topic, commit]);
    },
  });
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 30_000, -1, -1);
  await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
  await assert.rejects(coordinator.endTxn('tx', producerId, producerEpoch, true), /No space/);
  assert.equal(coordinator.describe('tx')!.state, 'PrepareCommit');
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS, 'the client retries meanwhile');
  await clock.advance(1000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(markers, [['a', true]]);
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE, 'its retried commit is answered');
  coordinator.close();
});

test('pipelined AddPartitionsToTxn/AddOffsetsToTxn never lose what an earlier request added', async () => {
  const { coordinator, markers } = setup();
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 10_000, -1, -1);
  // Sent back to back, as a pipelining client does: the second arrives while the first is being written.
  const [first, second, offsets] = await Promise.all([
    coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]),
    coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'b', partition: 0 }]),
    coordinator.addOffsets('tx', producerId, producerEpoch, 'g'),
  ]);
  // As Kafka: an operation on a transaction whose state is being written gets CONCURRENT_TRANSACTIONS (the client
  // retries); what was accepted must be in the transaction, so commit marks it.
  for (const code of [first[0].errorCode, second[0].errorCode, offsets]) assert.ok(code === ErrorCode.NONE || code === ErrorCode.CONCURRENT_TRANSACTIONS, `code ${code}`);
  if (second[0].errorCode !== ErrorCode.NONE) await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'b', partition: 0 }]);
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NONE);
  assert.deepEqual(markers.map(([topic]) => topic).sort(), ['a', 'b'], 'every accepted partition gets a marker');
  coordinator.close();
});

test('a transaction timeout that cannot be written (disk full) is logged and retried, never an unhandled rejection', async () => {
  class FailingLog extends MemoryKeyValueLog {
    failing = false;
    override async append(records: Parameters<MemoryKeyValueLog['append']>[0]): Promise<void> {
      if (this.failing) throw new Error('No space left on device');
      return super.append(records);
    }
  }
  const log = new FailingLog();
  const { coordinator, markers, clock } = setup(log);
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => { unhandled.push(err); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 1, -1, -1);
    await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
    log.failing = true;
    await clock.advance(1500);
    assert.deepEqual(markers, []);
    assert.deepEqual(unhandled, [], 'the periodic abort does not reject into the event loop');
    log.failing = false;
    await clock.advance(1000);
    assert.deepEqual(markers, [['a', 0, producerId, producerEpoch + 1, false]], 'aborted once space returns');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    coordinator.close();
  }
});

test('transaction.timeout.ms aborts an open transaction on the injected clock, bumping the epoch', async () => {
  const { coordinator, markers, clock } = setup();
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 10_000, -1, -1);
  await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
  await clock.advance(9_000);
  assert.deepEqual(markers, []);
  await clock.advance(2_000);
  assert.deepEqual(markers, [['a', 0, producerId, producerEpoch + 1, false]]);
  assert.equal(await coordinator.endTxn('tx', producerId, producerEpoch, true), ErrorCode.INVALID_PRODUCER_EPOCH);
  coordinator.close();
});

test('a timeout round acts on each transaction as it is when its turn comes: one ended and begun anew meanwhile is left alone', async () => {
  const clock = new ManualClock();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const markers: Array<[string, number, number]> = [];
  const coordinator = new TransactionCoordinator({
    log: new MemoryKeyValueLog(), logger: pino({ level: 'silent' }), maxTimeoutMs: 60_000, idExpirationMs: ID_EXPIRATION_MS, clock,
    partitionExists: () => true, openPartitionTxns: () => [], commitOffsets: async () => {},
    // The first transaction's abort marker is held: the round waits on it while the second one commits and starts again.
    writeMarker: async (topic, _partition, _producerId, epoch) => { markers.push([topic, epoch, markers.length]); if (topic === 'a') await gate; },
  });
  const a = await coordinator.initProducerId('a', 1000, -1, -1);
  const b = await coordinator.initProducerId('b', 1000, -1, -1);
  await coordinator.addPartitions('a', a.producerId, a.producerEpoch, [{ topic: 'a', partition: 0 }]);
  await coordinator.addPartitions('b', b.producerId, b.producerEpoch, [{ topic: 'b', partition: 0 }]);
  await clock.advance(1500); // both past their timeout: the round starts with 'a' and waits on its marker
  assert.deepEqual(markers.map(([topic]) => topic), ['a']);
  assert.equal(await coordinator.endTxn('b', b.producerId, b.producerEpoch, true), ErrorCode.NONE, 'b commits before its turn comes');
  await coordinator.addPartitions('b', b.producerId, b.producerEpoch, [{ topic: 'b', partition: 0 }]);
  release();
  await clock.advance(0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await coordinator.endTxn('b', b.producerId, b.producerEpoch, true), ErrorCode.NONE, "b's new transaction is neither aborted nor fenced");
  assert.deepEqual(markers.filter(([topic]) => topic === 'b').map(([, epoch]) => epoch), [b.producerEpoch, b.producerEpoch], 'two commits at its epoch, no abort');
  coordinator.close();
});

test('verifyPartition (KIP-890): only a partition in the ongoing transaction of that producer id and epoch', async () => {
  const { coordinator } = setup();
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 10_000, -1, -1);
  assert.equal(coordinator.verifyPartition('tx', producerId, producerEpoch, 'a', 0), ErrorCode.INVALID_TXN_STATE, 'no AddPartitionsToTxn yet');
  await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
  assert.equal(coordinator.verifyPartition('tx', producerId, producerEpoch, 'a', 0), ErrorCode.NONE);
  assert.equal(coordinator.verifyPartition('tx', producerId, producerEpoch, 'a', 1), ErrorCode.INVALID_TXN_STATE, 'another partition');
  assert.equal(coordinator.verifyPartition('tx', producerId, producerEpoch + 1, 'a', 0), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(coordinator.verifyPartition('tx', producerId + 1, producerEpoch, 'a', 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(coordinator.verifyPartition('other', producerId, producerEpoch, 'a', 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  assert.equal(coordinator.verifyPartition(null, producerId, producerEpoch, 'a', 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  await coordinator.endTxn('tx', producerId, producerEpoch, true);
  assert.equal(coordinator.verifyPartition('tx', producerId, producerEpoch, 'a', 0), ErrorCode.INVALID_TXN_STATE, 'the transaction ended');
  coordinator.close();
});

test('a partition transaction no coordinator state covers is aborted after transaction.max.timeout.ms', async () => {
  const { coordinator, markers, clock, open } = setup();
  const { producerId, producerEpoch } = await coordinator.initProducerId('tx', 10_000, -1, -1);
  await coordinator.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }]);
  // One transaction the coordinator covers, one it never issued (data written before verification existed).
  open.push({ topic: 'a', partition: 0, producerId, producerEpoch }, { topic: 'b', partition: 3, producerId: 4242, producerEpoch: 7 });
  await clock.advance(9_000);
  await coordinator.endTxn('tx', producerId, producerEpoch, true);
  open.shift(); // its commit marker closed it
  assert.deepEqual(markers, [['a', 0, producerId, producerEpoch, true]]);
  await clock.advance(50_000);
  assert.equal(markers.length, 1, 'not before transaction.max.timeout.ms (60 s here)');
  await clock.advance(2_000);
  assert.deepEqual(markers[1], ['b', 3, 4242, 7, false]);
  coordinator.close();
});

test('ids expire by their last use: one used again outlives those idle since before it, after a restart too', async () => {
  const { coordinator, clock, log } = setup();
  const ids = ['a', 'b', 'c', 'd'];
  const producers = new Map<string, { producerId: number; producerEpoch: number }>();
  for (const id of ids) producers.set(id, await coordinator.initProducerId(id, 10_000, -1, -1));
  await clock.advance(ID_EXPIRATION_MS / 2);
  // 'b' commits a transaction (three writes), 'c' initialises again: both are used now, 'a' and 'd' are not.
  const b = producers.get('b')!;
  await coordinator.addPartitions('b', b.producerId, b.producerEpoch, [{ topic: 't', partition: 0 }]);
  assert.equal(await coordinator.endTxn('b', b.producerId, b.producerEpoch, true), ErrorCode.NONE);
  producers.set('c', await coordinator.initProducerId('c', 10_000, -1, -1));
  const known = async (c: TransactionCoordinator) => {
    const out = [];
    for (const id of ids) {
      const p = producers.get(id)!;
      // An unknown id is INVALID_PRODUCER_ID_MAPPING; a known one with nothing open, INVALID_TXN_STATE.
      if (await c.endTxn(id, p.producerId, p.producerEpoch, false) !== ErrorCode.INVALID_PRODUCER_ID_MAPPING) out.push(id);
    }
    return out;
  };
  await clock.advance(ID_EXPIRATION_MS / 2 + 2_000);
  assert.deepEqual(await known(coordinator), ['b', 'c']);
  coordinator.close();
  const restarted = setup(log, clock).coordinator;
  assert.deepEqual(await known(restarted), ['b', 'c'], 'replayed');
  await clock.advance(ID_EXPIRATION_MS / 2);
  assert.deepEqual(await known(restarted), []);
  restarted.close();
});

test('transactional.id.expiration.ms forgets idle ids with a tombstone, never an open transaction', async () => {
  const { coordinator, clock, log } = setup();
  const idle = await coordinator.initProducerId('idle', 10_000, -1, -1);
  const busy = await coordinator.initProducerId('busy', 50_000, -1, -1);
  await clock.advance(ID_EXPIRATION_MS - 10_000);
  await coordinator.addPartitions('busy', busy.producerId, busy.producerEpoch, [{ topic: 'a', partition: 0 }]);
  assert.equal(await coordinator.endTxn('idle', idle.producerId, idle.producerEpoch, true), ErrorCode.INVALID_TXN_STATE, 'still known');
  await clock.advance(20_000);
  assert.equal(await coordinator.endTxn('idle', idle.producerId, idle.producerEpoch, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'expired');
  assert.equal(await coordinator.endTxn('busy', busy.producerId, busy.producerEpoch, true), ErrorCode.NONE, 'an id with a transaction open stays');
  const last = [...log.replay()].filter((r) => r.key.toString() === 'txn:idle').pop()!;
  assert.equal(last.value, null, 'a tombstone in __transaction_state');
  coordinator.close();
  const restarted = setup(log, clock).coordinator;
  assert.equal(await restarted.endTxn('idle', idle.producerId, idle.producerEpoch, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'gone after replay too');
  const again = await restarted.initProducerId('idle', 10_000, -1, -1);
  assert.equal(again.errorCode, ErrorCode.NONE);
  restarted.close();
});
