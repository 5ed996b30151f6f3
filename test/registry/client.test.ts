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

describe('JSON', () => {
  const v1 = { type: 'object', properties: { id: { type: 'integer' }, note: { type: 'string' } }, required: ['id'], additionalProperties: false };
  const v2 = { ...v1, properties: { ...v1.properties, tags: { type: 'array', items: { type: 'string' } } } };
  const bad = { ...v1, properties: { ...v1.properties, id: { type: 'string' } } };

  test('register, encode, decode, evolve; incompatible change rejected', async () => {
    const { id } = await sr.register({ type: SchemaType.JSON, schema: JSON.stringify(v1) }, { subject: 'notes-value' });
    const encoded = await sr.encode(id, { id: 1, note: 'hi' });
    assert.equal(wireId(encoded), id);
    assert.deepEqual(await new SchemaRegistry({ host: registry.url }).decode(encoded), { id: 1, note: 'hi' });
    const got = await fetch(`${registry.url}/schemas/ids/${id}`).then((r) => r.json());
    assert.equal(got.schemaType, 'JSON');
    const next = await sr.register({ type: SchemaType.JSON, schema: JSON.stringify(v2) }, { subject: 'notes-value' });
    assert.notEqual(next.id, id);
    await assert.rejects(sr.register({ type: SchemaType.JSON, schema: JSON.stringify(bad) }, { subject: 'notes-value' }),
      (err: Error & { status?: number }) => err.status === 409);
  });

  test('references by $id', async () => {
    const address = { $id: 'https://acme.example/address.json', type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    await sr.register({ type: SchemaType.JSON, schema: JSON.stringify(address) }, { subject: 'address-json' });
    const person = { type: 'object', properties: { name: { type: 'string' }, home: { $ref: 'https://acme.example/address.json' } } };
    const { id } = await sr.register({
      type: SchemaType.JSON, schema: JSON.stringify(person),
      references: [{ name: 'https://acme.example/address.json', subject: 'address-json', version: 1 }],
    }, { subject: 'person-json' });
    const fresh = new SchemaRegistry({ host: registry.url });
    const value = { name: 'Ada', home: { city: 'London' } };
    assert.deepEqual(await fresh.decode(await sr.encode(id, value)), value);
    await assert.rejects(sr.encode(id, { name: 'Ada', home: {} }), /invalid payload/);
  });
});

describe('PROTOBUF', () => {
  const v1 = 'syntax = "proto3";\npackage acme;\n\nmessage Order {\n  string id = 1;\n  int64 amount = 2;\n}\n';
  const v2 = 'syntax = "proto3";\npackage acme;\n// now with a note\nmessage Order {\n  string id = 1;\n  int64 amount = 2;\n  string note = 3;\n}\n';
  const bad = 'syntax = "proto3";\npackage acme;\n\nmessage Order {\n  string id = 1;\n  string amount = 2;\n}\n';

  test('register, encode, decode, evolve; incompatible change rejected', async () => {
    const { id } = await sr.register({ type: SchemaType.PROTOBUF, schema: v1 }, { subject: 'orders-proto' });
    const again = await sr.register({ type: SchemaType.PROTOBUF, schema: v1.replace(/\n\n/g, '\n// layout only\n') }, { subject: 'orders-proto' });
    assert.equal(again.id, id, 'comments and layout do not make a new schema');
    const encoded = await sr.encode(id, { id: 'o-1', amount: 5 });
    assert.equal(wireId(encoded), id);
    const decoded = await new SchemaRegistry({ host: registry.url }).decode(encoded);
    assert.deepEqual({ id: decoded.id, amount: Number(decoded.amount) }, { id: 'o-1', amount: 5 });
    const next = await sr.register({ type: SchemaType.PROTOBUF, schema: v2 }, { subject: 'orders-proto' });
    assert.notEqual(next.id, id);
    await assert.rejects(sr.register({ type: SchemaType.PROTOBUF, schema: bad }, { subject: 'orders-proto' }),
      (err: Error & { status?: number }) => err.status === 409 && /FIELD_SCALAR_KIND_CHANGED/.test(err.message));
  });

  test('references: nested (a reference with its own reference) and shared', async () => {
    const money = 'syntax = "proto3";\npackage acme.common;\nmessage Money { int64 cents = 1; string currency = 2; }\n';
    const line = 'syntax = "proto3";\npackage acme.common;\nimport "money.proto";\nmessage Line { string sku = 1; acme.common.Money price = 2; }\n';
    const invoice = 'syntax = "proto3";\npackage acme.billing;\nimport "line.proto";\nimport "money.proto";\n'
      + 'message Invoice { repeated acme.common.Line lines = 1; acme.common.Money total = 2; }\n';
    await sr.register({ type: SchemaType.PROTOBUF, schema: money }, { subject: 'money-proto' });
    await sr.register({ type: SchemaType.PROTOBUF, schema: line, references: [{ name: 'money.proto', subject: 'money-proto', version: 1 }] },
      { subject: 'line-proto' });
    const { id } = await sr.register({
      type: SchemaType.PROTOBUF, schema: invoice,
      references: [{ name: 'line.proto', subject: 'line-proto', version: 1 }, { name: 'money.proto', subject: 'money-proto', version: 1 }],
    }, { subject: 'invoices-proto' });
    const fresh = new SchemaRegistry({ host: registry.url });
    const decoded = await fresh.decode(await sr.encode(id, { lines: [{ sku: 'a', price: { cents: 100, currency: 'EUR' } }], total: { cents: 100, currency: 'EUR' } }));
    assert.equal(decoded.lines[0].sku, 'a');
    assert.equal(decoded.total.currency, 'EUR');
    const refs = await fetch(`${registry.url}/subjects/money-proto/versions/1/referencedby`).then((r) => r.json());
    assert.equal(refs.length, 2);
  });
});
