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

test('a batch with a valid CRC but malformed records on a validated topic gets CORRUPT_MESSAGE, not a closed connection', async () => {
  const { callApi } = await import('../helpers.js');
  const { ProduceApi } = await import('../../src/protocol/generated/index.js');
  const { encodeBatch } = await import('../../src/protocol/record-batch.js');
  const { crc32c } = await import('../../src/protocol/crc32c.js');
  const admin = kafkaClient(broker).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'validated-corrupt', numPartitions: 1, configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }] }] });
  await admin.disconnect();
  const batch = encodeBatch([{ key: null, value: Buffer.from('some value') }]);
  batch.writeInt8(batch.readInt8(61) + 4, 61); // the record's length varint no longer matches its fields
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17); // ... but the CRC is right, so only decoding notices
  const res = await callApi(broker.port, ProduceApi, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000,
    topicData: [{ name: 'validated-corrupt', partitionData: [{ index: 0, records: batch }] }],
  });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, 2 /* CORRUPT_MESSAGE */);
});
