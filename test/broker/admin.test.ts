/** Topic administration through kafkajs' real admin client over sockets. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
let admin: Admin;

before(async () => {
  broker = await startTestBroker();
  admin = kafkaClient(broker).admin();
  await admin.connect();
});

after(async () => {
  await admin.disconnect();
  await broker.close();
});

test('create, list, describe and delete topics', async () => {
  assert.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }), false, 'existing topic is not created again');
  assert.ok((await admin.listTopics()).includes('orders'));
  const meta = await admin.fetchTopicMetadata({ topics: ['orders'] });
  assert.deepEqual(meta.topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);
  assert.equal(meta.topics[0].partitions[0].leader, 0);
  await admin.deleteTopics({ topics: ['orders'] });
  assert.ok(!(await admin.listTopics()).includes('orders'));
});

test('invalid topic names and replication factors get Kafka errors', async () => {
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }),
    (err: any) => err.errors?.[0]?.type === 'INVALID_TOPIC_EXCEPTION' || /INVALID_TOPIC/.test(JSON.stringify(err)));
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'rf3', numPartitions: 1, replicationFactor: 3 }] }),
    (err: any) => /INVALID_REPLICATION_FACTOR|replication factor/i.test(JSON.stringify(err.errors ?? err.message)));
});

test('validate-only creates nothing', async () => {
  await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', numPartitions: 1 }] });
  assert.ok(!(await admin.listTopics()).includes('dry-run'));
});

test('partitions can be added, never removed', async () => {
  await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] });
  const meta = await admin.fetchTopicMetadata({ topics: ['grow'] });
  assert.equal(meta.topics[0].partitions.length, 4);
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] }));
});

test('topic configs: create with overrides, describe with sources, alter', async () => {
  await admin.createTopics({ topics: [{ topic: 'configured', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'configured' }] });
  const entries = new Map(described.resources[0].configEntries.map((e) => [e.configName, e]));
  assert.equal(entries.get('retention.ms')!.configValue, '60000');
  assert.equal(entries.get('retention.ms')!.isDefault, false);
  assert.equal(entries.get('cleanup.policy')!.configValue, 'delete');
  assert.equal(entries.get('cleanup.policy')!.isDefault, true);
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'configured', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'configured', configNames: ['cleanup.policy', 'retention.ms'] }] });
  const values = Object.fromEntries(after.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  // AlterConfigs replaces the whole set: retention.ms returns to its default.
  assert.deepEqual(values, { 'cleanup.policy': 'compact', 'retention.ms': '604800000' });
  await assert.rejects(admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'configured', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }));
});

test('broker configs are described', async () => {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: '0' }] });
  const names = described.resources[0].configEntries.map((e) => e.configName);
  assert.ok(names.includes('num.partitions'));
  assert.ok(names.includes('log.retention.ms'));
});

test('metadata names this broker as controller; producers auto-create topics, admin lookups do not', async () => {
  const cluster = await admin.describeCluster();
  assert.equal(cluster.controller, 0);
  assert.deepEqual(cluster.brokers.map((b) => b.nodeId), [0]);
  await assert.rejects(admin.fetchTopicMetadata({ topics: ['not-auto-created'] }));
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'auto-created', messages: [{ value: 'x' }] });
  await producer.disconnect();
  const meta = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
  assert.equal(meta.topics[0].partitions.length, 1);
  assert.ok(!(await admin.listTopics()).includes('not-auto-created'));
});

test('ACL calls answer SECURITY_DISABLED, as a Kafka broker without an authorizer does', async () => {
  await assert.rejects(admin.describeAcls({ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 1, permissionType: 1 } as any),
    (err: any) => err.type === 'SECURITY_DISABLED');
  await assert.rejects(admin.createAcls({ acl: [{ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 2, permissionType: 3 }] } as any),
    (err: any) => /SECURITY_DISABLED|Authorizer/i.test(`${err.type} ${err.message} ${JSON.stringify(err.errors ?? '')}`));
});

test('DescribeLogDirs lists every partition with its size', async () => {
  const { DescribeLogDirsApi } = await import('../../src/protocol/generated/index.js');
  const { callApi } = await import('../helpers.js');
  await admin.createTopics({ topics: [{ topic: 'sized', numPartitions: 2 }] });
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 'sized', messages: [{ value: Buffer.alloc(1000), partition: 1 }] });
  await producer.disconnect();
  const res = await callApi(broker.port, DescribeLogDirsApi, 1, { topics: [{ topic: 'sized', partitions: [0, 1] }] });
  assert.equal(res.results[0].logDir, 'memory');
  const sizes = res.results[0].topics[0].partitions.map((p) => [p.partitionIndex, p.partitionSize > 1000]);
  assert.deepEqual(sizes, [[0, false], [1, true]]);
});

test('deleting a topic deletes its committed offsets, as Kafka does: a topic created again starts without them', async () => {
  await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }, { topic: 'kept', numPartitions: 1 }] });
  await admin.setOffsets({ groupId: 'doomed-readers', topic: 'doomed', partitions: [{ partition: 0, offset: '42' }] });
  await admin.setOffsets({ groupId: 'doomed-readers', topic: 'kept', partitions: [{ partition: 0, offset: '7' }] });
  await admin.deleteTopics({ topics: ['doomed'] });
  await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }] });
  const [doomed] = await admin.fetchOffsets({ groupId: 'doomed-readers', topics: ['doomed'] });
  assert.deepEqual(doomed.partitions.map((p) => p.offset), ['-1'], 'the old offset is gone');
  const [kept] = await admin.fetchOffsets({ groupId: 'doomed-readers', topics: ['kept'] });
  assert.deepEqual(kept.partitions.map((p) => p.offset), ['7'], 'offsets of other topics stay');
});
