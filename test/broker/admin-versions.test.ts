/**
 * The admin APIs at Kafka 4.1's versions: CreateTopics 7 (topic id, partitions, replication factor and configs),
 * DeleteTopics 6 (by id; UNKNOWN_TOPIC_ID), ApiVersions 4, AlterConfigs 2, IncrementalAlterConfigs 1, through
 * @platformatic/kafka's admin (which picks the highest common version), librdkafka 2.15's admin (through
 * @confluentinc/kafka-javascript; its DeleteTopics is v4, flexible) and raw requests; DescribeConfigs synonyms,
 * documentation and types as Kafka answers them; topic ids kept across a restart (DeleteTopics by an id from before).
 */
import '../../compat-suite/clients/node22-shim.js';
import { test, before, after } from 'node:test';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { startTestBroker, callApi, tempDir } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { AlterConfigsApi, ApiVersionsApi, CreatePartitionsApi, CreateTopicsApi, DeleteTopicsApi, DescribeConfigsApi, IncrementalAlterConfigsApi, OffsetDeleteApi, ShareGroupDescribeApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { TOPIC_CONFIGS } from '../../src/metadata/configs.js';

const [TOPIC, BROKER] = [2, 4];
const [DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG] = [1, 2, 4, 5];
const [BOOLEAN, STRING, INT, LONG, DOUBLE, LIST] = [1, 2, 3, 5, 6, 7];
const ZERO_ID = Buffer.alloc(16);

let broker: RunningBroker;
/** `Name vN` of every request the broker served. */
const served = new Set<string>();

before(async () => {
  broker = await startTestBroker({ config: { 'log.retention.hours': 2 } });
  broker.broker.faults = {
    intercept: (call, next) => {
      served.add(`${call.handler.api.name} v${call.ctx.version}`);
      return next();
    },
  };
});
after(async () => { await broker.close(); });

const admin = () => new Admin({ clientId: 'admin-versions', bootstrapBrokers: [broker.bootstrap], timeout: 5000, retries: 0 });
const uuid = (id: Buffer) => id.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

async function describeTopic(name: string, version = 4, keys: string[] | null = null, synonyms = true, documentation = true) {
  const res = await callApi(broker.port, DescribeConfigsApi, version, {
    resources: [{ resourceType: TOPIC, resourceName: name, configurationKeys: keys }], includeSynonyms: synonyms, includeDocumentation: documentation,
  });
  assert.equal(res.results[0].errorCode, ErrorCode.NONE);
  return new Map(res.results[0].configs.map((c) => [c.name, c]));
}

test('ApiVersions advertises Kafka 4.1 maxima for the admin APIs and answers v4', async () => {
  const res = await callApi(broker.port, ApiVersionsApi, 4, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  assert.equal(res.errorCode, ErrorCode.NONE);
  const max = new Map(res.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
  assert.deepEqual([18, 19, 20, 32, 33, 44, 29, 30, 31, 17, 36, 50, 51].map((k) => max.get(k)), [4, 7, 6, 4, 2, 1, 3, 3, 3, 1, 2, 0, 0]);
});

test('platformatic admin: CreateTopics v7 answers the topic id, partitions, replicas and configs; DeleteTopics v6 by name', async () => {
  const client = admin();
  try {
    const [created] = await client.createTopics({ topics: ['pf-created'], partitions: 3, replicas: 1, configs: [{ name: 'retention.ms', value: '60000' }] });
    assert.equal(created.id, uuid(broker.broker.topics.get('pf-created')!.id));
    assert.notEqual(created.id, uuid(ZERO_ID));
    assert.equal(created.partitions, 3);
    assert.equal(created.replicas, 1);
    assert.equal(created.configuration['retention.ms'], '60000');
    assert.equal(created.configuration['cleanup.policy'], 'delete');
    assert.equal(created.configuration['message.format.version'], '3.0-IV1');
    await client.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf-created', configs: [{ name: 'segment.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '120000' }] }] });
    await client.alterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf-created', configs: [{ name: 'retention.bytes', value: '1000' }] }] });
    const [described] = await client.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf-created' }], includeSynonyms: true, includeDocumentation: true });
    const byName = new Map(described.configs.map((c) => [c.name, c]));
    // AlterConfigs replaced the whole set: segment.ms is back to its default.
    assert.equal(byName.get('retention.bytes')!.value, '1000');
    assert.equal(byName.get('segment.ms')!.configSource, DEFAULT_CONFIG);
    await client.deleteTopics({ topics: ['pf-created'] });
    assert.equal(broker.broker.topics.get('pf-created'), undefined);
  } finally {
    await client.close();
  }
  for (const v of ['CreateTopics v7', 'DeleteTopics v6', 'DescribeConfigs v4', 'AlterConfigs v2', 'IncrementalAlterConfigs v1']) assert.ok(served.has(v), `${v} not used: ${[...served].join(', ')}`);
});

test('librdkafka admin (@confluentinc/kafka-javascript) creates and deletes topics at its highest versions', async () => {
  // Built by compat-suite/setup.sh (npm test's pretest): a missing build is a failure, never a skip.
  const { KafkaJS } = createRequire(new URL('../../../compat-suite/clients/confluent-js/package.json', import.meta.url))('@confluentinc/kafka-javascript');
  const client = new KafkaJS.Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: KafkaJS.logLevel.NOTHING } }).admin();
  await client.connect();
  try {
    assert.equal(await client.createTopics({ topics: [{ topic: 'rdkafka-created', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '1000' }] }] }), true);
    assert.equal(broker.broker.topics.get('rdkafka-created')!.configs['retention.ms'], '1000');
    await client.deleteTopics({ topics: ['rdkafka-created'] });
    assert.equal(broker.broker.topics.get('rdkafka-created'), undefined);
  } finally {
    await client.disconnect();
  }
  for (const v of ['CreateTopics v4', 'DeleteTopics v4']) assert.ok(served.has(v), `${v} not used: ${[...served].join(', ')}`);
});

test('CreateTopics v5+ sorts the configs by name with their sources; a name asked twice is refused both times with -1 counts and the zero id; validate_only a fresh id', async () => {
  const res = await callApi(broker.port, CreateTopicsApi, 7, {
    topics: [
      { name: 'raw-created', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [{ name: 'compression.type', value: 'zstd' }] },
      { name: 'raw-twice', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'raw-twice', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
    ],
    timeoutMs: 5000, validateOnly: false,
  });
  const [ok, duplicate, again] = res.topics;
  assert.deepEqual([duplicate.errorCode, again.errorCode, duplicate.errorMessage], [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']);
  assert.equal(broker.broker.topics.get('raw-twice'), undefined);
  assert.equal(ok.errorCode, ErrorCode.NONE);
  assert.ok(ok.topicId.equals(broker.broker.topics.get('raw-created')!.id));
  assert.deepEqual([ok.numPartitions, ok.replicationFactor, ok.topicConfigErrorCode], [1, 1, 0]);
  const names = ok.configs!.map((c) => c.name);
  assert.deepEqual(names, [...names].sort());
  assert.deepEqual(names.length, TOPIC_CONFIGS.length);
  const configs = new Map(ok.configs!.map((c) => [c.name, c]));
  assert.deepEqual(configs.get('compression.type'), { name: 'compression.type', value: 'zstd', readOnly: false, configSource: DYNAMIC_TOPIC_CONFIG, isSensitive: false });
  assert.equal(configs.get('retention.ms')!.value, '7200000'); // log.retention.hours=2
  assert.equal(configs.get('retention.ms')!.configSource, STATIC_BROKER_CONFIG);
  assert.equal(duplicate.errorCode, ErrorCode.INVALID_REQUEST);
  assert.deepEqual([duplicate.numPartitions, duplicate.replicationFactor, duplicate.configs], [-1, -1, []]);
  assert.ok(duplicate.topicId.equals(ZERO_ID));

  const checked = await callApi(broker.port, CreateTopicsApi, 7, {
    topics: [{ name: 'raw-validated', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: true,
  });
  assert.equal(checked.topics[0].errorCode, ErrorCode.NONE);
  assert.equal(checked.topics[0].numPartitions, 2);
  assert.ok(!checked.topics[0].topicId.equals(ZERO_ID));
  assert.equal(broker.broker.topics.getById(checked.topics[0].topicId), undefined);
  assert.equal(broker.broker.topics.get('raw-validated'), undefined);
});

test('DeleteTopics v6 deletes by id; an unknown id is UNKNOWN_TOPIC_ID; name and id together, neither, or twice are INVALID_REQUEST', async () => {
  for (const name of ['by-id', 'by-name']) {
    await callApi(broker.port, CreateTopicsApi, 7, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  }
  const id = broker.broker.topics.get('by-id')!.id;
  const unknown = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const dup = broker.broker.topics.get('by-name')!.id;
  const res = await callApi(broker.port, DeleteTopicsApi, 6, {
    topics: [
      { name: null, topicId: id },
      { name: null, topicId: unknown },
      { name: 'by-name', topicId: dup },
      { name: null, topicId: ZERO_ID },
      { name: 'twice', topicId: ZERO_ID },
      { name: 'twice', topicId: ZERO_ID },
    ],
    topicNames: [], timeoutMs: 5000,
  });
  const got = res.responses.map((r) => [r.name, r.topicId.toString('hex'), r.errorCode]);
  assert.deepEqual(got, [
    ['by-id', id.toString('hex'), ErrorCode.NONE],
    [null, unknown.toString('hex'), ErrorCode.UNKNOWN_TOPIC_ID],
    ['by-name', dup.toString('hex'), ErrorCode.INVALID_REQUEST],
    [null, ZERO_ID.toString('hex'), ErrorCode.INVALID_REQUEST],
    ['twice', ZERO_ID.toString('hex'), ErrorCode.INVALID_REQUEST],
    ['twice', ZERO_ID.toString('hex'), ErrorCode.INVALID_REQUEST],
  ]);
  assert.equal(res.responses[0].errorMessage, null);
  assert.match(res.responses[1].errorMessage ?? '', /topic ID/);
  assert.equal(broker.broker.topics.get('by-id'), undefined);
  assert.ok(broker.broker.topics.get('by-name'));
  // v5: by name, with the error message.
  const v5 = await callApi(broker.port, DeleteTopicsApi, 5, { topics: [], topicNames: ['by-name', 'never-was'], timeoutMs: 5000 });
  assert.deepEqual(v5.responses.map((r) => [r.name, r.errorCode]), [['by-name', ErrorCode.NONE], ['never-was', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  assert.ok(v5.responses[1].errorMessage);
});

test('DescribeConfigs synonyms as Kafka: broker defaults only where Kafka has one, the topic value first when set', async () => {
  await callApi(broker.port, CreateTopicsApi, 7, {
    topics: [
      { name: 'plain', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'overridden', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'compression.type', value: 'lz4' }, { name: 'segment.ms', value: '100000' }] },
    ],
    timeoutMs: 5000, validateOnly: false,
  });
  const synonyms = (c: { synonyms: Array<{ name: string; value: string | null; source: number }> } | undefined) => c!.synonyms.map((s) => [s.name, s.value, s.source]);
  const plain = await describeTopic('plain');
  assert.deepEqual(synonyms(plain.get('compression.type')), [['compression.type', 'producer', DEFAULT_CONFIG]]);
  assert.equal(plain.get('compression.type')!.configSource, DEFAULT_CONFIG);
  // log.roll.ms has no default in Kafka; its log.roll.hours default is not listed for segment.ms.
  assert.deepEqual(synonyms(plain.get('segment.ms')), []);
  assert.equal(plain.get('segment.ms')!.value, '604800000');
  // log.retention.hours=2 set statically: the value follows it (Kafka lists no synonym, log.retention.ms being unset).
  assert.equal(plain.get('retention.ms')!.value, '7200000');
  assert.equal(broker.broker.topicConfig(broker.broker.topics.get('plain')!)['retention.ms'], '7200000', 'the log retains for 2 hours');
  assert.deepEqual(synonyms(plain.get('remote.storage.enable')), []);
  const overridden = await describeTopic('overridden');
  assert.deepEqual(synonyms(overridden.get('compression.type')), [['compression.type', 'lz4', DYNAMIC_TOPIC_CONFIG], ['compression.type', 'producer', DEFAULT_CONFIG]]);
  assert.deepEqual(synonyms(overridden.get('segment.ms')), [['segment.ms', '100000', DYNAMIC_TOPIC_CONFIG]]);
  const without = await describeTopic('overridden', 4, null, false, false);
  assert.deepEqual(without.get('compression.type')!.synonyms, []);
  assert.equal(without.get('compression.type')!.configSource, DYNAMIC_TOPIC_CONFIG);
  assert.equal(without.get('compression.type')!.documentation, null);
});

test('broker synonyms in Kafka order: a dynamic log.retention.ms, then the static log.retention.hours, then its default; the hours name is read-only', async () => {
  const set = (name: string, value: string) => callApi(broker.port, IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: BROKER, resourceName: '0', configs: [{ name, configOperation: 0, value }] }], validateOnly: false,
  });
  const refused = await set('log.retention.hours', '3');
  assert.equal(refused.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  assert.match(refused.responses[0].errorMessage ?? '', /Cannot update these configs dynamically: Set\(log.retention.hours\)/);
  assert.equal((await set('log.retention.ms', '60000')).responses[0].errorCode, ErrorCode.NONE);
  try {
    const retention = (await describeTopic('plain')).get('retention.ms')!;
    assert.equal(retention.value, '60000');
    assert.equal(retention.configSource, DYNAMIC_BROKER_CONFIG);
    assert.deepEqual(retention.synonyms.map((s) => [s.name, s.value, s.source]),
      [['log.retention.ms', '60000', DYNAMIC_BROKER_CONFIG], ['log.retention.hours', '2', STATIC_BROKER_CONFIG], ['log.retention.hours', '168', DEFAULT_CONFIG]]);
  } finally {
    await callApi(broker.port, AlterConfigsApi, 2, { resources: [{ resourceType: BROKER, resourceName: '0', configs: [] }], validateOnly: false });
  }
  assert.equal((await describeTopic('plain')).get('retention.ms')!.value, '7200000');
});

test('DescribeConfigs lists every topic config Kafka lists, with its type and documentation (v3+); an empty key list means all', async () => {
  const all = await describeTopic('plain', 4, []);
  for (const name of ['message.format.version', 'leader.replication.throttled.replicas', 'follower.replication.throttled.replicas',
    'message.timestamp.before.max.ms', 'message.timestamp.after.max.ms', 'local.retention.ms', 'local.retention.bytes', 'remote.storage.enable',
    'compression.gzip.level', 'compression.lz4.level', 'compression.zstd.level', 'remote.log.copy.disable', 'remote.log.delete.on.disable']) {
    assert.ok(all.has(name), name);
  }
  for (const c of all.values()) assert.ok(c.documentation && c.documentation.length > 10, `${c.name} has no documentation`);
  const types = Object.fromEntries(['retention.ms', 'segment.bytes', 'cleanup.policy', 'compression.type', 'preallocate', 'min.cleanable.dirty.ratio', 'leader.replication.throttled.replicas']
    .map((n) => [n, all.get(n)!.configType]));
  assert.deepEqual(types, { 'retention.ms': LONG, 'segment.bytes': INT, 'cleanup.policy': LIST, 'compression.type': STRING, 'preallocate': BOOLEAN,
    'min.cleanable.dirty.ratio': DOUBLE, 'leader.replication.throttled.replicas': LIST });
  assert.equal(all.get('leader.replication.throttled.replicas')!.value, '');
  const some = await describeTopic('plain', 4, ['retention.ms', 'message.format.version']);
  assert.deepEqual([...some.keys()].sort(), ['message.format.version', 'retention.ms']);
});

test('topic ids survive a restart: DeleteTopics v6 by the id CreateTopics v7 gave before it', async () => {
  const data = tempDir();
  try {
    let first = await startTestBroker({ dataDir: data.dir });
    const created = await callApi(first.port, CreateTopicsApi, 7, { topics: [{ name: 'kept', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    await first.close();
    first = await startTestBroker({ dataDir: data.dir });
    try {
      const res = await callApi(first.port, DeleteTopicsApi, 6, { topics: [{ name: null, topicId: created.topics[0].topicId }], topicNames: [], timeoutMs: 5000 });
      assert.deepEqual(res.responses.map((r) => [r.name, r.errorCode]), [['kept', ErrorCode.NONE]]);
    } finally {
      await first.close();
    }
  } finally {
    data.remove();
  }
});

test('manual replica assignments are checked as Kafka checks them: CreateTopics and CreatePartitions; a CreatePartitions name asked twice grows nothing', async () => {
  const create = (topic: { name: string; numPartitions: number; replicationFactor: number; assignments: Array<{ partitionIndex: number; brokerIds: number[] }> }) =>
    callApi(broker.port, CreateTopicsApi, 7, { topics: [{ ...topic, configs: [] }], timeoutMs: 5000, validateOnly: false }).then((r) => [r.topics[0].errorCode, r.topics[0].errorMessage]);
  const one = (brokerIds: number[][]) => brokerIds.map((ids, partitionIndex) => ({ partitionIndex, brokerIds: ids }));
  assert.deepEqual(await create({ name: 'manual', numPartitions: 2, replicationFactor: -1, assignments: one([[0]]) }),
    [ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.']);
  assert.deepEqual(await create({ name: 'manual', numPartitions: -1, replicationFactor: 1, assignments: one([[0]]) }),
    [ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replication factor was not set to -1.']);
  assert.deepEqual(await create({ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [0] }, { partitionIndex: 0, brokerIds: [0] }] }),
    [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Found multiple manual partition assignments for partition 0']);
  assert.deepEqual(await create({ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [0] }, { partitionIndex: 2, brokerIds: [0] }] }),
    [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence']);
  assert.deepEqual(await create({ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: one([[0], [0, 0]]) }),
    [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 0 more than once.']);
  assert.equal(broker.broker.topics.get('manual'), undefined, 'nothing created by a refused request');
  assert.deepEqual(await create({ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: one([[0], [0]]) }), [ErrorCode.NONE, null]);
  assert.equal(broker.broker.topics.get('manual')!.partitions, 2);

  const grow = (topics: Array<{ name: string; count: number; assignments: Array<{ brokerIds: number[] }> | null }>) =>
    callApi(broker.port, CreatePartitionsApi, 3, { topics, timeoutMs: 5000, validateOnly: false }).then((r) => r.results.map((t) => [t.errorCode, t.errorMessage]));
  const lists = (brokerIds: number[][]) => brokerIds.map((ids) => ({ brokerIds: ids }));
  assert.deepEqual(await grow([{ name: 'manual', count: 5, assignments: null }, { name: 'manual', count: 6, assignments: null }]),
    [[ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'], [ErrorCode.INVALID_REQUEST, 'Duplicate topic name.']]);
  assert.deepEqual(await grow([{ name: 'manual', count: 5, assignments: lists([[0], [0]]) }]),
    [[ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Attempted to add 3 additional partition(s), but only 2 assignment(s) were specified.']]);
  assert.deepEqual(await grow([{ name: 'manual', count: 4, assignments: lists([[0], []]) }]),
    [[ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.']]);
  assert.deepEqual(await grow([{ name: 'manual', count: 4, assignments: lists([[0], [7]]) }]),
    [[ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 7, but no such broker is registered.']]);
  assert.equal(broker.broker.topics.get('manual')!.partitions, 2, 'refused requests grow nothing');
  assert.deepEqual(await grow([{ name: 'manual', count: 4, assignments: lists([[0], [0]]) }]), [[ErrorCode.NONE, null]]);
  assert.equal(broker.broker.topics.get('manual')!.partitions, 4);
});

test('empty names: DescribeConfigs of topic "" is INVALID_TOPIC_EXCEPTION, ShareGroupDescribe and OffsetDelete of group "" INVALID_GROUP_ID (as Kafka)', async () => {
  const configs = await callApi(broker.port, DescribeConfigsApi, 4, { resources: [{ resourceType: 2, resourceName: '', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  assert.deepEqual([configs.results[0].errorCode, configs.results[0].errorMessage], [ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name is illegal, it can\'t be empty']);
  const described = await callApi(broker.port, ShareGroupDescribeApi, 1, { groupIds: [''], includeAuthorizedOperations: false });
  assert.equal(described.groups[0].errorCode, ErrorCode.INVALID_GROUP_ID);
  const deleted = await callApi(broker.port, OffsetDeleteApi, 0, { groupId: '', topics: [{ name: 'any', partitions: [{ partitionIndex: 0 }] }] });
  assert.equal(deleted.errorCode, ErrorCode.INVALID_GROUP_ID);
});
