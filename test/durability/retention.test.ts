/**
 * Retention at broker level, seen the way clients see it: ListOffsets' low watermark advancing (kafkajs
 * fetchTopicOffsets), and consumers that start below it resetting to the new start (kcat's auto.offset.reset after
 * OFFSET_OUT_OF_RANGE, a kafkajs group reading from the beginning). The broker's own maintenance timer does the work,
 * every log.retention.check.interval.ms of the broker's clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { kafkaClient, startTestBroker, tempDir } from '../helpers.js';
import { ManualClock, type RunningBroker } from '../../src/index.js';
import { kcatRead, waitFor } from './support.js';

const HOUR = 3_600_000;

async function withBroker(fn: (b: RunningBroker, admin: Admin, producer: Producer, dataDir: string) => Promise<void>): Promise<void> {
  const tmp = tempDir('samsa-retention-');
  // Real time, checked often: these tests are about what clients see (the cadence has its own test).
  const broker = await startTestBroker({ dataDir: tmp.dir, config: { 'group.initial.rebalance.delay.ms': 0, 'log.retention.check.interval.ms': 100 } });
  const kafka = kafkaClient(broker);
  const admin = kafka.admin();
  const producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    await fn(broker, admin, producer, tmp.dir);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await broker.close();
    tmp.remove();
  }
}

async function createTopic(admin: Admin, topic: string, configs: Record<string, string>): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
}

async function offsets(admin: Admin, topic: string): Promise<{ low: number; high: number }> {
  const [p] = await admin.fetchTopicOffsets(topic);
  return { low: Number(p.low), high: Number(p.high) };
}

async function produce(producer: Producer, topic: string, count: number, timestamp: number, tag: string): Promise<number> {
  let first = -1;
  for (let i = 0; i < count; i += 5) {
    const messages = Array.from({ length: Math.min(5, count - i) }, (_, j) => ({ value: `${tag}-${i + j}-${'x'.repeat(100)}`, timestamp: String(timestamp) }));
    const [res] = await producer.send({ topic, acks: -1, messages });
    if (first < 0) first = Number(res.baseOffset);
  }
  return first;
}

test('retention.ms deletes expired closed segments: the low watermark advances and consumers reset to it', async () => {
  await withBroker(async (broker, admin, producer) => {
    await createTopic(admin, 'by-time', { 'retention.ms': String(HOUR), 'segment.bytes': '2048' });
    await produce(producer, 'by-time', 100, Date.now() - 2 * HOUR, 'old');
    const firstNew = await produce(producer, 'by-time', 20, Date.now(), 'new');
    const { low, high } = await waitFor('retention', async () => {
      const o = await offsets(admin, 'by-time');
      return o.low > 0 ? o : undefined;
    });
    assert.equal(high, firstNew + 20);
    // Whole segments only: the start may stop short of the first fresh record, never beyond it.
    assert.ok(low <= firstNew, `low ${low} <= first fresh offset ${firstNew}`);
    assert.ok(firstNew - low < 20, `expired segments went (low ${low}, first fresh ${firstNew})`);

    // kcat asking for offset 0 gets OFFSET_OUT_OF_RANGE and resets to the earliest offset.
    const read = await kcatRead(broker.bootstrap, 'by-time', ['-X', 'auto.offset.reset=earliest'], '0');
    assert.deepEqual(read.map((r) => r.offset), Array.from({ length: high - low }, (_, i) => low + i));
    assert.deepEqual(read.slice(-20).map((r) => r.value!.split('-').slice(0, 2).join('-')), Array.from({ length: 20 }, (_, i) => `new-${i}`));

    const consumer = kafkaClient(broker).consumer({ groupId: 'retention-reader' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'by-time', fromBeginning: true });
      const seen: number[] = [];
      await consumer.run({ eachMessage: async ({ message }) => { seen.push(Number(message.offset)); } });
      await waitFor('kafkajs to read to the end', () => (seen.length >= high - low ? true : undefined));
      assert.equal(seen[0], low);
      assert.equal(seen.length, high - low);
    } finally {
      await consumer.disconnect();
    }
  });
});

test('retention.bytes keeps the partition near its budget, deleting the oldest segments first', async () => {
  await withBroker(async (broker, admin, producer, dataDir) => {
    const budget = 8192;
    const segment = 2048;
    await createTopic(admin, 'by-size', { 'retention.bytes': String(budget), 'segment.bytes': String(segment) });
    await produce(producer, 'by-size', 300, Date.now(), 'm');
    const { low, high } = await waitFor('size retention', async () => {
      const o = await offsets(admin, 'by-size');
      return o.low > 0 ? o : undefined;
    });
    assert.equal(high, 300);
    const dir = join(dataDir, 'by-size-0');
    const bytes = readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    assert.ok(bytes <= budget + segment, `${bytes} bytes on disk, budget ${budget} + one segment`);
    assert.ok(bytes >= budget - segment, `deleted no more than needed (${bytes} bytes left)`);
    const read = await kcatRead(broker.bootstrap, 'by-size');
    assert.equal(read[0].offset, low);
    assert.equal(read.length, high - low);
    assert.equal(read[read.length - 1].value!.split('-')[1], '299');
  });
});

test('segment.ms rolls an idle active segment so that it expires too; offsets continue after it', async () => {
  await withBroker(async (broker, admin, producer) => {
    await createTopic(admin, 'idle', { 'retention.ms': '500', 'segment.ms': '300' });
    await produce(producer, 'idle', 10, Date.now(), 'a');
    const o = await waitFor('the idle segment to expire', async () => {
      const x = await offsets(admin, 'idle');
      return x.low === 10 ? x : undefined;
    });
    assert.deepEqual(o, { low: 10, high: 10 });
    const [res] = await producer.send({ topic: 'idle', acks: -1, messages: [{ value: 'after' }] });
    assert.equal(Number(res.baseOffset), 10);
    const read = await kcatRead(broker.bootstrap, 'idle');
    assert.deepEqual(read.map((r) => [r.offset, r.value]), [[10, 'after']]);
  });
});

test('retention runs every log.retention.check.interval.ms of the broker clock, segment.ms rolls at every tick', async () => {
  const tmp = tempDir('samsa-retention-');
  const clock = new ManualClock(Date.now());
  const broker = await startTestBroker({ dataDir: tmp.dir, clock, config: { 'log.retention.check.interval.ms': 60_000 } });
  const admin = kafkaClient(broker).admin();
  const producer = kafkaClient(broker).producer();
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    await createTopic(admin, 'checked', { 'retention.ms': String(HOUR), 'segment.bytes': '2048', 'segment.ms': String(HOUR) });
    await createTopic(admin, 'idle', { 'segment.ms': '5000' });
    await produce(producer, 'idle', 5, clock.now(), 'i');
    await produce(producer, 'checked', 100, clock.now() - 2 * HOUR, 'old');
    const firstNew = await produce(producer, 'checked', 20, clock.now(), 'new');
    const idle = broker.broker.logs.get('idle', 0)!;
    await clock.advance(6_000);
    assert.equal(idle.segments.length, 2, 'segment.ms rolled the idle segment at a tick, long before a retention check');
    await clock.advance(53_000); // 59 s since the broker started
    assert.deepEqual(await offsets(admin, 'checked'), { low: 0, high: firstNew + 20 }, 'no retention check yet');
    await clock.advance(1_000);
    const { low } = await offsets(admin, 'checked');
    assert.ok(low > 0 && low <= firstNew, `the check at 60 s deleted the expired segments (low ${low}, first fresh ${firstNew})`);
    // The fresh records (written at 0 s) expire just after 3600 s: the checks at 3600 s and every minute after.
    await produce(producer, 'checked', 40, clock.now(), 'later'); // rolls them out of the active segment
    await clock.advance(HOUR - 1_000); // 3659 s
    const before = await offsets(admin, 'checked');
    assert.equal(before.low, low, 'expired since 3600 s, but no check since');
    await clock.advance(1_000);
    const after = await offsets(admin, 'checked');
    assert.ok(after.low > firstNew, `deleted by the check at 3660 s (low ${before.low} -> ${after.low})`);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await broker.close();
    tmp.remove();
  }
});

test('DeleteRecords advances the low watermark; a restart keeps it', async () => {
  const tmp = tempDir('samsa-retention-');
  try {
    let broker = await startTestBroker({ dataDir: tmp.dir });
    let admin = kafkaClient(broker).admin();
    await admin.connect();
    await createTopic(admin, 'trimmed', { 'segment.bytes': '2048' });
    const producer = kafkaClient(broker).producer();
    await producer.connect();
    await produce(producer, 'trimmed', 50, Date.now(), 'd');
    await producer.disconnect();
    // kafkajs looks the leader up only among topics its admin already fetched metadata for.
    await offsets(admin, 'trimmed');
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '37' }] });
    assert.deepEqual(await offsets(admin, 'trimmed'), { low: 37, high: 50 });
    await admin.disconnect();
    await broker.close();

    broker = await startTestBroker({ dataDir: tmp.dir });
    admin = kafkaClient(broker).admin();
    await admin.connect();
    assert.deepEqual(await offsets(admin, 'trimmed'), { low: 37, high: 50 });
    const read = await kcatRead(broker.bootstrap, 'trimmed');
    assert.deepEqual(read.map((r) => r.offset), Array.from({ length: 13 }, (_, i) => 37 + i));
    await admin.disconnect();
    await broker.close();
  } finally {
    tmp.remove();
  }
});
