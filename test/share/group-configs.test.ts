/**
 * DescribeConfigs on the GROUP resource (type 32) as Kafka 4.1 answers it: every GroupConfig, a value the group set
 * as DYNAMIC_GROUP_CONFIG (8) with itself as synonym, the others DEFAULT_CONFIG (5) taking the broker's group.*
 * setting; types and documentation; an empty name INVALID_REQUEST. The consumer and share timeouts a group sets are
 * checked as Kafka's GroupConfig checks them and used for its members. Raw requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, startTestBroker } from '../helpers.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { ConsumerGroupHeartbeatApi, DescribeConfigsApi, IncrementalAlterConfigsApi } from '../../src/protocol/generated/index.js';
import { ManualClock } from '../../src/clock.js';
import { ShareConsumer } from './share-consumer.js';

const GROUP = 32;

test('DescribeConfigs on a group lists the group configs with their sources', async () => {
  const broker = await startTestBroker({ config: { 'group.share.record.lock.duration.ms': 20_000, 'group.consumer.session.timeout.ms': 50_000 } });
  try {
    const altered = await callApi(broker.port, IncrementalAlterConfigsApi, 1, {
      resources: [{ resourceType: GROUP, resourceName: 'g', configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }] }], validateOnly: false,
    });
    assert.equal(altered.responses[0].errorCode, ErrorCode.NONE);
    const described = await callApi(broker.port, DescribeConfigsApi, 4, {
      resources: [{ resourceType: GROUP, resourceName: 'g', configurationKeys: null }, { resourceType: GROUP, resourceName: '', configurationKeys: null }],
      includeSynonyms: true, includeDocumentation: true,
    });
    const [g, empty] = described.results;
    assert.equal(g.errorCode, ErrorCode.NONE);
    const byName = new Map(g.configs.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), [
      'consumer.heartbeat.interval.ms', 'consumer.session.timeout.ms', 'share.auto.offset.reset', 'share.heartbeat.interval.ms', 'share.isolation.level',
      'share.record.lock.duration.ms', 'share.session.timeout.ms', 'streams.heartbeat.interval.ms', 'streams.num.standby.replicas', 'streams.session.timeout.ms',
    ]);
    const row = (name: string) => { const c = byName.get(name)!; return [c.value, c.configSource, c.synonyms.map((s) => [s.name, s.value, s.source]), c.configType]; };
    assert.deepEqual(row('share.auto.offset.reset'), ['earliest', 8, [['share.auto.offset.reset', 'earliest', 8]], 2]);
    assert.deepEqual(row('share.record.lock.duration.ms'), ['20000', 5, [], 3], "the broker's group.share.record.lock.duration.ms");
    assert.deepEqual(row('consumer.session.timeout.ms'), ['50000', 5, [], 3]);
    assert.deepEqual(row('share.isolation.level'), ['read_uncommitted', 5, [], 2]);
    assert.ok(g.configs.every((c) => !c.readOnly && !c.isSensitive && typeof c.documentation === 'string'));
    assert.equal(empty.errorCode, ErrorCode.INVALID_REQUEST);

    const one = await callApi(broker.port, DescribeConfigsApi, 1, {
      resources: [{ resourceType: GROUP, resourceName: 'never-seen', configurationKeys: ['share.auto.offset.reset'] }], includeSynonyms: false, includeDocumentation: false,
    });
    assert.deepEqual(one.results[0].configs.map((c) => [c.name, c.value, c.configSource]), [['share.auto.offset.reset', 'latest', 5]], 'a group nobody set: defaults');
  } finally {
    await broker.close();
  }
});

const setGroupConfigs = (port: number, group: string, configs: Record<string, string>) => callApi(port, IncrementalAlterConfigsApi, 1, {
  resources: [{ resourceType: GROUP, resourceName: group, configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })) }], validateOnly: false,
}).then((r) => r.responses[0]);

test("a group's consumer and share timeouts are checked against the broker's bounds, as Kafka's GroupConfig does", async () => {
  const broker = await startTestBroker({ config: { 'group.consumer.min.session.timeout.ms': 1_000 } });
  try {
    const refused: Array<[Record<string, string>, string]> = [
      [{ 'consumer.session.timeout.ms': '30000', 'group.x': '1' }, 'Unknown group config name'],
      [{ 'consumer.session.timeout.ms': 'soon' }, 'Not a number of type INT'],
      [{ 'consumer.session.timeout.ms': '70000' }, 'consumer.session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms'],
      [{ 'consumer.heartbeat.interval.ms': '4000' }, 'consumer.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms'],
      [{ 'consumer.session.timeout.ms': '5000' }, 'consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms'],
      [{ 'share.session.timeout.ms': '30000' }, 'share.session.timeout.ms must be greater than or equal to group.share.min.session.timeout.ms'],
      [{ 'share.heartbeat.interval.ms': '16000' }, 'share.heartbeat.interval.ms must be less than or equal to group.share.max.heartbeat.interval.ms'],
    ];
    for (const [configs, message] of refused) {
      const answer = await setGroupConfigs(broker.port, 'g', configs);
      assert.equal(answer.errorCode, ErrorCode.INVALID_CONFIG, JSON.stringify(configs));
      assert.match(answer.errorMessage ?? '', new RegExp(message), JSON.stringify(configs));
    }
    assert.equal((await setGroupConfigs(broker.port, 'g', { 'consumer.session.timeout.ms': '6000', 'consumer.heartbeat.interval.ms': '5000' })).errorCode, ErrorCode.NONE);
    const described = await callApi(broker.port, DescribeConfigsApi, 4, {
      resources: [{ resourceType: GROUP, resourceName: 'g', configurationKeys: ['consumer.session.timeout.ms'] }], includeSynonyms: false, includeDocumentation: false,
    });
    assert.deepEqual(described.results[0].configs.map((c) => [c.value, c.configSource]), [['6000', 8]]);
  } finally {
    await broker.close();
  }
});

test("a consumer group's own session timeout and heartbeat interval are its members'", async () => {
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock });
  try {
    broker.broker.createTopic('work', 1);
    assert.equal((await setGroupConfigs(broker.port, 'long', { 'consumer.session.timeout.ms': '60000', 'consumer.heartbeat.interval.ms': '7000' })).errorCode, ErrorCode.NONE);
    const heartbeat = (groupId: string, memberEpoch = 0) => callApi(broker.port, ConsumerGroupHeartbeatApi, 1, {
      groupId, memberId: `${groupId}-member`, memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['work'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    });
    const [long, usual] = [await heartbeat('long'), await heartbeat('usual')];
    assert.deepEqual([long.errorCode, long.heartbeatIntervalMs, usual.errorCode, usual.heartbeatIntervalMs], [ErrorCode.NONE, 7000, ErrorCode.NONE, 5000]);
    await clock.advance(50_000); // past the broker's 45 s, within the group's 60 s
    assert.equal((await heartbeat('usual', usual.memberEpoch)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'fenced after the broker\'s session timeout');
    assert.equal((await heartbeat('long', long.memberEpoch)).errorCode, ErrorCode.NONE, 'still a member within its group\'s session timeout');
    await clock.advance(61_000);
    assert.equal((await heartbeat('long', long.memberEpoch)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'fenced after its group\'s session timeout');
  } finally {
    await broker.close();
  }
});

test("a share group's own heartbeat interval and session timeout are its members'", async () => {
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock });
  try {
    const meta = broker.broker.createTopic('work', 1);
    assert.equal((await setGroupConfigs(broker.port, 'sg', { 'share.session.timeout.ms': '60000', 'share.heartbeat.interval.ms': '9000' })).errorCode, ErrorCode.NONE);
    const member = new ShareConsumer(broker.port, 'sg', meta.id, 'work');
    const joined = await member.heartbeat(0);
    assert.deepEqual([joined.errorCode, joined.heartbeatIntervalMs], [ErrorCode.NONE, 9000]);
    await clock.advance(50_000);
    assert.equal((await member.heartbeat(joined.memberEpoch)).errorCode, ErrorCode.NONE, 'still a member within its group\'s session timeout');
    await clock.advance(61_000);
    assert.equal((await member.heartbeat(joined.memberEpoch)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'removed after its group\'s session timeout');
  } finally {
    await broker.close();
  }
});
