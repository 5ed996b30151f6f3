/**
 * Compaction and record validation through the broker: a cleanup.policy=compact topic keeps the latest value per key
 * (before and after a restart), drops tombstones older than delete.retention.ms, and refuses keyless records;
 * LogAppendTime topics stamp the broker's time (with a CRC clients accept).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { kafkaClient, run, startTestBroker, tempDir } from '../helpers.js';
import { ManualClock, type RunningBroker } from '../../src/index.js';
import { kcatRead, waitFor, type ConsumedRecord } from './support.js';

const HOUR = 3_600_000;
const COMPACTED = {
  'cleanup.policy': 'compact', 'segment.bytes': '1024', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': String(HOUR),
};

/** The first test waits in real time: the cleaner looks again every 100 ms instead of log.cleaner.backoff.ms's 15 s. */
const REAL_TIME_CLEANER = { 'log.cleaner.backoff.ms': 100 };

async function connect(broker: RunningBroker): Promise<{ admin: Admin; producer: Producer; close(): Promise<void> }> {
  const kafka = kafkaClient(broker);
  const admin = kafka.admin();
  const producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  return { admin, producer, close: () => Promise.all([admin.disconnect(), producer.disconnect()]).then(() => {}) };
}

/** Key → value as a reader of the whole topic ends up with, plus how many records each key still has. */
function view(records: ConsumedRecord[]): { latest: Map<string, string | null>; copies: Map<string, number> } {
  const latest = new Map<string, string | null>();
  const copies = new Map<string, number>();
  for (const r of records) {
    latest.set(r.key!, r.value);
    copies.set(r.key!, (copies.get(r.key!) ?? 0) + 1);
  }
  return { latest, copies };
}

/** Writes `rounds` values for each key, then enough distinct filler keys that all of them sit in closed segments. */
async function writeRound(producer: Producer, round: string, keys: string[], rounds: number, tombstones: Array<[string, number]>): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    await producer.send({ topic: 'compacted', acks: -1, messages: keys.map((key) => ({ key, value: `${round}-${key}-v${r}` })) });
  }
  for (const [key, timestamp] of tombstones) await producer.send({ topic: 'compacted', acks: -1, messages: [{ key, value: null, timestamp: String(timestamp) }] });
  for (let i = 0; i < 12; i++) await producer.send({ topic: 'compacted', acks: -1, messages: [{ key: `filler-${round}-${i}`, value: 'x'.repeat(100) }] });
}

test('a compacted topic keeps the latest value per key and drops old tombstones, across a restart', async () => {
  const tmp = tempDir('samsa-compact-');
  try {
    let broker = await startTestBroker({ dataDir: tmp.dir, config: REAL_TIME_CLEANER });
    let c = await connect(broker);
    await c.admin.createTopics({ topics: [{ topic: 'compacted', numPartitions: 1, configEntries: Object.entries(COMPACTED).map(([name, value]) => ({ name, value })) }] });
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    // k0's tombstone is older than delete.retention.ms (an hour): it goes. k1's is fresh: it stays, hiding k1.
    await writeRound(c.producer, 'r1', keys, 5, [['k0', Date.now() - 2 * HOUR], ['k1', Date.now()]]);
    const expectKeys = (latest: Map<string, string | null>, round: string, hidden: string[], dropped: string[]) => {
      for (const k of keys) {
        if (dropped.includes(k)) assert.ok(!latest.has(k), `${k} dropped with its tombstone`);
        else if (hidden.includes(k)) assert.equal(latest.get(k), null, `${k} tombstone kept`);
        else assert.equal(latest.get(k), `${round}-${k}-v4`, `${k} latest`);
      }
    };
    const first = await waitFor('compaction', async () => {
      const v = view(await kcatRead(broker.bootstrap, 'compacted'));
      return keys.every((k) => (v.copies.get(k) ?? 0) <= 1) ? v : undefined;
    });
    expectKeys(first.latest, 'r1', ['k1'], ['k0']);
    const [{ high }] = await c.admin.fetchTopicOffsets('compacted');
    await c.close();
    await broker.close();

    broker = await startTestBroker({ dataDir: tmp.dir, config: REAL_TIME_CLEANER });
    c = await connect(broker);
    // The restart serves the compacted log as it was (offset gaps and all) and appends after its end.
    const again = view(await kcatRead(broker.bootstrap, 'compacted'));
    assert.deepEqual(again.latest, first.latest);
    const [{ high: highAfter }] = await c.admin.fetchTopicOffsets('compacted');
    assert.equal(highAfter, high);
    // Round two: new values for half the keys, k1 comes back, k2 is deleted (fresh tombstone).
    await writeRound(c.producer, 'r2', ['k1', 'k3', 'k5', 'k7'], 5, [['k2', Date.now()]]);
    const second = await waitFor('second compaction', async () => {
      const v = view(await kcatRead(broker.bootstrap, 'compacted'));
      return keys.every((k) => (v.copies.get(k) ?? 0) <= 1) ? v : undefined;
    });
    for (const k of ['k1', 'k3', 'k5', 'k7']) assert.equal(second.latest.get(k), `r2-${k}-v4`);
    for (const k of ['k4', 'k6']) assert.equal(second.latest.get(k), `r1-${k}-v4`);
    assert.equal(second.latest.get('k2'), null);
    assert.ok(!second.latest.has('k0'));
    await c.close();
    await broker.close();
  } finally {
    tmp.remove();
  }
});

test('a compacted topic refuses records without a key (INVALID_RECORD), from kafkajs and kcat', async () => {
  const broker = await startTestBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  const c = await connect(broker);
  try {
    await c.admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await assert.rejects(c.producer.send({ topic: 'keyed', acks: -1, messages: [{ key: 'a', value: '1' }, { value: 'no key' }] }), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'INVALID_RECORD');
      return true;
    });
    const res = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'keyed'], { input: 'keyless\n' });
    assert.match(res.stderr, /Broker failed to validate record/);
    // Nothing of the refused batch was stored; keyed records still go in.
    await c.producer.send({ topic: 'keyed', acks: -1, messages: [{ key: 'a', value: '2' }] });
    const read = await kcatRead(broker.bootstrap, 'keyed');
    assert.deepEqual(read.map((r) => [r.offset, r.key, r.value]), [[0, 'a', '2']]);
  } finally {
    await c.close();
    await broker.close();
  }
});

test('message.timestamp.type=LogAppendTime stamps the broker time, returned by Produce and served with a valid CRC', async () => {
  const broker = await startTestBroker({ config: { 'group.initial.rebalance.delay.ms': 0 } });
  const c = await connect(broker);
  try {
    await c.admin.createTopics({ topics: [{ topic: 'stamped', numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
    const before = Date.now();
    const [res] = await c.producer.send({ topic: 'stamped', acks: -1, messages: [{ value: 'a', timestamp: '1000' }, { value: 'b', timestamp: '2000' }] });
    const after = Date.now();
    const stamped = Number(res.logAppendTime);
    assert.ok(stamped >= before && stamped <= after, `logAppendTime ${stamped} within [${before}, ${after}]`);
    const read = await kcatRead(broker.bootstrap, 'stamped'); // check.crcs=true
    assert.deepEqual(read.map((r) => [r.value, r.timestamp]), [['a', stamped], ['b', stamped]]);
    // kafkajs decodes the batch too and sees the same time.
    const consumer = kafkaClient(broker).consumer({ groupId: 'stamped-reader' });
    await consumer.connect();
    const seen: string[] = [];
    await consumer.subscribe({ topic: 'stamped', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.timestamp); } });
    await waitFor('kafkajs read', () => (seen.length === 2 ? true : undefined));
    await consumer.disconnect();
    assert.deepEqual(seen, [String(stamped), String(stamped)]);
  } finally {
    await c.close();
    await broker.close();
  }
});

test('a live broker keeps compacting a topic written all the time: bounded segments, the cleaner offset advancing, no restart', async () => {
  const tmp = tempDir('samsa-compact-live-');
  const clock = new ManualClock(Date.now());
  const broker = await startTestBroker({ dataDir: tmp.dir, clock });
  const c = await connect(broker);
  try {
    // Kafka's defaults but small segments: min.cleanable.dirty.ratio 0.5, min.compaction.lag.ms 0.
    await c.admin.createTopics({ topics: [{ topic: 'live', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '1024' }] }] });
    const log = broker.broker.logs.get('live', 0)!;
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    const cleanedTo: number[] = [];
    let maxSegments = 0;
    for (let round = 0; round < 20; round++) {
      for (const key of keys) await c.producer.send({ topic: 'live', acks: -1, messages: [{ key, value: `r${round}-${key}-${'x'.repeat(60)}` }] });
      await clock.advance(15_000); // log.cleaner.backoff.ms
      await broker.broker.logs.cleaned();
      cleanedTo.push(log.cleanedTo);
      maxSegments = Math.max(maxSegments, log.segments.length);
    }
    const files = readdirSync(join(tmp.dir, 'live-0')).filter((f) => f.endsWith('.log'));
    assert.ok(maxSegments <= 6, `at most ${maxSegments} segments (20 rounds wrote ${Math.ceil(log.logEndOffset * 100 / 1024)} segments' worth)`);
    assert.equal(files.length, log.segments.length, 'no segment file left behind');
    assert.ok(cleanedTo[0] > 0 && new Set(cleanedTo).size >= 8, `the cleaner offset kept advancing: ${cleanedTo.join(' ')}`);
    const v = view(await kcatRead(broker.bootstrap, 'live', ['-X', 'fetch.wait.max.ms=0']));
    for (const key of keys) assert.equal(v.latest.get(key), `r19-${key}-${'x'.repeat(60)}`);
    assert.ok(log.logEndOffset - log.cleanedTo <= 2 * keys.length, 'only the uncleaned tail can hold older copies');
  } finally {
    await c.close();
    await broker.close();
    tmp.remove();
  }
});
