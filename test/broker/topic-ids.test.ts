/**
 * Kafka 4.1's versions of the data-path APIs on one node: topic ids in Metadata (10+, lookup by id from 12) and
 * Fetch (13+), stable across restarts, UNKNOWN_TOPIC_ID for an id no topic has; ListOffsets v0 (offsets array),
 * v4 leader epochs and v7 MAX_TIMESTAMP; DescribeLogDirs v4's disk space; Produce v8+'s record errors. The
 * @platformatic/kafka admin at the versions it now picks (CreatePartitions 3, ListOffsets 9, DeleteRecords 2,
 * DescribeLogDirs 4), and a @platformatic/kafka consumer of two topics, which now reads Metadata v12 and Fetch v17 (the census had warned
 * that its v9 parser broke multi-topic consumers).
 */
import '../../compat-suite/clients/node22-shim.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka';
import { startTestBroker, kafkaClient, callApi, tempDir } from '../helpers.js';
import { DescribeLogDirsApi, FetchApi, ListOffsetsApi, MetadataApi, ProduceApi, type FetchRequest } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

const NO_ID = Buffer.alloc(16);
const metadataBody = (topics: Array<{ topicId: Buffer; name: string | null }> | null) => ({ topics, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

const fetchBody = (topic: string, topicId: Buffer): FetchRequest => ({
  replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: [{ topic, topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [], rackId: '', clusterId: null,
});

const record = (value: string, timestamp?: number) => ({ key: null, value: Buffer.from(value), timestamp });
const produce = (port: number, topic: string, records: ReturnType<typeof record>[]) =>
  callApi(port, ProduceApi, 11, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeBatch(records) }] }] });

test('topic ids: Metadata 10+ answers them, 12+ finds a topic by id, Fetch 13+ reads by id; both stable across a restart', async () => {
  const data = tempDir();
  let broker = await startTestBroker({ dataDir: data.dir });
  try {
    await kafkaClient(broker).admin().createTopics({ topics: [{ topic: 'ids', numPartitions: 1 }] });
    const byName = await callApi(broker.port, MetadataApi, 10, metadataBody([{ topicId: NO_ID, name: 'ids' }]));
    const id = byName.topics[0].topicId;
    assert.notDeepEqual(id, NO_ID);
    assert.deepEqual(id, broker.broker.topics.get('ids')!.id);
    const produced = await produce(broker.port, 'ids', [record('a'), record('b')]);
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
    assert.deepEqual(produced.responses[0].partitionResponses[0].recordErrors, []);
    assert.equal(produced.responses[0].partitionResponses[0].errorMessage, null);

    await broker.close();
    broker = await startTestBroker({ dataDir: data.dir });
    const found = await callApi(broker.port, MetadataApi, 13, metadataBody([{ topicId: id, name: null }]));
    assert.equal(found.errorCode, ErrorCode.NONE);
    assert.deepEqual([found.topics[0].errorCode, found.topics[0].name, found.topics[0].topicId], [ErrorCode.NONE, 'ids', id]);
    assert.equal(found.topics[0].partitions.length, 1);

    const fetched = await callApi(broker.port, FetchApi, 17, fetchBody('', id));
    const p = fetched.responses[0].partitions[0];
    assert.deepEqual([fetched.responses[0].topicId, p.errorCode, p.highWatermark], [id, ErrorCode.NONE, 2]);
    assert.ok((p.records as Buffer).length > 0);

    // A test-kit fault on the topic's name matches a Fetch that names it by id.
    broker.faults.inject({ api: 'Fetch', topic: 'ids', error: 'NOT_LEADER_OR_FOLLOWER', times: 1 });
    const faulted = await callApi(broker.port, FetchApi, 16, fetchBody('', id));
    assert.deepEqual([faulted.responses[0].topicId, faulted.responses[0].partitions[0].errorCode], [id, ErrorCode.NOT_LEADER_OR_FOLLOWER]);

    const strange = Buffer.alloc(16, 7);
    const unknownMeta = await callApi(broker.port, MetadataApi, 12, metadataBody([{ topicId: strange, name: null }]));
    assert.deepEqual([unknownMeta.topics[0].errorCode, unknownMeta.topics[0].name, unknownMeta.topics[0].topicId], [ErrorCode.UNKNOWN_TOPIC_ID, null, strange]);
    const unknownFetch = await callApi(broker.port, FetchApi, 13, fetchBody('', strange));
    assert.deepEqual([unknownFetch.responses[0].topicId, unknownFetch.responses[0].partitions[0].errorCode], [strange, ErrorCode.UNKNOWN_TOPIC_ID]);
  } finally {
    await broker.close();
    data.remove();
  }
});

test('ListOffsets: v0 answers an offsets array, v4+ the leader epoch, v7 the record with the largest timestamp', async () => {
  const broker = await startTestBroker();
  try {
    await kafkaClient(broker).admin().createTopics({ topics: [{ topic: 'times', numPartitions: 1 }] });
    const base = Date.now() - 60_000;
    await produce(broker.port, 'times', [record('a', base), record('b', base + 5000), record('c', base + 1000)]);
    const list = (version: number, timestamp: number, currentLeaderEpoch = -1, maxNumOffsets = 1) => callApi(broker.port, ListOffsetsApi, version, {
      replicaId: -1, isolationLevel: 0, topics: [{ name: 'times', partitions: [{ partitionIndex: 0, currentLeaderEpoch, timestamp, maxNumOffsets }] }], timeoutMs: 1000,
    }).then((r) => r.topics[0].partitions[0]);
    assert.deepEqual((await list(0, -1)).oldStyleOffsets, [3]);
    assert.deepEqual((await list(0, -2)).oldStyleOffsets, [0]);
    assert.deepEqual((await list(0, -1, -1, 0)).oldStyleOffsets, []);
    const max = await list(7, -3);
    assert.deepEqual([max.errorCode, max.offset, max.timestamp, max.leaderEpoch], [ErrorCode.NONE, 1, base + 5000, 0]);
    assert.deepEqual([(await list(10, -4)).offset, (await list(10, -5)).offset, (await list(10, -1)).offset], [0, -1, 3]);
    assert.equal((await list(4, -1, 1)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    assert.equal((await list(4, -1, 0)).leaderEpoch, 0);
  } finally {
    await broker.close();
  }
});

test('DescribeLogDirs v4 reports the data directory\'s file system size (v3+ a top-level error code)', async () => {
  const data = tempDir();
  const broker = await startTestBroker({ dataDir: data.dir });
  try {
    const res = await callApi(broker.port, DescribeLogDirsApi, 4, { topics: null });
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.ok(res.results[0].totalBytes > 0 && res.results[0].usableBytes >= 0 && res.results[0].usableBytes <= res.results[0].totalBytes);
  } finally {
    await broker.close();
    data.remove();
  }
});

test('@platformatic/kafka consumes two topics through one group at Metadata 12 / Fetch 17', async () => {
  const broker = await startTestBroker();
  const options = { clientId: 'two-topics', bootstrapBrokers: [broker.bootstrap], timeout: 5000, retries: 0 };
  try {
    await kafkaClient(broker).admin().createTopics({ topics: [{ topic: 'left', numPartitions: 2 }, { topic: 'right', numPartitions: 3 }] });
    const producer = new Producer({ ...options, serializers: stringSerializers, acks: -1 });
    await producer.send({ messages: ['left', 'right'].flatMap((topic) => [0, 1].map((i) => ({ topic, key: `k${i}`, value: `${topic}-${i}` }))) });
    await producer.close();
    const consumer = new Consumer({ ...options, groupId: 'two-topics', deserializers: stringDeserializers, maxWaitTime: 100 });
    try {
      const stream = await consumer.consume({ topics: ['left', 'right'], mode: MessagesStreamModes.EARLIEST });
      const got: string[] = [];
      for await (const m of stream as AsyncIterable<Message<string, string, string, string>>) {
        got.push(m.value);
        if (got.length === 4) break;
      }
      assert.deepEqual(got.sort(), ['left-0', 'left-1', 'right-0', 'right-1']);
    } finally {
      await consumer.close(true);
    }
  } finally {
    await broker.close();
  }
});

test('@platformatic/kafka admin: CreatePartitions v3, ListOffsets v9, DeleteRecords v2 and DescribeLogDirs v4', async () => {
  const data = tempDir();
  const broker = await startTestBroker({ dataDir: data.dir });
  const versions: string[] = [];
  broker.broker.authorizer = { intercept: (call, next) => { versions.push(`${call.handler.api.name} v${call.ctx.version}`); return next(); } };
  const admin = new Admin({ clientId: 'admin-versions', bootstrapBrokers: [broker.bootstrap], timeout: 5000, retries: 0 });
  try {
    await admin.createTopics({ topics: ['grown'], partitions: 1, replicas: 1 });
    await admin.createPartitions({ topics: [{ name: 'grown', count: 3 }] });
    await produce(broker.port, 'grown', [record('a'), record('b'), record('c')]);
    const latest = await admin.listOffsets({ topics: [{ name: 'grown', partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }] });
    assert.deepEqual(latest[0].partitions.map((p) => [p.partitionIndex, p.offset, p.leaderEpoch]), [[0, 3n, 0], [1, 0n, 0], [2, 0n, 0]]);
    const deleted = await admin.deleteRecords({ topics: [{ name: 'grown', partitions: [{ partition: 0, offset: 2n }] }] });
    assert.equal(deleted[0].partitions[0].lowWatermark, 2n);
    const dirs = await admin.describeLogDirs({ topics: [{ name: 'grown', partitions: [0, 1, 2] }] });
    const dir = dirs[0].results[0];
    assert.equal(dir.logDir, data.dir);
    assert.ok(dir.totalBytes > 0n && dir.usableBytes > 0n);
    assert.deepEqual(dir.topics[0].partitions.map((p) => p.partitionIndex), [0, 1, 2]);
    for (const v of ['CreatePartitions v3', 'ListOffsets v9', 'DeleteRecords v2', 'DescribeLogDirs v4']) assert.ok(versions.includes(v), `${v} not sent: ${versions.join(', ')}`);
  } finally {
    await admin.close();
    await broker.close();
    data.remove();
  }
});
