/** Producing and fetching with real clients (kafkajs, kcat) over sockets, against memory and disk. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionTypes } from 'kafkajs';
import { startTestBroker, kafkaClient, tempDir, run, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { CreateTopicsApi, FetchApi, ProduceApi, type FetchRequest } from '../../src/protocol/generated/index.js';
import { decodeBatch, encodeBatch } from '../../src/protocol/record-batch.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker(); });
after(async () => { await broker.close(); });

const fetchBody = (topic: string, partition: number, fetchOffset: number, extra: Partial<FetchRequest> = {}): FetchRequest => ({
  replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [], rackId: '', clusterId: null, ...extra,
});

test('kafkajs produces keys, headers and every codec it ships; offsets are assigned in order', async () => {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'pf', numPartitions: 2 }] });
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  const first = await producer.send({ topic: 'pf', messages: [{ key: 'k1', value: 'v1', partition: 0, headers: { h: 'x' } }, { key: 'k2', value: 'v2', partition: 0 }] });
  assert.equal(first[0].baseOffset, '0');
  const gz = await producer.send({ topic: 'pf', compression: CompressionTypes.GZIP, messages: [{ key: 'k3', value: 'v3', partition: 0 }] });
  assert.equal(gz[0].baseOffset, '2');
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets('pf');
  assert.deepEqual(offsets.map((o) => [o.partition, o.high, o.low]).sort(), [[0, '3', '0'], [1, '0', '0']]);
  await admin.disconnect();

  const res = await callApi(broker.port, FetchApi, 11, fetchBody('pf', 0, 0));
  const p = res.responses[0].partitions[0];
  assert.equal(p.errorCode, 0);
  assert.equal(p.highWatermark, 3);
  assert.equal(p.lastStableOffset, 3);
  const first2 = decodeBatch(p.records as Buffer, 0);
  assert.deepEqual(first2.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString()]), [[0, 'k1', 'v1'], [1, 'k2', 'v2']]);
  assert.deepEqual(first2.records[0].headers.map((h) => [h.key, h.value?.toString()]), [['h', 'x']]);
});

test('fetch: empty (not null) records at the end, OFFSET_OUT_OF_RANGE past it, unknown partitions', async () => {
  const atEnd = await callApi(broker.port, FetchApi, 11, fetchBody('pf', 1, 0));
  assert.equal(atEnd.responses[0].partitions[0].errorCode, 0);
  assert.deepEqual(atEnd.responses[0].partitions[0].records, Buffer.alloc(0));
  const past = await callApi(broker.port, FetchApi, 4, fetchBody('pf', 0, 99));
  assert.equal(past.responses[0].partitions[0].errorCode, 1);
  const unknown = await callApi(broker.port, FetchApi, 4, fetchBody('nope', 0, 0));
  assert.equal(unknown.responses[0].partitions[0].errorCode, 3);
});

test('fetch long-polls until data arrives or max_wait_ms passes', async () => {
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'poll', numPartitions: 1 }] });
  await admin.disconnect();
  const start = Date.now();
  const waiting = callApi(broker.port, FetchApi, 11, fetchBody('poll', 0, 0, { maxWaitMs: 5000, minBytes: 1 }));
  await new Promise((r) => setTimeout(r, 100));
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'poll', messages: [{ value: 'wake up' }] });
  await producer.disconnect();
  const res = await waiting;
  assert.ok((res.responses[0].partitions[0].records as Buffer).length > 0, 'the waiting fetch returns the new batch');
  assert.ok(Date.now() - start < 5000, 'it returned before max_wait_ms');
  const idle = await callApi(broker.port, FetchApi, 11, fetchBody('poll', 0, 1, { maxWaitMs: 200, minBytes: 1 }));
  assert.equal((idle.responses[0].partitions[0].records as Buffer).length, 0);
});

test('kcat (librdkafka) produces with every codec and consumes it all back', async () => {
  const input = Array.from({ length: 50 }, (_, i) => `line-${i}`).join('\n') + '\n';
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const res = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'kcat', '-z', codec, '-K', ':'], { input: input.replace(/line/g, `${codec}:line`) });
    assert.equal(res.code, 0, res.stderr);
  }
  const out = await run('kcat', ['-C', '-b', broker.bootstrap, '-t', 'kcat', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.trim().split('\n');
  assert.equal(lines.length, 250);
  assert.ok(lines.includes('zstd=line-49'));
  assert.ok(lines.includes('snappy=line-0'));
});

test('kcat offsets by timestamp go through the time index', async () => {
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'times', messages: [{ value: 'old', timestamp: '1000' }, { value: 'older?', timestamp: '1500' }] });
  await producer.send({ topic: 'times', messages: [{ value: 'new', timestamp: String(Date.now()) }] });
  await producer.disconnect();
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  const at = await admin.fetchTopicOffsetsByTimestamp('times', 1200);
  assert.deepEqual(at, [{ partition: 0, offset: '1' }]);
  const future = await admin.fetchTopicOffsetsByTimestamp('times', Date.now() + 60_000);
  assert.deepEqual(future, [{ partition: 0, offset: '3' }], 'no record that late: kafkajs falls back to the latest offset');
  await admin.deleteTopicRecords({ topic: 'times', partitions: [{ partition: 0, offset: '2' }] });
  const offsets = await admin.fetchTopicOffsets('times');
  assert.equal(offsets[0].low, '2');
  await admin.disconnect();
  const below = await callApi(broker.port, FetchApi, 11, fetchBody('times', 0, 0));
  assert.equal(below.responses[0].partitions[0].errorCode, 1, 'below the log start offset is out of range');
});

test('data on disk survives a restart', async () => {
  const tmp = tempDir();
  try {
    const first = await startTestBroker({ dataDir: tmp.dir });
    const producer = kafkaClient(first).producer();
    await producer.connect();
    await producer.send({ topic: 'durable', messages: Array.from({ length: 100 }, (_, i) => ({ key: String(i), value: `value-${i}` })) });
    await producer.disconnect();
    await first.close();
    const second = await startTestBroker({ dataDir: tmp.dir });
    const out = await run('kcat', ['-C', '-b', second.bootstrap, '-t', 'durable', '-o', 'beginning', '-e', '-q', '-f', '%o:%s\n']);
    await second.close();
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines.length, 100);
    assert.equal(lines[99], '99:value-99');
  } finally {
    tmp.remove();
  }
});

test('an idempotent retry is answered with the first write\'s offset and, as its log append time, the stored timestamp (CreateTime and LogAppendTime)', async () => {
  await callApi(broker.port, CreateTopicsApi, 4, {
    topics: ['retry-create-time', 'retry-append-time'].map((name) => ({
      name, numPartitions: 1, replicationFactor: 1, assignments: [],
      configs: name === 'retry-append-time' ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : [],
    })), timeoutMs: 1000, validateOnly: false,
  });
  const records = encodeBatch([{ key: null, value: Buffer.from('a'), timestamp: Date.now() - 5_000 }, { key: null, value: Buffer.from('b'), timestamp: Date.now() - 4_000 }], { producerId: 4242, producerEpoch: 0, baseSequence: 0 });
  const produce = (topic: string) => callApi(broker.port, ProduceApi, 9, {
    transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: Buffer.from(records) }] }],
  }).then((res) => res.responses[0].partitionResponses[0]);
  const createTime = await produce('retry-create-time');
  const createTimeRetry = await produce('retry-create-time');
  assert.deepEqual([createTime.errorCode, createTime.baseOffset, createTime.logAppendTimeMs], [0, 0, -1]);
  assert.deepEqual([createTimeRetry.errorCode, createTimeRetry.baseOffset, createTimeRetry.logAppendTimeMs], [0, 0, decodeBatch(records, 0).records[1].timestamp]);
  const appendTime = await produce('retry-append-time');
  const appendTimeRetry = await produce('retry-append-time');
  assert.ok(appendTime.logAppendTimeMs > 0);
  assert.deepEqual([appendTimeRetry.errorCode, appendTimeRetry.baseOffset, appendTimeRetry.logAppendTimeMs], [0, 0, appendTime.logAppendTimeMs]);
});
