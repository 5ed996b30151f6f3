/** Broker-side schema validation: does a record's wire header name a schema registered under the topic's subject? */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { readSchemaId, subjectFor, validateRecordSchema } from '../../src/registry/index.js';
import { client, startTestRegistry } from './helpers.js';

test('wire header and subject naming', () => {
  assert.equal(readSchemaId(Buffer.from([0, 0, 0, 1, 2, 9])), 258);
  assert.equal(readSchemaId(Buffer.from([1, 0, 0, 0, 1])), null, 'wrong magic byte');
  assert.equal(readSchemaId(Buffer.from([0, 0, 0])), null, 'too short');
  assert.equal(readSchemaId(null), null);
  assert.equal(subjectFor('orders', false), 'orders-value');
  assert.equal(subjectFor('orders', true), 'orders-key');
});

test('records are accepted only with an id registered (and live) under the topic subject', async () => {
  const registry = await startTestRegistry();
  try {
    const sr = new SchemaRegistry({ host: registry.url });
    const schema = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'n', type: 'int' }] });
    const { id } = await sr.register({ type: SchemaType.AVRO, schema }, { subject: 'orders-value' });
    const otherSchema = JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 's', type: 'string' }] });
    const other = await sr.register({ type: SchemaType.AVRO, schema: otherSchema }, { subject: 'elsewhere-value' });
    const good = await sr.encode(id, { n: 1 });

    assert.equal(validateRecordSchema(registry, 'orders', false, good), null);
    assert.match(validateRecordSchema(registry, 'orders', true, good)!, /not registered under subject 'orders-key'/);
    assert.match(validateRecordSchema(registry, 'orders', false, await sr.encode(other.id, { s: 'x' }))!,
      new RegExp(`schema id ${other.id}, which is not registered under subject 'orders-value'`));
    assert.match(validateRecordSchema(registry, 'orders', false, Buffer.from('{"n":1}'))!, /does not start with a schema id/);
    assert.match(validateRecordSchema(registry, 'orders', false, null)!, /does not start with a schema id/);

    // A soft-deleted version no longer validates.
    await client(registry.url)('DELETE', '/subjects/orders-value');
    assert.match(validateRecordSchema(registry, 'orders', false, good)!, /not registered/);
  } finally {
    await registry.close();
  }
});
