/**
 * Faults on the handle startBroker returns, seen over real sockets: injected errors where each API's clients look
 * (per partition, top level, per resource; Metadata on its real answer), only the partitions a fault names failing,
 * delays on the broker's clock, connections dropped before or after the handler, control functions, and real
 * clients (kafkajs, kcat) retrying what Kafka says they retry.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Kafka, logLevel, type Admin, type ProducerConfig } from 'kafkajs';
import { startTestBroker, kafkaClient, callApi, openRequest, readResponse, run } from '../helpers.js';
import { ManualClock, type RunningBroker } from '../../src/index.js';
import { HANDLERS } from '../../src/handlers/index.js';
import {
  FetchApi, FindCoordinatorApi, ListOffsetsApi, MetadataApi, OffsetFetchApi, ProduceApi, CreateTopicsApi, ApiVersionsApi,
} from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { errorResponse, errorShape, messageTemplate } from '../../src/testkit/error-response.js';
import { TestkitError } from '../../src/testkit/errors.js';

let broker: RunningBroker;
let admin: Admin;

before(async () => {
  broker = await startTestBroker();
  admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'three', numPartitions: 3 }, { topic: 'other', numPartitions: 1 }] });
});

after(async () => {
  await admin.disconnect();
  await broker.close();
});

const records = (value: string) => encodeBatch([{ key: null, value: Buffer.from(value) }]);
const endOffset = (topic: string, partition: number) => broker.broker.partition(topic, partition)!.logEndOffset;
const produce = (topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Buffer }> }>, acks = -1) =>
  ({ transactionalId: null, acks, timeoutMs: 5000, topicData });

/** Sends one record to 'other' with a new kafkajs producer (acks=-1); returns how many records the partition gained. */
async function sendOne(value: string, config: ProducerConfig = {}): Promise<number> {
  const producer = kafkaClient(broker).producer(config);
  await producer.connect();
  const start = endOffset('other', 0);
  try {
    await producer.send({ topic: 'other', acks: -1, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
  return endOffset('other', 0) - start;
}

/** Every errorCode anywhere in a message. */
function errorCodes(m: unknown): number[] {
  if (Array.isArray(m)) return m.flatMap(errorCodes);
  if (typeof m !== 'object' || m === null || Buffer.isBuffer(m)) return [];
  return Object.entries(m).flatMap(([k, v]) => (k === 'errorCode' && typeof v === 'number' ? [v] : errorCodes(v)));
}

test('every served API at every served version has a place for an injected error, and the answer encodes', () => {
  for (const handler of HANDLERS) {
    for (let v = handler.versions.min; v <= handler.versions.max; v++) {
      if (handler.api.key === MetadataApi.key) continue; // errors are set on its real answer
      const shape = errorShape(handler.api, v);
      assert.ok(shape, `${handler.api.name} v${v}`);
      const built = errorResponse(handler.api, v, messageTemplate(handler.api, v, 'request'), ErrorCode.REQUEST_TIMED_OUT, () => true)!;
      const w = new Writer();
      handler.api.writeResponse(w, v, built.response);
      const decoded = handler.api.readResponse(new Reader(w.toBuffer()), v);
      assert.ok(errorCodes(decoded).includes(ErrorCode.REQUEST_TIMED_OUT), `${handler.api.name} v${v}: ${shape.kind} ${JSON.stringify(decoded)}`);
    }
  }
});

test('inject on one partition of a Produce: that partition fails, the others are appended; times:1 then stops', async () => {
  const fault = broker.faults.inject({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', topic: 'three', partition: 1, times: 1 });
  const request = produce([{ name: 'three', partitionData: [0, 1, 2].map((index) => ({ index, records: records(`p${index}`) })) }, { name: 'other', partitionData: [{ index: 0, records: records('o') }] }]);
  const res = await callApi(broker.port, ProduceApi, 7, request);
  const byPartition = (name: string) => new Map(res.responses.find((t) => t.name === name)!.partitionResponses.map((p) => [p.index, p]));
  assert.equal(byPartition('three').get(1)!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(byPartition('three').get(1)!.baseOffset, -1);
  assert.deepEqual([0, 2].map((p) => byPartition('three').get(p)!.errorCode), [0, 0]);
  assert.equal(byPartition('other').get(0)!.errorCode, 0);
  assert.deepEqual([0, 1, 2].map((p) => endOffset('three', p)), [1, 0, 1]);
  assert.equal(fault.hits, 1);
  assert.equal(fault.info().active, false);
  const again = await callApi(broker.port, ProduceApi, 7, produce([{ name: 'three', partitionData: [{ index: 1, records: records('p1') }] }]));
  assert.equal(again.responses[0].partitionResponses[0].errorCode, 0);
  assert.equal(fault.hits, 1);
  broker.faults.clear();
});

test('an injected error on an acks=0 Produce closes the connection (Kafka has no answer to carry it) and appends nothing', async () => {
  broker.faults.inject({ api: 0, error: 'NOT_ENOUGH_REPLICAS', topic: 'other' });
  const before = endOffset('other', 0);
  const sock = await openRequest(broker.port, ProduceApi, 7, produce([{ name: 'other', partitionData: [{ index: 0, records: records('x') }] }], 0));
  await once(sock, 'close');
  assert.equal(endOffset('other', 0), before);
  broker.faults.clear();
});

test('a Fetch whose partition fails answers at once, not after max_wait_ms (the rest of it does not long-poll)', async () => {
  const clock = new ManualClock();
  const b = await startTestBroker({ clock });
  try {
    b.broker.createTopic('t', 2);
    b.faults.inject({ api: 'Fetch', error: 'NOT_LEADER_OR_FOLLOWER', topic: 't', partition: 0 });
    const partitions = [0, 1].map((partition) => ({ partition, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }));
    // Nothing to read and min_bytes 1: without the fault this parks until the manual clock (never advanced) says so.
    const res = await callApi(b.port, FetchApi, 11, {
      replicaId: -1, maxWaitMs: 60_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 't', partitions }], forgottenTopicsData: [], rackId: '',
    });
    const codes = new Map(res.responses[0].partitions.map((p) => [p.partitionIndex, p.errorCode]));
    assert.deepEqual([codes.get(0), codes.get(1)], [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NONE]);
    assert.equal(res.errorCode, ErrorCode.NONE);
  } finally {
    await b.close();
  }
});

test('top-level errors (FindCoordinator, OffsetFetch v3), per-resource errors (CreateTopics), and the node filter', async () => {
  const b = await startTestBroker({ nodes: 2 });
  try {
    const f1 = b.faults.inject({ api: 'FIND_COORDINATOR', error: 'COORDINATOR_LOAD_IN_PROGRESS', node: 1 });
    const onNode = (node: number) => callApi(b.nodes[node].port, FindCoordinatorApi, 2, { key: 'g', keyType: 0 });
    assert.equal((await onNode(1)).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal((await onNode(0)).errorCode, ErrorCode.NONE);
    assert.equal(f1.hits, 1);

    b.faults.inject({ api: 'OffsetFetch', error: 'COORDINATOR_NOT_AVAILABLE' });
    const fetched = await callApi(b.port, OffsetFetchApi, 3, { groupId: 'g', topics: [{ name: 'x', partitionIndexes: [0] }], groups: [], requireStable: false });
    assert.equal(fetched.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);

    b.faults.inject({ api: 'CreateTopics', error: 'POLICY_VIOLATION', times: 1 });
    const created = await callApi(b.port, CreateTopicsApi, 4, {
      topics: ['a', 'b'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 1000, validateOnly: false,
    });
    assert.deepEqual(created.topics.map((t) => [t.name, t.errorCode]), [['a', ErrorCode.POLICY_VIOLATION], ['b', ErrorCode.POLICY_VIOLATION]]);
    assert.equal(b.broker.topics.get('a'), undefined);
  } finally {
    await b.close();
  }
});

test('Metadata: a topic error keeps the broker list and drops the topic\'s partitions; a partition filter fails one partition', async () => {
  const meta = () => callApi(broker.port, MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: 'three' }, { topicId: Buffer.alloc(16), name: 'other' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  const topicFault = broker.faults.inject({ api: 'Metadata', error: 'LEADER_NOT_AVAILABLE', topic: 'three', times: 1 });
  const first = await meta();
  assert.equal(first.brokers.length, 1);
  assert.deepEqual(first.topics.map((t) => [t.name, t.errorCode, t.partitions.length]), [['three', ErrorCode.LEADER_NOT_AVAILABLE, 0], ['other', 0, 1]]);
  assert.equal(topicFault.hits, 1);
  broker.faults.inject({ api: 'Metadata', error: 'LEADER_NOT_AVAILABLE', topic: 'three', partition: 2, times: 1 });
  const second = await meta();
  assert.deepEqual(second.topics[0].partitions.map((p) => p.errorCode), [0, 0, ErrorCode.LEADER_NOT_AVAILABLE]);
  broker.faults.clear();
});

test('dropConnection before: the request is lost; after: it took effect and only the answer is lost', async () => {
  const send = async (value: string): Promise<Socket> => openRequest(broker.port, ProduceApi, 7, produce([{ name: 'other', partitionData: [{ index: 0, records: records(value) }] }]));
  const start = endOffset('other', 0);
  const beforeFault = broker.faults.dropConnection({ api: 'Produce', when: 'before', times: 1 });
  await once(await send('lost'), 'close');
  assert.equal(endOffset('other', 0), start);
  assert.equal(beforeFault.hits, 1);
  const afterFault = broker.faults.dropConnection({ api: 'Produce', when: 'after', times: 1 });
  const sock = await send('kept');
  await assert.rejects(readResponse(sock, ProduceApi, 7), /closed without a response/);
  assert.equal(endOffset('other', 0), start + 1);
  assert.equal(afterFault.hits, 1);
  broker.faults.clear();
});

test('control: a function answers ListOffsets itself, or passes on with undefined; remove() ends it', async () => {
  const listOffsets = () => callApi(broker.port, ListOffsetsApi, 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'other', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] });
  const seen: string[] = [];
  const handle = broker.faults.control('ListOffsets', (req, ctx) => {
    seen.push(`${req.topics[0].name}@${ctx.node}`);
    if (seen.length > 1) return undefined;
    return { throttleTimeMs: 0, topics: [{ name: 'other', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [], timestamp: -1, offset: 12345, leaderEpoch: -1 }] }] };
  });
  assert.equal((await listOffsets()).topics[0].partitions[0].offset, 12345);
  assert.equal((await listOffsets()).topics[0].partitions[0].offset, endOffset('other', 0));
  assert.deepEqual(seen, ['other@0', 'other@0']);
  assert.equal(handle.hits, 1);
  handle.remove();
  await listOffsets();
  assert.equal(seen.length, 2);
  assert.deepEqual(broker.faults.list(), []);
});

test('bad input is refused with a code and changes nothing', () => {
  const refused = (fn: () => unknown, code: string) => assert.throws(fn, (err: unknown) => err instanceof TestkitError && err.code === code);
  refused(() => broker.faults.inject({ api: 'Produse', error: 'NOT_LEADER_OR_FOLLOWER' }), 'SAMSA_UNKNOWN_API');
  refused(() => broker.faults.inject({ api: 60, error: 'NOT_LEADER_OR_FOLLOWER' }), 'SAMSA_UNKNOWN_API'); // DescribeCluster: not served
  refused(() => broker.faults.inject({ api: 'Produce', error: 'NOT_A_LEADER' }), 'SAMSA_UNKNOWN_ERROR');
  refused(() => broker.faults.inject({ api: 'Produce', error: 'NONE' }), 'SAMSA_UNKNOWN_ERROR');
  refused(() => broker.faults.inject({ api: 'Produce', error: 6, node: 7 }), 'SAMSA_UNKNOWN_NODE');
  refused(() => broker.faults.inject({ api: 'Produce', error: 6, times: 0 }), 'SAMSA_BAD_FAULT');
  refused(() => broker.faults.inject({ api: 'Heartbeat', error: 6, topic: 'three' }), 'SAMSA_BAD_FAULT');
  refused(() => broker.faults.delay({ api: 'Produce', ms: -1 }), 'SAMSA_BAD_FAULT');
  refused(() => broker.faults.dropConnection({ api: 'Produce', when: 'during' as 'after' }), 'SAMSA_BAD_FAULT');
  assert.deepEqual(broker.faults.list(), []);
});

test('kafkajs retries a Produce answered NOT_LEADER_OR_FOLLOWER twice and stores the record once', async () => {
  const fault = broker.faults.inject({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', topic: 'other', times: 2 });
  assert.equal(await sendOne('retried'), 1);
  assert.equal(fault.hits, 2);
  broker.faults.clear();
});

test('kcat (librdkafka) retries an injected NOT_LEADER_OR_FOLLOWER Produce and delivers every record once', async () => {
  const fault = broker.faults.inject({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', topic: 'three', times: 2 });
  const start = [0, 1, 2].map((p) => endOffset('three', p));
  const res = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'three', '-p', '1', '-X', 'retry.backoff.ms=20'], { input: 'a\nb\nc\n' });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(fault.hits, 2);
  assert.equal(endOffset('three', 1), start[1] + 3);
  broker.faults.clear();
});

test('an idempotent kafkajs producer whose ack was lost after the append retries, and the record is stored once', async () => {
  const fault = broker.faults.dropConnection({ api: 'Produce', when: 'after', topic: 'other', times: 1 });
  assert.equal(await sendOne('once', { idempotent: true, maxInFlightRequests: 1 }), 1);
  assert.equal(fault.hits, 1);
  broker.faults.clear();
});

test('a delay longer than the request timeout (on a ManualClock): kafkajs times out, retries, and the send succeeds once time moves', async () => {
  const clock = new ManualClock();
  const b = await startTestBroker({ clock });
  try {
    b.broker.createTopic('slow', 1);
    const fault = b.faults.delay({ api: 'Produce', ms: 30_000, times: 1 });
    const kafka = new Kafka({ clientId: 'slow', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, requestTimeout: 500, retry: { retries: 5, initialRetryTime: 50 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const timedOut = new Promise((resolve) => producer.on(producer.events.REQUEST_TIMEOUT, resolve));
    const sent = producer.send({ topic: 'slow', acks: -1, messages: [{ value: 'late' }] });
    await timedOut;
    assert.equal(fault.hits, 1);
    assert.equal(b.broker.partition('slow', 0)!.logEndOffset, 0, 'held until the clock moves');
    await clock.advance(30_000);
    await sent;
    await producer.disconnect();
    assert.equal(b.broker.partition('slow', 0)!.logEndOffset, 1);
  } finally {
    await b.close();
  }
});

test('ApiVersions can be failed too (the client sees the error code)', async () => {
  broker.faults.inject({ api: 'ApiVersions', error: 'UNKNOWN_SERVER_ERROR', times: 1 });
  const res = await callApi(broker.port, ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
  assert.equal(res.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
  broker.faults.clear();
});
