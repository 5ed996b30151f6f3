/**
 * Version emulation (`kafka.version`): each emulated release advertises in ApiVersions exactly its published ranges
 * intersected with what our handlers serve, and refuses the rest as that release does (an unknown API or an
 * unsupported version closes the connection; ApiVersions answers UNSUPPORTED_VERSION in a v0 body). Its topic-config
 * topic configs apply: the list DescribeConfigs answers, their defaults (2.4's max.message.bytes), their validators,
 * and the refusal of a config the release lacks. Transactional writes are verified (KIP-890 part 1) from 3.6 on only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, callApi, openRequest, readResponse, kafkaClient, run } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import {
  AddOffsetsToTxnApi, AddPartitionsToTxnApi, AlterConfigsApi, ApiVersionsApi, CreateTopicsApi, DescribeConfigsApi, EndTxnApi,
  IncrementalAlterConfigsApi, InitProducerIdApi, ListTransactionsApi, OffsetFetchApi, ProduceApi, TxnOffsetCommitApi,
  type ListTransactionsRequest, type OffsetFetchRequest,
} from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { HANDLERS } from '../../src/handlers/index.js';
import { Router } from '../../src/server/router.js';
import type { Handler } from '../../src/handlers/handler.js';
import { KAFKA_RELEASES, KAFKA_RELEASE_NAMES, type KafkaRelease } from '../../src/server/kafka-releases.js';
import { ConfigError, buildConfig } from '../../src/config.js';
import { TOPIC_CONFIGS } from '../../src/metadata/configs.js';

async function withBroker(kafkaVersion: string | undefined, fn: (running: RunningBroker) => Promise<void>): Promise<void> {
  const running = await startTestBroker({ kafkaVersion });
  try {
    await fn(running);
  } finally {
    await running.close();
  }
}

/** A refused request: the connection closes without an answer. */
const CLOSED = /closed without a response/;
const BROKER_MAX_MESSAGE_BYTES = { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['message.max.bytes'] }], includeSynonyms: false, includeDocumentation: false };

/** What a release should advertise: its published range within our handler's, for each API both have. */
function expected(release: KafkaRelease): Array<[number, number, number]> {
  return HANDLERS.flatMap((h) => {
    const theirs = release.apis[h.api.key];
    if (!theirs) return [];
    // 4.x advertises Produce from v0 while refusing v0-2; so do we when our Produce serves from v3.
    const acceptedMin = release.acceptedMin[h.api.key];
    const min = acceptedMin !== undefined && h.versions.min <= acceptedMin ? theirs[0] : Math.max(theirs[0], h.versions.min);
    const max = Math.min(theirs[1], h.versions.max);
    return min <= max ? [[h.api.key, min, max] as [number, number, number]] : [];
  }).sort((a, b) => a[0] - b[0]);
}

test('the release tables hold the published facts the emulation depends on', () => {
  // Spot checks against Kafka's sources: 2.4.0 ApiVersionsRequest.json "0-3"; 2.8.0 ProduceRequest.json "0-9";
  // a 3.9 KRaft broker has no LeaderAndIsr; 4.0 dropped Fetch v0-3 (KIP-896), 4.1 restored JoinGroup v0-1.
  assert.deepEqual(KAFKA_RELEASES['2.4'].apis[18], [0, 3]);
  assert.deepEqual(KAFKA_RELEASES['2.8'].apis[0], [0, 9]);
  assert.equal(KAFKA_RELEASES['3.9'].apis[4], undefined);
  assert.deepEqual(KAFKA_RELEASES['4.1'].apis[1], [4, 18]);
  assert.deepEqual(KAFKA_RELEASES['4.1'].apis[11], [0, 9]);
  assert.equal(KAFKA_RELEASES['2.4'].apis[61], undefined, 'DescribeProducers came with 2.8 (KIP-664)');
});

for (const name of KAFKA_RELEASE_NAMES) {
  test(`--kafka-version ${name}: ApiVersions advertises the release's ranges within ours, and nothing else`, async () => {
    const release = KAFKA_RELEASES[name];
    await withBroker(name, async (running) => {
      const res = await callApi(running.port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
      assert.equal(res.errorCode, ErrorCode.NONE);
      const got = res.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion] as [number, number, number]).sort((a, b) => a[0] - b[0]);
      assert.deepEqual(got, expected(release));
      for (const [key, min, max] of got) {
        const [pmin, pmax] = release.apis[key];
        assert.ok(min >= pmin && max <= pmax, `API ${key} advertised ${min}-${max} beyond ${name}'s ${pmin}-${pmax}`);
      }
    });
  });
}

test('without kafka.version, ApiVersions advertises every handler range as before', async () => {
  await withBroker(undefined, async (running) => {
    const res = await callApi(running.port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
    assert.equal(res.apiKeys.length, HANDLERS.length);
  });
});

test('2.4 refuses what 2.4 did not serve: an API it lacks and a version above its max close the connection', async () => {
  await withBroker('2.4', async (running) => {
    // ListTransactions (66) is served by Samsa but came with Kafka 3.0; DescribeConfigs v3 came with 2.6.
    await assert.rejects(callApi(running.port, ListTransactionsApi, 0, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null } as ListTransactionsRequest), CLOSED);
    await assert.rejects(callApi(running.port, DescribeConfigsApi, 3, BROKER_MAX_MESSAGE_BYTES), CLOSED);
    const ok = await callApi(running.port, DescribeConfigsApi, 2, BROKER_MAX_MESSAGE_BYTES);
    assert.equal(ok.results[0].configs[0].value, '1000012', "2.4's default: 1000000 + the 12-byte log overhead");
  });
});

test('ApiVersions above the emulated release\'s max: UNSUPPORTED_VERSION in a v0 body with that release\'s ApiVersions range', async () => {
  await withBroker('2.4', async (running) => {
    // Whatever the version asked, the answer is a v0 body.
    const body = await readResponse(await openRequest(running.port, ApiVersionsApi, 9, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }), ApiVersionsApi, 0);
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.deepEqual(body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
  });
});

test('4.1 refuses the versions KIP-896 removed (DescribeConfigs v0) although Samsa serves them', async () => {
  await withBroker('4.1', async (running) => {
    await assert.rejects(callApi(running.port, DescribeConfigsApi, 0, BROKER_MAX_MESSAGE_BYTES), CLOSED);
    const ok = await callApi(running.port, DescribeConfigsApi, 1, BROKER_MAX_MESSAGE_BYTES);
    assert.equal(ok.results[0].configs[0].value, '1048588');
  });
});

test("4.1's Produce is advertised from v0 (KAFKA-18659) yet v0-2 are refused", () => {
  // A stand-in handler serving Produce 0-13: whatever our own Produce handler declares, the quirk holds.
  const produce = { api: { ...ProduceApi, minVersion: 0, maxVersion: 13 }, versions: { min: 0, max: 13 }, handle: () => null } as unknown as Handler;
  const router = new Router([produce], KAFKA_RELEASES['4.1']);
  assert.deepEqual(router.served(), [{ apiKey: 0, minVersion: 0, maxVersion: 13 }]);
  assert.equal(router.route(0, 2).kind, 'unsupported-version');
  assert.equal(router.route(0, 3).kind, 'ok');
  assert.equal(new Router([produce], KAFKA_RELEASES['2.4']).route(0, 9).kind, 'unsupported-version');
  // A handler serving from v3 only: still advertised from v0, as 4.1 does, and v0-2 still refused.
  const fromV3 = { ...produce, versions: { min: 3, max: 7 } } as Handler;
  const router41 = new Router([fromV3], KAFKA_RELEASES['4.1']);
  assert.deepEqual(router41.served(), [{ apiKey: 0, minVersion: 0, maxVersion: 7 }]);
  assert.equal(router41.route(0, 0).kind, 'unsupported-version');
  assert.equal(router41.route(0, 3).kind, 'ok');
});

test('kafka.version accepts only the emulated releases', () => {
  assert.throws(() => buildConfig({ 'kafka.version': '3.0' }), ConfigError);
  assert.equal(buildConfig({ 'kafka.version': '2.8' }).get('kafka.version'), '2.8');
});

test("2.4's max.message.bytes default (1000012) is the topics' default: DescribeConfigs shows it, Produce enforces it", async () => {
  const value = Buffer.alloc(1_005_000, 1);
  const produce = async (port: number) => (await callApi(port, ProduceApi, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000,
    topicData: [{ name: 'big', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value, timestamp: Date.now() }]) }] }],
  })).responses[0].partitionResponses[0].errorCode;
  for (const [version, limit, code] of [['2.4', '1000012', ErrorCode.MESSAGE_TOO_LARGE], ['2.8', '1048588', ErrorCode.NONE]] as const) {
    await withBroker(version, async (running) => {
      running.broker.createTopic('big', 1);
      const described = await callApi(running.port, DescribeConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 'big', configurationKeys: ['max.message.bytes'] }], includeSynonyms: false, includeDocumentation: false });
      const config = described.results[0].configs[0];
      assert.equal(config.value, limit);
      assert.equal(config.configSource, 5, 'DEFAULT_CONFIG: no one set it');
      assert.equal(await produce(running.port), code, `a ${value.length}-byte record under ${version}`);
    });
  }
});

/** Offsets committed for the group, by partition, or -1. */
async function committed(port: number, group: string, topic: string): Promise<number> {
  const res = await callApi(port, OffsetFetchApi, 1, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] } as OffsetFetchRequest);
  return res.topics[0].partitions[0].committedOffset;
}

async function txnOffsetCommit(port: number, transactionalId: string, producerId: number, producerEpoch: number, group: string, offset: number): Promise<number> {
  const res = await callApi(port, TxnOffsetCommitApi, 2, {
    transactionalId, groupId: group, producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'paid', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  return res.topics[0].partitions[0].errorCode;
}

for (const [version, verified] of [['2.4', false], ['2.8', false], ['3.9', true], ['4.1', true]] as const) {
  test(`--kafka-version ${version}: TxnOffsetCommit ${verified ? 'verifies' : 'does not verify'} the producer with the transaction coordinator`, async () => {
    await withBroker(version, async (running) => {
      const { port } = running;
      running.broker.createTopic('paid', 1);
      const init = await callApi(port, InitProducerIdApi, 1, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      const { producerId, producerEpoch } = init;
      // A producer id the coordinator never issued to this transactional id.
      assert.equal(await txnOffsetCommit(port, 'tx', producerId + 1000, 0, 'g', 5), verified ? ErrorCode.INVALID_PRODUCER_ID_MAPPING : ErrorCode.NONE);
      // The right producer, but the group was never added to a transaction (no AddOffsetsToTxn).
      assert.equal(await txnOffsetCommit(port, 'tx', producerId, producerEpoch, 'g', 6), verified ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
      // The full flow commits the offsets whatever the release.
      const added = await callApi(port, AddOffsetsToTxnApi, 1, { transactionalId: 'tx', producerId, producerEpoch, groupId: 'g' });
      assert.equal(added.errorCode, ErrorCode.NONE);
      assert.equal(await txnOffsetCommit(port, 'tx', producerId, producerEpoch, 'g', 7), ErrorCode.NONE);
      const ended = await callApi(port, EndTxnApi, 1, { transactionalId: 'tx', producerId, producerEpoch, committed: true });
      assert.equal(ended.errorCode, ErrorCode.NONE);
      assert.equal(await committed(port, 'g', 'paid'), 7, 'only the offsets of the transaction the group joined become visible');
      // A fenced producer (an older epoch of the same id) is refused either way: before 3.7 by the offsets log itself.
      const bumped = await callApi(port, InitProducerIdApi, 1, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      assert.equal(bumped.producerEpoch, producerEpoch + 1);
      assert.equal(await txnOffsetCommit(port, 'tx', producerId, producerEpoch, 'g', 8), ErrorCode.INVALID_PRODUCER_EPOCH);
      assert.equal(await committed(port, 'g', 'paid'), 7);
    });
  });
}

for (const version of KAFKA_RELEASE_NAMES) {
  test(`--kafka-version ${version}: kafkajs negotiates down and runs a transaction with sendOffsets`, async () => {
    await withBroker(version, async (running) => {
      running.broker.createTopic('orders', 1);
      const kafka = kafkaClient(running);
      const producer = kafka.producer({ transactionalId: `tx-${version}`, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const txn = await producer.transaction();
      await txn.send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }] });
      await txn.sendOffsets({ consumerGroupId: 'billing', topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '2' }] }] });
      await txn.commit();
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchOffsets({ groupId: 'billing', topics: ['orders'] });
      await admin.disconnect();
      assert.equal(offsets[0].partitions[0].offset, '2');
      const log = running.broker.partition('orders', 0)!;
      assert.equal(log.lastStableOffset, log.highWatermark, 'the transaction is committed');
      assert.equal(log.highWatermark, 3, 'two records and the commit marker');
    });
  });
}

test('librdkafka (kcat) produces lz4-compressed batches and reads them back under emulated 2.4 and 4.1', async () => {
  for (const version of ['2.4', '4.1']) {
    await withBroker(version, async (running) => {
      const bootstrap = `127.0.0.1:${running.port}`;
      const produced = await run('kcat', ['-P', '-b', bootstrap, '-t', 'lines', '-z', 'lz4', '-K', ':'], { input: 'a:1\nb:2\n' });
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await run('kcat', ['-C', '-b', bootstrap, '-t', 'lines', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
      assert.deepEqual(consumed.stdout.trim().split('\n'), ['a=1', 'b=2'], `${version}: ${consumed.stderr}`);
    });
  }
});

/** Kafka 2.4.0's LogConfig (core/src/main/scala/kafka/log/LogConfig.scala at the tag), the same at 2.8.0. */
const KAFKA_24_TOPIC_CONFIGS = [
  'segment.bytes', 'segment.ms', 'segment.jitter.ms', 'segment.index.bytes', 'flush.messages', 'flush.ms', 'retention.bytes',
  'retention.ms', 'max.message.bytes', 'index.interval.bytes', 'delete.retention.ms', 'min.compaction.lag.ms',
  'max.compaction.lag.ms', 'file.delete.delay.ms', 'min.cleanable.dirty.ratio', 'cleanup.policy', 'unclean.leader.election.enable',
  'min.insync.replicas', 'compression.type', 'preallocate', 'message.format.version', 'message.timestamp.type',
  'message.timestamp.difference.max.ms', 'leader.replication.throttled.replicas', 'follower.replication.throttled.replicas',
  'message.downconversion.enable',
];
/** Samsa's own broker-side schema validation configs, listed whatever the release. */
const SAMSA_ONLY = ['confluent.key.schema.validation', 'confluent.value.schema.validation'];
/** What 4.0 removed from LogConfig (KIP-724, KIP-937's deprecation, down-conversion gone with KIP-896). */
const REMOVED_IN_40 = ['message.format.version', 'message.downconversion.enable', 'message.timestamp.difference.max.ms'];

async function topicConfigs(port: number, topic: string, keys: string[] | null = null) {
  const res = await callApi(port, DescribeConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false });
  assert.equal(res.results[0].errorCode, ErrorCode.NONE);
  return new Map(res.results[0].configs.map((c) => [c.name, c]));
}

const createTopic = (port: number, name: string, configs: Record<string, string>, validateOnly = false, version = 4) =>
  callApi(port, CreateTopicsApi, version, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 5000, validateOnly,
  });

test('each release lists its own topic configs with its defaults; without kafka.version, Samsa\'s list (message.format.version included)', async () => {
  const expectations: Array<[string | undefined, (names: string[], configs: Map<string, { value: string | null }>) => void]> = [
    ['2.4', (names, configs) => {
      assert.deepEqual(names, [...KAFKA_24_TOPIC_CONFIGS, ...SAMSA_ONLY].sort());
      assert.equal(configs.get('max.message.bytes')!.value, '1000012');
      assert.equal(configs.get('message.format.version')!.value, '2.4-IV1');
    }],
    ['2.8', (names, configs) => {
      assert.deepEqual(names, [...KAFKA_24_TOPIC_CONFIGS, ...SAMSA_ONLY].sort());
      assert.equal(configs.get('max.message.bytes')!.value, '1048588', '2.5 made it 1 MiB + the 12-byte log overhead');
      assert.equal(configs.get('message.format.version')!.value, '2.8-IV1');
    }],
    ['3.9', (names, configs) => {
      assert.deepEqual(names, TOPIC_CONFIGS.map((d) => d.name).sort(), 'Samsa lists Kafka 3.9\'s LogConfig');
      assert.equal(configs.get('message.format.version')!.value, '3.0-IV1');
      assert.equal(configs.get('message.timestamp.after.max.ms')!.value, '9223372036854775807');
    }],
    ['4.1', (names, configs) => {
      assert.deepEqual(names, TOPIC_CONFIGS.map((d) => d.name).filter((n) => !REMOVED_IN_40.includes(n)).sort());
      assert.equal(configs.get('message.timestamp.after.max.ms')!.value, '3600000', 'KIP-1030');
    }],
    [undefined, (names) => {
      assert.deepEqual(names, TOPIC_CONFIGS.map((d) => d.name).sort());
      assert.ok(names.includes('message.format.version'));
    }],
  ];
  for (const [version, check] of expectations) {
    await withBroker(version, async (running) => {
      running.broker.createTopic('t', 1);
      const configs = await topicConfigs(running.port, 't');
      check([...configs.keys()].sort(), configs);
    });
  }
});

test('2.4: a release default is the default layer of the synonyms too, on the topic and on the broker resource', async () => {
  await withBroker('2.4', async (running) => {
    running.broker.createTopic('t', 1);
    const config = (await topicConfigs(running.port, 't', ['max.message.bytes'])).get('max.message.bytes')!;
    assert.deepEqual(config.synonyms, [{ name: 'message.max.bytes', value: '1000012', source: 5 }]);
    const broker = await callApi(running.port, DescribeConfigsApi, 1, { ...BROKER_MAX_MESSAGE_BYTES, includeSynonyms: true });
    assert.deepEqual(broker.results[0].configs[0].synonyms, [{ name: 'message.max.bytes', value: '1000012', source: 5 }]);
  });
});

test('4.1 lists no broker setting of a removed topic config (log.message.format.version)', async () => {
  const brokerNames = async (port: number) => (await callApi(port, DescribeConfigsApi, 1, {
    resources: [{ resourceType: 4, resourceName: '0', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false,
  })).results[0].configs.map((c) => c.name);
  await withBroker('4.1', async (running) => {
    const names = await brokerNames(running.port);
    for (const gone of ['log.message.format.version', 'log.message.downconversion.enable', 'log.message.timestamp.difference.max.ms']) assert.ok(!names.includes(gone), gone);
    assert.ok(names.includes('log.message.timestamp.after.max.ms'));
  });
  await withBroker('3.9', async (running) => assert.ok((await brokerNames(running.port)).includes('log.message.format.version')));
});

test('CreateTopics answers with the release\'s configs and defaults (v5, served by 2.4)', async () => {
  await withBroker('2.4', async (running) => {
    const res = await createTopic(running.port, 'made', {}, false, 5);
    assert.equal(res.topics[0].errorCode, ErrorCode.NONE);
    const configs = new Map(res.topics[0].configs!.map((c) => [c.name, c.value]));
    assert.equal(configs.get('max.message.bytes'), '1000012');
    assert.equal(configs.has('remote.storage.enable'), false);
    assert.equal(configs.size, KAFKA_24_TOPIC_CONFIGS.length + SAMSA_ONLY.length);
  });
});

test('a topic config the release lacks is refused as that release refuses it: INVALID_CONFIG "Unknown topic config name"', async () => {
  const unknown = (name: string) => `Unknown topic config name: ${name}`;
  await withBroker('2.4', async (running) => {
    const created = await createTopic(running.port, 'a', { 'remote.storage.enable': 'false' });
    assert.deepEqual([created.topics[0].errorCode, created.topics[0].errorMessage], [ErrorCode.INVALID_CONFIG, unknown('remote.storage.enable')]);
    running.broker.createTopic('t', 1);
    const altered = await callApi(running.port, AlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'message.timestamp.before.max.ms', value: '1000' }] }], validateOnly: false });
    assert.deepEqual([altered.responses[0].errorCode, altered.responses[0].errorMessage], [ErrorCode.INVALID_CONFIG, unknown('message.timestamp.before.max.ms')]);
    // What 2.4 has is taken.
    assert.equal((await createTopic(running.port, 'b', { 'message.format.version': '2.4-IV1', 'message.downconversion.enable': 'false' })).topics[0].errorCode, ErrorCode.NONE);
  });
  await withBroker('4.1', async (running) => {
    for (const name of REMOVED_IN_40) {
      const created = await createTopic(running.port, 'a', { [name]: name === 'message.downconversion.enable' ? 'true' : name === 'message.format.version' ? '3.0-IV1' : '1000' }, true);
      assert.deepEqual([created.topics[0].errorCode, created.topics[0].errorMessage], [ErrorCode.INVALID_CONFIG, unknown(name)]);
    }
    running.broker.createTopic('t', 1);
    const altered = await callApi(running.port, IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'message.timestamp.difference.max.ms', configOperation: 0, value: '1000' }] }], validateOnly: false });
    assert.deepEqual([altered.responses[0].errorCode, altered.responses[0].errorMessage], [ErrorCode.INVALID_CONFIG, unknown('message.timestamp.difference.max.ms')]);
  });
  await withBroker(undefined, async (running) => {
    assert.equal((await createTopic(running.port, 'a', { 'message.format.version': '3.0-IV1', 'remote.storage.enable': 'false' })).topics[0].errorCode, ErrorCode.NONE);
  });
});

test('validators differ by release: 4.x segment.bytes at least 1 MiB (KIP-1030); 2.x flush.messages and segment.index.bytes take 0', async () => {
  const problem = async (version: string, configs: Record<string, string>) => {
    let result: [number, string | null] = [0, null];
    await withBroker(version, async (running) => {
      const t = (await createTopic(running.port, 'v', configs, true)).topics[0];
      result = [t.errorCode, t.errorMessage];
    });
    return result;
  };
  assert.deepEqual(await problem('4.1', { 'segment.bytes': '1048575' }), [ErrorCode.INVALID_CONFIG, 'Invalid value 1048575 for configuration segment.bytes: Value must be at least 1048576']);
  assert.deepEqual(await problem('4.1', { 'segment.bytes': '1048576' }), [ErrorCode.NONE, null]);
  assert.deepEqual(await problem('3.9', { 'segment.bytes': '1048575' }), [ErrorCode.NONE, null]);
  assert.deepEqual(await problem('2.4', { 'flush.messages': '0', 'segment.index.bytes': '0' }), [ErrorCode.NONE, null]);
  assert.deepEqual(await problem('3.9', { 'flush.messages': '0' }), [ErrorCode.INVALID_CONFIG, 'Invalid value 0 for configuration flush.messages: Value must be at least 1']);
});

test("4.1's message.timestamp.after.max.ms default (an hour) refuses a record two hours ahead; 3.9 takes it", async () => {
  for (const [version, code] of [['4.1', ErrorCode.INVALID_TIMESTAMP], ['3.9', ErrorCode.NONE]] as const) {
    await withBroker(version, async (running) => {
      running.broker.createTopic('ts', 1);
      const res = await callApi(running.port, ProduceApi, 7, {
        transactionalId: null, acks: 1, timeoutMs: 5000,
        topicData: [{ name: 'ts', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() + 2 * 3_600_000 }]) }] }],
      });
      assert.equal(res.responses[0].partitionResponses[0].errorCode, code, version);
    });
  }
});

for (const [version, verified] of [['2.4', false], ['2.8', false], ['3.9', true], ['4.1', true]] as const) {
  test(`--kafka-version ${version}: a transactional Produce to a partition not in the transaction is ${verified ? 'refused (KIP-890, 3.6+)' : 'appended, as before 3.6'}`, async () => {
    await withBroker(version, async (running) => {
      const { port } = running;
      running.broker.createTopic('pay', 2);
      const { producerId, producerEpoch } = await callApi(port, InitProducerIdApi, 1, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      const added = await callApi(port, AddPartitionsToTxnApi, 1, { transactionalId: 'tx', producerId, producerEpoch, topics: [{ name: 'pay', partitions: [0] }] });
      assert.equal(added.results[0].results[0].errorCode, ErrorCode.NONE);
      const produce = async (partition: number) => (await callApi(port, ProduceApi, 7, {
        transactionalId: 'tx', acks: -1, timeoutMs: 5000,
        topicData: [{ name: 'pay', partitionData: [{ index: partition, records: encodeBatch([{ key: null, value: Buffer.from('x') }], { isTransactional: true, producerId, producerEpoch, baseSequence: 0 }) }] }],
      })).responses[0].partitionResponses[0].errorCode;
      assert.equal(await produce(0), ErrorCode.NONE, 'the partition added to the transaction');
      assert.equal(await produce(1), verified ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE, 'a partition never added');
    });
  });
}

test('4.1: an override of a removed config left from another release is neither listed nor blocks other changes', async () => {
  await withBroker('4.1', async (running) => {
    // As if created under 3.9 (the topic store keeps overrides as they were set).
    running.broker.createTopic('old', 1, { 'message.format.version': '2.8-IV1' });
    const altered = await callApi(running.port, IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 'old', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: false });
    assert.equal(altered.responses[0].errorCode, ErrorCode.NONE);
    const configs = await topicConfigs(running.port, 'old');
    assert.equal(configs.get('retention.ms')!.value, '1000');
    assert.equal(configs.has('message.format.version'), false);
  });
});
