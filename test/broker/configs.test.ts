/**
 * Config validation and attributes, against a real broker over raw requests: every topic config checked as Kafka's
 * ConfigDef checks it on CreateTopics, AlterConfigs and IncrementalAlterConfigs; read-only broker settings refused;
 * sensitive settings never shown; broker settings from options validated at start.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker, callApi } from '../helpers.js';
import type { RunningBroker, StartOptions } from '../../src/index.js';
import { ConfigError } from '../../src/index.js';
import { CreateTopicsApi, AlterConfigsApi, IncrementalAlterConfigsApi, DescribeConfigsApi, MetadataApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];
const PASSWORD = 's3cr3t-pw';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker({ config: { 'sasl.plain.users': `alice:${PASSWORD}` } }); });
after(async () => { await broker.close(); });

/** Values Kafka's LogConfig refuses, with the reason it gives. */
const INVALID: Array<[string, string, RegExp]> = [
  ['segment.ms', '0', /Invalid value 0 for configuration segment.ms: Value must be at least 1/],
  ['segment.bytes', '1', /Value must be at least 14/],
  ['segment.bytes', '99999999999999999999', /Not a number of type INT/],
  ['segment.bytes', '2147483648', /Not a number of type INT/],
  ['retention.ms', '-2', /Value must be at least -1/],
  ['retention.ms', '9223372036854775808', /Not a number of type LONG/],
  ['retention.bytes', '1.5', /Not a number of type LONG/],
  ['segment.index.bytes', '0', /Value must be at least 4/],
  ['max.message.bytes', '-1', /Value must be at least 0/],
  ['min.cleanable.dirty.ratio', '-5', /Value must be at least 0/],
  ['min.cleanable.dirty.ratio', '1.5', /Value must be no more than 1/],
  ['min.cleanable.dirty.ratio', 'NaN', /Not a number of type DOUBLE/],
  ['flush.messages', '0', /Value must be at least 1/],
  ['max.compaction.lag.ms', '0', /Value must be at least 1/],
  ['cleanup.policy', 'delete,shred', /Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete/],
  ['message.timestamp.type', 'NowTime', /String must be one of: CreateTime, LogAppendTime/],
  ['compression.type', 'brotli', /String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer/],
  ['preallocate', 'yes', /Expected value to be either true or false/],
  ['no.such.config', '1', /Unknown topic config name: no.such.config/],
  ['compression.gzip.level', '0', /Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1/],
  ['compression.zstd.level', '23', /Value must be no more than 22/],
  ['leader.replication.throttled.replicas', '0:1,1:x', /leader.replication.throttled.replicas must be the literal '\*' or a list of replicas/],
  ['local.retention.ms', '-3', /Value must be at least -2/],
];

/** Edge values Kafka accepts (segment.ms=1 included: one segment per batch is Kafka's behaviour too). */
const VALID: Array<[string, string]> = [
  ['segment.ms', '1'], ['segment.bytes', '14'], ['segment.bytes', '2147483647'], ['retention.ms', '-1'],
  ['retention.bytes', '-9223372036854775808'], ['segment.index.bytes', '4'], ['max.message.bytes', '0'],
  ['min.cleanable.dirty.ratio', '0'], ['min.cleanable.dirty.ratio', '1'], ['min.cleanable.dirty.ratio', '1e-1'],
  ['flush.messages', '1'], ['flush.messages', '9223372036854775807'], ['cleanup.policy', 'compact, delete'],
  ['compression.type', 'zstd'], ['preallocate', 'TRUE'], ['message.timestamp.type', 'LogAppendTime'],
  ['compression.gzip.level', '-1'], ['compression.gzip.level', '9'], ['leader.replication.throttled.replicas', '*'],
  ['follower.replication.throttled.replicas', '0:1, 1:0'], ['local.retention.bytes', '-2'],
];

const createTopic = (name: string, configs: Array<{ name: string; value: string | null }>, validateOnly = false) =>
  callApi(broker.port, CreateTopicsApi, 4, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs }], timeoutMs: 5000, validateOnly });

const alter = (type: number, name: string, configs: Array<{ name: string; value: string | null }>, validateOnly = false) =>
  callApi(broker.port, AlterConfigsApi, 1, { resources: [{ resourceType: type, resourceName: name, configs }], validateOnly });

const incremental = (type: number, name: string, configs: Array<{ name: string; configOperation: number; value: string | null }>, validateOnly = false) =>
  callApi(broker.port, IncrementalAlterConfigsApi, 0, { resources: [{ resourceType: type, resourceName: name, configs }], validateOnly });

async function describe(type: number, name: string, version = 4, keys: string[] | null = null) {
  const res = await callApi(broker.port, DescribeConfigsApi, version, {
    resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: true,
  });
  assert.equal(res.results[0].errorCode, ErrorCode.NONE, res.results[0].errorMessage ?? '');
  return new Map(res.results[0].configs.map((c) => [c.name, c]));
}

/** The topic's overrides as DescribeConfigs reports them. */
async function overrides(topic: string): Promise<Record<string, string | null>> {
  return Object.fromEntries([...(await describe(TOPIC, topic)).values()].filter((c) => c.configSource === 1).map((c) => [c.name, c.value]));
}

test('CreateTopics refuses every invalid topic config with INVALID_CONFIG and creates nothing', async () => {
  for (const [name, value, message] of INVALID) {
    const res = await createTopic(`bad-${name}`, [{ name, value }]);
    assert.equal(res.topics[0].errorCode, ErrorCode.INVALID_CONFIG, `${name}=${value}`);
    assert.match(res.topics[0].errorMessage ?? '', message, `${name}=${value}`);
  }
  const meta = await callApi(broker.port, MetadataApi, 8, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  assert.deepEqual(meta.topics.filter((t) => t.name?.startsWith('bad-')), []);
  const nullValue = await createTopic('bad-null', [{ name: 'retention.ms', value: null }]);
  assert.equal(nullValue.topics[0].errorCode, ErrorCode.INVALID_CONFIG);
  const conflict = await createTopic('bad-lags', [{ name: 'min.compaction.lag.ms', value: '10' }, { name: 'max.compaction.lag.ms', value: '5' }]);
  assert.equal(conflict.topics[0].errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(conflict.topics[0].errorMessage ?? '', /min.compaction.lag.ms \(10\) > max.compaction.lag.ms \(5\)/);
});

test('CreateTopics accepts valid edge values', async () => {
  for (const [i, [name, value]] of VALID.entries()) {
    const res = await createTopic(`edge-${i}`, [{ name, value }], true);
    assert.equal(res.topics[0].errorCode, ErrorCode.NONE, `${name}=${value}: ${res.topics[0].errorMessage}`);
  }
  const created = await createTopic('edge-created', [{ name: 'segment.ms', value: '1' }, { name: 'segment.bytes', value: '14' }]);
  assert.equal(created.topics[0].errorCode, ErrorCode.NONE);
  assert.deepEqual(await overrides('edge-created'), { 'segment.ms': '1', 'segment.bytes': '14' });
});

test('AlterConfigs and IncrementalAlterConfigs refuse invalid values; the topic is unchanged', async () => {
  assert.equal((await createTopic('altered', [{ name: 'retention.ms', value: '60000' }])).topics[0].errorCode, ErrorCode.NONE);
  for (const [name, value, message] of INVALID) {
    // A valid change next to the bad one: the whole resource is refused.
    const legacy = await alter(TOPIC, 'altered', [{ name: 'segment.jitter.ms', value: '5' }, { name, value }]);
    assert.equal(legacy.responses[0].errorCode, ErrorCode.INVALID_CONFIG, `AlterConfigs ${name}=${value}`);
    assert.match(legacy.responses[0].errorMessage ?? '', message);
    const inc = await incremental(TOPIC, 'altered', [{ name: 'segment.jitter.ms', configOperation: SET, value: '5' }, { name, configOperation: SET, value }]);
    assert.equal(inc.responses[0].errorCode, ErrorCode.INVALID_CONFIG, `Incremental SET ${name}=${value}`);
    assert.match(inc.responses[0].errorMessage ?? '', message);
  }
  const appended = await incremental(TOPIC, 'altered', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'shred' }]);
  assert.equal(appended.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(appended.responses[0].errorMessage ?? '', /String must be one of: compact, delete/);
  const appendToNumber = await incremental(TOPIC, 'altered', [{ name: 'retention.ms', configOperation: APPEND, value: '5' }]);
  assert.equal(appendToNumber.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(appendToNumber.responses[0].errorMessage ?? '', /Can't APPEND to key retention.ms because its type is not LIST/);
  const nullSet = await incremental(TOPIC, 'altered', [{ name: 'retention.ms', configOperation: SET, value: null }]);
  assert.equal(nullSet.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  const twice = await incremental(TOPIC, 'altered', [{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: DELETE, value: null }]);
  assert.equal(twice.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  assert.deepEqual(await overrides('altered'), { 'retention.ms': '60000' });
});

test('valid incremental changes apply: SET, APPEND, SUBTRACT, DELETE', async () => {
  assert.equal((await createTopic('incremental', [])).topics[0].errorCode, ErrorCode.NONE);
  const ops = async (configs: Array<{ name: string; configOperation: number; value: string | null }>) => {
    const res = await incremental(TOPIC, 'incremental', configs);
    assert.equal(res.responses[0].errorCode, ErrorCode.NONE, res.responses[0].errorMessage ?? '');
  };
  await ops([{ name: 'segment.ms', configOperation: SET, value: '1' }, { name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }]);
  assert.deepEqual(await overrides('incremental'), { 'segment.ms': '1', 'cleanup.policy': 'delete,compact' });
  await ops([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }, { name: 'segment.ms', configOperation: DELETE, value: null }]);
  assert.deepEqual(await overrides('incremental'), { 'cleanup.policy': 'compact' });
});

test('DescribeConfigs never shows the SASL password; it is reported sensitive and still used for authentication', async () => {
  for (const version of [0, 1, 2, 3, 4]) {
    const entry = (await describe(BROKER, '0', version)).get('sasl.plain.users')!;
    assert.equal(entry.value, null, `v${version}`);
    assert.equal(entry.isSensitive, true);
    assert.equal(entry.readOnly, true);
    for (const synonym of entry.synonyms) assert.equal(synonym.value, null);
  }
  const raw = await callApi(broker.port, DescribeConfigsApi, 4, { resources: [{ resourceType: BROKER, resourceName: '0', configurationKeys: null }], includeSynonyms: true, includeDocumentation: true });
  assert.ok(!JSON.stringify(raw).includes(PASSWORD));
  const entry = (await describe(BROKER, '0', 4, ['sasl.plain.users'])).get('sasl.plain.users')!;
  assert.equal(entry.configType, 9); // PASSWORD
  assert.equal(entry.configSource, 4); // STATIC_BROKER_CONFIG
  const sasl = (password: string) => new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'plain', username: 'alice', password } }).admin();
  const admin = sasl(PASSWORD);
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
  await assert.rejects(sasl('wrong').connect(), /SASL|Authentication failed/i);
});

test('read-only broker settings are refused, change nothing, and the broker keeps node id 0', async () => {
  for (const [name, value] of [['node.id', '7'], ['port', '1'], ['log.dirs', '/tmp/elsewhere'], ['sasl.plain.users', 'mallory:x']]) {
    const legacy = await alter(BROKER, '0', [{ name: 'log.retention.ms', value: '1000' }, { name, value }]);
    assert.equal(legacy.responses[0].errorCode, ErrorCode.INVALID_REQUEST, name);
    assert.equal(legacy.responses[0].errorMessage, `Cannot update these configs dynamically: Set(${name})`);
    const inc = await incremental(BROKER, '0', [{ name, configOperation: SET, value }]);
    assert.equal(inc.responses[0].errorCode, ErrorCode.INVALID_REQUEST, name);
    const cluster = await incremental(BROKER, '', [{ name, configOperation: SET, value }]);
    assert.equal(cluster.responses[0].errorCode, ErrorCode.INVALID_REQUEST, name);
  }
  const unknown = await incremental(BROKER, '0', [{ name: 'no.such.setting', configOperation: SET, value: '1' }]);
  assert.equal(unknown.responses[0].errorCode, ErrorCode.INVALID_CONFIG);
  const configs = await describe(BROKER, '0');
  assert.equal(configs.get('node.id')!.value, '0');
  assert.equal(configs.get('node.id')!.readOnly, true);
  assert.equal(configs.get('log.retention.ms')!.configSource, 5); // DEFAULT_CONFIG: the valid half was not applied
  const meta = await callApi(broker.port, MetadataApi, 8, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  assert.deepEqual(meta.brokers.map((b) => b.nodeId), [0]);
  assert.equal(meta.controllerId, 0);
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'alice', password: PASSWORD } }).admin();
  await admin.connect(); // the users were not replaced
  await admin.disconnect();
});

test('dynamic broker settings are validated, then change topic defaults with the right source', async () => {
  const bad = await incremental(BROKER, '0', [{ name: 'log.segment.bytes', configOperation: SET, value: '1' }]);
  assert.equal(bad.responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  assert.match(bad.responses[0].errorMessage ?? '', /Invalid value 1 for configuration log.segment.bytes: Value must be at least 14/);
  const perBroker = await incremental(BROKER, '0', [{ name: 'log.retention.ms', configOperation: SET, value: '3600000' }]);
  assert.equal(perBroker.responses[0].errorCode, ErrorCode.NONE);
  const clusterWide = await incremental(BROKER, '', [{ name: 'message.max.bytes', configOperation: SET, value: '2000000' }]);
  assert.equal(clusterWide.responses[0].errorCode, ErrorCode.NONE);
  assert.equal((await createTopic('defaults', [])).topics[0].errorCode, ErrorCode.NONE);
  const topic = await describe(TOPIC, 'defaults');
  assert.equal(topic.get('retention.ms')!.value, '3600000');
  assert.equal(topic.get('retention.ms')!.configSource, 2); // DYNAMIC_BROKER_CONFIG
  assert.equal(topic.get('max.message.bytes')!.value, '2000000');
  assert.equal(topic.get('max.message.bytes')!.configSource, 3); // DYNAMIC_DEFAULT_BROKER_CONFIG
  // Kafka's synonyms: log.retention.ms has no default of its own; log.retention.hours carries it.
  assert.deepEqual(topic.get('retention.ms')!.synonyms.map((s) => [s.name, s.value, s.source]), [['log.retention.ms', '3600000', 2], ['log.retention.hours', '168', 5]]);
  const brokerSide = await describe(BROKER, '0');
  assert.equal(brokerSide.get('log.retention.ms')!.readOnly, false);
  assert.equal(brokerSide.get('log.retention.ms')!.configSource, 2);
  const clusterDefaults = await describe(BROKER, '');
  assert.deepEqual([...clusterDefaults.keys()], ['message.max.bytes']);
  assert.deepEqual(clusterDefaults.get('message.max.bytes')!.synonyms.map((s) => s.source), [3]);
  const otherBroker = await callApi(broker.port, DescribeConfigsApi, 4, { resources: [{ resourceType: BROKER, resourceName: '7', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  assert.equal(otherBroker.results[0].errorCode, ErrorCode.INVALID_REQUEST);
  // A broker name is read as Kafka reads it (Java's parseInt), by DescribeConfigs as by the alters: "00" is node 0.
  assert.equal((await describe(BROKER, '00')).get('log.retention.ms')!.configSource, 2);
  assert.equal((await incremental(BROKER, '7', [{ name: 'log.retention.ms', configOperation: SET, value: '1' }])).responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  assert.equal((await alter(TOPIC, '', [{ name: 'retention.ms', value: '1' }])).responses[0].errorCode, ErrorCode.INVALID_REQUEST);
  // Back to defaults so other tests see Kafka's.
  assert.equal((await alter(BROKER, '0', [])).responses[0].errorCode, ErrorCode.NONE);
  assert.equal((await alter(BROKER, '', [])).responses[0].errorCode, ErrorCode.NONE);
  assert.equal((await describe(TOPIC, 'defaults')).get('retention.ms')!.configSource, 5);
});

test('broker settings from options are validated at start with a ConfigError naming the setting', async () => {
  // port and log.level as startBroker options (they win over `config`), the rest as settings.
  const cases: Array<[StartOptions, RegExp]> = [
    [{ port: 70000 }, /Invalid value 70000 for configuration port: Value must be no more than 65535/],
    [{ logLevel: 'loud' }, /configuration log.level: String must be one of: fatal, error, warn, info, debug, trace, silent/],
    [{ config: { 'log.segment.bytes': 1 } }, /configuration log.segment.bytes: Value must be at least 14/],
    [{ config: { 'log.roll.ms': 0 } }, /configuration log.roll.ms: Value must be at least 1/],
    [{ config: { 'num.partitions': 0 } }, /configuration num.partitions: Value must be at least 1/],
    [{ config: { 'socket.request.max.bytes': '99999999999' } }, /Not a number of type INT/],
    [{ config: { 'no.such.setting': 1 } }, /Unknown broker setting 'no.such.setting'/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(startTestBroker(options), (err: Error) => err instanceof ConfigError && message.test(err.message));
  }
});

test('a resource named twice is refused both times; validate_only changes nothing', async () => {
  assert.equal((await createTopic('twice', [])).topics[0].errorCode, ErrorCode.NONE);
  const resource = { resourceType: TOPIC, resourceName: 'twice', configs: [{ name: 'retention.ms', value: '1000' }] };
  const res = await callApi(broker.port, AlterConfigsApi, 1, { resources: [resource, resource], validateOnly: false });
  assert.deepEqual(res.responses.map((r) => [r.errorCode, r.errorMessage]), Array(2).fill([ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.']));
  const validated = await incremental(TOPIC, 'twice', [{ name: 'retention.ms', configOperation: SET, value: '1000' }], true);
  assert.equal(validated.responses[0].errorCode, ErrorCode.NONE);
  assert.deepEqual(await overrides('twice'), {});
});
