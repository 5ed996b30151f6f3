/**
 * The recovery point of a partition log (`recovery-point`): written by `checkpointRecoveryPoint` after a sync, only
 * when the log moved; lowered at once by a truncation; trusted by an unclean start for the batches below it only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDir, PartitionLog, RECOVERY_POINT_FILE } from '../../src/log/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

const batch = (n: number) => encodeBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));

test('the recovery point follows the synced log end: written when it moved, lowered by truncation, bounds the CRC checks of an unclean start', async () => {
  const root = mkdtempSync(join(tmpdir(), 'samsa-recovery-point-'));
  const file = join(root, RECOVERY_POINT_FILE);
  try {
    const log = PartitionLog.open(new FsDir(root));
    await log.checkpointRecoveryPoint();
    assert.equal(existsSync(file), false, 'nothing written for a log that never moved');
    for (let i = 0; i < 5; i++) log.append(batch(4));
    await log.checkpointRecoveryPoint();
    assert.equal(readFileSync(file, 'utf8'), '20\n');
    log.truncateTo(12);
    assert.equal(readFileSync(file, 'utf8'), '12\n', 'a truncation lowers it at once');
    log.append(batch(4));
    log.append(batch(4));
    await log.checkpointRecoveryPoint();
    assert.equal(readFileSync(file, 'utf8'), '20\n');
    log.append(batch(4)); // after the checkpoint; then a crash (no close, no clean-shutdown marker)

    const again = PartitionLog.open(new FsDir(root));
    assert.equal(again.logEndOffset, 24);
    const size = statSync(join(root, '00000000000000000000.log')).size;
    assert.equal(again.verifiedBytes, size / 6, 'only the batch after the recovery point was checked');
    await again.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
