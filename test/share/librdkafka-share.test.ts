/**
 * Share groups with a real client: librdkafka 2.15.1's KIP-932 share consumer (rd_kafka_share_*), the library inside
 * @confluentinc/kafka-javascript 1.10.1, which does not expose it to JavaScript — so a small C program
 * (native/share-consumer.c) is compiled against that library's headers and shared object and run as a child.
 * librdkafka finds assigned topics by id in Metadata (v10+).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, startTestBroker, tempDir } from '../helpers.js';
import { produce } from './share-consumer.js';
import { MetadataApi } from '../../src/protocol/generated/index.js';
import { ManualClock } from '../../src/clock.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const LIB = join(root, 'compat-suite/clients/confluent-js/node_modules/@confluentinc/kafka-javascript/build/deps');
const work = tempDir('samsa-share-native-');
const binary = join(work.dir, 'share-consumer');

before(async () => {
  // librdkafka finds the topics of a share assignment (by id) in Metadata v10+ responses.
  assert.ok(MetadataApi.maxVersion >= 10, `librdkafka's share consumer needs Metadata v10+ (topic ids); this build serves up to v${MetadataApi.maxVersion}`);
  assert.ok(existsSync(join(LIB, 'librdkafka.so')), `librdkafka from @confluentinc/kafka-javascript at ${LIB}`);
  const built = await run('gcc', ['-O1', '-o', binary, join(root, 'test/share/native/share-consumer.c'), `-I${join(LIB, 'include')}`, `-L${LIB}`, '-lrdkafka', `-Wl,-rpath,${LIB}`]);
  assert.equal(built.code, 0, built.stderr);
});

interface Line { offset: number; deliveryCount: number; value: string; ack: string }

async function consume(bootstrap: string, group: string, want: number, releaseEvery = 0, mode = 'explicit'): Promise<Line[]> {
  // Stops once `want` records are accepted, after 20 s, or after 3 s without a record (the others took them all).
  const res = await run(binary, [bootstrap, group, 'work', String(want), '20', String(releaseEvery), '3000', '5', mode], { timeoutMs: 40_000 });
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [, offset, count, value, ack] = l.split(' ');
    return { offset: Number(offset), deliveryCount: Number(count), value, ack };
  });
}

test('three librdkafka share consumers in one group accept every record exactly once', async () => {
  const broker = await startTestBroker();
  try {
    broker.broker.createTopic('work', 1);
    await broker.broker.shares.setGroupConfig('g', 'share.auto.offset.reset', 'earliest');
    const consumers = Promise.all([0, 1, 2].map(() => consume(broker.bootstrap, 'g', 150)));
    // Produced once all three have joined, one record a batch, so they compete for them.
    while ((broker.broker.shares.groups.get('g')?.members.size ?? 0) < 3) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 150; i++) await produce(broker, 'work', [`v${i}`]);
    const results = await consumers;
    const accepted = results.flat().filter((l) => l.ack === 'accept').map((l) => l.value);
    assert.deepEqual([...accepted].sort(), Array.from({ length: 150 }, (_, i) => `v${i}`).sort());
    assert.ok(results.filter((r) => r.length > 0).length >= 2, `records were shared: ${results.map((r) => r.length)}`);
    const [state] = broker.broker.shares.inFlight('g');
    assert.equal(state.startOffset, 150);
  } finally {
    await broker.close();
  }
});

test('records a librdkafka share consumer releases come back with delivery count 2', async () => {
  const broker = await startTestBroker();
  try {
    broker.broker.createTopic('work', 1);
    await broker.broker.shares.setGroupConfig('g', 'share.auto.offset.reset', 'earliest');
    for (let i = 0; i < 12; i++) await produce(broker, 'work', [`v${i}`]);
    const lines = await consume(broker.bootstrap, 'g', 12, 3);
    const released = lines.filter((l) => l.ack === 'release');
    assert.equal(released.length, 4);
    for (const r of released) {
      assert.ok(lines.some((l) => l.offset === r.offset && l.ack === 'accept' && l.deliveryCount === 2), `offset ${r.offset} delivered again`);
    }
    assert.equal(lines.filter((l) => l.ack === 'accept').length, 12);
  } finally {
    await broker.close();
  }
});

test('implicit acknowledgement: a librdkafka share consumer that never calls acknowledge accepts what it polled', async () => {
  const broker = await startTestBroker();
  try {
    broker.broker.createTopic('work', 1);
    await broker.broker.shares.setGroupConfig('g', 'share.auto.offset.reset', 'earliest');
    for (let i = 0; i < 10; i++) await produce(broker, 'work', [`v${i}`]);
    const lines = await consume(broker.bootstrap, 'g', 10, 0, 'implicit');
    assert.equal(lines.length, 10);
    await broker.waitForShareGroup('g', { topic: 'work', lag: 0 });
  } finally {
    await broker.close();
  }
});

test('a librdkafka share consumer that dies holding records: another gets them after the lock timeout, delivery count 2', async () => {
  // The locks run on the broker's clock: a manual one, moved past the lock once the holder is gone.
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock });
  try {
    broker.broker.createTopic('work', 1);
    await broker.broker.shares.setGroupConfig('g', 'share.auto.offset.reset', 'earliest');
    for (let i = 0; i < 4; i++) await produce(broker, 'work', [`v${i}`]);
    const held = await consume(broker.bootstrap, 'g', 4, 0, 'die');
    assert.ok(held.length > 0 && held.every((l) => l.deliveryCount === 1 && l.ack === 'held'));
    await clock.advance(broker.broker.config.int('group.share.record.lock.duration.ms'));
    const after = await consume(broker.bootstrap, 'g', 4);
    const again = after.filter((l) => held.some((h) => h.offset === l.offset));
    assert.deepEqual(again.map((l) => [l.offset, l.deliveryCount, l.ack]), held.map((h) => [h.offset, 2, 'accept']));
    assert.equal(after.filter((l) => l.ack === 'accept').length, 4);
  } finally {
    await broker.close();
  }
});

process.on('exit', () => work.remove());
