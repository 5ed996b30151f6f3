/** Users' workflows with @kafkajs/confluent-schema-registry, unchanged but for the URL. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { RunningRegistry } from '../../src/registry/server.js';
import { startTestRegistry } from './helpers.js';

let registry: RunningRegistry;
let sr: SchemaRegistry;

before(async () => {
  registry = await startTestRegistry();
  sr = new SchemaRegistry({ host: registry.url });
});
after(() => registry.close());

/** The Confluent wire header: magic byte 0, then the schema id. */
function wireId(buffer: Buffer): number {
  assert.equal(buffer[0], 0);
  return buffer.readInt32BE(1);
}

describe('AVRO', () => {
  const v1 = { type: 'record' as const, name: 'Payment', namespace: 'com.acme', fields: [{ name: 'amount', type: 'int' }] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };
  const bad = { ...v1, fields: [{ name: 'amount', type: 'string' }] };

  test('register, encode, decode; a second client decodes by id from the registry', async () => {
    const { id } = await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject: 'payments-value' });
    const encoded = await sr.encode(id, { amount: 42 });
    assert.equal(wireId(encoded), id);
    const fresh = new SchemaRegistry({ host: registry.url });
    assert.deepEqual({ ...(await fresh.decode(encoded)) }, { amount: 42 });
    assert.equal(await fresh.getLatestSchemaId('payments-value'), id);
    assert.equal(await fresh.getRegistryId('payments-value', 1), id);
    assert.equal(await fresh.getRegistryIdBySchema('payments-value', { type: SchemaType.AVRO, schema: JSON.stringify(v1) }), id);
    assert.equal(registry.isRegistered('payments-value', id), true);
    assert.equal(registry.isRegistered('payments-value', id + 100), false);
  });

  test('evolution: a compatible v2 is accepted and old data decodes with the new reader', async () => {
    const old = await sr.encode(await sr.getLatestSchemaId('payments-value'), { amount: 7 });
    const { id } = await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject: 'payments-value' });
    const decoded = await sr.decode(old, { [SchemaType.AVRO]: { readerSchema: v2 } });
    assert.deepEqual({ ...decoded }, { amount: 7, currency: 'EUR' });
    assert.deepEqual({ ...(await sr.decode(await sr.encode(id, { amount: 1, currency: 'USD' }))) }, { amount: 1, currency: 'USD' });
  });

  test('evolution: an incompatible schema is rejected with 409', async () => {
    await assert.rejects(
      sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(bad) }, { subject: 'payments-value' }),
      (err: Error & { status?: number }) => err.status === 409 && /incompatible/.test(err.message),
    );
  });

  test('references: a shared named type from another subject', async () => {
    const money = { type: 'record', name: 'Money', namespace: 'com.acme', fields: [{ name: 'cents', type: 'long' }] };
    await sr.register({ type: SchemaType.AVRO, schema: JSON.stringify(money) }, { subject: 'money' });
    const invoice = { type: 'record', name: 'Invoice', namespace: 'com.acme', fields: [{ name: 'total', type: 'com.acme.Money' }] };
    const { id } = await sr.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(invoice), references: [{ name: 'com.acme.Money', subject: 'money', version: 1 }] },
      { subject: 'invoices-value' },
    );
    const fresh = new SchemaRegistry({ host: registry.url });
    const decoded = await fresh.decode(await sr.encode(id, { total: { cents: 1234 } }));
    assert.equal(Number(decoded.total.cents), 1234);
  });
});
