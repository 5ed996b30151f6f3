/**
 * The partition log, run against both storages (files and memory) so in-memory mode stays behaviourally identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionLog, FsDir, MemoryDir, MemoryQuota, StorageError, PartitionKeyValueLog, LogManager, type LogDir, type TopicConfigInput } from '../../src/log/index.js';
import { BatchError, decodeBatch, encodeBatch, encodeControlBatch, parseBatches, readBatchHeader, setLogAppendTime, TimestampType } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

interface Backend { name: string; dir(): LogDir; cleanup(): void }

function backends(): Backend[] {
  const roots: string[] = [];
  let n = 0;
  const root = () => {
    const r = mkdtempSync(join(tmpdir(), 'samsa-log-'));
    roots.push(r);
    return r;
  };
  return [
    { name: 'files', dir: () => new FsDir(join(root(), `p-${n++}`)), cleanup: () => roots.forEach((r) => rmSync(r, { recursive: true, force: true })) },
    { name: 'memory', dir: () => new MemoryDir(), cleanup: () => {} },
  ];
}

/** A batch of `count` records with values `v<i>` and the given timestamp. */
function batch(count: number, opts: { timestamp?: number; size?: number; key?: string | null; producerId?: number; seq?: number; txn?: boolean } = {}): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    key: opts.key === null ? null : Buffer.from(opts.key ?? `k${i}`),
    value: Buffer.alloc(opts.size ?? 10, i),
    timestamp: opts.timestamp ?? 1_000,
  }));
  return encodeBatch(records, { producerId: opts.producerId, producerEpoch: opts.producerId !== undefined ? 0 : -1, baseSequence: opts.seq ?? (opts.producerId !== undefined ? 0 : -1), isTransactional: opts.txn });
}

function append(log: PartitionLog, buf: Buffer) {
  const parsed = parseBatches(buf);
  if (parsed instanceof BatchError) throw parsed;
  return log.append(buf, parsed);
}

function offsetsIn(bufs: Buffer[]): number[] {
  const out: number[] = [];
  for (const b of bufs) {
    for (let pos = 0; pos < b.length;) {
      const h = readBatchHeader(b, pos);
      for (const r of decodeBatch(b, pos).records) out.push(r.offset);
      pos += h.size;
    }
  }
  return out;
}

function reopen(log: PartitionLog, config: TopicConfigInput = {}, opts = {}): Promise<PartitionLog> {
  return log.close().then(() => PartitionLog.open(log.dir, config, opts));
}

for (const backend of backends()) {
  const open = (config: TopicConfigInput = {}, opts = {}) => PartitionLog.open(backend.dir(), config, opts);

  test(`${backend.name}: appends assign consecutive offsets; reads return whole batches from the one holding the offset`, () => {
    const log = open();
    assert.equal(log.highWatermark, 0);
    assert.deepEqual(log.read(0, 1000), []);
    for (let i = 0; i < 10; i++) {
      const r = append(log, batch(3));
      assert.equal(r.baseOffset, i * 3);
      assert.equal(r.lastOffset, i * 3 + 2);
      assert.equal(r.logAppendTime, -1);
    }
    assert.equal(log.highWatermark, 30);
    assert.equal(log.lastStableOffset, 30);
    const got = log.read(4, 1_000_000);
    assert.deepEqual(offsetsIn(got), Array.from({ length: 27 }, (_, i) => i + 3));
    assert.deepEqual(log.read(30, 1000), []);
    assert.deepEqual(log.read(-1, 1000), []);
    // upTo (a last stable offset) stops before the batch starting there.
    assert.deepEqual(offsetsIn(log.read(0, 1_000_000, 9)), Array.from({ length: 9 }, (_, i) => i));
  });

  test(`${backend.name}: maxBytes keeps whole batches, but the first batch comes whatever its size (KIP-74)`, () => {
    const log = open();
    const one = batch(1, { size: 500 });
    for (let i = 0; i < 5; i++) append(log, Buffer.from(one));
    assert.deepEqual(offsetsIn(log.read(0, 10)), [0]);
    assert.deepEqual(offsetsIn(log.read(0, one.length * 2 + 10)), [0, 1]);
    assert.deepEqual(offsetsIn(log.read(2, one.length * 3)), [2, 3, 4]);
  });

  test(`${backend.name}: segments roll by segment.bytes; every offset is found through the sparse index`, async () => {
    const log = open({ 'segment.bytes': 4000, 'index.interval.bytes': 300 });
    let expected = 0;
    for (let i = 0; i < 120; i++) {
      const n = 1 + (i % 4);
      assert.equal(append(log, batch(n, { size: 20 + (i % 7) * 30 })).baseOffset, expected);
      expected += n;
    }
    assert.ok(log.segments.length > 5, `rolled into ${log.segments.length} segments`);
    for (const seg of log.segments.slice(0, -1)) assert.ok(seg.size <= 4000);
    for (let i = 1; i < log.segments.length; i++) assert.equal(log.segments[i].baseOffset, log.segments[i - 1].nextOffset);
    assert.ok(log.segments[0].offsetIndex.length > 3, 'index entries were written');
    for (let o = 0; o < expected; o++) {
      const first = offsetsIn(log.read(o, 1));
      assert.ok(first.includes(o), `offset ${o} in ${first}`);
    }
    if (log.dir.path) {
      const files = readdirSync(log.dir.path);
      assert.ok(files.includes('00000000000000000000.log') && files.includes('00000000000000000000.index') && files.includes('00000000000000000000.timeindex'));
    }
    const again = await reopen(log, { 'segment.bytes': 4000, 'index.interval.bytes': 300 });
    assert.equal(again.highWatermark, expected);
    assert.equal(again.segments.length, log.segments.length);
    for (let o = 0; o < expected; o += 7) assert.ok(offsetsIn(again.read(o, 1)).includes(o));
  });

  test(`${backend.name}: segment.ms rolls an idle active segment; retention.ms then deletes it and moves the start offset`, () => {
    let now = 1_000_000;
    const log = open({ 'segment.ms': 1000, 'retention.ms': 5000 }, { now: () => now });
    append(log, batch(2, { timestamp: now }));
    append(log, batch(2, { timestamp: now }));
    assert.equal(log.enforceRetention(now), 0);
    now += 1500;
    log.enforceRetention(now);
    assert.equal(log.segments.length, 2, 'rolled the idle segment');
    append(log, batch(1, { timestamp: now }));
    now += 4000; // first segment's records are now 5500 ms old, the second's 4000
    assert.equal(log.enforceRetention(now), 1);
    assert.equal(log.logStartOffset, 4);
    assert.deepEqual(log.read(0, 100), []);
    assert.deepEqual(offsetsIn(log.read(4, 1000)), [4]);
    now += 10_000; // everything expired: the active segment goes too, the end offset stays
    log.enforceRetention(now);
    assert.equal(log.logStartOffset, 5);
    assert.equal(log.highWatermark, 5);
    assert.equal(append(log, batch(1, { timestamp: now })).baseOffset, 5);
  });

  test(`${backend.name}: retention.bytes deletes the oldest closed segments beyond the budget`, () => {
    const log = open({ 'segment.bytes': 1000, 'retention.bytes': 2500, 'retention.ms': -1 });
    for (let i = 0; i < 40; i++) append(log, batch(1, { size: 100 }));
    const before = log.size;
    assert.ok(before > 2500);
    assert.ok(log.enforceRetention() > 0);
    assert.ok(log.size <= 2500 + 1000, `size ${log.size}`);
    assert.equal(log.logStartOffset, log.segments[0].baseOffset);
    assert.equal(log.highWatermark, 40);
    assert.deepEqual(offsetsIn(log.read(log.logStartOffset, 1)), [log.logStartOffset]);
  });

  test(`${backend.name}: offsetForTimestamp finds the first record at or after a time`, async () => {
    const log = open({ 'segment.bytes': 2000, 'index.interval.bytes': 100 });
    // Timestamps rise with a dip, as clients' clocks allow.
    const stamps = [100, 200, 300, 250, 400, 500, 450, 600, 700, 800, 900, 1000];
    for (const t of stamps) append(log, batch(2, { timestamp: t, size: 80 }));
    const firstAtOrAfter = (ts: number) => {
      const i = stamps.findIndex((t) => t >= ts);
      return i < 0 ? undefined : { offset: i * 2, timestamp: stamps[i] };
    };
    for (const ts of [0, 100, 150, 250, 260, 301, 450, 455, 999, 1000]) assert.deepEqual(log.offsetForTimestamp(ts), firstAtOrAfter(ts), `ts ${ts}`);
    assert.equal(log.offsetForTimestamp(1001), undefined);
    log.deleteRecordsBefore(5);
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 5, timestamp: 300 });
    const again = await reopen(log, { 'segment.bytes': 2000, 'index.interval.bytes': 100 });
    assert.deepEqual(again.offsetForTimestamp(455), firstAtOrAfter(455));
    assert.equal(again.logStartOffset, 5);
  });

  test(`${backend.name}: LogAppendTime stamps the broker clock into the batch`, () => {
    const log = open({ 'message.timestamp.type': 'LogAppendTime' }, { now: () => 123_456 });
    const r = append(log, batch(2, { timestamp: 5 }));
    assert.equal(r.logAppendTime, 123_456);
    const [stored] = log.read(0, 1000);
    assert.ok(!(parseBatches(stored) instanceof BatchError), 'CRC still valid');
    const h = readBatchHeader(stored);
    assert.equal(h.timestampType, TimestampType.logAppendTime);
    assert.deepEqual(decodeBatch(stored).records.map((x) => x.timestamp), [123_456, 123_456]);
  });

  test(`${backend.name}: topic limits refuse batches with Kafka's error codes and store nothing`, () => {
    const log = open({ 'max.message.bytes': 200, 'message.timestamp.difference.max.ms': 1000, 'segment.bytes': 5000 }, { now: () => 10_000 });
    const refuse = (buf: Buffer, code: number) => assert.throws(() => append(log, buf), (e: unknown) => e instanceof BatchError && e.errorCode === code);
    refuse(batch(1, { size: 300, timestamp: 10_000 }), ErrorCode.MESSAGE_TOO_LARGE);
    refuse(batch(1, { timestamp: 1 }), ErrorCode.INVALID_TIMESTAMP);
    refuse(Buffer.concat(Array.from({ length: 60 }, () => batch(1, { size: 50, timestamp: 10_000 }))), ErrorCode.RECORD_LIST_TOO_LARGE);
    assert.equal(log.highWatermark, 0);
    const compacted = open({ 'cleanup.policy': 'compact' });
    assert.throws(() => append(compacted, batch(1, { key: null })), (e: unknown) => e instanceof BatchError && e.errorCode === ErrorCode.INVALID_RECORD);
    append(compacted, batch(1));
    assert.equal(compacted.highWatermark, 1);
  });

  test(`${backend.name}: a transaction marker is a record of the time search, as in Kafka (ListOffsets by time and MAX_TIMESTAMP)`, () => {
    const log = open();
    append(log, batch(2, { timestamp: 100, producerId: 7, txn: true })); // 0, 1
    log.appendInternal(encodeControlBatch(true, 7, 0, 0, 500)); // COMMIT at 2
    assert.deepEqual(log.offsetForTimestamp(100), { offset: 0, timestamp: 100 });
    assert.deepEqual(log.offsetForTimestamp(200), { offset: 2, timestamp: 500 }, 'the marker is the first record at or after 200');
    assert.deepEqual(log.offsetOfMaxTimestamp(), { offset: 2, timestamp: 500 });
    append(log, batch(1, { timestamp: 300 })); // 3
    assert.deepEqual(log.offsetForTimestamp(200), { offset: 2, timestamp: 500 }, 'still the first in offset order');
    assert.deepEqual(log.offsetOfMaxTimestamp(), { offset: 2, timestamp: 500 });
  });

  test(`${backend.name}: maxTimestamp is stored as the records' own maximum, and every record's timestamp is checked`, () => {
    const log = open({ 'message.timestamp.before.max.ms': 1000 }, { now: () => 10_000 });
    const records = [9_200, 9_800, 9_500].map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp }));
    // Headers that lie, both ways: the records say 9,800.
    for (const maxTimestamp of [50_000_000, 0]) append(log, encodeBatch(records, { maxTimestamp }));
    const stored = log.read(0, 10_000)[0];
    const parsed = parseBatches(stored);
    assert.ok(!(parsed instanceof BatchError), 'CRC valid after the rewrite');
    assert.deepEqual(parsed.map((h) => h.maxTimestamp), [9_800, 9_800]);
    assert.deepEqual(log.offsetOfMaxTimestamp(), { offset: 1, timestamp: 9_800 });
    assert.equal(log.offsetForTimestamp(9_900), undefined, 'no record at or after 9,900');

    // Base and max in range, one record (a negative delta) behind: refused, nothing stored.
    const hidden = encodeBatch([9_500, 1_000, 9_800].map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp })), { baseTimestamp: 9_500, maxTimestamp: 9_800 });
    assert.deepEqual([readBatchHeader(hidden).baseTimestamp, readBatchHeader(hidden).maxTimestamp], [9_500, 9_800]);
    assert.throws(() => append(log, hidden), (e: unknown) => e instanceof BatchError && e.errorCode === ErrorCode.INVALID_TIMESTAMP && /timestamp 1000 /.test(e.message));
    assert.equal(log.highWatermark, 6);
    // A record without a timestamp (NO_TIMESTAMP) is not out of range, as in Kafka.
    append(log, encodeBatch([{ key: null, value: Buffer.from('v'), timestamp: -1 }]));
    assert.equal(log.highWatermark, 7);

    // The LogAppendTime type is the broker's to set, on either kind of topic.
    for (const type of ['CreateTime', 'LogAppendTime']) {
      const stampedByClient = encodeBatch([{ key: null, value: Buffer.from('v'), timestamp: 9_000 }]);
      setLogAppendTime(stampedByClient, 0, stampedByClient.length, 9_000);
      assert.throws(() => append(open({ 'message.timestamp.type': type }, { now: () => 10_000 }), stampedByClient), (e: unknown) => e instanceof BatchError && e.errorCode === ErrorCode.INVALID_TIMESTAMP, type);
    }

    // A batch refused after its header was checked (here: out of sequence) leaves the caller's bytes as they came.
    const idempotent = open({}, { now: () => 10_000 });
    append(idempotent, batch(1, { producerId: 7, seq: 0, timestamp: 9_000 }));
    const skipped = encodeBatch([{ key: null, value: Buffer.from('v'), timestamp: 9_000 }], { maxTimestamp: 1, producerId: 7, producerEpoch: 0, baseSequence: 5 });
    const sent = Buffer.from(skipped);
    assert.throws(() => append(idempotent, skipped), (e: unknown) => e instanceof BatchError && e.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    assert.deepEqual(skipped, sent);
  });

  test(`${backend.name}: records without timestamps are kept retention.ms from their append, as Kafka keeps them from the file's mtime`, () => {
    let now = 10_000;
    const log = open({ 'retention.ms': 1000 }, { now: () => now });
    append(log, encodeBatch([-1, -5].map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp })), { baseTimestamp: -5 }));
    assert.equal(readBatchHeader(log.read(0, 1000)[0]).maxTimestamp, -1, "stored as the records' maximum: NO_TIMESTAMP");
    now = 10_900;
    assert.equal(log.enforceRetention(now), 0, 'younger than retention.ms');
    assert.equal(log.logStartOffset, 0);
    now = 11_100;
    assert.equal(log.enforceRetention(now), 1);
    assert.equal(log.logStartOffset, 2);
  });

  test(`${backend.name}: DeleteRecords advances the start offset and frees whole segments; truncateTo cuts the tail`, async () => {
    const log = open({ 'segment.bytes': 600 });
    for (let i = 0; i < 30; i++) append(log, batch(1, { size: 100 }));
    const segments = log.segments.length;
    log.deleteRecordsBefore(17);
    assert.equal(log.logStartOffset, 17);
    assert.ok(log.segments.length < segments);
    assert.ok(log.segments[0].baseOffset <= 17);
    assert.deepEqual(log.read(16, 1000), []);
    assert.deepEqual(offsetsIn(log.read(17, 1)), [17]);
    log.deleteRecordsBefore(3); // never backwards
    assert.equal(log.logStartOffset, 17);
    log.truncateTo(25);
    assert.equal(log.highWatermark, 25);
    assert.equal(append(log, batch(1)).baseOffset, 25);
    const again = await reopen(log, { 'segment.bytes': 600 });
    assert.equal(again.logStartOffset, 17);
    assert.equal(again.highWatermark, 26);
  });

  test(`${backend.name}: a full disk fails the append with a storage error, keeps what was stored, and resumes`, () => {
    const quota = new MemoryQuota(Infinity);
    const dir = backend.name === 'memory' ? new MemoryDir(quota) : null;
    if (!dir) return; // real disk-full runs through the same code path; the memory quota makes it deterministic
    const log = PartitionLog.open(dir);
    for (let i = 0; i < 5; i++) append(log, batch(1, { size: 100 }));
    quota.capacity = quota.used + 150;
    assert.throws(() => append(log, batch(2, { size: 100 })), (e: unknown) => e instanceof StorageError && e.errorCode === ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal(log.highWatermark, 5);
    assert.deepEqual(offsetsIn(log.read(0, 100_000)), [0, 1, 2, 3, 4]);
    quota.capacity = Infinity;
    assert.equal(append(log, batch(1)).baseOffset, 5);
  });

  test(`${backend.name}: idempotent retries are answered with the original offsets; transactions hold the LSO`, async () => {
    const log = open();
    append(log, batch(2, { producerId: 9, seq: 0 }));
    const retry = append(log, batch(2, { producerId: 9, seq: 0, timestamp: 1_500 }));
    // Kafka answers a retry with the stored batch's timestamp as its log append time (CreateTime here).
    assert.deepEqual([retry.duplicate, retry.baseOffset, retry.logAppendTime, log.highWatermark], [true, 0, 1_000, 2]);
    assert.throws(() => append(log, batch(1, { producerId: 9, seq: 7 })), (e: unknown) => e instanceof BatchError && e.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    append(log, batch(2, { producerId: 11, seq: 0, txn: true })); // offsets 2-3
    append(log, batch(1)); // 4
    assert.equal(log.lastStableOffset, 2);
    log.appendInternal(encodeControlBatch(false, 11, 0)); // ABORT at 5
    assert.equal(log.lastStableOffset, 6);
    assert.deepEqual(log.abortedTransactions(0, 6), [{ producerId: 11, firstOffset: 2, lastOffset: 5 }]);
    const again = await reopen(log);
    assert.equal(again.lastStableOffset, 6);
    assert.deepEqual(again.abortedTransactions(0, 6), [{ producerId: 11, firstOffset: 2, lastOffset: 5 }]);
    const replayed = append(again, batch(2, { producerId: 9, seq: 0 }));
    assert.deepEqual([replayed.duplicate, replayed.logAppendTime], [true, 1_000], 'rebuilt from the stored header');
  });

  test(`${backend.name}: durable mode: concurrent waiters share group commits`, async () => {
    const log = open({}, { fsync: true });
    assert.ok(log.durable);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      append(log, batch(1));
      waits.push(log.flushed());
    }
    await Promise.all(waits);
    await log.flush();
    assert.equal(open({}).durable, false);
    assert.equal(open({ 'flush.messages': 1 }).durable, true);
  });

  test(`${backend.name}: KeyValueLog over a partition replays what was appended, surviving a restart`, async () => {
    const log = open({ 'cleanup.policy': 'compact' });
    const kv = new PartitionKeyValueLog(log);
    await kv.append([{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: Buffer.from('b'), value: Buffer.from('2') }]);
    await kv.append([{ key: Buffer.from('a'), value: null }]);
    const again = new PartitionKeyValueLog(await reopen(log, { 'cleanup.policy': 'compact' }));
    assert.deepEqual([...again.replay()].map((r) => [r.key.toString(), r.value?.toString() ?? null]), [['a', '1'], ['b', '2'], ['a', null]]);
  });

  test(`${backend.name}: cleanup`, () => backend.cleanup());
}

test('LogManager: open, get, reopen from disk, delete', async () => {
  const root = mkdtempSync(join(tmpdir(), 'samsa-mgr-'));
  try {
    const m = new LogManager({ dataDir: root, maintenanceIntervalMs: 0 });
    const log = m.open('orders', 2, { 'segment.bytes': '1000000' });
    append(log, batch(3));
    assert.equal(m.get('orders', 2), log);
    assert.equal(m.open('orders', 2), log);
    assert.ok(existsSync(join(root, 'orders-2', '00000000000000000000.log')));
    await m.close();
    assert.ok(existsSync(join(root, 'orders-2', 'clean-shutdown')));
    const m2 = new LogManager({ dataDir: root, maintenanceIntervalMs: 0 });
    assert.equal(m2.open('orders', 2).highWatermark, 3);
    assert.ok(!existsSync(join(root, 'orders-2', 'clean-shutdown')), 'marker removed while running');
    m2.delete('orders', 2);
    assert.equal(m2.get('orders', 2), undefined);
    assert.ok(!existsSync(join(root, 'orders-2')));
    await m2.close();
    const mem = new LogManager({ dataDir: null, maintenanceIntervalMs: 0 });
    append(mem.open('t', 0), batch(1));
    assert.equal(mem.get('t', 0)!.highWatermark, 1);
    await mem.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
