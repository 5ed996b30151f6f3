/**
 * Fetch's pooled reads (PartitionLog.readInto over a ReadArena): the same bytes as the copying read, whatever the
 * slab boundaries, on files and in memory; slabs reused only once released.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDir, MemoryDir, PartitionLog, ReadArena, ReadPool, type LogDir } from '../../src/log/index.js';
import { SLAB_SIZE } from '../../src/log/read-buffers.js';
import { BatchError, encodeBatch, parseBatches } from '../../src/protocol/record-batch.js';

function withLogs(fn: (log: PartitionLog, name: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'samsa-read-'));
  const dirs: Array<[string, LogDir]> = [['files', new FsDir(join(root, 'p'))], ['memory', new MemoryDir()]];
  return (async () => {
    try {
      for (const [name, dir] of dirs) {
        const log = PartitionLog.open(dir, { 'segment.bytes': 3 * SLAB_SIZE, 'max.message.bytes': 4 * SLAB_SIZE });
        await fn(log, name);
        await log.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  })();
}

/** Appends batches of `sizes` bytes of value each (one record per batch); returns the stored bytes of each. */
function fill(log: PartitionLog, sizes: number[]): void {
  for (const [i, size] of sizes.entries()) {
    const buf = encodeBatch([{ key: Buffer.from(`k${i}`), value: Buffer.alloc(size, i % 251), timestamp: Date.now() }]);
    const parsed = parseBatches(buf);
    if (parsed instanceof BatchError) throw parsed;
    log.append(buf, parsed);
  }
}

test('readInto returns (and bytesAvailable counts) the bytes the copying read returns, across slab boundaries and segments, for any budget', () => withLogs(async (log, name) => {
  // Odd sizes put batch headers astride slab boundaries; 3 MiB segments make reads cross segments too.
  fill(log, Array.from({ length: 40 }, (_, i) => 70_000 + i * 7_919));
  fill(log, [2 * SLAB_SIZE + 123]); // one batch larger than a slab
  fill(log, Array.from({ length: 30 }, (_, i) => 100 + i * 31));
  assert.ok(log.segments.length > 1, `${name}: several segments`);
  const pool = new ReadPool();
  for (const offset of [0, 1, 17, 39, 40, 41, 60]) {
    for (const budget of [1, 60_000, SLAB_SIZE - 1, SLAB_SIZE + 5, 5 * SLAB_SIZE]) {
      const arena = new ReadArena(pool);
      arena.reserve(777); // space an earlier partition of the same response took
      const got = await log.readInto(arena, offset, budget, undefined, true);
      const want = Buffer.concat(log.read(offset, budget));
      assert.equal(got.bytes, want.length, `${name}: offset ${offset}, budget ${budget}`);
      assert.ok(Buffer.concat(got.data).equals(want), `${name}: same bytes at offset ${offset}, budget ${budget}`);
      assert.equal(log.bytesAvailable(offset, budget), want.length, `${name}: measured from the headers, offset ${offset}, budget ${budget}`);
      arena.release();
    }
  }
  // Without minOneBatch, a budget under the first batch reads nothing.
  const arena = new ReadArena(pool);
  assert.deepEqual(await log.readInto(arena, 40, 100, undefined, false), { data: [], bytes: 0 });
  arena.release();
}));

test('slabs go back to the pool on release, not before, and unused space is given back at once', () => {
  const pool = new ReadPool();
  const first = new ReadArena(pool);
  const spans = first.reserve(SLAB_SIZE + 10);
  assert.deepEqual(spans.map((s) => s.length), [SLAB_SIZE, 10]);
  first.unreserve(20); // the second slab is no longer needed
  const second = new ReadArena(pool);
  second.reserve(100);
  assert.equal(pool.allocated, 2, 'the slab given back by unreserve was reused');
  spans[0].fill(7);
  const third = new ReadArena(pool);
  third.reserve(SLAB_SIZE).forEach((s) => s.fill(9));
  assert.ok(spans[0].subarray(0, SLAB_SIZE - 10).every((b) => b === 7), 'a lent slab is never handed out again before release');
  first.release();
  first.release(); // idempotent: the connection may call it from more than one place
  const fourth = new ReadArena(pool);
  fourth.reserve(SLAB_SIZE);
  assert.equal(pool.allocated, 3);
});

test('the pool lets its idle slabs go once a tick passes without reads', () => {
  const pool = new ReadPool();
  const arena = new ReadArena(pool);
  arena.reserve(3 * SLAB_SIZE);
  arena.release();
  assert.equal(pool.size, 3);
  pool.trim(); // slabs were taken since the last trim: kept
  assert.equal(pool.size, 3);
  pool.trim(); // a whole tick without reads
  assert.equal(pool.size, 0);
});
