/** Broker-side schema validation: opt-in per topic, through the built-in registry started by the broker. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startTestBroker, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
before(async () => { broker = await startTestBroker({ registryPort: -1 }); });
after(async () => { await broker.close(); });

test('the broker starts its registry over _schemas and reports its URL', async () => {
  assert.match(broker.registryUrl ?? '', /^http:\/\/localhost:\d+$/);
  const res = await fetch(`${broker.registryUrl}/subjects`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), []);
});

test('confluent.value.schema.validation rejects values without a registered schema id, accepts those with one', async () => {
  const registry = new SchemaRegistry({ host: broker.registryUrl! });
  const schema = { type: 'record', name: 'Payment', fields: [{ name: 'amount', type: 'long' }] };
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'payments-value' });
  const { id: otherId } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify({ ...schema, name: 'Other' }) }, { subject: 'other-value' });
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 1, configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }] }] });
  await admin.disconnect();
  const producer = kafkaClient(broker).producer({ retry: { retries: 0 } });
  await producer.connect();
  const rejected = (err: any) => /INVALID_RECORD|failed the validation/i.test(`${err.type} ${err.message}`);
  await assert.rejects(producer.send({ topic: 'payments', messages: [{ value: 'plain text' }] }), rejected);
  await assert.rejects(producer.send({ topic: 'payments', messages: [{ value: await registry.encode(otherId, { amount: 1 }) }] }), rejected,
    'an id registered under another subject is refused');
  const ok = await producer.send({ topic: 'payments', messages: [{ value: await registry.encode(id, { amount: 42 }) }] });
  assert.equal(ok[0].errorCode, 0);
  await producer.send({ topic: 'unvalidated', messages: [{ value: 'anything goes' }] });
  await producer.disconnect();
});
