/**
 * Fetch limits and long polls over real sockets: bounded responses (fetch.max.bytes, partitions named twice, the
 * first-batch rule), and parked fetches that wake only for their own partitions and go when their client does.
 * The broker runs on a ManualClock that is advanced only where a test says so, and parked fetches wait far longer in
 * real time than a test runs: an answer that comes without advancing was caused by the log, not by max_wait_ms.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startTestBroker, kafkaClient, callApi, openRequest, readResponse } from '../helpers.js';
import { until } from '../groups/helpers.js';
import { ManualClock, type RunningBroker } from '../../src/index.js';
import { FetchApi, type FetchRequest, type FetchResponse } from '../../src/protocol/generated/index.js';
import { decodeBatch, readBatchHeader } from '../../src/protocol/record-batch.js';

const FETCH_MAX_BYTES = 4096;
const MAX_INT = 2 ** 31 - 1;
const clock = new ManualClock();
let broker: RunningBroker;

before(async () => { broker = await startTestBroker({ clock, config: { 'fetch.max.bytes': FETCH_MAX_BYTES } }); });
after(async () => { await broker.close(); });

type Wanted = Array<[topic: string, partition: number, fetchOffset: number]>;

const fetchBody = (wanted: Wanted, extra: Partial<FetchRequest> = {}): FetchRequest => ({
  replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: MAX_INT, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: wanted.map(([topic, partition, fetchOffset]) => ({
    topic, topicId: Buffer.alloc(16), partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: MAX_INT }],
  })),
  forgottenTopicsData: [], rackId: '', clusterId: null, ...extra,
});

/** Base offsets and sizes of the batches in a record set. */
function batchesOf(records: unknown): Array<{ baseOffset: number; size: number }> {
  const buf = records as Buffer;
  const out: Array<{ baseOffset: number; size: number }> = [];
  for (let pos = 0; pos < buf.length;) {
    const h = readBatchHeader(buf, pos);
    out.push({ baseOffset: h.baseOffset, size: h.size });
    pos += h.size;
  }
  return out;
}

const recordBytes = (res: FetchResponse) => res.responses.flatMap((t) => t.partitions).reduce((n, p) => n + (p.records as Buffer).length, 0);

async function createTopic(topic: string, numPartitions = 1): Promise<void> {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions }] });
  await admin.disconnect();
}

/** One batch per entry: [partition, value size]. */
async function produce(topic: string, batches: Array<[partition: number, valueBytes: number]>): Promise<void> {
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  for (const [partition, size] of batches) await producer.send({ topic, messages: [{ value: Buffer.alloc(size, 7), partition }] });
  await producer.disconnect();
}

/** Sends a Fetch that is expected to park, and waits until the broker has parked it. */
async function park(body: FetchRequest): Promise<Socket> {
  const parkedBefore = broker.broker.fetchWaits.parked;
  const sock = await openRequest(broker.port, FetchApi, 11, body);
  await until('the fetch to park', () => broker.broker.fetchWaits.parked === parkedBefore + 1, 5000);
  return sock;
}

test('a partition named 11 times with max_bytes 2^31-1 is answered once, at its first place, with its last values', async () => {
  await createTopic('dup');
  await createTopic('dup-other');
  await produce('dup', [[0, 500], [0, 500], [0, 500]]);
  const eleven: Wanted = Array.from({ length: 11 }, () => ['dup', 0, 0]);
  const res = await callApi(broker.port, FetchApi, 11, fetchBody(eleven));
  assert.equal(res.responses.length, 1, 'consecutive entries of one topic share one topic entry');
  assert.equal(res.responses[0].partitions.length, 1);
  assert.deepEqual(batchesOf(res.responses[0].partitions[0].records).map((b) => b.baseOffset), [0, 1, 2], 'each batch once');

  const later = await callApi(broker.port, FetchApi, 11, fetchBody([['dup', 0, 0], ['dup-other', 0, 0], ['dup', 0, 2]]));
  assert.deepEqual(later.responses.map((t) => [t.topic, t.partitions.length]), [['dup', 1], ['dup-other', 1]]);
  assert.deepEqual(batchesOf(later.responses[0].partitions[0].records).map((b) => b.baseOffset), [2], 'the last fetch offset given wins');
});

test('a response carries at most fetch.max.bytes, in whole batches, however much the request allows', async () => {
  await createTopic('capped', 3);
  await produce('capped', [0, 1, 2].flatMap((p) => Array.from({ length: 4 }, (): [number, number] => [p, 500])));
  const res = await callApi(broker.port, FetchApi, 11, fetchBody([['capped', 0, 0], ['capped', 1, 0], ['capped', 2, 0]]));
  const bytes = recordBytes(res);
  assert.ok(bytes > FETCH_MAX_BYTES / 2 && bytes <= FETCH_MAX_BYTES, `${bytes} bytes`);
  for (const p of res.responses[0].partitions) for (const b of batchesOf(p.records)) assert.ok(b.size > 500);
  const small = await callApi(broker.port, FetchApi, 11, fetchBody([['capped', 0, 0], ['capped', 1, 0]], { maxBytes: 1500 }));
  assert.ok(recordBytes(small) <= 1500, 'a smaller max_bytes in the request bounds it too');
});

test('only the first batch of a response may exceed the limits, so a large batch never stalls a consumer', async () => {
  await createTopic('big', 2);
  await produce('big', [[0, 10_000], [1, 100]]);
  const bigFirst = await callApi(broker.port, FetchApi, 11, fetchBody([['big', 0, 0], ['big', 1, 0]]));
  const [p0, p1] = bigFirst.responses[0].partitions;
  assert.equal(batchesOf(p0.records).length, 1);
  assert.ok((p0.records as Buffer).length > FETCH_MAX_BYTES, 'the oversized first batch comes whole');
  assert.equal((p1.records as Buffer).length, 0, 'nothing after it');
  const smallFirst = await callApi(broker.port, FetchApi, 11, fetchBody([['big', 1, 0], ['big', 0, 0]]));
  assert.equal(batchesOf(smallFirst.responses[0].partitions[0].records).length, 1);
  assert.equal((smallFirst.responses[0].partitions[1].records as Buffer).length, 0, 'a later partition\'s batch must fit what is left');
});

test('long polls whose clients closed their sockets are gone, and appends no longer look at them', async () => {
  await createTopic('abandoned', 200);
  const everyPartition: Wanted = Array.from({ length: 200 }, (_, p) => ['abandoned', p, 0]);
  const sockets: Socket[] = [];
  for (let i = 0; i < 20; i++) sockets.push(await park(fetchBody(everyPartition, { maxWaitMs: MAX_INT, minBytes: 1 })));
  assert.equal(broker.broker.fetchWaits.parked, 20);
  for (const s of sockets) s.destroy();
  await until('abandoned polls to go', () => broker.broker.fetchWaits.parked === 0, 5000);
  const wakeups = broker.broker.fetchWaits.wakeups;
  await produce('abandoned', [[0, 10], [199, 10]]);
  await new Promise((r) => setImmediate(r));
  assert.equal(broker.broker.fetchWaits.wakeups, wakeups);
});

test('an append wakes only the fetches waiting on its partition, and those at once', async () => {
  await createTopic('quiet', 2);
  await createTopic('busy');
  const sock = await park(fetchBody([['quiet', 0, 0], ['quiet', 1, 0]], { maxWaitMs: 60_000, minBytes: 1 }));
  const answered = readResponse(sock, FetchApi, 11);
  const wakeups = broker.broker.fetchWaits.wakeups;
  await produce('busy', [[0, 100], [0, 100], [0, 100]]);
  await new Promise((r) => setImmediate(r));
  assert.equal(broker.broker.fetchWaits.wakeups, wakeups, 'appends to another topic are not looked at');
  assert.equal(broker.broker.fetchWaits.parked, 1);
  await produce('quiet', [[1, 100]]);
  const res = await answered;
  assert.equal(broker.broker.fetchWaits.wakeups, wakeups + 1, 'one re-read, of the partition appended to');
  assert.equal(broker.broker.fetchWaits.parked, 0);
  const [q0, q1] = res.responses[0].partitions;
  assert.equal((q0.records as Buffer).length, 0);
  assert.equal(batchesOf(q1.records).length, 1);
});

test('min_bytes counts the bytes waiting as Kafka does: a large batch after a small one completes a parked fetch at once', async () => {
  await createTopic('uneven');
  const sock = await park(fetchBody([['uneven', 0, 0]], { maxWaitMs: 60_000, minBytes: 1000 }));
  const answered = readResponse(sock, FetchApi, 11);
  await produce('uneven', [[0, 100]]);
  await new Promise((r) => setImmediate(r));
  assert.equal(broker.broker.fetchWaits.parked, 1, 'one small batch is less than min_bytes');
  await produce('uneven', [[0, 3000]]);
  // The manual clock stands still: only the append can answer it (a real-time bound makes a regression fail, not hang).
  const res = await Promise.race([answered, new Promise<null>((r) => setTimeout(r, 5000, null))]);
  assert.ok(res, 'answered when the large batch arrived, not at max_wait_ms');
  assert.equal(batchesOf(res.responses[0].partitions[0].records).length, 2);
});

test('max_wait_ms 2^31-1 runs out on the broker clock, not before (and a short one in real time on a ManualClock too)', async () => {
  await createTopic('patient');
  const sock = await park(fetchBody([['patient', 0, 0]], { maxWaitMs: MAX_INT, minBytes: 1 }));
  const answered = readResponse(sock, FetchApi, 11);
  await clock.advance(MAX_INT - 1);
  assert.equal(broker.broker.fetchWaits.parked, 1);
  await clock.advance(1);
  const res = await answered;
  assert.equal(res.responses[0].partitions[0].errorCode, 0);
  assert.equal((res.responses[0].partitions[0].records as Buffer).length, 0);
  const started = performance.now();
  const short = await callApi(broker.port, FetchApi, 11, fetchBody([['patient', 0, 0]], { maxWaitMs: 50, minBytes: 1 }));
  assert.ok(performance.now() - started >= 40, 'answered once max_wait_ms of real time passed, with the manual clock standing still');
  assert.equal((short.responses[0].partitions[0].records as Buffer).length, 0);
});

test('a transaction commit wakes read_committed fetches waiting for the last stable offset', async () => {
  await createTopic('txn-wake');
  const producer = kafkaClient(broker).producer({ transactionalId: 'fetch-wake', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'txn-wake', messages: [{ value: 'committed later' }] });
  const sock = await park(fetchBody([['txn-wake', 0, 0]], { maxWaitMs: 60_000, minBytes: 1, isolationLevel: 1 }));
  const answered = readResponse(sock, FetchApi, 11);
  await txn.commit();
  const res = await answered;
  await producer.disconnect();
  const p = res.responses[0].partitions[0];
  assert.equal(p.lastStableOffset, 2, 'the data and the commit marker');
  assert.equal(decodeBatch(p.records as Buffer, 0).records[0].value?.toString(), 'committed later');
  assert.deepEqual(p.abortedTransactions, []);
});

test('deleting a topic answers the fetches waiting on it', async () => {
  await createTopic('doomed');
  const sock = await park(fetchBody([['doomed', 0, 0]], { maxWaitMs: 60_000, minBytes: 1 }));
  const answered = readResponse(sock, FetchApi, 11);
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: ['doomed'] });
  await admin.disconnect();
  const res = await answered;
  assert.equal(res.responses[0].partitions[0].errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(broker.broker.fetchWaits.parked, 0);
});
