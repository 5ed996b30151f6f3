/**
 * A new partition's first segment file is created off the event loop (PartitionLog.prepareAppend): appends stay in
 * the order they came, and one made while the creation is under way is never undone by it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsDir, MemoryDir, PartitionLog } from '../../src/log/index.js';
import { BatchError, decodeBatch, encodeBatch, parseBatches } from '../../src/protocol/record-batch.js';
import { kafkaClient, startTestBroker, tempDir } from '../helpers.js';

const record = (value: string) => encodeBatch([{ key: null, value: Buffer.from(value), timestamp: Date.now() }]);
const values = (log: PartitionLog) => log.read(0, 1 << 20).flatMap((buf) => {
  const batches = parseBatches(buf);
  assert.ok(!(batches instanceof BatchError));
  return batches.flatMap((b) => decodeBatch(buf, b.position).records.map((r) => r.value!.toString()));
});

/** Keeps libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says more) busy for a while: what is queued next waits. */
const occupyThreadPool = () => Promise.all(Array.from({ length: Number(process.env.UV_THREADPOOL_SIZE ?? 4) }, () =>
  new Promise((resolve) => pbkdf2('x', 'y', 200_000, 32, 'sha256', resolve))));

test('an append made while the first segment file is being created is kept, and the file is made once', async () => {
  const tmp = tempDir('samsa-first-write-');
  try {
    const path = join(tmp.dir, 'new-0');
    let log = PartitionLog.open(new FsDir(path));
    const busy = occupyThreadPool(); // the creation runs after the append below
    const created = log.prepareAppend();
    assert.ok(created, 'a new partition has a file to create');
    log.append(record('during')); // (synchronous: creates the file itself, before the thread pool does)
    await Promise.all([created, busy]);
    assert.equal(log.prepareAppend(), null);
    log.append(record('after'));
    assert.deepEqual(values(log), ['during', 'after']);
    await log.close();
    assert.deepEqual(readdirSync(path).filter((f) => f.endsWith('.log')), ['00000000000000000000.log']);
    log = PartitionLog.open(new FsDir(path));
    assert.deepEqual(values(log), ['during', 'after']);
    await log.close();

    // Created first, then written: the file the thread pool made is the one written.
    log = PartitionLog.open(new FsDir(join(tmp.dir, 'new-1')));
    await log.prepareAppend();
    log.append(record('one'));
    await log.close();
    log = PartitionLog.open(new FsDir(join(tmp.dir, 'new-1')));
    assert.deepEqual(values(log), ['one']);
    await log.close();
  } finally {
    tmp.remove();
  }
});

test('produces racing to a new partition are appended in the order they came, on disk and in memory', async () => {
  for (const dataDir of [tempDir('samsa-first-write-'), null]) {
    const broker = await startTestBroker(dataDir ? { dataDir: dataDir.dir } : {});
    try {
      const admin = kafkaClient(broker).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'fresh', numPartitions: 2 }] });
      await admin.disconnect();
      const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
      const results = await Promise.all(sent.map((v, i) => broker.broker.appendRecords('fresh', i % 2, record(v), true)));
      assert.deepEqual(results.map((r) => [r.errorCode, r.baseOffset]), sent.map((_, i) => [0, i >> 1]));
      assert.deepEqual(values(broker.broker.logs.get('fresh', 0)!), sent.filter((_, i) => i % 2 === 0));
      assert.deepEqual(values(broker.broker.logs.get('fresh', 1)!), sent.filter((_, i) => i % 2 === 1));
    } finally {
      await broker.close();
      dataDir?.remove();
    }
  }
});

test('in memory, new files take their first bytes from shared slabs and never see each other\'s: many files, appended, truncated and grown in turn', () => {
  const files = Array.from({ length: 300 }, () => new MemoryDir().open('00000000000000000000.log'));
  const contents = files.map(() => Buffer.alloc(0));
  const check = (when: string) => files.forEach((f, i) => assert.deepEqual(f.read(0, f.size), contents[i], `file ${i} ${when}`));
  const append = (size: number) => files.forEach((f, i) => {
    const chunk = Buffer.alloc(size, (i * 7 + size) % 251);
    f.append(chunk);
    contents[i] = Buffer.concat([contents[i]!, chunk]);
  });
  // 100 then 412 bytes: each file's first slice (512 bytes) filled exactly, its neighbours' right beside it.
  append(100);
  check('after a first append');
  append(412);
  check('with its first slice full');
  // Truncated down and up again inside the slice: the bytes it exposes are zeroes, the neighbours' untouched.
  files.forEach((f, i) => {
    if (i % 2 === 0) {
      f.truncate(50);
      f.truncate(300);
      contents[i] = Buffer.concat([contents[i]!.subarray(0, 50), Buffer.alloc(250)]);
    }
  });
  check('after truncations');
  // Outgrowing the slice moves a file to a buffer of its own.
  append(1);
  append(5000);
  check('after growing past the first slice');
});
