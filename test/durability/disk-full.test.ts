/**
 * A real filesystem filled to the brim: a 4 MiB tmpfs (the tests run as root; `mount -t tmpfs -o size=…` works in
 * this sandbox) holds the broker's data directory and a ballast file taking most of the space. Produce must fail
 * with KAFKA_STORAGE_ERROR while the broker keeps serving, everything acknowledged before stays readable and intact
 * (also after a restart), and writing resumes once the ballast is removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startTestBroker, tempDir } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { kcatRead } from './support.js';

function client(broker: RunningBroker): Kafka {
  return new Kafka({ clientId: 'disk-full', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
}

/** Sends one 10 × 1 KiB batch; returns the values on success, the error's text on failure. */
async function sendBatch(producer: Producer, n: number): Promise<string[] | string> {
  const values = Array.from({ length: 10 }, (_, i) => `b${n}-m${i}-${'f'.repeat(1000)}`);
  try {
    await producer.send({ topic: 'full', acks: -1, messages: values.map((value) => ({ value })) });
    return values;
  } catch (err) {
    const e = err as Error & { type?: string; cause?: { type?: string } };
    return `${e.type ?? ''} ${e.cause?.type ?? ''} ${e.message}`;
  }
}

test('disk full on a tmpfs: KAFKA_STORAGE_ERROR, the broker stays up, stored data intact, writes resume after space returns', async () => {
  const tmp = tempDir('samsa-full-');
  const mnt = tmp.dir;
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
  try {
    const dataDir = join(mnt, 'data');
    let broker = await startTestBroker({ dataDir, logLevel: 'fatal' });
    const kafka = client(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'full', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: String(256 * 1024) }] }] });
    const { bavail, bsize } = statfsSync(mnt);
    const ballast = join(mnt, 'ballast');
    writeFileSync(ballast, Buffer.alloc(bavail * bsize - 600 * 1024));

    const producer = kafka.producer();
    await producer.connect();
    const stored: string[] = [];
    let failure = '';
    for (let n = 0; n < 200 && !failure; n++) {
      const r = await sendBatch(producer, n);
      if (typeof r === 'string') failure = r;
      else stored.push(...r);
    }
    assert.match(failure, /KAFKA_STORAGE_ERROR|Disk error/, 'produce fails with KAFKA_STORAGE_ERROR');
    assert.ok(stored.length > 0, 'some batches went in before the disk filled');
    // Still serving: metadata, offsets and reads work, and a retry still fails the same way.
    const [{ high }] = await admin.fetchTopicOffsets('full');
    assert.equal(Number(high), stored.length);
    assert.match(String(await sendBatch(producer, 1000)), /KAFKA_STORAGE_ERROR|Disk error/);
    assert.deepEqual((await kcatRead(broker.bootstrap, 'full')).map((r) => r.value), stored);

    rmSync(ballast);
    for (let n = 200; n < 205; n++) {
      const r = await sendBatch(producer, n);
      assert.ok(Array.isArray(r), `writes resume once space is free: ${String(r)}`);
      stored.push(...r);
    }
    await producer.disconnect();
    await admin.disconnect();
    assert.deepEqual((await kcatRead(broker.bootstrap, 'full')).map((r) => [r.offset, r.value]), stored.map((v, i) => [i, v]));
    await broker.close();

    // Nothing stored was damaged: a restart (CRCs checked by kcat) serves it all.
    broker = await startTestBroker({ dataDir, logLevel: 'fatal' });
    assert.deepEqual((await kcatRead(broker.bootstrap, 'full')).map((r) => [r.offset, r.value]), stored.map((v, i) => [i, v]));
    await broker.close();
  } finally {
    execFileSync('umount', ['-l', mnt]);
    tmp.remove();
  }
});
