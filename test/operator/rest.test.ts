/** Kafka REST API v3 on the admin host: what Confluent's REST Proxy answers, seen through real Kafka clients too. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, KafkaMessage } from 'kafkajs';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

const murmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2') as (key: Buffer) => number;

let broker: RunningBroker;
let admin: Admin;
let v3: string;
const CLUSTER = 'samsa-cluster';

before(async () => {
  broker = await startTestBroker({ adminPort: -1, registryPort: -1 });
  v3 = `${broker.adminUrl}/v3/clusters/${CLUSTER}`;
  admin = kafkaClient(broker).admin();
  await admin.connect();
});

after(async () => {
  await admin.disconnect();
  await broker.close();
});

interface Answer { status: number; body: any }

async function call(method: string, url: string, body?: unknown): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

/** Reads `count` records of `topic` from the beginning with a kafkajs consumer. */
async function readAll(topic: string, count: number): Promise<Array<KafkaMessage & { partition: number }>> {
  const consumer = kafkaClient(broker).consumer({ groupId: `reader-${topic}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Array<KafkaMessage & { partition: number }> = [];
  await new Promise<void>((resolve, reject) => {
    consumer.run({ eachMessage: async ({ message, partition }) => { seen.push({ ...message, partition }); if (seen.length >= count) resolve(); } }).catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

test('clusters and brokers, with Confluent kinds and links', async () => {
  const clusters = await call('GET', `${broker.adminUrl}/v3/clusters`);
  assert.equal(clusters.status, 200);
  assert.equal(clusters.body.kind, 'KafkaClusterList');
  assert.equal(clusters.body.metadata.self, `${broker.adminUrl}/v3/clusters`);
  assert.equal(clusters.body.data[0].cluster_id, CLUSTER);
  const cluster = await call('GET', v3);
  assert.equal(cluster.body.kind, 'KafkaCluster');
  assert.equal(cluster.body.metadata.self, v3);
  assert.equal(cluster.body.metadata.resource_name, `crn:///kafka=${CLUSTER}`);
  assert.equal(cluster.body.topics.related, `${v3}/topics`);
  const brokers = await call('GET', `${v3}/brokers`);
  assert.equal(brokers.body.data.length, 1);
  assert.equal(brokers.body.data[0].broker_id, 0);
  assert.equal(brokers.body.data[0].port, broker.port);
  assert.equal((await call('GET', `${v3}/brokers/0`)).body.kind, 'KafkaBroker');
  assert.equal((await call('GET', `${v3}/brokers/7`)).status, 404);
});

test('topics: create with configs, describe, list partitions, change configs, delete', async () => {
  const created = await call('POST', `${v3}/topics`, { topic_name: 'rest-orders', partitions_count: 3, replication_factor: 1, configs: [{ name: 'retention.ms', value: '60000' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.kind, 'KafkaTopic');
  assert.equal(created.body.partitions_count, 3);
  const seen = await admin.fetchTopicMetadata({ topics: ['rest-orders'] });
  assert.equal(seen.topics[0].partitions.length, 3, 'a Kafka client sees the topic');

  const again = await call('POST', `${v3}/topics`, { topic_name: 'rest-orders', partitions_count: 1 });
  assert.equal(again.status, 400);
  assert.equal(again.body.error_code, 40002);
  assert.match(again.body.message, /already exists/);

  const list = await call('GET', `${v3}/topics`);
  assert.ok(list.body.data.some((t: any) => t.topic_name === 'rest-orders' && t.is_internal === false));
  assert.ok(list.body.data.some((t: any) => t.topic_name === '__consumer_offsets' && t.is_internal === true));

  const partitions = await call('GET', `${v3}/topics/rest-orders/partitions`);
  assert.equal(partitions.body.kind, 'KafkaPartitionList');
  assert.deepEqual(partitions.body.data.map((p: any) => p.partition_id), [0, 1, 2]);
  assert.equal((await call('GET', `${v3}/topics/rest-orders/partitions/3`)).body.error_code, 40403);

  const configs = await call('GET', `${v3}/topics/rest-orders/configs`);
  const retention = configs.body.data.find((c: any) => c.name === 'retention.ms');
  assert.equal(retention.value, '60000');
  assert.equal(retention.source, 'DYNAMIC_TOPIC_CONFIG');
  assert.equal(retention.is_default, false);
  assert.equal(configs.body.data.find((c: any) => c.name === 'cleanup.policy').is_default, true);

  assert.equal((await call('PUT', `${v3}/topics/rest-orders/configs/cleanup.policy`, { value: 'compact' })).status, 204);
  assert.equal((await call('GET', `${v3}/topics/rest-orders/configs/cleanup.policy`)).body.value, 'compact');
  const alter = await call('POST', `${v3}/topics/rest-orders/configs:alter`, { data: [{ name: 'cleanup.policy', operation: 'DELETE' }, { name: 'compression.type', value: 'gzip' }] });
  assert.equal(alter.status, 204, JSON.stringify(alter.body));
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'rest-orders' }] });
  const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  assert.equal(entries.get('cleanup.policy'), 'delete', 'DELETE put the default back');
  assert.equal(entries.get('compression.type'), 'gzip');
  assert.equal(entries.get('retention.ms'), '60000', 'configs not named are kept');

  const bad = await call('PUT', `${v3}/topics/rest-orders/configs/retention.ms`, { value: 'soon' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error_code, 40002);
  const batch = await call('POST', `${v3}/topics/rest-orders/configs:alter`, { data: [{ name: 'compression.type', value: 'snappy' }, { name: 'no.such.config', value: '1' }] });
  assert.equal(batch.status, 400);
  assert.equal((await call('GET', `${v3}/topics/rest-orders/configs/compression.type`)).body.value, 'gzip', 'a refused batch changes nothing');
  assert.equal((await call('DELETE', `${v3}/topics/rest-orders/configs/compression.type`)).status, 204);

  assert.equal((await call('DELETE', `${v3}/topics/rest-orders`)).status, 204);
  assert.ok(!(await admin.listTopics()).includes('rest-orders'));
  assert.equal((await call('DELETE', `${v3}/topics/__consumer_offsets`)).status, 403, 'internal topics stay');
});

test('produce JSON, BINARY and STRING records that a kafkajs consumer reads back', async () => {
  await call('POST', `${v3}/topics`, { topic_name: 'rest-plain', partitions_count: 4 });
  const json = await call('POST', `${v3}/topics/rest-plain/records`, {
    key: { type: 'STRING', data: 'order-1' }, value: { type: 'JSON', data: { amount: 42, items: ['a'] } },
    headers: [{ name: 'source', value: Buffer.from('rest').toString('base64') }],
  });
  assert.equal(json.status, 200, JSON.stringify(json.body));
  assert.equal(json.body.error_code, 200);
  assert.equal(json.body.cluster_id, CLUSTER);
  assert.equal(json.body.topic_name, 'rest-plain');
  assert.equal(json.body.offset, 0);
  assert.equal(json.body.partition_id, (murmur2(Buffer.from('order-1')) & 0x7fffffff) % 4, 'keyed records land where a Kafka producer puts them');
  assert.deepEqual(json.body.key, { type: 'STRING', size: 7 });
  assert.equal(json.body.value.type, 'JSON');
  assert.ok(!Number.isNaN(Date.parse(json.body.timestamp)));

  for (const key of ['a', 'ab', 'abc', 'abcd', 'abcde', 'customer-1234', 'ü']) {
    const res = await call('POST', `${v3}/topics/rest-plain/records`, { key: { type: 'STRING', data: key }, value: { type: 'JSON', data: null } });
    assert.equal(res.body.partition_id, (murmur2(Buffer.from(key)) & 0x7fffffff) % 4, `key ${key}`);
  }

  const binary = await call('POST', `${v3}/topics/rest-plain/records`, { partition_id: 2, value: { type: 'BINARY', data: Buffer.from([0, 1, 2, 255]).toString('base64') } });
  assert.equal(binary.body.partition_id, 2);
  assert.equal(binary.body.key, undefined, 'no key: left out');
  const text = await call('POST', `${v3}/topics/rest-plain/records`, { partition_id: 2, value: { type: 'STRING', data: 'héllo' }, timestamp: '2024-01-02T03:04:05.000Z' });
  assert.equal(text.body.offset, binary.body.offset + 1);
  assert.equal(text.body.timestamp, '2024-01-02T03:04:05.000Z');

  const records = await readAll('rest-plain', 10);
  const byValue = (pred: (m: KafkaMessage) => boolean) => records.find(pred)!;
  const order = byValue((m) => m.key?.toString() === 'order-1');
  assert.deepEqual(JSON.parse(order.value!.toString()), { amount: 42, items: ['a'] });
  assert.equal(order.headers!.source!.toString(), 'rest');
  assert.deepEqual([...byValue((m) => m.value?.[0] === 0).value!], [0, 1, 2, 255]);
  const hello = byValue((m) => m.value?.toString() === 'héllo');
  assert.equal(hello.timestamp, String(Date.parse('2024-01-02T03:04:05.000Z')));
});

test('produce Avro with the built-in registry: decoded by @kafkajs/confluent-schema-registry', async () => {
  const registry = new SchemaRegistry({ host: broker.registryUrl! });
  const schema = { type: 'record', name: 'Payment', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'note', type: ['null', 'string'], default: null }] };
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'rest-payments-value' });
  await call('POST', `${v3}/topics`, { topic_name: 'rest-payments', partitions_count: 1 });

  const byId = await call('POST', `${v3}/topics/rest-payments/records`, { value: { schema_id: id, data: { id: 'p1', amount: 9.5, note: { string: 'first' } } } });
  assert.equal(byId.status, 200, JSON.stringify(byId.body));
  assert.equal(byId.body.value.type, 'AVRO');
  assert.equal(byId.body.value.schema_id, id);
  const latest = await call('POST', `${v3}/topics/rest-payments/records`, { value: { data: { id: 'p2', amount: 1, note: null } } });
  assert.equal(latest.status, 200, JSON.stringify(latest.body));
  assert.equal(latest.body.value.subject, 'rest-payments-value', 'no type: the latest schema of <topic>-value');
  assert.equal(latest.body.value.type, 'AVRO');
  const ambiguous = await call('POST', `${v3}/topics/rest-payments/records`, { value: { schema_id: id, schema_version: 1, data: {} } });
  assert.equal(ambiguous.status, 400);

  const wrong = await call('POST', `${v3}/topics/rest-payments/records`, { value: { type: 'AVRO', data: { id: 3 } } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error_code, 40002);
  const noSubject = await call('POST', `${v3}/topics/rest-plain/records`, { value: { type: 'AVRO', data: {} } });
  assert.equal(noSubject.status, 404);
  assert.equal(noSubject.body.error_code, 40401, 'the registry\'s own error: subject not found');

  const records = await readAll('rest-payments', 2);
  assert.equal(records.length, 2, 'the refused records were never appended');
  const decoded = await Promise.all(records.map((m) => registry.decode(m.value!)));
  assert.deepEqual(decoded.map((d: any) => ({ ...d })), [{ id: 'p1', amount: 9.5, note: 'first' }, { id: 'p2', amount: 1, note: null }]);
});

test('produce JSON Schema and Protobuf records framed as Confluent serializers frame them', async () => {
  const registry = new SchemaRegistry({ host: broker.registryUrl! });
  const jsonSchema = { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } }, required: ['sku'] };
  await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(jsonSchema) }, { subject: 'rest-typed-value' });
  await call('POST', `${v3}/topics`, { topic_name: 'rest-typed', partitions_count: 1 });
  const json = await call('POST', `${v3}/topics/rest-typed/records`, { value: { type: 'JSONSCHEMA', data: { sku: 'A-1', qty: 2 } } });
  assert.equal(json.status, 200, JSON.stringify(json.body));
  const invalid = await call('POST', `${v3}/topics/rest-typed/records`, { value: { type: 'JSONSCHEMA', data: { qty: 'two' } } });
  assert.equal(invalid.status, 400, 'data the schema refuses is refused');

  const proto = 'syntax = "proto3";\npackage shop;\nmessage Item {\n  string sku = 1;\n  int32 qty = 2;\n}\n';
  const { id: protoId } = await registry.register({ type: SchemaType.PROTOBUF, schema: proto }, { subject: 'rest-proto-value' });
  const pb = await call('POST', `${v3}/topics/rest-typed/records`, { value: { type: 'PROTOBUF', subject: 'rest-proto-value', data: { sku: 'B-2', qty: 5 } } });
  assert.equal(pb.status, 200, JSON.stringify(pb.body));
  assert.equal(pb.body.value.schema_id, protoId);

  const records = await readAll('rest-typed', 2);
  assert.deepEqual({ ...(await registry.decode(records[0].value!)) }, { sku: 'A-1', qty: 2 });
  const item = await registry.decode(records[1].value!);
  assert.equal(item.sku, 'B-2');
  assert.equal(item.qty, 5);
});

test('consumer groups with their consumers and lag', async () => {
  await call('POST', `${v3}/topics`, { topic_name: 'rest-lag', partitions_count: 2 });
  for (let i = 0; i < 6; i++) await call('POST', `${v3}/topics/rest-lag/records`, { partition_id: i % 2, value: { type: 'STRING', data: `v${i}` } });
  await admin.setOffsets({ groupId: 'rest-group', topic: 'rest-lag', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '3' }] });

  const groups = await call('GET', `${v3}/consumer-groups`);
  assert.equal(groups.body.kind, 'KafkaConsumerGroupList');
  const group = await call('GET', `${v3}/consumer-groups/rest-group`);
  assert.equal(group.body.consumer_group_id, 'rest-group');
  assert.equal(group.body.state, 'EMPTY');
  const lags = await call('GET', `${v3}/consumer-groups/rest-group/lags`);
  assert.deepEqual(lags.body.data.map((l: any) => [l.topic_name, l.partition_id, l.current_offset, l.log_end_offset, l.lag]),
    [['rest-lag', 0, 1, 3, 2], ['rest-lag', 1, 3, 3, 0]]);
  const summary = await call('GET', `${v3}/consumer-groups/rest-group/lag-summary`);
  assert.equal(summary.body.kind, 'KafkaConsumerGroupLagSummary');
  assert.equal(summary.body.total_lag, 2);
  assert.equal(summary.body.max_lag, 2);
  assert.equal(summary.body.max_lag_partition_id, 0);
  assert.equal((await call('GET', `${v3}/consumer-groups/rest-group/lags/rest-lag/partitions/0`)).body.lag, 2);

  // A live member: listed with its assignment, its partitions' lag attributed to it.
  const consumer = kafkaClient(broker, 'rest-member').consumer({ groupId: 'rest-live' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'rest-lag', fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({ autoCommitThreshold: 1, eachMessage: async () => { if (++seen >= 6) resolve(); } }).catch(reject);
  });
  try {
    const consumers = await call('GET', `${v3}/consumer-groups/rest-live/consumers`);
    assert.equal(consumers.body.data.length, 1);
    assert.equal(consumers.body.data[0].client_id, 'rest-member');
    const live = await call('GET', `${v3}/consumer-groups/rest-live`);
    assert.equal(live.body.state, 'STABLE');
    let total = -1;
    for (let i = 0; i < 100 && total !== 0; i++) {
      total = (await call('GET', `${v3}/consumer-groups/rest-live/lag-summary`)).body.total_lag;
      if (total !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(total, 0, 'caught up');
    const memberLags = await call('GET', `${v3}/consumer-groups/rest-live/lags`);
    assert.ok(memberLags.body.data.every((l: any) => l.consumer_id === consumers.body.data[0].consumer_id && l.client_id === 'rest-member'));
  } finally {
    await consumer.disconnect();
  }
  assert.equal((await call('GET', `${v3}/consumer-groups/nobody`)).status, 404);
});

/** A raw request, so paths reach the server exactly as written (fetch would normalize them). */
function rawRequest(method: string, path: string, body?: Buffer): Promise<Answer> {
  const url = new URL(broker.adminUrl!);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('bad input gets Confluent-style JSON errors and changes nothing', async () => {
  const topicsBefore = (await admin.listTopics()).sort();
  const malformed = await call('POST', `${v3}/topics`, '{"topic_name": "half');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error_code, 400);
  for (const body of ['[]', '"x"', 'null', '{"topic_name": 5}', '{"topic_name": "ok-name", "partitions_count": "3"}', '{"topic_name": "../etc"}', '{"topic_name": "x", "configs": "a=b"}']) {
    const res = await call('POST', `${v3}/topics`, body);
    assert.equal(res.status, 400, body);
    assert.equal(typeof res.body.error_code, 'number');
    assert.equal(typeof res.body.message, 'string');
  }
  const huge = await rawRequest('POST', `/v3/clusters/${CLUSTER}/topics/rest-plain/records`, Buffer.from(JSON.stringify({ value: { type: 'STRING', data: 'x'.repeat(5 * 1024 * 1024) } })));
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error_code, 413);

  const unknownTopic = await call('POST', `${v3}/topics/no-such-topic/records`, { value: { type: 'STRING', data: 'x' } });
  assert.deepEqual([unknownTopic.status, unknownTopic.body.error_code], [404, 40403]);
  assert.deepEqual([(await call('GET', `${v3}/topics/no-such-topic`)).body.error_code], [40403]);
  const unknownCluster = await call('GET', `${broker.adminUrl}/v3/clusters/other/topics`);
  assert.deepEqual([unknownCluster.status, unknownCluster.body.error_code], [404, 404]);
  for (const [method, path] of [
    ['GET', `/v3/clusters/${CLUSTER}/topics/..%2F..%2Fetc%2Fpasswd`],
    ['DELETE', `/v3/clusters/${CLUSTER}/topics/%2e%2e`],
    ['DELETE', `/v3/clusters/${CLUSTER}/topics/..%2F__consumer_offsets`],
    ['GET', `/v3/clusters/${CLUSTER}/topics/rest-plain/configs/..%2F..%2Fsecret`],
    ['GET', `/v3/clusters/..%2F${CLUSTER}/topics`],
    ['GET', `/v3/clusters/${CLUSTER}/topics/%E0%A4%A`],
    ['POST', `/v3/clusters/${CLUSTER}/topics/rest-plain/../rest-plain/records`],
  ] as const) {
    const res = await rawRequest(method, path);
    // (`%2e%2e` is a dot segment to URL parsing: that DELETE reaches the cluster, which cannot be deleted: 405.)
    assert.ok([400, 404, 405].includes(res.status), `${method} ${path}: ${res.status}`);
    assert.equal(typeof res.body.error_code, 'number', `${method} ${path}`);
  }
  const badValues = [
    { value: { type: 'BINARY', data: 'not base64!' } },
    { value: { type: 'STRING', data: 5 } },
    { value: { type: 'NOPE', data: 'x' } },
    { value: { data: 'x' } },
    { partition_id: 99, value: { type: 'STRING', data: 'x' } },
    { partition_id: 'one', value: { type: 'STRING', data: 'x' } },
    { value: { type: 'STRING', data: 'x' }, timestamp: 'yesterday' },
    { value: { type: 'STRING', data: 'x' }, headers: [{ value: 'eA==' }] },
  ];
  const hwm = async () => (await admin.fetchTopicOffsets('rest-plain')).map((p) => p.high).join();
  const before = await hwm();
  for (const body of badValues) {
    const res = await call('POST', `${v3}/topics/rest-plain/records`, body);
    assert.ok(res.status === 400 || res.status === 404, JSON.stringify(body));
    assert.equal(typeof res.body.error_code, 'number');
  }
  assert.equal(await hwm(), before, 'no record was appended');
  assert.deepEqual((await admin.listTopics()).sort(), topicsBefore, 'no topic was created or deleted');
});

test('without the Schema Registry, schema types are refused and plain ones still work', async () => {
  const plain = await startTestBroker({ adminPort: -1 });
  try {
    const base = `${plain.adminUrl}/v3/clusters/${CLUSTER}`;
    await call('POST', `${base}/topics`, { topic_name: 'no-registry', partitions_count: 1 });
    for (const value of [{ type: 'AVRO', data: {} }, { schema_id: 1, data: {} }, { data: 'x' }]) {
      const res = await call('POST', `${base}/topics/no-registry/records`, { value });
      assert.equal(res.status, 400, JSON.stringify(value));
      assert.match(res.body.message, /Schema Registry/);
    }
    assert.equal((await call('POST', `${base}/topics/no-registry/records`, { value: { type: 'STRING', data: 'x' } })).body.offset, 0,
      'nothing was appended before');
  } finally {
    await plain.close();
  }
});

test('with authorizer.enabled a REST caller is User:ANONYMOUS and needs the ACLs its Kafka calls would need', async () => {
  const secured = await startTestBroker({ adminPort: -1, config: { 'authorizer.enabled': true } });
  try {
    const base = `${secured.adminUrl}/v3/clusters/${CLUSTER}`;
    const { broker: b } = secured;
    b.createTopic('secret', 1);
    b.createTopic('open', 1);
    const allow = (operation: number, resourceType: number, resourceName: string) => ({
      resourceType, resourceName, patternType: 3 /* LITERAL */, principal: 'User:ANONYMOUS', host: '*', operation, permissionType: 3 /* ALLOW */,
    });
    await b.acls!.create([allow(8 /* DESCRIBE */, 2, 'open'), allow(4 /* WRITE */, 2, 'open')]);

    const topics = await call('GET', `${base}/topics`);
    assert.deepEqual(topics.body.data.map((t: any) => t.topic_name), ['open'], 'only what the principal may describe');
    for (const [method, path, body] of [
      ['GET', '/topics/secret', undefined],
      ['DELETE', '/topics/open', undefined],
      ['POST', '/topics/secret/records', { value: { type: 'STRING', data: 'x' } }],
      ['PUT', '/topics/open/configs/retention.ms', { value: '1000' }],
      ['POST', '/topics', { topic_name: 'new-one', partitions_count: 1 }],
    ] as const) {
      const res = await call(method, `${base}${path}`, body);
      assert.deepEqual([res.status, res.body.error_code], [403, 40301], `${method} ${path}`);
    }
    assert.equal((await call('POST', `${base}/topics/open/records`, { value: { type: 'STRING', data: 'x' } })).body.offset, 0, 'WRITE on open');
    assert.deepEqual(b.topics.list().filter((t) => !t.internal).map((t) => t.name).sort(), ['open', 'secret'], 'nothing created or deleted');
    assert.equal(b.partition('secret', 0)!.logEndOffset, 0);
    assert.equal(b.topics.get('open')!.configs['retention.ms'], undefined);
  } finally {
    await secured.close();
  }
});

test('each schema checks its own data, however many schemas REST produce has used (serializers are kept per schema)', async () => {
  await call('POST', `${v3}/topics`, { topic_name: 'rest-kept', partitions_count: 1 });
  const needs = (field: string, type: string) => JSON.stringify({ type: 'object', properties: { [field]: { type } }, required: [field] });
  const produce = (subject: string, data: unknown) => call('POST', `${v3}/topics/rest-kept/records`, { value: { type: 'JSONSCHEMA', subject, data } });
  // 40 schemas, more than are kept: the first ones are made again when used again.
  for (let i = 0; i < 40; i++) {
    const made = await call('POST', `${v3}/topics/rest-kept/records`, { value: { type: 'JSONSCHEMA', subject: `kept-${i}`, schema: needs(`f${i}`, 'integer'), data: { [`f${i}`]: i } } });
    assert.equal(made.status, 200, JSON.stringify(made.body));
  }
  for (const i of [0, 39, 1, 0]) {
    assert.equal((await produce(`kept-${i}`, { [`f${i}`]: i })).status, 200);
    assert.equal((await produce(`kept-${i}`, { [`f${i}`]: 'text' })).status, 400, `schema ${i} refuses a string`);
    assert.equal((await produce(`kept-${i}`, { [`f${(i + 1) % 40}`]: 1 })).status, 400, `schema ${i} requires its own field`);
  }
});
