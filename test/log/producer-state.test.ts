/** Idempotent sequence checks and transaction bookkeeping, from batch headers alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProducerState, type ProducerBatch } from '../../src/log/producer-state.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let offset = 0;
function batch(producerId: number, producerEpoch: number, baseSequence: number, recordCount = 1, extra: Partial<ProducerBatch> = {}): ProducerBatch {
  const b = { baseOffset: offset, lastOffset: offset + recordCount - 1, producerId, producerEpoch, baseSequence, recordCount, maxTimestamp: 1_000 + offset, isTransactional: false, commitMarker: null, ...extra };
  return b;
}
function append(state: ProducerState, b: ProducerBatch): void {
  assert.equal(state.check(b).kind, 'append');
  state.apply(b, 0);
  offset = b.lastOffset + 1;
}

test('in-order sequences append; a retried batch is a duplicate with its original offset and stored timestamp', () => {
  const s = new ProducerState();
  offset = 0;
  append(s, batch(7, 0, 0, 3));
  append(s, batch(7, 0, 3, 2));
  assert.deepEqual(s.check({ ...batch(7, 0, 0, 3), maxTimestamp: 5 }), { kind: 'duplicate', baseOffset: 0, maxTimestamp: 1_000 });
  assert.deepEqual(s.check(batch(7, 0, 3, 2)), { kind: 'duplicate', baseOffset: 3, maxTimestamp: 1_003 });
});

test('a gap or an old epoch is refused with Kafka error codes', () => {
  const s = new ProducerState();
  offset = 0;
  append(s, batch(1, 2, 0, 1));
  const gap = s.check(batch(1, 2, 5, 1));
  assert.equal(gap.kind === 'error' && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const old = s.check(batch(1, 1, 1, 1));
  assert.equal(old.kind === 'error' && old.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  const newEpochNotZero = s.check(batch(1, 3, 4, 1));
  assert.equal(newEpochNotZero.kind === 'error' && newEpochNotZero.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  append(s, batch(1, 3, 0, 1));
});

test('open transactions hold back the last stable offset; aborted ones are indexed', () => {
  const s = new ProducerState();
  offset = 10;
  append(s, batch(5, 0, 0, 2, { isTransactional: true }));   // offsets 10-11
  append(s, batch(6, 0, 0, 1));                              // 12, not transactional
  assert.equal(s.lastStableOffset(13), 10);
  append(s, batch(5, 0, -1, 1, { isTransactional: true, commitMarker: false })); // abort marker at 13
  assert.equal(s.lastStableOffset(14), 14);
  assert.deepEqual(s.abortedTransactions(0, 14), [{ producerId: 5, firstOffset: 10, lastOffset: 13 }]);
  assert.deepEqual(s.abortedTransactions(14, 20), []);
  append(s, batch(5, 0, 2, 1, { isTransactional: true }));   // 14
  append(s, batch(5, 0, -1, 1, { isTransactional: true, commitMarker: true })); // commit at 15
  assert.equal(s.abortedTransactions(14, 16).length, 0);
  s.truncateHead(14);
  assert.deepEqual(s.abortedTransactions(0, 16), []);
});

test('expire forgets producers idle since before the cut, never one holding a transaction open', () => {
  const s = new ProducerState();
  offset = 0;
  const at = (b: ProducerBatch, ms: number) => { s.apply(b, ms); offset = b.lastOffset + 1; };
  at(batch(1, 0, 0), 1_000);
  at(batch(2, 0, 0, 1, { isTransactional: true }), 1_000);
  at(batch(3, 0, 0), 5_000);
  assert.equal(s.expire(2_000), 1, 'producer 1 only: 2 holds a transaction open, 3 wrote since');
  assert.deepEqual(s.describe().map((p) => p.producerId).sort(), [2, 3]);
  assert.equal(s.check(batch(1, 0, 7)).kind, 'append', 'a forgotten producer is taken as a new one');
  at(batch(2, 0, 0, 1, { commitMarker: true }), 6_000); // its transaction ends
  assert.equal(s.expire(10_000), 2);
  assert.deepEqual(s.describe(), []);
});

test("a producer id with a negative sequence is INVALID_RECORD (a -1 had matched the last batch as a duplicate and been dropped)", () => {
  const s = new ProducerState();
  offset = 0;
  append(s, batch(9, 0, 0, 1));
  for (const sequence of [-1, -5]) {
    const refused = s.check(batch(9, 0, sequence, 1));
    assert.equal(refused.kind === 'error' && refused.errorCode, ErrorCode.INVALID_RECORD, String(sequence));
  }
  const fresh = s.check(batch(10, 0, -1, 1));
  assert.equal(fresh.kind === 'error' && fresh.errorCode, ErrorCode.INVALID_RECORD, 'a new producer too');
});

test("a producer with a transaction open here writes transactionally until it ends (Kafka's INVALID_TXN_STATE)", () => {
  const s = new ProducerState();
  offset = 0;
  append(s, batch(4, 0, 0, 1, { isTransactional: true }));
  const plain = s.check(batch(4, 0, 1, 1));
  assert.equal(plain.kind === 'error' && plain.errorCode, ErrorCode.INVALID_TXN_STATE);
  append(s, batch(4, 0, 1, 1, { isTransactional: true }));
});

test('after a marker bumps the epoch, the producer starts again at sequence 0', () => {
  const s = new ProducerState();
  offset = 0;
  append(s, batch(5, 0, 0, 2, { isTransactional: true }));
  s.apply(batch(5, 1, -1, 1, { isTransactional: true, commitMarker: false }), 0);
  offset += 1;
  const skipped = s.check(batch(5, 1, 7, 1));
  assert.equal(skipped.kind === 'error' && skipped.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  append(s, batch(5, 1, 0, 1));
});
