/**
 * The descriptor cache under the logs (`log.max.open.files`): however many partitions and segments there are, at
 * most the cap of files is open, and files closed for others are reopened transparently for appends, fetches,
 * retention, compaction, fsync and recovery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager, compact } from '../../src/log/index.js';
import { decodeBatch, encodeBatch } from '../../src/protocol/record-batch.js';
import { run, tempDir } from '../helpers.js';

const CAP = 8;
const batch = (key: string, value: string): Buffer => encodeBatch([{ key: Buffer.from(key), value: Buffer.from(value) }]);

/** Values of every record readable from offset 0. */
function values(log: ReturnType<LogManager['open']>): string[] {
  const out: string[] = [];
  for (const chunk of log.read(0, 1 << 30)) {
    for (let pos = 0; pos < chunk.length; pos += chunk.readInt32BE(pos + 8) + 12) {
      for (const r of decodeBatch(chunk, pos).records) out.push(r.value!.toString());
    }
  }
  return out;
}

test('50 partitions and a 200-segment partition under a cap of 8 descriptors: appends, reads, restart', async () => {
  const tmp = tempDir('samsa-fds-');
  try {
    let logs = new LogManager({ dataDir: tmp.dir, maxOpenFiles: CAP, maintenanceIntervalMs: 0 });
    for (let p = 0; p < 50; p++) logs.open('wide', p).append(batch('k', `wide-${p}`));
    const tall = logs.open('tall', 0, { 'segment.bytes': 100 });
    for (let i = 0; i < 200; i++) tall.append(batch(`k${i}`, `tall-${i}`));
    assert.equal(tall.segments.length, 200);
    assert.ok(logs.openFiles.size <= CAP, `${logs.openFiles.size} open`);
    for (let p = 0; p < 50; p++) assert.deepEqual(values(logs.get('wide', p)!), [`wide-${p}`]);
    assert.deepEqual(values(tall), Array.from({ length: 200 }, (_, i) => `tall-${i}`));
    assert.ok(logs.openFiles.size <= CAP);
    await logs.close();
    assert.equal(logs.openFiles.size, 0, 'close releases every descriptor');

    // A start recovers every partition (an unclean one too: the marker of one is removed) under the same cap.
    rmSync(join(tmp.dir, 'wide-3', 'clean-shutdown'));
    logs = new LogManager({ dataDir: tmp.dir, maxOpenFiles: CAP, maintenanceIntervalMs: 0 });
    for (let p = 0; p < 50; p++) assert.deepEqual(values(logs.open('wide', p)), [`wide-${p}`]);
    assert.deepEqual(values(logs.open('tall', 0, { 'segment.bytes': 100 })), Array.from({ length: 200 }, (_, i) => `tall-${i}`));
    assert.ok(logs.openFiles.size <= CAP);
    assert.ok(logs.openFiles.opens > 3 * 250, 'files were reopened');
    await logs.close();
  } finally {
    tmp.remove();
  }
});

test('retention and compaction work on segments whose files were closed', async () => {
  const tmp = tempDir('samsa-fds-');
  try {
    const logs = new LogManager({ dataDir: tmp.dir, maxOpenFiles: CAP, maintenanceIntervalMs: 0 });
    const deleting = logs.open('deleting', 0, { 'segment.bytes': 100, 'retention.bytes': 1000 });
    for (let i = 0; i < 100; i++) deleting.append(batch('k', `d-${i}`));
    const compacted = logs.open('compacted', 0, { 'segment.bytes': 100, 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': 0 });
    for (let i = 0; i < 100; i++) compacted.append(batch(`k${i % 10}`, `c-${i}`));
    // Other partitions push the segment files out of the cache.
    for (let p = 0; p < 20; p++) logs.open('other', p).append(batch('k', 'x'));

    const deleted = deleting.enforceRetention();
    assert.ok(deleted > 80, `${deleted} segments deleted`);
    assert.equal(readdirSync(join(tmp.dir, 'deleting-0')).filter((f) => f.endsWith('.log')).length, deleting.segments.length);
    const kept = values(deleting);
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => `d-${100 - kept.length + i}`));

    const stats = compact(compacted, Date.now(), true);
    assert.ok(stats && stats.recordsRemoved >= 80, JSON.stringify(stats));
    const latest = values(compacted);
    // The active segment holds the last record; every key keeps its latest value.
    for (let k = 0; k < 10; k++) assert.ok(latest.includes(`c-${90 + k}`), `latest of k${k}`);
    assert.ok(latest.length <= 11, latest.join());
    assert.ok(logs.openFiles.size <= CAP);
    await logs.close();
  } finally {
    tmp.remove();
  }
});

test('durable mode: an fdatasync of every partition at once holds at most half the cap, and all complete', async () => {
  const tmp = tempDir('samsa-fds-');
  try {
    const logs = new LogManager({ dataDir: tmp.dir, maxOpenFiles: CAP, fsync: true, maintenanceIntervalMs: 0 });
    const parts = Array.from({ length: 40 }, (_, p) => logs.open('durable', p));
    for (const log of parts) log.append(batch('k', 'v'));
    let most = 0;
    const watch = setInterval(() => { most = Math.max(most, logs.openFiles.size); }, 0);
    await Promise.all(parts.map((log) => log.flushed()));
    clearInterval(watch);
    assert.ok(most <= CAP, `${most} open`);
    for (const log of parts) assert.deepEqual(values(log), ['v']);
    await logs.close();
  } finally {
    tmp.remove();
  }
});

test('a cap above the process limit: on EMFILE the cache gives descriptors back and retries', async () => {
  const tmp = tempDir('samsa-fds-');
  try {
    // 200 partitions in a process allowed 64 descriptors, with a cap of 10,000.
    const script = `
      const { LogManager } = await import(${JSON.stringify(new URL('../../src/log/index.js', import.meta.url).href)});
      const { encodeBatch } = await import(${JSON.stringify(new URL('../../src/protocol/record-batch.js', import.meta.url).href)});
      const logs = new LogManager({ dataDir: ${JSON.stringify(tmp.dir)}, maxOpenFiles: 10000, maintenanceIntervalMs: 0 });
      for (let p = 0; p < 200; p++) logs.open('t', p).append(encodeBatch([{ key: null, value: Buffer.from('v' + p) }]));
      let read = 0;
      for (let p = 0; p < 200; p++) read += logs.get('t', p).read(0, 1000).length;
      await logs.close();
      console.log(JSON.stringify({ read, open: logs.openFiles.size }));`;
    const res = await run('bash', ['-c', 'ulimit -n 64 && exec "$0" --max-old-space-size=128 --input-type=module -e "$1"', process.execPath, script]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { read: 200, open: 0 });
  } finally {
    tmp.remove();
  }
});
