/** segment.ms keeps counting across a restart, so a broker restarted often still rolls (and can expire) segments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionLog, MemoryDir } from '../../src/log/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

const batch = (timestamp: number) => encodeBatch([{ key: null, value: Buffer.from('v'), timestamp }]);

test('the active segment of a reopened log rolls once segment.ms has passed since its first batch', async () => {
  const dir = new MemoryDir();
  let now = 10_000_000;
  const config = { 'segment.ms': 60_000 };
  let log = PartitionLog.open(dir, config, { now: () => now });
  log.append(batch(now));
  await log.close();
  now += 50_000;
  log = PartitionLog.open(dir, config, { now: () => now });
  log.append(batch(now));
  assert.equal(log.segments.length, 1, 'within segment.ms of the first batch: same segment');
  await log.close();
  now += 20_000; // 70 s after the first batch, 20 s after the restart
  log = PartitionLog.open(dir, config, { now: () => now });
  log.append(batch(now));
  assert.equal(log.segments.length, 2, 'past segment.ms since the first batch: rolled despite the restarts');
  await log.close();
});
