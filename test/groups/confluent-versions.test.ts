/**
 * librdkafka 2.15 (@confluentinc/kafka-javascript 1.10.1, built by compat-suite/setup.sh) sends the newest group
 * versions it knows: a consumer's OffsetFetch v9 (with require_stable: read_committed is its default) and
 * OffsetCommit v9; its admin client's ListGroups v5 (state and type filters), DescribeGroups v5 (after
 * ConsumerGroupDescribe, which we do not serve), DeleteGroups v2 and OffsetFetch v9.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repositoryRoot } from '../../protocol/generate.js';
import { until, startVersionRecordingBroker } from './helpers.js';
import type { RunningBroker } from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { KafkaJS } = createRequire(join(repositoryRoot(), 'compat-suite', 'clients', 'confluent-js', 'package.json'))('@confluentinc/kafka-javascript') as any;

let broker: RunningBroker;
/** The highest version of each API the client sent. */
let sent: Map<string, number>;

before(async () => { ({ broker, sent } = await startVersionRecordingBroker()); });
after(async () => { await broker.close(); });

test('librdkafka 2.15: a consumer group and the group admin APIs at the newest versions it sends', async () => {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [broker.bootstrap], clientId: 'librdkafka-versions', logLevel: KafkaJS.logLevel.NOTHING } });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ kafkaJS: { groupId: 'lv-group', fromBeginning: true, autoCommit: false, sessionTimeout: 10_000 } });
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'lv', numPartitions: 1 }] });
    await producer.connect();
    await producer.send({ topic: 'lv', messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    await consumer.connect();
    try {
      let got = 0;
      await consumer.subscribe({ topics: ['lv'] });
      void consumer.run({ eachMessage: async () => { got++; } });
      await until('2 messages', () => got >= 2);
      await consumer.commitOffsets([{ topic: 'lv', partition: 0, offset: '2' }]);

      const listed = await admin.listGroups({ matchConsumerGroupStates: [KafkaJS.ConsumerGroupStates.STABLE] });
      const group = listed.groups.find((g: { groupId: string }) => g.groupId === 'lv-group');
      assert.ok(group, JSON.stringify(listed));
      assert.equal(group.state, KafkaJS.ConsumerGroupStates.STABLE);
      assert.equal(group.type, KafkaJS.ConsumerGroupTypes.CLASSIC);
      const none = await admin.listGroups({ matchConsumerGroupStates: [KafkaJS.ConsumerGroupStates.EMPTY] });
      assert.ok(!none.groups.some((g: { groupId: string }) => g.groupId === 'lv-group'));
      const described = (await admin.describeGroups(['lv-group'])).groups[0];
      assert.deepEqual([described.groupId, described.members.length, described.protocolType], ['lv-group', 1, 'consumer']);
      const offsets = await admin.fetchOffsets({ groupId: 'lv-group', topics: ['lv'] });
      assert.equal(offsets[0].partitions[0].offset, '2');
    } finally {
      await consumer.disconnect();
    }
    await until('the group is empty', () => broker.broker.groups.stateOf('lv-group') === 'Empty');
    await admin.deleteGroups(['lv-group']);
    assert.equal(broker.broker.groups.stateOf('lv-group'), 'Dead');
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect();
  }
  assert.deepEqual(Object.fromEntries(['OffsetFetch', 'OffsetCommit', 'ListGroups', 'DescribeGroups', 'DeleteGroups'].map((api) => [api, sent.get(api)])),
    { OffsetFetch: 9, OffsetCommit: 9, ListGroups: 5, DescribeGroups: 5, DeleteGroups: 2 });
});
