/**
 * Hostile clients over raw frames against an in-process broker: maximal strings echoed into error messages,
 * every served API at every served version with maximal strings, idle and half-sent connections (ManualClock) and
 * connection limits. Each client gets Kafka's answer or a closed connection; the broker keeps serving the others.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBroker, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { ManualClock } from '../../src/clock.js';
import { Writer } from '../../src/protocol/writer.js';
import { isFlexible, type ApiCodec } from '../../src/protocol/api.js';
import { HANDLERS } from '../../src/handlers/index.js';
import { MAX_ECHOED_CHARS } from '../../src/protocol/client-input.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import {
  ApiVersionsApi, CreateTopicsApi, CreatePartitionsApi, AlterConfigsApi, IncrementalAlterConfigsApi, DescribeConfigsApi,
  ProduceApi, ListOffsetsApi, DescribeProducersApi, OffsetCommitApi, OffsetFetchApi, ShareGroupHeartbeatApi,
  ConsumerGroupHeartbeatApi, JoinGroupApi, ListGroupsApi, MetadataApi,
} from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { parseApi, repositoryRoot, type ApiDefinition } from '../../protocol/generate.js';

/** The longest string an old-format (int16-length) request can carry, less a little. */
const LONG = 'x'.repeat(32_760);
/** Our words around an echoed input stay short; what matters is that the message is bounded. */
const MAX_MESSAGE = MAX_ECHOED_CHARS + 200;

let broker: RunningBroker;
before(async () => {
  broker = await startTestBroker({ logLevel: 'fatal' }); // the sweep provokes an error log per closed connection
  await callApi(broker.port, CreateTopicsApi, 4, {
    topics: [{ name: 'existing', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false,
  });
});
after(async () => { await broker.close(); });

type Outcome = { kind: 'answered'; body: Buffer } | { kind: 'closed' } | { kind: 'timeout' };

/** Sends raw bytes on a fresh connection: the first response frame, or that the broker closed the connection. */
async function exchange(port: number, bytes: Buffer, timeoutMs = 5000): Promise<Outcome> {
  const sock = new Socket();
  sock.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(bytes);
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); resolve({ kind: 'timeout' }); }, timeoutMs);
    sock.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ kind: 'answered', body: buffered.subarray(4, 4 + buffered.readInt32BE(0)) });
      }
    });
    sock.on('close', () => { clearTimeout(timer); resolve({ kind: 'closed' }); });
    sock.on('error', () => {});
  });
}

function requestFrame(api: ApiCodec<any, any>, version: number, body: unknown, correlationId = 7): Buffer {
  const w = new Writer();
  w.int32(0).int16(api.key).int16(version).int32(correlationId).nullableString('hostile', false);
  if (isFlexible(api, version)) w.taggedFields();
  api.writeRequest(w, version, body);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

async function assertStillServes(port = broker.port): Promise<void> {
  const res = await callApi(port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
  assert.equal(res.errorCode, ErrorCode.NONE);
}

function versions(api: ApiCodec<any, any>): number[] {
  return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
}

/** A broker that dies or hangs on a request leaves callApi waiting: fail such a test within this time. */
const QUICK = { timeout: 20_000 };

/** Every error message in a response is bounded. */
function assertBounded(results: Array<{ errorMessage: string | null }>): void {
  for (const r of results) assert.ok((r.errorMessage ?? '').length <= MAX_MESSAGE, `message of ${r.errorMessage?.length} chars`);
}

test('CreateTopics with 32,760-char topic and config names and values: errors with bounded messages', QUICK, async () => {
  for (const v of versions(CreateTopicsApi)) {
    const topic = (name: string, configs: Array<{ name: string; value: string | null }> = []) =>
      ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs });
    const res = await callApi(broker.port, CreateTopicsApi, v, {
      // A name asked twice is refused both times (INVALID_REQUEST), as Kafka.
      topics: [topic(LONG), topic(LONG.slice(1)), topic(LONG.slice(1)), topic('long-config-name', [{ name: LONG, value: '1' }]),
        topic('long-config-value', [{ name: 'retention.ms', value: LONG }])],
      timeoutMs: 1000, validateOnly: true,
    });
    assert.deepEqual(res.topics.map((t) => [t.name.length, t.errorCode]), [
      [LONG.length, ErrorCode.INVALID_TOPIC_EXCEPTION], [LONG.length - 1, ErrorCode.INVALID_REQUEST], [LONG.length - 1, ErrorCode.INVALID_REQUEST],
      ['long-config-name'.length, ErrorCode.INVALID_CONFIG], ['long-config-value'.length, ErrorCode.INVALID_CONFIG]], `v${v}`);
    assertBounded(res.topics);
  }
  await assertStillServes();
});

test('CreatePartitions of an unknown 32,760-char topic: UNKNOWN_TOPIC_OR_PARTITION with a bounded message', QUICK, async () => {
  for (const v of versions(CreatePartitionsApi)) {
    const res = await callApi(broker.port, CreatePartitionsApi, v, { topics: [{ name: LONG, count: 2, assignments: null }], timeoutMs: 1000, validateOnly: true });
    assert.equal(res.results[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assertBounded(res.results);
  }
  await assertStillServes();
});

const TOPIC = 2;
const BROKER = 4;

test('AlterConfigs and IncrementalAlterConfigs with 32,760-char resource names, config names and values', QUICK, async () => {
  const cases = [
    { resourceType: TOPIC, resourceName: LONG, name: 'retention.ms', value: '1', error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    { resourceType: BROKER, resourceName: LONG, name: 'num.partitions', value: '1', error: ErrorCode.INVALID_REQUEST },
    { resourceType: TOPIC, resourceName: 'existing', name: LONG, value: '1', error: ErrorCode.INVALID_CONFIG },
    { resourceType: TOPIC, resourceName: 'existing', name: 'retention.ms', value: LONG, error: ErrorCode.INVALID_CONFIG },
    { resourceType: BROKER, resourceName: '', name: LONG, value: '1', error: ErrorCode.INVALID_CONFIG },
    { resourceType: BROKER, resourceName: '', name: 'num.partitions', value: LONG, error: ErrorCode.INVALID_REQUEST }, // a broker setting: Kafka answers INVALID_REQUEST (KAFKA-13609)
  ];
  for (const c of cases) {
    for (const v of versions(AlterConfigsApi)) {
      const res = await callApi(broker.port, AlterConfigsApi, v, {
        resources: [{ resourceType: c.resourceType, resourceName: c.resourceName, configs: [{ name: c.name, value: c.value }] }], validateOnly: true,
      });
      assert.equal(res.responses[0].errorCode, c.error, `AlterConfigs v${v} ${c.name.length}=${c.value.length}`);
      assertBounded(res.responses);
    }
    for (const v of versions(IncrementalAlterConfigsApi)) {
      for (const configOperation of [0, 2]) { // SET, APPEND
        const res = await callApi(broker.port, IncrementalAlterConfigsApi, v, {
          resources: [{ resourceType: c.resourceType, resourceName: c.resourceName, configs: [{ name: c.name, configOperation, value: c.value }] }], validateOnly: true,
        });
        assert.notEqual(res.responses[0].errorCode, ErrorCode.NONE, `IncrementalAlterConfigs v${v} op ${configOperation}`);
        assertBounded(res.responses);
      }
    }
  }
  await assertStillServes();
});

test('DescribeConfigs of a 32,760-char topic: INVALID_TOPIC_EXCEPTION (Kafka validates the name first) with a bounded message', QUICK, async () => {
  for (const v of versions(DescribeConfigsApi)) {
    const res = await callApi(broker.port, DescribeConfigsApi, v, { resources: [{ resourceType: TOPIC, resourceName: LONG, configurationKeys: null }], includeSynonyms: true, includeDocumentation: false });
    assert.equal(res.results[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    assertBounded(res.results);
  }
  await assertStillServes();
});

// Every served API at every served version, every string at its longest. Invalid UTF-8 (0xFF) decodes to U+FFFD,
// three bytes each, so an echoed string no longer fits its 16-bit length: the response cannot be encoded at all.
const root = repositoryRoot();
const definitions = new Map(readdirSync(join(root, 'protocol', 'apis')).filter((f) => f.endsWith('.api'))
  .map((f) => parseApi(readFileSync(join(root, 'protocol', 'apis', f), 'utf8'), f)).map((d) => [d.key, d]));
type Field = ApiDefinition['request'][number];
const SCALARS: Record<string, unknown> = { string: LONG, bool: false, float64: 1, records: null };

function maximal(fields: Field[], v: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (v < f.versions.min || v > f.versions.max) continue;
    const one = f.type === 'struct' ? maximal(f.fields, v)
      : f.type === 'uuid' ? Buffer.alloc(16) : f.type === 'bytes' ? Buffer.alloc(0) : f.type in SCALARS ? SCALARS[f.type] : 1;
    out[f.name] = f.array ? [one] : one;
  }
  return out;
}

test('every served API at every served version with maximal strings (valid and invalid UTF-8): an answer or a close', QUICK, async () => {
  const outcomes: string[] = [];
  for (const handler of HANDLERS) {
    const def = definitions.get(handler.api.key);
    assert.ok(def, `definition of ${handler.api.name}`);
    for (const v of versions(handler.api)) {
      const frame = requestFrame(handler.api, v, maximal(def.request, v));
      const invalidUtf8 = Buffer.from(frame);
      for (let i = 0; i < invalidUtf8.length; i++) if (invalidUtf8[i] === 0x78) invalidUtf8[i] = 0xff; // every 'x'
      for (const [label, bytes] of [['ascii', frame], ['0xff', invalidUtf8]] as const) {
        const outcome = await exchange(broker.port, bytes);
        assert.notEqual(outcome.kind, 'timeout', `${handler.api.name} v${v} ${label}: neither answered nor closed`);
        if (outcome.kind === 'answered') assert.equal(outcome.body.readInt32BE(0), 7, 'correlation id');
        outcomes.push(outcome.kind);
      }
      await assertStillServes();
    }
  }
  assert.ok(outcomes.includes('closed') && outcomes.includes('answered'));
});

test('a frame header announcing more than socket.request.max.bytes is refused at once', async () => {
  const header = Buffer.alloc(4);
  header.writeInt32BE(100 * 1024 * 1024 + 1, 0);
  assert.equal((await exchange(broker.port, header)).kind, 'closed');
  await assertStillServes();
});

/** A connected socket that records when the broker closes it. */
async function connect(port: number, localAddress = '127.0.0.1') {
  const sock = new Socket();
  const state = { closed: false, data: Buffer.alloc(0) };
  sock.on('close', () => { state.closed = true; });
  sock.on('error', () => {});
  sock.on('data', (chunk) => { state.data = Buffer.concat([state.data, chunk]); });
  sock.connect({ port, host: '127.0.0.1', localAddress });
  await once(sock, 'connect');
  return { sock, state };
}

/** Waits (real time, briefly) for the broker to act on what a test did; the ManualClock decides when it must. */
async function settle(until: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!until() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return until();
}

test('connections.max.idle.ms: a half-sent frame is closed once idle that long; a connection sending requests is not', async () => {
  const clock = new ManualClock();
  const idle = await startTestBroker({ clock, config: { 'connections.max.idle.ms': 600_000 } });
  try {
    const slowloris = await connect(idle.port);
    const header = Buffer.alloc(5);
    header.writeInt32BE(100 * 1024 * 1024, 0); // announces 100 MB, then sends one byte
    slowloris.sock.write(header);
    const busy = await connect(idle.port);
    const apiVersions = requestFrame(ApiVersionsApi, 0, {});
    for (let i = 1; i <= 4; i++) {
      busy.sock.write(apiVersions);
      assert.ok(await settle(() => busy.state.data.length >= 4 * i), 'answered');
      await clock.advance(200_000);
    }
    assert.ok(await settle(() => slowloris.state.closed), 'the half-sent frame is closed after 600 s without a request');
    assert.equal(busy.state.closed, false, 'a connection sending a request every 200 s stays open');
    await clock.advance(600_000);
    assert.ok(await settle(() => busy.state.closed), 'and is closed once it stops');
    await assertStillServes(idle.port);
  } finally {
    await idle.close();
  }
});

test('max.connections and max.connections.per.ip: connections past a limit are closed right after accept', async () => {
  const limited = await startTestBroker({ config: { 'max.connections': 4, 'max.connections.per.ip': 2 } });
  try {
    const served = [await connect(limited.port), await connect(limited.port)];
    const thirdFromIp = await connect(limited.port);
    assert.ok(await settle(() => thirdFromIp.state.closed), 'a third connection from 127.0.0.1 is closed');
    served.push(await connect(limited.port, '127.0.0.2'), await connect(limited.port, '127.0.0.3'));
    const fifth = await connect(limited.port, '127.0.0.4');
    assert.ok(await settle(() => fifth.state.closed), 'a fifth connection is closed');
    for (const c of served) {
      c.sock.write(requestFrame(ApiVersionsApi, 0, {}));
      assert.ok(await settle(() => c.state.data.length > 4), 'the connections within the limits are served');
      assert.equal(c.state.closed, false);
    }
    served[0].sock.destroy();
    await once(served[0].sock, 'close');
    let reopened = await connect(limited.port);
    // The broker sees the close a moment after the client does.
    for (let i = 0; i < 50 && await settle(() => reopened.state.closed, 100); i++) reopened = await connect(limited.port);
    reopened.sock.write(requestFrame(ApiVersionsApi, 0, {}));
    assert.ok(await settle(() => reopened.state.data.length > 4), 'a closed connection frees its place');
    for (const c of [...served, reopened]) c.sock.destroy();
  } finally {
    await limited.close();
  }
});

/** Long.MAX_VALUE as the codecs read it (the nearest double); they write it back as 2^63-1. */
const LONG_MAX = 2 ** 63;

test('Long.MAX_VALUE where int64s go (timestamps, a producer id, committed offsets, retention): stored and answered', QUICK, async () => {
  await callApi(broker.port, CreateTopicsApi, 4, {
    topics: [{ name: 'far-future', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false,
  });
  const produce = (records: Buffer) => callApi(broker.port, ProduceApi, 9, {
    transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'far-future', partitionData: [{ index: 0, records }] }],
  }).then((res) => res.responses[0].partitionResponses[0]);
  // A record stamped Long.MAX_VALUE, then an idempotent producer whose id is Long.MAX_VALUE, then an ordinary record.
  assert.equal((await produce(encodeBatch([{ key: null, value: Buffer.from('a'), timestamp: LONG_MAX }]))).errorCode, ErrorCode.NONE);
  assert.equal((await produce(encodeBatch([{ key: null, value: Buffer.from('b') }], { producerId: LONG_MAX, producerEpoch: 0, baseSequence: 0 }))).errorCode, ErrorCode.NONE);
  const third = await produce(encodeBatch([{ key: null, value: Buffer.from('c') }]));
  assert.deepEqual([third.errorCode, third.baseOffset], [ErrorCode.NONE, 2], 'the partition takes writes after them');
  const listed = await callApi(broker.port, ListOffsetsApi, 7, {
    replicaId: -1, isolationLevel: 0, timeoutMs: 0, topics: [{ name: 'far-future', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3, maxNumOffsets: 1 }] }],
  });
  assert.deepEqual([listed.topics[0].partitions[0].offset, listed.topics[0].partitions[0].timestamp], [0, LONG_MAX], 'ListOffsets MAX_TIMESTAMP');
  const producers = await callApi(broker.port, DescribeProducersApi, 0, { topics: [{ name: 'far-future', partitionIndexes: [0] }] });
  assert.deepEqual(producers.topics[0].partitions[0].activeProducers.map((p) => p.producerId), [LONG_MAX]);

  const commit = (version: number, retentionTimeMs: number) => callApi(broker.port, OffsetCommitApi, version, {
    groupId: `far-future-${version}`, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs,
    topics: [{ name: 'far-future', partitions: [{ partitionIndex: 0, committedOffset: LONG_MAX, committedLeaderEpoch: -1, committedMetadata: null }] }],
  }).then((res) => res.topics[0].partitions[0].errorCode);
  assert.equal(await commit(8, -1), ErrorCode.NONE);
  assert.equal(await commit(3, LONG_MAX), ErrorCode.NONE, 'a retention of Long.MAX_VALUE ms');
  for (const version of [3, 8]) {
    const fetched = await callApi(broker.port, OffsetFetchApi, 7, { groupId: `far-future-${version}`, topics: null, groups: [], requireStable: false });
    assert.equal(fetched.topics[0].partitions[0].committedOffset, LONG_MAX);
  }
  await assertStillServes();
});

test("a batch header lying about its timestamps: stored with the records' maximum; a record out of range is refused", QUICK, async () => {
  await callApi(broker.port, CreateTopicsApi, 4, {
    topics: [{ name: 'lying-stamps', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'message.timestamp.before.max.ms', value: '3600000' }] }],
    timeoutMs: 1000, validateOnly: false,
  });
  const produce = (records: Buffer) => callApi(broker.port, ProduceApi, 9, {
    transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'lying-stamps', partitionData: [{ index: 0, records }] }],
  }).then((res) => res.responses[0].partitionResponses[0].errorCode);
  const now = Date.now();
  const stamped = (stamps: number[]) => stamps.map((timestamp) => ({ key: null, value: Buffer.from('v'), timestamp }));
  // A header claiming a year ahead over records of now: retention and MAX_TIMESTAMP must not believe it.
  assert.equal(await produce(encodeBatch(stamped([now - 10, now]), { maxTimestamp: now + 365 * 86_400_000 })), ErrorCode.NONE);
  // Base and max within the hour, the middle record a day old.
  assert.equal(await produce(encodeBatch(stamped([now, now - 86_400_000, now]), { baseTimestamp: now, maxTimestamp: now })), ErrorCode.INVALID_TIMESTAMP);
  const listed = await callApi(broker.port, ListOffsetsApi, 7, {
    replicaId: -1, isolationLevel: 0, timeoutMs: 0, topics: [{ name: 'lying-stamps', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3, maxNumOffsets: 1 }] }],
  });
  const { offset, timestamp } = listed.topics[0].partitions[0];
  assert.deepEqual([offset, timestamp], [1, now], 'ListOffsets MAX_TIMESTAMP: the latest record');
  const end = await callApi(broker.port, ListOffsetsApi, 7, {
    replicaId: -1, isolationLevel: 0, timeoutMs: 0, topics: [{ name: 'lying-stamps', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }],
  });
  assert.equal(end.topics[0].partitions[0].offset, 2, 'the refused batch stored nothing');
  // Two batches for one partition (Kafka's LogValidator takes one): refused whole.
  const two = Buffer.concat([encodeBatch(stamped([now])), encodeBatch(stamped([now]))]);
  assert.equal(await produce(two), ErrorCode.INVALID_RECORD);
});

test('strings past 32,767 bytes in flexible requests close the connection before any group is made of them', QUICK, async () => {
  const long = 'g'.repeat(40_000);
  const requests: Array<[ApiCodec<any, any>, number, unknown]> = [
    [ShareGroupHeartbeatApi, 1, { groupId: long, memberId: 'm'.repeat(22), memberEpoch: 0, rackId: null, subscribedTopicNames: ['existing'] }],
    [ConsumerGroupHeartbeatApi, 0, {
      groupId: long, memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['existing'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    }],
    [JoinGroupApi, 9, { groupId: long, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null }],
  ];
  for (const [api, version, body] of requests) {
    assert.equal((await exchange(broker.port, requestFrame(api, version, body))).kind, 'closed', `${api.name} v${version}`);
  }
  for (const version of [0, 2, 5]) {
    const listed = await callApi(broker.port, ListGroupsApi, version, { statesFilter: [], typesFilter: [] });
    assert.equal(listed.errorCode, ErrorCode.NONE, `ListGroups v${version}`);
    assert.equal(listed.groups.some((g) => g.groupId.length > 32_767), false);
  }
});

test('Metadata v10-11 asking for a topic by id (null name) closes the connection; v12 answers UNKNOWN_TOPIC_ID', QUICK, async () => {
  const byId = { topics: [{ topicId: Buffer.alloc(16, 7), name: null }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  for (const version of [10, 11]) assert.equal((await exchange(broker.port, requestFrame(MetadataApi, version, byId))).kind, 'closed', `v${version}`);
  const answered = await callApi(broker.port, MetadataApi, 12, byId);
  assert.deepEqual(answered.topics.map((t) => [t.name, t.errorCode]), [[null, ErrorCode.UNKNOWN_TOPIC_ID]]);
  await assertStillServes();
});
