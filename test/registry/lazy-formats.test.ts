/**
 * A broker with its Schema Registry and admin port up loads neither the schema formats' packages (avsc, ajv,
 * protobufjs) nor node:tls until it needs them: each comes with the first schema of its kind. In a child process, so
 * that nothing this test file loaded counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers.js';

const index = fileURLToPath(new URL('../../src/index.js', import.meta.url));

const script = `
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { startBroker } from ${JSON.stringify(index)};
const loaded = () => {
  const files = Object.keys(createRequire(import.meta.url).cache);
  const has = (name) => files.some((f) => f.includes('/node_modules/' + name + '/'));
  return { avsc: has('avsc'), ajv: has('ajv'), protobufjs: has('protobufjs'), tls: process.moduleLoadList.includes('NativeModule tls') };
};
const running = await startBroker({ port: 0, registryPort: -1, adminPort: -1, inMemory: true, logLevel: 'warn', useEnvironment: false });
const atStart = loaded();
// node:http, not fetch: fetch loads node:tls itself.
const register = (subject, schemaType, schema) => new Promise((resolve, reject) => {
  const req = request(running.registryUrl + '/subjects/' + subject + '/versions', { method: 'POST', headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' } }, (res) => {
    let text = '';
    res.on('data', (chunk) => { text += chunk; });
    res.on('end', () => resolve(JSON.parse(text).id));
  });
  req.on('error', reject);
  req.end(JSON.stringify({ schemaType, schema }));
});
const ids = [
  await register('a-value', 'AVRO', JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'n', type: 'int' }] })),
  await register('j-value', 'JSON', JSON.stringify({ type: 'object', properties: { n: { type: 'integer' } } })),
  await register('p-value', 'PROTOBUF', 'syntax = "proto3"; message P { int32 n = 1; }'),
];
const afterSchemas = loaded();
await running.close();
console.log(JSON.stringify({ atStart, ids, afterSchemas }));
`;

test('the registry loads avsc, ajv and protobufjs with the first schema of each kind, and node:tls not at all without TLS', async () => {
  const res = await run(process.execPath, ['--input-type=module', '-e', script], { timeoutMs: 60_000 });
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
  assert.deepEqual(out.atStart, { avsc: false, ajv: false, protobufjs: false, tls: false });
  assert.deepEqual(out.ids, [1, 2, 3]);
  assert.deepEqual(out.afterSchemas, { avsc: true, ajv: true, protobufjs: true, tls: false });
});
