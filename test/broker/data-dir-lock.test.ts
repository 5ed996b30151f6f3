/**
 * One broker per data directory: a second one refuses to start (two writers interleave segment files and lose
 * acknowledged writes), whether it runs in the same process or another; a lock left by a killed process is taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaClient, startTestBroker, tempDir, run } from '../helpers.js';
import { kill9, startCli, stopCli } from '../durability/support.js';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';

test('a second in-process broker on the same data directory is refused; it starts once the first closes', async () => {
  const tmp = tempDir();
  try {
    const first = await startTestBroker({ dataDir: tmp.dir });
    await assert.rejects(startTestBroker({ dataDir: tmp.dir }), (err: Error & { code?: string }) =>
      err.code === 'SAMSA_DATA_DIR_LOCKED' && err.message.includes(tmp.dir));
    await first.close();
    const second = await startTestBroker({ dataDir: tmp.dir });
    await second.close();
  } finally {
    tmp.remove();
  }
});

test('a CLI broker refuses a data directory held by a running one (exit 2, clear message); after kill -9 of the holder it starts and keeps the data', async () => {
  const tmp = tempDir();
  try {
    const holder = await startCli(tmp.dir);
    const producer = kafkaClient(holder).producer();
    await producer.connect();
    await producer.send({ topic: 'kept', acks: -1, messages: [{ value: 'a1' }, { value: 'a2' }] });
    await producer.disconnect();

    const second = await run(process.execPath, [join(import.meta.dirname, '../../bundle/main.js'), '--port', '0', '--registry-port', '0', '--admin-port', '0', '--data-dir', tmp.dir]);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`in use by another Samsa process \\(pid ${holder.child.pid}\\)`));
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');

    await kill9(holder);
    const restarted = await startCli(tmp.dir);
    try {
      const admin = kafkaClient(restarted).admin();
      await admin.connect();
      const [offsets] = await admin.fetchTopicOffsets('kept');
      assert.equal(offsets.high, '2');
      await admin.disconnect();
    } finally {
      await stopCli(restarted);
    }
  } finally {
    tmp.remove();
  }
});

test('a lock whose pid now names another process (pids handed out again after a reboot) is stale; the same process is not', async () => {
  const tmp = tempDir();
  try {
    // pid 1 runs here; the lock records a process start time, which pid 1's is not (or is).
    const stat = readFileSync('/proc/1/stat', 'utf8');
    const started = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    writeFileSync(join(tmp.dir, '.lock'), `1 ${started + 1}\n`);
    const broker = await startTestBroker({ dataDir: tmp.dir });
    await broker.close();
    writeFileSync(join(tmp.dir, '.lock'), `1 ${started}\n`);
    await assert.rejects(startTestBroker({ dataDir: tmp.dir }), (err: Error & { code?: string }) => err.code === 'SAMSA_DATA_DIR_LOCKED' && /pid 1\b/.test(err.message));
  } finally {
    tmp.remove();
  }
});
