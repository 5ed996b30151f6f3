/**
 * Bad input never gets a 500: random bodies, schema texts and schema types sent to every endpoint that takes a body
 * are answered with a 4xx (or accepted), and the registry keeps serving. Invariant checked per run: status < 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { RunningRegistry } from '../../src/registry/server.js';
import { client, startTestRegistry, type Call } from './helpers.js';

let registry: RunningRegistry;
let call: Call;

before(async () => {
  registry = await startTestRegistry();
  call = client(registry.url);
  // Something to be compatible with, in each format.
  await call('POST', '/subjects/s/versions', { schema: JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] }) });
  await call('POST', '/subjects/j/versions', { schemaType: 'JSON', schema: '{"type":"object","properties":{"a":{"type":"integer"}}}' });
  await call('POST', '/subjects/p/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3"; message M { int32 a = 1; }' });
});
after(() => registry.close());

const schemaText = fc.oneof(
  fc.string(),
  fc.json(),
  // Near-valid schemas in each format, with random parts.
  fc.record({ type: fc.constantFrom('record', 'enum', 'fixed', 'array', 'map', 'int', 'object', 'string', 'Nope'), name: fc.string(),
    fields: fc.array(fc.record({ name: fc.string(), type: fc.oneof(fc.constantFrom('int', 'string', 'R', 'null'), fc.json()), default: fc.jsonValue() }, { requiredKeys: ['name'] })),
    symbols: fc.array(fc.string()), size: fc.integer(), items: fc.jsonValue(), properties: fc.dictionary(fc.string(), fc.jsonValue()) },
  { requiredKeys: ['type'] }).map((o) => JSON.stringify(o)),
  fc.tuple(fc.constantFrom('syntax = "proto3";', 'syntax = "proto2";', ''), fc.string(), fc.constantFrom('int32', 'string', 'M', 'map<string,int32>', '{'))
    .map(([syntax, name, type]) => `${syntax} message ${name} { ${type} a = 1; }`),
);

const body = fc.oneof(
  fc.record({
    schema: fc.oneof(schemaText, fc.jsonValue()),
    schemaType: fc.oneof(fc.constantFrom('AVRO', 'JSON', 'PROTOBUF', 'avro', 'XML'), fc.jsonValue()),
    references: fc.oneof(fc.jsonValue(), fc.array(fc.record({ name: fc.string(), subject: fc.constantFrom('s', 'j', 'p', 'x'), version: fc.oneof(fc.integer(), fc.jsonValue()) }))),
    id: fc.oneof(fc.integer(), fc.jsonValue()),
    version: fc.oneof(fc.integer(), fc.jsonValue()),
    compatibility: fc.jsonValue(),
    mode: fc.jsonValue(),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.json(),
  fc.string(),
);

const target = fc.tuple(
  fc.constantFrom(
    ['POST', '/subjects/{s}/versions'], ['POST', '/subjects/{s}'], ['POST', '/compatibility/subjects/{s}/versions/latest?verbose=true'],
    ['POST', '/compatibility/subjects/{s}/versions'], ['PUT', '/config/{s}'], ['GET', '/subjects/{s}/versions/{v}'],
    ['DELETE', '/subjects/{s}/versions/{v}'], ['GET', '/schemas/ids/{v}'], ['GET', '/subjects/{s}/versions/{v}/referencedby'],
    ['POST', '/subjects/{s}/versions?normalize=true'], ['POST', '/subjects/{s}?normalize=true'],
    ['GET', '/subjects/{s}/versions?deletedOnly=true&offset={v}&limit={v}'], ['GET', '/schemas?subjectPrefix={s}&latestOnly=true&offset={v}&limit={v}'],
    ['GET', '/subjects?subjectPrefix={s}&deletedOnly=true&limit={v}'], ['GET', '/contexts?offset={v}'],
  ),
  fc.oneof(fc.constantFrom('s', 'j', 'p'), fc.string({ minLength: 1 })),
  fc.oneof(fc.constantFrom('1', 'latest', 'LATEST', '+1', ' 1', '-1', '0', 'x'), fc.integer().map(String)),
);

test('random requests are answered below 500', async () => {
  await fc.assert(fc.asyncProperty(target, body, async ([[method, path], subject, version], payload) => {
    const url = path!.replaceAll('{s}', encodeURIComponent(subject)).replaceAll('{v}', encodeURIComponent(version));
    const r = await call(method!, url, method === 'GET' || method === 'DELETE' ? undefined : payload);
    assert.ok(r.status < 500, `${method} ${url} ${payload} → ${r.status} ${JSON.stringify(r.body)}`);
  }), { numRuns: 400, seed: 4 });
  assert.equal((await call('GET', '/subjects?deleted=true')).status, 200);
});
