/** Compaction: latest value per key, tombstones dropped after delete.retention.ms, offsets kept, restarts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDir, LogManager, MemoryDir, PartitionLog, compact, compaction, type LogDir } from '../../src/log/index.js';
import { ManualClock } from '../../src/clock.js';
import { Compression, decodeBatch, encodeBatch, encodeControlBatch, readBatchHeader } from '../../src/protocol/record-batch.js';

function contents(log: PartitionLog): Array<[number, string, string | null]> {
  const out: Array<[number, string, string | null]> = [];
  for (const buf of log.read(log.logStartOffset, 1 << 30)) {
    for (let pos = 0; pos < buf.length; pos += readBatchHeader(buf, pos).size) {
      const { header, records } = decodeBatch(buf, pos);
      if (header.isControl) continue;
      for (const r of records) out.push([r.offset, r.key!.toString(), r.value?.toString() ?? null]);
    }
  }
  return out;
}

const put = (log: PartitionLog, pairs: Array<[string, string | null]>, timestamp: number, compression = 0) =>
  log.append(encodeBatch(pairs.map(([k, v]) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp })), { compression }));

for (const [name, makeDir] of [['memory', () => new MemoryDir()], ['files', () => new FsDir(mkdtempSync(join(tmpdir(), 'samsa-clean-')))]] as Array<[string, () => LogDir]>) {
  test(`${name}: compaction keeps the latest value per key at its offset, then drops old tombstones`, async () => {
    let now = 10_000_000;
    const config = { 'cleanup.policy': 'compact', 'segment.bytes': 200, 'delete.retention.ms': 1000, 'min.cleanable.dirty.ratio': 0.01 };
    const dir = makeDir();
    const log = PartitionLog.open(dir, config, { now: () => now });
    put(log, [['a', '1'], ['b', '1']], now);               // 0-1
    put(log, [['a', '2'], ['c', '1']], now, Compression.gzip); // 2-3
    put(log, [['b', null]], now);                          // 4: tombstone
    for (let i = 0; i < 6; i++) put(log, [['a', `x${i}`], ['d', `${i}`]], now); // 5-16
    log.roll();
    put(log, [['e', 'tail']], now);                       // active segment, not cleaned
    assert.ok(log.segments.length > 3);
    const before = log.highWatermark;
    const stats = compact(log, now);
    assert.ok(stats && stats.recordsRemoved > 0, JSON.stringify(stats));
    const after = contents(log);
    assert.deepEqual(after.filter(([, k]) => k === 'a').map(([, , v]) => v), ['x5']);
    assert.deepEqual(after.filter(([, k]) => k === 'b'), [[4, 'b', null]], 'a fresh tombstone stays');
    assert.deepEqual(after.filter(([, k]) => k === 'c'), [[3, 'c', '1']]);
    assert.equal(after.at(-1)![1], 'e');
    const offsets = after.map(([o]) => o);
    assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), 'offsets stay in order');
    assert.equal(log.highWatermark, before, 'the end offset does not move');
    assert.equal(compact(log, now), null, 'nothing dirty: nothing to do');

    now += 5000; // the tombstone is now past delete.retention.ms
    put(log, [['c', '2']], now);
    log.roll();
    put(log, [['f', '1']], now);
    compact(log, now);
    assert.deepEqual(contents(log).filter(([, k]) => k === 'b'), []);
    assert.deepEqual(contents(log).filter(([, k]) => k === 'c').map(([, , v]) => v), ['2']);

    const expected = contents(log);
    await log.close();
    const again = PartitionLog.open(dir, config, { now: () => now });
    assert.deepEqual(contents(again), expected);
    assert.equal(again.highWatermark, log.highWatermark);
    put(again, [['g', '1']], now);
    await again.close();
    if (dir.path) rmSync(dir.path, { recursive: true, force: true });
  });
}

test('compaction waits for min.cleanable.dirty.ratio and min.compaction.lag.ms, and keeps transactions whole', () => {
  let now = 1_000_000;
  const log = PartitionLog.open(new MemoryDir(), { 'cleanup.policy': 'compact', 'segment.bytes': 300, 'min.compaction.lag.ms': 60_000 }, { now: () => now });
  for (let i = 0; i < 6; i++) put(log, [['k', String(i)]], now);
  log.append(encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('txn'), timestamp: now }], { producerId: 5, producerEpoch: 0, baseSequence: 0, isTransactional: true }));
  log.appendInternal(encodeControlBatch(true, 5, 0, 0, now));
  log.roll();
  put(log, [['z', 'active']], now);
  assert.equal(compact(log, now), null, 'too recent for min.compaction.lag.ms');
  now += 120_000;
  const stats = compact(log, now);
  assert.ok(stats);
  const values = contents(log).filter(([, k]) => k === 'k').map(([, , v]) => v);
  assert.deepEqual(values, ['5', 'txn'], 'the latest plain record and the transactional one');
  assert.equal(log.lastStableOffset, log.highWatermark);
  // Dirty ratio: a little new data on a big clean log is not worth a pass.
  put(log, [['k', 'new']], now);
  log.roll();
  const strict = PartitionLog.open(new MemoryDir(), { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': 0.99, 'segment.bytes': 300 }, { now: () => now });
  for (let i = 0; i < 6; i++) put(strict, [['k', String(i)]], now);
  strict.roll();
  put(strict, [['x', '1']], now);
  assert.ok(compact(strict, now + 1));
  put(strict, [['k', 'late']], now);
  strict.roll();
  assert.equal(compact(strict, now + 1), null);
});

/** A log of many segments, each key written 20 times over ~400 KiB: big enough for a pass to yield many times. */
function bigCompactedLog(dir: LogDir, now: number): PartitionLog {
  const log = PartitionLog.open(dir, { 'cleanup.policy': 'compact', 'segment.bytes': 64 * 1024, 'min.cleanable.dirty.ratio': 0.01 }, { now: () => now });
  for (let round = 0; round < 20; round++) {
    for (let k = 0; k < 40; k++) put(log, [[`k${k}`, `r${round}-${'v'.repeat(500)}`]], now);
  }
  log.roll();
  return log;
}

test('a compaction pass run in slices, with appends in between, ends as a whole pass does', () => {
  const now = 10_000_000;
  const whole = bigCompactedLog(new MemoryDir(), now);
  compact(whole, now);
  const sliced = bigCompactedLog(new MemoryDir(), now);
  const pass = compaction(sliced, now);
  let turns = 0;
  for (let step = pass.next(); !step.done; step = pass.next()) {
    turns++;
    put(sliced, [['late', String(turns)]], now); // the active segment grows (and rolls) meanwhile
  }
  assert.ok(turns > 5, `${turns} turns`);
  const latest = (log: PartitionLog) => new Map(contents(log).map(([, k, v]) => [k, v]));
  const got = contents(sliced).filter(([, k]) => k !== 'late');
  assert.deepEqual(got, contents(whole));
  assert.equal(latest(sliced).get('k7'), latest(whole).get('k7'));
});

test('a compaction pass stops cleanly when its segments go between slices (DeleteRecords, close)', async () => {
  const now = 10_000_000;
  const log = bigCompactedLog(new MemoryDir(), now);
  const before = contents(log);
  const pass = compaction(log, now);
  pass.next();
  log.deleteRecordsBefore(log.segments[1].baseOffset);
  let step = pass.next();
  while (!step.done) step = pass.next();
  assert.equal(step.value, null, 'the pass gave up');
  assert.deepEqual(contents(log), before.filter(([o]) => o >= log.logStartOffset));
  assert.ok(!log.dir.list().some((n) => n.endsWith('.cleaned')), 'no temporary file left');

  const manager = new LogManager({ dataDir: null, maintenanceIntervalMs: 0, now: () => now });
  const open = manager.open('t', 0, { 'cleanup.policy': 'compact', 'segment.bytes': 64 * 1024, 'min.cleanable.dirty.ratio': 0.01 });
  for (let round = 0; round < 20; round++) for (let k = 0; k < 40; k++) put(open, [[`k${k}`, `r${round}-${'v'.repeat(500)}`]], now);
  open.roll();
  manager.maintain(now); // starts a pass, which then runs in turns of the event loop
  await manager.close(); // stops it between turns
  assert.ok(open.isClosed);
});

/** Rounds of the same keys: `rounds` × 5 keys, each record ~100 bytes, so a 500-byte segment rolls every round. */
function writeRounds(log: PartitionLog, rounds: number, now: number, tag = 'r'): void {
  for (let r = 0; r < rounds; r++) for (let k = 0; k < 5; k++) put(log, [[`k${k}`, `${tag}${r}-${'v'.repeat(60)}`]], now);
}

test('the LogManager keeps compacting a live log: a pass with nothing to do does not stop later ones', async () => {
  let now = 10_000_000;
  const manager = new LogManager({ dataDir: null, maintenanceIntervalMs: 0, now: () => now });
  const log = manager.open('t', 0, { 'cleanup.policy': 'compact', 'segment.bytes': 500 });
  manager.maintain(now); // nothing closed yet: this pass ends in its first turn
  await manager.cleaned();
  const cleanedTo: number[] = [];
  for (let i = 0; i < 10; i++) {
    writeRounds(log, 4, now, `p${i}-`);
    now += 1000;
    manager.maintain(now);
    await manager.cleaned();
    cleanedTo.push(log.cleanedTo);
    assert.ok(log.segments.length <= 4, `pass ${i}: ${log.segments.length} segments`);
  }
  assert.deepEqual(cleanedTo, [...cleanedTo].sort((a, b) => a - b));
  assert.equal(new Set(cleanedTo).size, cleanedTo.length, `the cleaner offset advanced at every pass: ${cleanedTo.join(' ')}`);
  await manager.close();
});

test('LogManager timer on the clock: the cleaner backs off log.cleaner.backoff.ms after an idle look, not after a pass that cleaned', async () => {
  const clock = new ManualClock();
  const manager = new LogManager({ dataDir: null, clock, maintenanceIntervalMs: 1000, cleanerBackoffMs: 15_000 });
  const log = manager.open('t', 0, { 'cleanup.policy': 'compact', 'segment.bytes': 500 });
  await clock.advance(1000); // first tick: nothing to clean, the next look is 15 s away
  await manager.cleaned();
  writeRounds(log, 6, clock.now());
  await clock.advance(14_000);
  await manager.cleaned();
  assert.equal(log.cleanedTo, 0, 'still backing off');
  await clock.advance(1000);
  await manager.cleaned();
  const first = log.cleanedTo;
  assert.ok(first > 0, 'cleaned once the backoff was over');
  writeRounds(log, 6, clock.now(), 'again');
  await clock.advance(1000); // the last pass cleaned something: looked at again at the next tick
  await manager.cleaned();
  assert.ok(log.cleanedTo > first, `${log.cleanedTo} > ${first}`);
  assert.ok(log.segments.length <= 4, `${log.segments.length} segments`);
  await manager.close();
  assert.equal(clock.pending, 0, 'close cancels the timer');
});

test('max.compaction.lag.ms: the active segment rolls after it, and a dirty part past it is cleaned whatever the ratio', async () => {
  const clock = new ManualClock();
  const manager = new LogManager({ dataDir: null, clock, maintenanceIntervalMs: 1000 });
  // segment.ms is Kafka's 7 days: only max.compaction.lag.ms rolls this one.
  const idle = manager.open('idle', 0, { 'cleanup.policy': 'compact', 'max.compaction.lag.ms': 60_000 });
  writeRounds(idle, 1, clock.now());
  await clock.advance(59_000);
  assert.equal(idle.segments.length, 1);
  await clock.advance(1_000);
  assert.equal(idle.segments.length, 2, 'rolled at max.compaction.lag.ms');
  await manager.close();

  // A ratio a small dirty part never reaches.
  let now = clock.now();
  const log = PartitionLog.open(new MemoryDir(), { 'cleanup.policy': 'compact', 'segment.bytes': 500, 'min.cleanable.dirty.ratio': 0.99, 'max.compaction.lag.ms': 60_000 }, { now: () => now });
  writeRounds(log, 10, now);
  log.roll();
  assert.ok(compact(log, now), 'nothing clean yet: ratio 1');
  now += 1000;
  writeRounds(log, 1, now, 'late');
  log.roll();
  assert.equal(compact(log, now + 60_000), null, 'dirty part started 60 s ago: waits for the ratio');
  const stats = compact(log, now + 60_001);
  assert.ok(stats && stats.recordsRemoved === 5, 'past max.compaction.lag.ms: cleaned');
  assert.equal(new Map(contents(log).map(([, k, v]) => [k, v])).get('k0'), `late0-${'v'.repeat(60)}`);
});

const MERGE_CONFIG = { 'cleanup.policy': 'compact', 'segment.bytes': 2000 };

/**
 * A log on disk with 200 keys written once, then all but every tenth again, cleaned once: the first round's ~15
 * segments keep a record in ten (two segments' worth between them).
 */
async function withSparseLog(fn: (log: PartitionLog, path: string, now: number) => Promise<void>): Promise<void> {
  const now = 10_000_000;
  const path = mkdtempSync(join(tmpdir(), 'samsa-merge-'));
  try {
    const log = PartitionLog.open(new FsDir(path), MERGE_CONFIG, { now: () => now });
    for (let k = 0; k < 200; k++) put(log, [[`k${k}`, `first-${'v'.repeat(60)}`]], now);
    for (let k = 0; k < 200; k++) if (k % 10 !== 0) put(log, [[`k${k}`, `second-${'v'.repeat(60)}`]], now);
    log.roll();
    assert.ok(compact(log, now));
    await fn(log, path, now);
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

test('compaction merges neighbouring segments that fit one segment together (Kafka groupSegmentsBySize), also across a restart', () => withSparseLog(async (log, path, now) => {
  const cleanedOnce = log.segments.length;
  const expected = contents(log);
  put(log, [['k1', 'third']], now); // a little dirty data for a second pass
  log.roll();
  assert.ok(compact(log, now, true));
  const merged = log.segments.length;
  assert.ok(merged <= cleanedOnce - 12, `${cleanedOnce} segments after the first pass, ${merged} after the second`);
  for (const seg of log.segments.slice(0, -1)) assert.ok(seg.size <= 2000, `segment ${seg.baseOffset}: ${seg.size} bytes`);
  const want = expected.filter(([, k]) => k !== 'k1').concat([[log.logEndOffset - 1, 'k1', 'third']]).sort((a, b) => a[0] - b[0]);
  assert.deepEqual(contents(log), want, 'same records at the same offsets');
  assert.deepEqual(readdirSync(path).filter((f) => f.endsWith('.log')).length, merged, 'the merged files are gone');
  await log.close();
  const again = PartitionLog.open(new FsDir(path), MERGE_CONFIG, { now: () => now });
  assert.deepEqual(contents(again), want);
  await again.close();
}));

test('a crash between a merge and the removal of the merged segments: recovery drops them and keeps the rest', () => withSparseLog(async (log, path, now) => {
  put(log, [['k1', 'third']], now);
  log.roll();
  // The files a merge will replace, kept aside to put back as a crash after the rename would leave them.
  const before = new Map(readdirSync(path).filter((f) => /\.(log|index|timeindex)$/.test(f)).map((f) => [f, readFileSync(join(path, f))]));
  compact(log, now, true);
  put(log, [['tail', 'after the merge']], now);
  const want = contents(log);
  const leftovers = [...before.keys()].filter((f) => !existsSync(join(path, f)));
  assert.ok(leftovers.length >= 3, `${leftovers.length} files merged away`);
  for (const f of leftovers) writeFileSync(join(path, f), before.get(f)!);
  // No clean shutdown: the process died there.
  const again = PartitionLog.open(new FsDir(path), MERGE_CONFIG, { now: () => now });
  assert.deepEqual(contents(again), want, 'nothing lost, nothing duplicated');
  assert.equal(again.logEndOffset, log.logEndOffset);
  assert.ok(leftovers.every((f) => !existsSync(join(path, f))), 'the leftovers were removed');
  await again.close();
}));
