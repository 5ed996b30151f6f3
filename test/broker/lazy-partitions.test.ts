/**
 * Partitions cost a directory and nothing more until used: CreateTopics saves the catalogue (the directories are
 * made in the background), a partition's log and files come with its first use, and a start opens only the
 * partitions holding data — those keep being recovered and expired as before, without anyone asking for them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callApi, kafkaClient, startTestBroker, tempDir } from '../helpers.js';
import { CreateTopicsApi } from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { ManualClock } from '../../src/index.js';
import { waitFor } from '../durability/support.js';

const HOUR = 3_600_000;

/** The files in a partition's directory (none when it is not made yet). */
const files = (dir: string, partition: string) => (existsSync(join(dir, partition)) ? readdirSync(join(dir, partition)) : []);

const offsets = async (bootstrap: string, topic: string) => {
  const admin = kafkaClient({ bootstrap }).admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((p) => [Number(p.low), Number(p.high)]);
  } finally {
    await admin.disconnect();
  }
};

test('a created partition holds no file until first used; a restart opens only the partitions holding data', async () => {
  const tmp = tempDir('samsa-lazy-');
  let broker = await startTestBroker({ dataDir: tmp.dir });
  try {
    const admin = kafkaClient(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'lazy', numPartitions: 3 }] });
    await admin.disconnect();
    assert.deepEqual([0, 1, 2].map((p) => files(tmp.dir, `lazy-${p}`)), [[], [], []]);

    const producer = kafkaClient(broker).producer();
    await producer.connect();
    await producer.send({ topic: 'lazy', acks: -1, messages: [{ partition: 1, value: 'one' }, { partition: 1, value: 'two' }] });
    await producer.disconnect();
    assert.deepEqual([0, 2].map((p) => files(tmp.dir, `lazy-${p}`)), [[], []]);
    assert.ok(files(tmp.dir, 'lazy-1').some((f) => f.endsWith('.log')));
    // Each partition has its directory, as in Kafka, made after CreateTopics answered.
    await waitFor('the partition directories', () => [0, 1, 2].every((p) => existsSync(join(tmp.dir, `lazy-${p}`))) || undefined);

    await broker.close();
    assert.deepEqual([0, 2].map((p) => files(tmp.dir, `lazy-${p}`)), [[], []], 'a partition never opened gets no marker at close');
    broker = await startTestBroker({ dataDir: tmp.dir });
    assert.ok(broker.broker.logs.opened('lazy', 1), 'the partition with data is opened (recovered) at start');
    assert.equal(broker.broker.logs.opened('lazy', 0), undefined, 'an empty one waits for its first use');
    assert.deepEqual(await offsets(broker.bootstrap, 'lazy'), [[0, 0], [0, 2], [0, 0]]);
  } finally {
    await broker.close();
    tmp.remove();
  }
});

test('retention expires a stored partition nobody used since the restart', async () => {
  const tmp = tempDir('samsa-lazy-');
  const config = { 'log.retention.check.interval.ms': 1000 };
  let broker = await startTestBroker({ dataDir: tmp.dir, clock: 'manual', config });
  try {
    const admin = kafkaClient(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'expiring', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: String(HOUR) }, { name: 'segment.bytes', value: '1024' }] }] });
    await admin.disconnect();
    const producer = kafkaClient(broker).producer();
    await producer.connect();
    const old = String(Date.now() - 2 * HOUR);
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'expiring', acks: -1, messages: [{ value: `old-${i}-${'x'.repeat(200)}`, timestamp: old }] });
    await producer.send({ topic: 'expiring', acks: -1, messages: [{ value: 'new' }] });
    await producer.disconnect();
    await broker.close();

    broker = await startTestBroker({ dataDir: tmp.dir, clock: 'manual', config });
    await (broker.broker.clock as ManualClock).advance(3000);
    const [[low, high]] = await offsets(broker.bootstrap, 'expiring');
    assert.equal(high, 21);
    assert.ok(low > 0, `the expired segments went before anyone asked for the partition (low watermark ${low})`);
  } finally {
    await broker.close();
    tmp.remove();
  }
});

test('two CreateTopics racing for the same 3,000 names: each name is created once, the other request hears TOPIC_ALREADY_EXISTS', async () => {
  const tmp = tempDir('samsa-lazy-');
  const broker = await startTestBroker({ dataDir: tmp.dir });
  try {
    const topics = Array.from({ length: 3000 }, (_, i) => ({ name: `race-${i}`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }));
    const create = () => callApi(broker.port, CreateTopicsApi, 4, { topics, timeoutMs: 60_000, validateOnly: false });
    const [a, b] = await Promise.all([create(), create()]);
    for (let i = 0; i < topics.length; i++) {
      const codes = [a.topics[i].errorCode, b.topics[i].errorCode].sort((x, y) => x - y);
      assert.deepEqual(codes, [ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS], topics[i].name);
    }
    assert.equal(broker.broker.topics.list().filter((t) => t.name.startsWith('race-')).length, 3000);
  } finally {
    await broker.close();
    tmp.remove();
  }
});

test('a partition whose log cannot be opened at its first use answers KAFKA_STORAGE_ERROR; the broker keeps serving', async () => {
  const tmp = tempDir('samsa-lazy-');
  const broker = await startTestBroker({ dataDir: tmp.dir });
  try {
    const kafka = kafkaClient(broker);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'blocked', numPartitions: 1 }, { topic: 'fine', numPartitions: 1 }] });
    await admin.disconnect();
    const dir = join(tmp.dir, 'blocked-0');
    await waitFor('the partition directory', () => existsSync(dir) || undefined);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory');
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    const failure = await producer.send({ topic: 'blocked', acks: -1, messages: [{ value: 'x' }] })
      .then(() => 'sent', (e: Error & { type?: string; cause?: { type?: string } }) => `${e.type ?? ''} ${e.cause?.type ?? ''} ${e.message}`);
    assert.match(failure, /KAFKA_STORAGE_ERROR|Disk error/); // (kafkajs's text for KAFKA_STORAGE_ERROR)
    const [sent] = await producer.send({ topic: 'fine', acks: -1, messages: [{ value: 'y' }] });
    assert.equal(sent.errorCode, 0);
    await producer.disconnect();
  } finally {
    await broker.close();
    tmp.remove();
  }
});

test('a transaction left open in a stored partition that no coordinator covers is found after a restart and aborted', async () => {
  const tmp = tempDir('samsa-lazy-');
  const config = { 'transaction.max.timeout.ms': 60_000 };
  let broker = await startTestBroker({ dataDir: tmp.dir, clock: 'manual', config });
  try {
    const admin = kafkaClient(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orphan-topic-1', numPartitions: 4 }] });
    await admin.disconnect();
    // Written past the coordinator (as if its state were lost): an open transaction nothing will end.
    const log = broker.broker.partition('orphan-topic-1', 3)!;
    log.append(encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }], { producerId: 7, producerEpoch: 0, baseSequence: 0, isTransactional: true }));
    assert.equal(log.lastStableOffset, 0);
    await broker.close();

    broker = await startTestBroker({ dataDir: tmp.dir, clock: 'manual', config });
    const clock = broker.broker.clock as ManualClock;
    await clock.advance(1000); // seen open
    await clock.advance(61_000); // for longer than any transaction may last
    const reopened = broker.broker.logs.opened('orphan-topic-1', 3)!;
    await waitFor('the abort marker', () => (reopened.lastStableOffset === reopened.logEndOffset ? true : undefined));
    assert.equal(reopened.logEndOffset, 2, 'the record, then the ABORT marker');
  } finally {
    await broker.close();
    tmp.remove();
  }
});
