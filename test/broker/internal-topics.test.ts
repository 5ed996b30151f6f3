/**
 * The coordinators' topics are made as Kafka makes them: compacted, in 100 MiB segments (offsets.topic.segment.bytes
 * and its transaction and share-state twins), so superseded commits can be cleaned long before a 1 GiB segment fills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, startTestBroker } from '../helpers.js';
import { DescribeConfigsApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

test('__consumer_offsets and __transaction_state: compacted, segment.bytes 104857600', async () => {
  const running = await startTestBroker();
  try {
    const names = ['__consumer_offsets', '__transaction_state'];
    const res = await callApi(running.port, DescribeConfigsApi, 4, {
      resources: names.map((resourceName) => ({ resourceType: 2, resourceName, configurationKeys: ['cleanup.policy', 'segment.bytes'] })),
      includeSynonyms: false, includeDocumentation: false,
    });
    for (const [i, name] of names.entries()) {
      const r = res.results[i];
      assert.equal(r.errorCode, ErrorCode.NONE, name);
      assert.deepEqual(Object.fromEntries(r.configs.map((c) => [c.name, c.value])), { 'cleanup.policy': 'compact', 'segment.bytes': '104857600' }, name);
    }
  } finally {
    await running.close();
  }
});
