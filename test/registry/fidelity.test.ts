/**
 * Confluent fidelity at the HTTP level (issue #15 item 6): the register answer, Avro identity by Confluent's canonical
 * form, normalize=true, the listing endpoints and their filters, version ids as Confluent's VersionId parses them,
 * /contexts, /v1/metadata/id, and the 1 MiB `_schemas` record limit — with Confluent's status codes, error codes and
 * bodies. Expected texts come from Confluent's sources and tests (AvroSchemaTest, RestApiTest, VersionId).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { MemoryKeyValueLog } from '../../src/log/key-value-log.js';
import type { RunningRegistry } from '../../src/registry/server.js';
import { client, startTestRegistry, type Call } from './helpers.js';

let registry: RunningRegistry;
let call: Call;

before(async () => {
  registry = await startTestRegistry();
  call = client(registry.url);
});
after(() => registry.close());

const post = (subject: string, body: unknown, query = '') => call('POST', `/subjects/${encodeURIComponent(subject)}/versions${query}`, body);
const versions = async (subject: string, query = '') => (await call('GET', `/subjects/${encodeURIComponent(subject)}/versions${query}`)).body;

describe('register answer', () => {
  test('is exactly {"id":N}, for a new schema and for one already registered', async () => {
    const raw = async (schema: string) => {
      const res = await fetch(`${registry.url}/subjects/answer-value/versions`, {
        method: 'POST', headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema }),
      });
      return [res.status, await res.text()];
    };
    const [status, text] = await raw('"int"');
    assert.equal(status, 200);
    assert.match(text as string, /^\{"id":\d+\}$/);
    assert.deepEqual(await raw('"int"'), [200, text]);
  });

  test('both JavaScript clients register and read back', async () => {
    const schema = JSON.stringify({ type: 'record', name: 'Clicked', fields: [{ name: 'at', type: 'long' }] });
    const kafkajs = new SchemaRegistry({ host: registry.url });
    const { id } = await kafkajs.register({ type: SchemaType.AVRO, schema }, { subject: 'clicks-value' });
    const confluent = createRequire(join(process.cwd(), 'compat-suite/clients/confluent-js/package.json'))('@confluentinc/schemaregistry');
    const sr = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    assert.equal(await sr.register('clicks-value', { schemaType: 'AVRO', schema }), id);
    assert.equal(await sr.register('clicks-copy-value', { schemaType: 'AVRO', schema }, true), id, 'normalize=true, same id');
    const latest = await sr.getLatestSchemaMetadata('clicks-value');
    assert.deepEqual([latest.id, latest.version, latest.schema], [id, 1, schema]);
  });
});

describe('Avro identity is the canonical form', () => {
  const canonical = '{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"},'
    + '{"name":"age","type":"int","default":0}]}';

  test('reordered keys and {"type":"string"} for "string" are the same schema: same id, no new version', async () => {
    const first = await post('users-value', {
      schema: JSON.stringify({ type: 'record', name: 'User', namespace: 'com.acme', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int', default: 0 }] }),
    });
    assert.equal(first.status, 200);
    const variant = JSON.stringify({
      fields: [{ type: { type: 'string' }, name: 'name' }, { default: 0, name: 'age', type: { type: 'int' } }], namespace: 'com.acme', name: 'User', type: 'record',
    });
    assert.deepEqual(await post('users-value', { schema: variant }), { status: 200, body: { id: first.body.id }, contentType: first.contentType });
    assert.deepEqual(await versions('users-value'), [1]);
    // The stored text is the canonical one, as Confluent stores parsedSchema.canonicalString().
    assert.equal((await call('GET', '/subjects/users-value/versions/1')).body.schema, canonical);
    assert.equal((await call('GET', `/schemas/ids/${first.body.id}`)).body.schema, canonical);
    // Lookup finds it from any presentation; another subject gets the same id.
    const found = await call('POST', '/subjects/users-value', { schema: variant });
    assert.deepEqual([found.status, found.body.version, found.body.id], [200, 1, first.body.id]);
    assert.equal((await post('users-copy', { schema: variant })).body.id, first.body.id);
  });

  test('primitives: {"type":"string"} is "string"; properties are kept, so {"type":"string","x":1} differs', async () => {
    const bare = await post('prim', { schema: '"string"' });
    assert.equal((await post('prim', { schema: '{"type": "string"}' })).body.id, bare.body.id);
    assert.equal((await post('prim', { schema: '{"type":"string","doc":"a doc is not a property of a primitive"}' })).body.id, bare.body.id);
    assert.deepEqual(await versions('prim'), [1]);
    assert.equal((await call('GET', '/subjects/prim/versions/1/schema')).body, 'string');
    await call('PUT', '/config/prim', { compatibility: 'NONE' });
    const withProp = await post('prim', { schema: '{"type":"string","avro.java.string":"String"}' });
    assert.notEqual(withProp.body.id, bare.body.id);
    assert.equal((await call('GET', '/subjects/prim/versions/2')).body.schema, '{"type":"string","avro.java.string":"String"}');
  });

  test("Avro's toString order and namespaces, as in Confluent's AvroSchemaTest", async () => {
    const debezium = {
      'connect.name': 'some.scope.Envelope',
      fields: [
        { default: null, name: 'before', type: ['null', { 'connect.name': 'some.scope.Value', fields: [
          { name: 'created_at', type: { 'connect.name': 'io.debezium.time.Timestamp', 'connect.version': 1, type: 'long' } },
          { name: 'normal_long', type: 'long' }], name: 'Value', type: 'record' }] },
        { default: null, name: 'after', type: ['null', 'Value'] },
      ],
      name: 'Envelope', namespace: 'some.scope', type: 'record',
    };
    const expected = '{"type":"record","name":"Envelope","namespace":"some.scope","fields":[{"name":"before","type":["null",'
      + '{"type":"record","name":"Value","fields":[{"name":"created_at","type":{"type":"long","connect.name":"io.debezium.time.Timestamp",'
      + '"connect.version":1}},{"name":"normal_long","type":"long"}],"connect.name":"some.scope.Value"}],"default":null},'
      + '{"name":"after","type":["null","Value"],"default":null}],"connect.name":"some.scope.Envelope"}';
    const r = await post('envelope', { schema: JSON.stringify(debezium) });
    assert.equal((await call('GET', `/schemas/ids/${r.body.id}`)).body.schema, expected);
    const named = JSON.stringify({ type: 'record', name: 'a.b.R', fields: [
      { name: 'e', type: { type: 'enum', name: 'c.E', symbols: ['A'], aliases: ['Z'] } },
      { name: 'again', type: 'c.E' },
      { name: 'f', type: { type: 'fixed', name: 'F', size: 4 }, order: 'descending' },
    ] });
    const n = await post('named', { schema: named });
    assert.equal((await call('GET', `/schemas/ids/${n.body.id}`)).body.schema,
      '{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"e","type":{"type":"enum","name":"E","namespace":"c","symbols":["A"],'
      + '"aliases":["Z"]}},{"name":"again","type":"c.E"},{"name":"f","type":{"type":"fixed","name":"F","size":4},"order":"descending"}]}');
  });

  test('a schema stored before the canonical form keeps its id and text; its canonical equivalent is the same schema', async () => {
    const log = new MemoryKeyValueLog();
    const legacy = '{"name":"Old","type":"record","fields":[{"type":{"type":"string"},"name":"a"}]}';
    await log.append([
      { key: Buffer.from('{"keytype":"SCHEMA","subject":"legacy","version":1}'),
        value: Buffer.from(JSON.stringify({ subject: 'legacy', version: 1, id: 7, schemaType: 'AVRO', schema: legacy, references: [], deleted: false })) },
      { key: Buffer.from('{"keytype":"ID"}'), value: Buffer.from('{"maxId":7}') },
    ]);
    const old = await startTestRegistry(log);
    try {
      const c = client(old.url);
      assert.equal((await c('GET', '/schemas/ids/7')).body.schema, legacy);
      const again = await c('POST', '/subjects/legacy/versions', { schema: '{"type":"record","name":"Old","fields":[{"name":"a","type":"string"}]}' });
      assert.deepEqual(again.body, { id: 7 });
      assert.deepEqual((await c('GET', '/subjects/legacy/versions')).body, [1]);
      assert.deepEqual((await c('POST', '/subjects/other/versions', { schema: legacy })).body, { id: 7 });
    } finally {
      await old.close();
    }
  });
});

describe('normalize=true', () => {
  // Confluent's RestApiTest: normalize sorts non-standard field properties ("aprop" before "zprop").
  const props = (order: string[]) => JSON.stringify({ type: 'record', name: 'myrecord',
    fields: [Object.fromEntries([['type', 'string'], ['name', 'field1'], ...order.map((p) => [p, p[0]!])])] });

  test('Avro: properties sorted; without it their order makes a different schema', async () => {
    const a = await post('norm-avro', { schema: props(['zprop', 'aprop']) }, '?normalize=true');
    assert.equal((await call('GET', '/subjects/norm-avro/versions/1')).body.schema,
      '{"type":"record","name":"myrecord","fields":[{"name":"field1","type":"string","aprop":"a","zprop":"z"}]}');
    assert.deepEqual((await post('norm-avro', { schema: props(['aprop', 'zprop']) }, '?normalize=true')).body, { id: a.body.id });
    assert.deepEqual(await versions('norm-avro'), [1]);
    const plain = await post('plain-avro', { schema: props(['zprop', 'aprop']) });
    assert.notEqual(plain.body.id, a.body.id);
    assert.equal((await call('GET', '/subjects/plain-avro/versions/1')).body.schema,
      '{"type":"record","name":"myrecord","fields":[{"name":"field1","type":"string","zprop":"z","aprop":"a"}]}');
    const found = await call('POST', '/subjects/norm-avro?normalize=true', { schema: props(['zprop', 'aprop']) });
    assert.deepEqual([found.status, found.body.id], [200, a.body.id]);
  });

  test('JSON Schema: keys sorted; without it the compact text, key order kept, is the identity', async () => {
    const one = JSON.stringify({ type: 'object', properties: { b: { type: 'string' }, a: { type: 'integer' } } });
    const two = JSON.stringify({ properties: { a: { type: 'integer' }, b: { type: 'string' } }, type: 'object' });
    const n = await post('norm-json', { schemaType: 'JSON', schema: one }, '?normalize=true');
    assert.equal((await call('GET', '/subjects/norm-json/versions/1')).body.schema,
      '{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}');
    assert.deepEqual((await post('norm-json', { schemaType: 'JSON', schema: two }, '?normalize=true')).body, { id: n.body.id });
    const p1 = await post('plain-json', { schemaType: 'JSON', schema: JSON.stringify(JSON.parse(one), null, 2) });
    assert.equal((await call('GET', '/subjects/plain-json/versions/1')).body.schema, one);
    const p2 = await post('plain-json', { schemaType: 'JSON', schema: two });
    assert.notEqual(p2.body.id, p1.body.id);
    assert.deepEqual(await versions('plain-json'), [1, 2]);
  });

  test('Protobuf: fields, oneofs, constants by number, imports and options sorted, types fully qualified', async () => {
    const sent = (order: 'a' | 'b') => `syntax = "proto3";
package acme;
import "google/protobuf/timestamp.proto";
${order === 'a' ? 'option java_package = "com.acme";\noption optimize_for = SPEED;' : 'option optimize_for = SPEED; option java_package = "com.acme";'}
message Order {
  // a comment
  ${order === 'a' ? 'string id = 2;\n  int32 qty = 1 [deprecated = true, json_name = "Q"];' : 'int32 qty = 1 [json_name = "Q", deprecated = true];\n  string id = 2;'}
  map<string, Item> items = 5;
  optional string note = 7;
  oneof pay { string card = 9; string iban = 8; }
  google.protobuf.Timestamp at = 6;
  message Item { string sku = 1; }
  enum Status { B = 1; A = 0; }
  repeated Status history = 3;
}
service Orders { rpc Get (Order) returns (stream Order); }
`;
    const normalized = `syntax = "proto3";
package acme;

import "google/protobuf/timestamp.proto";

option java_package = "com.acme";
option optimize_for = SPEED;

message Order {
  int32 qty = 1 [
    deprecated = true,
    json_name = "Q"
  ];
  string id = 2;
  repeated .acme.Order.Status history = 3;
  map<string, .acme.Order.Item> items = 5;
  .google.protobuf.Timestamp at = 6;
  optional string note = 7;

  oneof pay {
    string iban = 8;
    string card = 9;
  }

  message Item {
    string sku = 1;
  }
  enum Status {
    A = 0;
    B = 1;
  }
}

service Orders {
  rpc Get (.acme.Order) returns (stream .acme.Order);
}
`;
    const a = await post('norm-proto', { schemaType: 'PROTOBUF', schema: sent('a') }, '?normalize=true');
    assert.equal(a.status, 200);
    assert.equal((await call('GET', '/subjects/norm-proto/versions/1')).body.schema, normalized);
    assert.deepEqual((await post('norm-proto', { schemaType: 'PROTOBUF', schema: sent('b') }, '?normalize=true')).body, { id: a.body.id });
    assert.deepEqual(await versions('norm-proto'), [1]);
    const plain = await post('plain-proto', { schemaType: 'PROTOBUF', schema: sent('b') });
    assert.notEqual(plain.body.id, a.body.id);
    // Confluent's ProtobufSchemaTest.testEnumReserved (its constants moved out of the reserved range, which protobufjs enforces).
    const reserved = await post('norm-reserved', { schemaType: 'PROTOBUF', schema: '\nimport "google/protobuf/timestamp.proto";\n\n'
      + 'message FooOptions {\n  optional string name = 1;\n  optional FooParameterType type = 2;\n}\nenum FooParameterType {\n'
      + '  reserved 20, 100 to max;\n  reserved 10;\n  reserved 1 to 3;\n  reserved "BAD", "OLD";\n  NUMBER = 4;\n  STRING = 5;\n}\n' }, '?normalize=true');
    assert.equal((await call('GET', `/schemas/ids/${reserved.body.id}`)).body.schema, '\nimport "google/protobuf/timestamp.proto";\n\n'
      + 'message FooOptions {\n  optional string name = 1;\n  optional .FooParameterType type = 2;\n}\nenum FooParameterType {\n'
      + '  reserved 1 to 3;\n  reserved 10;\n  reserved 20;\n  reserved 100 to max;\n  reserved "BAD";\n  reserved "OLD";\n  NUMBER = 4;\n  STRING = 5;\n}\n');
  });

  test('Protobuf with what the normalized printer does not reproduce (a custom option) is stored as sent', async () => {
    const schema = 'syntax = "proto3";\nmessage M { int32 a = 1 [(acme.opt) = 3]; }\n';
    const r = await post('norm-proto-custom', { schemaType: 'PROTOBUF', schema }, '?normalize=true');
    assert.equal((await call('GET', `/schemas/ids/${r.body.id}`)).body.schema, schema);
  });

  test('IMPORT mode stores the schema as given even with normalize=true', async () => {
    assert.equal((await call('PUT', '/mode/imported-norm', { mode: 'IMPORT' })).status, 200);
    const r = await post('imported-norm', { schema: props(['zprop', 'aprop']), id: 900, version: 1 }, '?normalize=true');
    assert.deepEqual(r.body, { id: 900 });
    assert.equal((await call('GET', '/subjects/imported-norm/versions/1')).body.schema,
      '{"type":"record","name":"myrecord","fields":[{"name":"field1","type":"string","zprop":"z","aprop":"a"}]}');
  });
});

describe('Protobuf is stored as its canonical text (ProtobufSchema.canonicalString)', () => {
  const sent = `// Orders, as the shop sends them.
syntax = 'proto3';
package acme;   /* the package */

import "google/protobuf/timestamp.proto";
option java_package = "com.acme";

message Order {
  oneof pay { string card = 7; string cash = 6; }
  enum Kind { B = 1; A = 0; }
  int64 id = 2;   // trailing comment
  map<string, Item> items = 1;
  google.protobuf.Timestamp at = 3;
  string note = 5 [json_name = "n", deprecated = true];
  optional int32 qty = 4;
  message Item { string sku = 1; }
}
`;
  // Confluent's printer, no normalize: comments gone, layout its own, declared order kept except its sections
  // (fields, oneofs, nested messages, nested enums), json_name after the other options, type names as written.
  const expected = `syntax = "proto3";
package acme;

import "google/protobuf/timestamp.proto";

option java_package = "com.acme";

message Order {
  int64 id = 2;
  map<string, Item> items = 1;
  google.protobuf.Timestamp at = 3;
  string note = 5 [
    deprecated = true,
    json_name = "n"
  ];
  optional int32 qty = 4;

  oneof pay {
    string card = 7;
    string cash = 6;
  }

  message Item {
    string sku = 1;
  }
  enum Kind {
    B = 1;
    A = 0;
  }
}
`;

  test('comments and layout go, declared order stays; GET /schemas/ids/{id} and the version answer it; same text, same id', async () => {
    const r = await post('proto-canon', { schemaType: 'PROTOBUF', schema: sent });
    assert.equal(r.status, 200);
    assert.deepEqual((await call('GET', `/schemas/ids/${r.body.id}`)).body, { schemaType: 'PROTOBUF', schema: expected });
    assert.equal((await call('GET', '/subjects/proto-canon/versions/1/schema')).body, expected);
    assert.deepEqual((await post('proto-canon', { schemaType: 'PROTOBUF', schema: expected })).body, { id: r.body.id });
    assert.deepEqual(await versions('proto-canon'), [1]);
    const found = await call('POST', '/subjects/proto-canon', { schemaType: 'PROTOBUF', schema: sent });
    assert.deepEqual([found.status, found.body.id, found.body.schema], [200, r.body.id, expected]);
  });

  test('proto2: its syntax line and labels are kept; a default comes after the other options', async () => {
    const r = await post('proto-canon2', { schemaType: 'PROTOBUF',
      schema: 'syntax = "proto2";\nmessage P { optional string s = 1 [default = "x", deprecated = true]; required int32 n = 2; }' });
    assert.equal((await call('GET', `/schemas/ids/${r.body.id}`)).body.schema,
      'syntax = "proto2";\n\nmessage P {\n  optional string s = 1 [\n    deprecated = true,\n    default = "x"\n  ];\n  required int32 n = 2;\n}\n');
  });

  test('what the printer does not reproduce (a custom option, several reserved values) is stored as sent', async () => {
    for (const schema of ['syntax = "proto3";\nmessage M { int32 a = 1 [(acme.opt) = 3]; }\n',
      'syntax = "proto3";\nmessage R { reserved 2, 3; int32 a = 1; }\n']) {
      const r = await post(`proto-as-sent-${schema.length}`, { schemaType: 'PROTOBUF', schema });
      assert.equal((await call('GET', `/schemas/ids/${r.body.id}`)).body.schema, schema);
    }
  });

  test('a Protobuf schema stored as sent before keeps its id and text; its canonical text is the same schema', async () => {
    const log = new MemoryKeyValueLog();
    await log.append([
      { key: Buffer.from('{"keytype":"SCHEMA","subject":"legacy-proto","version":1}'),
        value: Buffer.from(JSON.stringify({ subject: 'legacy-proto', version: 1, id: 9, schemaType: 'PROTOBUF', schema: sent, references: [], deleted: false })) },
      { key: Buffer.from('{"keytype":"ID"}'), value: Buffer.from('{"maxId":9}') },
    ]);
    const old = await startTestRegistry(log);
    try {
      const c = client(old.url);
      assert.equal((await c('GET', '/schemas/ids/9')).body.schema, sent);
      assert.deepEqual((await c('POST', '/subjects/legacy-proto/versions', { schemaType: 'PROTOBUF', schema: expected })).body, { id: 9 });
      assert.deepEqual((await c('GET', '/subjects/legacy-proto/versions')).body, [1]);
      assert.deepEqual((await c('POST', '/subjects/other-proto/versions', { schemaType: 'PROTOBUF', schema: sent })).body, { id: 9 });
    } finally {
      await old.close();
    }
  });
});

describe('the normalize config', () => {
  // Confluent's RestApiTest "testRegisterWithNormalizeConfig"-style: normalize comes from the request or the config in scope.
  const props = (order: string[]) => JSON.stringify({ type: 'record', name: 'cfgrec',
    fields: [Object.fromEntries([['type', 'string'], ['name', 'f'], ...order.map((p) => [p, p[0]!])])] });
  const sorted = '{"type":"record","name":"cfgrec","fields":[{"name":"f","type":"string","aprop":"a","zprop":"z"}]}';

  test('PUT /config/{s} takes normalize, keeps the unset level; GET shows it as Confluent\'s Config does', async () => {
    assert.deepEqual((await call('PUT', '/config/ncfg', { normalize: true })).body, { normalize: true });
    // An unset subject level reads as the built-in default, BACKWARD (Confluent fills it in).
    assert.deepEqual((await call('GET', '/config/ncfg')).body, { normalize: true, compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await call('PUT', '/config/ncfg', { compatibility: 'NONE' })).body, { normalize: true, compatibility: 'NONE' });
    assert.deepEqual((await call('PUT', '/config/ncfg', { normalize: false })).body, { normalize: false, compatibility: 'NONE' });
    assert.deepEqual((await call('GET', '/config/ncfg')).body, { normalize: false, compatibilityLevel: 'NONE' });
    const bad = await call('PUT', '/config/ncfg', { normalize: true, compatibility: 'SIDEWAYS' });
    assert.deepEqual([bad.status, bad.body.error_code], [422, 42203]);
    assert.deepEqual((await call('GET', '/config/ncfg')).body, { normalize: false, compatibilityLevel: 'NONE' }, 'a refused PUT changes nothing');
    assert.equal((await call('PUT', '/config/ncfg', { normalize: 'yes' })).status, 400);
    assert.deepEqual((await call('DELETE', '/config/ncfg')).body, { normalize: false, compatibilityLevel: 'NONE' });
    assert.equal((await call('GET', '/config/ncfg')).body.error_code, 40408);
  });

  test('global normalize: GET /config, defaultToGlobal merges it under a subject config; registration and lookup normalize', async () => {
    // The answer is the stored config, level unset (Confluent's updateConfig does not fill it in).
    assert.deepEqual((await call('PUT', '/config', { normalize: true })).body, { normalize: true });
    try {
      assert.deepEqual((await call('GET', '/config')).body, { normalize: true, compatibilityLevel: 'BACKWARD' });
      await call('PUT', '/config/gcfg', { compatibility: 'FULL' });
      assert.deepEqual((await call('GET', '/config/gcfg')).body, { compatibilityLevel: 'FULL' });
      assert.deepEqual((await call('GET', '/config/gcfg?defaultToGlobal=true')).body, { normalize: true, compatibilityLevel: 'FULL' });
      assert.deepEqual((await call('GET', '/config/nocfg?defaultToGlobal=true')).body, { normalize: true, compatibilityLevel: 'BACKWARD' });

      const a = await post('gcfg', { schema: props(['zprop', 'aprop']) });
      assert.equal((await call('GET', '/subjects/gcfg/versions/1')).body.schema, sorted, 'stored normalized without ?normalize');
      assert.deepEqual((await post('gcfg', { schema: props(['aprop', 'zprop']) })).body, { id: a.body.id });
      assert.deepEqual(await versions('gcfg'), [1]);
      const found = await call('POST', '/subjects/gcfg', { schema: props(['zprop', 'aprop']) });
      assert.deepEqual([found.status, found.body.version, found.body.id], [200, 1, a.body.id]);
      const compat = await call('POST', '/compatibility/subjects/gcfg/versions/latest', { schema: props(['zprop', 'aprop']) });
      assert.deepEqual(compat.body, { is_compatible: true });

      // A subject's normalize=false wins over the global true; ?normalize=true still normalizes (Confluent ORs them).
      await call('PUT', '/config/gcfg-off', { normalize: false });
      await post('gcfg-off', { schema: props(['zprop', 'aprop']) });
      assert.notEqual((await call('GET', '/subjects/gcfg-off/versions/1')).body.schema, sorted);
      await post('gcfg-on', { schema: props(['zprop', 'aprop']) }, '?normalize=false');
      assert.equal((await call('GET', '/subjects/gcfg-on/versions/1')).body.schema, sorted, 'normalize=false does not override the config');
      await call('PUT', '/config/gcfg-req', { normalize: false });
      await post('gcfg-req', { schema: props(['zprop', 'aprop']) }, '?normalize=true');
      assert.equal((await call('GET', '/subjects/gcfg-req/versions/1')).body.schema, sorted);
    } finally {
      assert.deepEqual((await call('DELETE', '/config')).body, { normalize: true, compatibilityLevel: 'BACKWARD' });
    }
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
  });

  test('a subject config with only normalize registers under BACKWARD even when the global level is NONE (Confluent\'s filled-in level)', async () => {
    await call('PUT', '/config', { compatibility: 'NONE' });
    try {
      await post('quirk', { schema: '"string"' });
      await call('PUT', '/config/quirk', { normalize: true });
      const refused = await post('quirk', { schema: '"int"' });
      assert.deepEqual([refused.status, refused.body.error_code], [409, 40901]);
    } finally {
      await call('DELETE', '/config');
    }
  });

  test('the confluent-js client: updateConfig/getConfig carry normalize, and its register (which sends ?normalize=false) normalizes', async () => {
    const confluent = createRequire(join(process.cwd(), 'compat-suite/clients/confluent-js/package.json'))('@confluentinc/schemaregistry');
    const sr = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    assert.deepEqual(await sr.updateConfig('cj-norm', { normalize: true, compatibility: 'FULL' }), { normalize: true, compatibility: 'FULL' });
    assert.deepEqual(await sr.getConfig('cj-norm'), { normalize: true, compatibilityLevel: 'FULL' });
    const id = await sr.register('cj-norm', { schemaType: 'AVRO', schema: props(['zprop', 'aprop']) });
    assert.equal((await call('GET', `/schemas/ids/${id}`)).body.schema, sorted);
  });

  test('the normalize setting survives a restart of the registry over the same log', async () => {
    const store = new MemoryKeyValueLog();
    const first = await startTestRegistry(store);
    await client(first.url)('PUT', '/config/kept', { normalize: true });
    await first.close();
    const second = await startTestRegistry(store);
    try {
      assert.deepEqual((await client(second.url)('GET', '/config/kept')).body, { normalize: true, compatibilityLevel: 'BACKWARD' });
    } finally {
      await second.close();
    }
  });
});

describe('listings', () => {
  before(async () => {
    for (const s of ['list-a', 'list-b', 'list-c']) {
      await call('PUT', `/config/${s}`, { compatibility: 'NONE' });
      await post(s, { schema: '"int"' });
      await post(s, { schema: '"long"' });
    }
    await call('DELETE', '/subjects/list-a/versions/1');
    await call('DELETE', '/subjects/list-c');
  });

  test('GET /subjects: subjectPrefix, deleted, deletedOnly (a subject is deleted when all its versions are), offset, limit', async () => {
    assert.deepEqual((await call('GET', '/subjects?subjectPrefix=list-')).body, ['list-a', 'list-b']);
    assert.deepEqual((await call('GET', '/subjects?subjectPrefix=list-&deleted=true')).body, ['list-a', 'list-b', 'list-c']);
    assert.deepEqual((await call('GET', '/subjects?subjectPrefix=list-&deletedOnly=true')).body, ['list-c']);
    assert.deepEqual((await call('GET', '/subjects?subjectPrefix=list-&deleted=true&deletedOnly=true')).body, ['list-c'], 'deletedOnly wins');
    assert.deepEqual((await call('GET', '/subjects?subjectPrefix=list-&deleted=true&offset=1&limit=1')).body, ['list-b']);
    assert.deepEqual((await call('GET', '/subjects?subjectPrefix=list-&limit=0')).body, ['list-a', 'list-b'], 'a limit of 0 is no limit');
    assert.ok((await call('GET', '/subjects?subjectPrefix=:*:')).body.includes('list-a'), "':*:' is every subject");
    assert.deepEqual(await call('GET', '/subjects?offset=x'), { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' }, contentType: 'application/vnd.schemaregistry.v1+json' });
  });

  test('GET /subjects/{s}/versions: deleted, deletedOnly, deletedAsNegative, offset, limit', async () => {
    assert.deepEqual(await versions('list-a'), [2]);
    assert.deepEqual(await versions('list-a', '?deleted=true'), [1, 2]);
    assert.deepEqual(await versions('list-a', '?deletedOnly=true'), [1]);
    assert.deepEqual(await versions('list-a', '?deletedAsNegative=true'), [-1, 2]);
    assert.deepEqual(await versions('list-a', '?deleted=true&offset=1'), [2]);
    assert.deepEqual(await versions('list-b', '?deletedOnly=true'), []);
    assert.deepEqual(await versions('list-c', '?deletedOnly=true'), [1, 2]);
    const gone = await call('GET', '/subjects/list-c/versions');
    assert.deepEqual([gone.status, gone.body], [404, { error_code: 40401, message: "Subject 'list-c' not found." }]);
  });

  test('GET /schemas: subjectPrefix, deleted, latestOnly, offset, limit; by subject then version', async () => {
    const shown = async (query: string) =>
      (await call('GET', `/schemas?subjectPrefix=list-${query}`)).body.map((s: { subject: string; version: number }) => `${s.subject}/${s.version}`);
    assert.deepEqual(await shown(''), ['list-a/2', 'list-b/1', 'list-b/2']);
    assert.deepEqual(await shown('&deleted=true'), ['list-a/1', 'list-a/2', 'list-b/1', 'list-b/2', 'list-c/1', 'list-c/2']);
    assert.deepEqual(await shown('&latestOnly=true'), ['list-a/2', 'list-b/2']);
    assert.deepEqual(await shown('&latestOnly=true&deleted=true'), ['list-a/2', 'list-b/2', 'list-c/2']);
    assert.deepEqual(await shown('&offset=1&limit=1'), ['list-b/1']);
    const one = (await call('GET', '/schemas?subjectPrefix=list-b&latestOnly=true')).body;
    const id = (await call('GET', '/subjects/list-b/versions/2')).body.id;
    assert.deepEqual(one, [{ subject: 'list-b', version: 2, id, schema: '"long"' }]);
  });

  test('GET /contexts is the default context; GET /v1/metadata/id names the clusters', async () => {
    assert.deepEqual((await call('GET', '/contexts')).body, ['.']);
    assert.deepEqual((await call('GET', '/contexts?contextPrefix=.x')).body, []);
    assert.deepEqual((await call('GET', '/v1/metadata/id')).body,
      { scope: { path: [], clusters: { 'kafka-cluster': '', 'schema-registry-cluster': 'schema-registry' } } });
  });

  test('GET /v1/metadata/version is Confluent\'s SchemaRegistryServerVersion with our version; /v1/metadata/deployment has no attributes', async () => {
    const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
    const res = await call('GET', '/v1/metadata/version');
    assert.deepEqual([res.status, res.body], [200, { version, commitId: 'unknown' }]);
    assert.deepEqual((await call('GET', '/v1/metadata/deployment')).body, { attributes: [] });
  });

  test('the confluent-js client\'s other reads: /subjects/{s}/metadata and /schemas/guids/{guid} answer as Confluent does for schemas without metadata or GUID', async () => {
    const missing = await call('GET', '/subjects/meta-none/metadata?deleted=false&&key=owner&value=me');
    assert.deepEqual([missing.status, missing.body], [404, { error_code: 40401, message: "Subject 'meta-none' not found." }]);
    await post('meta-some', { schema: '"string"' });
    const none = await call('GET', '/subjects/meta-some/metadata?deleted=false&&key=owner&value=me');
    assert.deepEqual([none.status, none.body], [404, { error_code: 40403, message: 'Schema not found' }]);
    const guid = '0a1b2c3d-0000-4000-8000-000000000000';
    const byGuid = await call('GET', `/schemas/guids/${guid}`);
    assert.deepEqual([byGuid.status, byGuid.body], [404, { error_code: 40403, message: `Schema ${guid} not found` }]);
    const confluent = createRequire(join(process.cwd(), 'compat-suite/clients/confluent-js/package.json'))('@confluentinc/schemaregistry');
    const sr = new confluent.SchemaRegistryClient({ baseURLs: [registry.url] });
    await assert.rejects(sr.getLatestWithMetadata('meta-some', { owner: 'me' }), (err: { status?: number; errorCode?: number }) =>
      err.status === 404 && err.errorCode === 40403);
  });
});

describe('version ids as Confluent parses them', () => {
  before(async () => {
    await post('ver', { schema: '"int"' });
    await call('PUT', '/config/ver', { compatibility: 'NONE' });
    await post('ver', { schema: '"string"' });
  });

  for (const [text, version] of [['latest', 2], ['LATEST', 2], ['Latest', 2], ['-1', 2], ['+1', 1], ['%201%20', 1], ['+2', 2]] as const) {
    test(`'${decodeURIComponent(text)}' is version ${version}`, async () => {
      const r = await call('GET', `/subjects/ver/versions/${text}`);
      assert.deepEqual([r.status, r.body.version], [200, version]);
    });
  }

  const invalid = (shown: string) => ({ error_code: 42202,
    message: `The specified version '${shown}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"` });
  for (const [text, shown] of [['0', '0'], ['+0', '0'], ['-2', '-2'], ['abc', 'abc'], ['1.5', '1.5'], ['2147483648', '2147483648']] as const) {
    test(`'${text}' is 422 42202`, async () => {
      const r = await call('GET', `/subjects/ver/versions/${text}`);
      assert.deepEqual([r.status, r.body], [422, invalid(shown)]);
    });
  }

  test('a valid version that does not exist is 40402; deleting LATEST works', async () => {
    const r = await call('GET', '/subjects/ver/versions/2147483647');
    assert.deepEqual([r.status, r.body], [404, { error_code: 40402, message: 'Version 2147483647 not found.' }]);
    assert.deepEqual(await call('DELETE', '/subjects/ver/versions/LATEST').then((d) => d.body), 2);
    assert.deepEqual(await versions('ver'), [1]);
  });
});

describe('size limit', () => {
  const withDoc = (bytes: number) => JSON.stringify({ type: 'record', name: 'Big', doc: 'x'.repeat(bytes), fields: [] });

  test("a schema whose _schemas record exceeds 1 MiB is refused as Confluent's RecordTooLargeException is: 422 42209", async () => {
    const refused = await post('big', { schema: withDoc(1024 * 1024) });
    assert.deepEqual([refused.status, refused.body],
      [422, { error_code: 42209, message: 'Register operation failed because schema is too large' }]);
    assert.equal((await call('GET', '/subjects/big/versions')).status, 404, 'nothing stored');
    const accepted = await post('big', { schema: withDoc(1024 * 1024 - 1024) });
    assert.equal(accepted.status, 200);
    assert.equal((await call('GET', `/schemas/ids/${accepted.body.id}`)).body.schema, withDoc(1024 * 1024 - 1024));
  });
});
