/**
 * DescribeConfigs on the GROUP resource (type 32) as Kafka 4.1 answers it: every GroupConfig, a value the group set
 * as DYNAMIC_GROUP_CONFIG (8) with itself as synonym, the others DEFAULT_CONFIG (5) taking the broker's group.*
 * setting; types and documentation; an empty name INVALID_REQUEST. Raw requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, startTestBroker } from '../helpers.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { DescribeConfigsApi, IncrementalAlterConfigsApi } from '../../src/protocol/generated/index.js';

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
