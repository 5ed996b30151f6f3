/**
 * The recovery-point checkpoint (log.flush.offset.checkpoint.interval.ms, `<partition>/recovery-point`): after
 * kill -9, a start checks the CRCs of what was written since a partition's last checkpoint only; a checkpoint file
 * that is torn, garbage, or names more offsets than the partition holds is not trusted (every batch is checked).
 * The CLI runs with --manual-clock, so the checkpoint happens exactly when the test moves time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaClient, tempDir } from '../helpers.js';
import { RECOVERY_POINT_FILE } from '../../src/log/index.js';
import { kcatRead, kill9, startCli, stopCli, waitFor } from './support.js';

const PARTITIONS = 4;

async function produce(bootstrap: string, partition: number, from: number, count: number): Promise<void> {
  const producer = kafkaClient({ bootstrap }).producer();
  await producer.connect();
  // One batch per send: several batches, so a checkpoint falls between them.
  for (let i = from; i < from + count; i += 10) {
    await producer.send({ topic: 'rp', acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ partition, value: `p${partition}-m${i + j}` })) });
  }
  await producer.disconnect();
}

/** The partitions whose CRCs the start checked, with the bytes checked, from its debug lines. */
function checked(output: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.includes('checked CRCs after an unclean stop')) continue;
    const entry = JSON.parse(line) as { partition: string; verifiedBytes: number };
    found.set(entry.partition, entry.verifiedBytes);
  }
  return found;
}

test('kill -9 after a recovery-point checkpoint: only partitions written since are checked; a torn, garbage or overreaching checkpoint is not trusted', async () => {
  const tmp = tempDir('samsa-recovery-point-');
  try {
    const broker = await startCli(tmp.dir, ['--manual-clock', '--admin-port=-1']);
    const admin = kafkaClient(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'rp', numPartitions: PARTITIONS }] });
    await admin.disconnect();
    for (let p = 0; p < PARTITIONS; p++) await produce(broker.bootstrap, p, 0, 50);
    const point = (p: number) => {
      try {
        return readFileSync(join(tmp.dir, `rp-${p}`, RECOVERY_POINT_FILE), 'utf8');
      } catch {
        return undefined;
      }
    };
    assert.equal(point(0), undefined, 'no checkpoint before the interval has passed');
    const res = await fetch(`${broker.ready.admin as string}/v1/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 61_000 }) });
    assert.equal(res.status, 200);
    await waitFor('every partition checkpointed at 50', () => (Array.from({ length: PARTITIONS }, (_, p) => point(p)).every((v) => v === '50\n') ? true : undefined));

    await produce(broker.bootstrap, 0, 50, 20); // after the checkpoint
    await kill9(broker);
    writeFileSync(join(tmp.dir, 'rp-2', RECOVERY_POINT_FILE), '5'); // torn: no newline
    writeFileSync(join(tmp.dir, 'rp-3', RECOVERY_POINT_FILE), '1000\n'); // beyond what the partition holds

    const again = await startCli(tmp.dir, ['--log-level', 'debug']);
    try {
      const seen = checked(again.output());
      const size = (p: number) => statSync(join(tmp.dir, `rp-${p}`, '00000000000000000000.log')).size;
      assert.ok(!seen.has('rp-1'), `rp-1 was not written since its checkpoint: ${JSON.stringify([...seen])}`);
      assert.ok((seen.get('rp-0') ?? 0) > 0 && seen.get('rp-0')! < size(0) / 2, `rp-0: only the 20 records after its recovery point (${seen.get('rp-0')} of ${size(0)} bytes)`);
      assert.equal(seen.get('rp-2'), size(2), 'rp-2: torn checkpoint, every batch checked');
      assert.equal(seen.get('rp-3'), size(3), 'rp-3: checkpoint beyond the log end, every batch checked');
      const read = await kcatRead(again.bootstrap, 'rp');
      for (let p = 0; p < PARTITIONS; p++) {
        const values = read.filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset).map((r) => r.value);
        assert.deepEqual(values, Array.from({ length: p === 0 ? 70 : 50 }, (_, i) => `p${p}-m${i}`), `partition ${p}`);
      }
    } finally {
      await stopCli(again);
    }
  } finally {
    tmp.remove();
  }
});
