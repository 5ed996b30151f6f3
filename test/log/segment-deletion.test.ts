/**
 * Segments deleted by retention (or merged away by the cleaner) leave the log at once, and their files go in the
 * background: renamed to `<name>.deleted`, unlinked on the thread pool, so freeing a large file's blocks does not
 * hold the event loop. A `.deleted` file a crash left behind goes at the next start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDir, PartitionLog } from '../../src/log/index.js';
import { segmentName } from '../../src/log/segment.js';
import { BatchError, encodeBatch, parseBatches } from '../../src/protocol/record-batch.js';

function appendOne(log: PartitionLog): void {
  const buf = encodeBatch([{ key: null, value: Buffer.alloc(100, 1) }]);
  const parsed = parseBatches(buf);
  if (parsed instanceof BatchError) throw parsed;
  log.append(buf, parsed);
}

/** Resolves once `done` holds, polling the file system (an unlink on the thread pool ends when it ends). */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done();) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('retention: a deleted segment file is gone from its name at once and unlinked in the background; a leftover .deleted goes at the next start', async () => {
  const root = mkdtempSync(join(tmpdir(), 'samsa-deletion-'));
  try {
    const path = join(root, 'p-0');
    const log = PartitionLog.open(new FsDir(path), { 'segment.bytes': 1000, 'retention.bytes': 2500, 'retention.ms': -1 });
    for (let i = 0; i < 40; i++) appendOne(log);
    const doomed = log.segments.slice(0, 3).map((s) => segmentName(s.baseOffset, '.log'));
    assert.ok(log.enforceRetention() >= 3);
    for (const name of doomed) assert.equal(existsSync(join(path, name)), false, `${name} left the log at once`);
    await until(() => !readdirSync(path).some((f) => f.endsWith('.deleted')), 'the renamed files were unlinked');
    assert.deepEqual(readdirSync(path).filter((f) => f.endsWith('.log')).sort(), log.segments.map((s) => segmentName(s.baseOffset, '.log')));
    const reads = log.read(log.logStartOffset, 1_000_000);
    assert.ok(reads.length > 0);

    // A crash between the rename and the unlink: the next start removes the file, and the log is as it was.
    const end = log.highWatermark;
    const start = log.logStartOffset;
    await log.close();
    writeFileSync(join(path, `${segmentName(0, '.log')}.deleted`), Buffer.alloc(4096, 7));
    const again = PartitionLog.open(new FsDir(path), { 'segment.bytes': 1000, 'retention.bytes': 2500, 'retention.ms': -1 });
    assert.equal(readdirSync(path).some((f) => f.endsWith('.deleted')), false, 'the leftover went at start');
    assert.equal(again.highWatermark, end);
    assert.equal(again.logStartOffset, start);
    await again.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
