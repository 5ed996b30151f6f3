/** The REST API over real HTTP: paths, bodies, status codes and Confluent's error codes and texts (Avro schemas). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningRegistry } from '../../src/registry/server.js';
import { avroRecord, client, startTestRegistry, type Call } from './helpers.js';

const userV1 = avroRecord('User', [{ name: 'name', type: 'string' }]);
const userV2 = avroRecord('User', [{ name: 'name', type: 'string' }, { name: 'age', type: 'int', default: 0 }]);
const userBad = avroRecord('User', [{ name: 'name', type: 'string' }, { name: 'email', type: 'string' }]);

let registry: RunningRegistry;
let call: Call;

before(async () => {
  registry = await startTestRegistry(undefined, 64 * 1024);
  call = client(registry.url);
});
after(() => registry.close());

describe('register, read, lookup', () => {
  test('register assigns ids and versions; identical schemas are idempotent and share ids across subjects', async () => {
    const r1 = await call('POST', '/subjects/users-value/versions', { schema: userV1 });
    assert.equal(r1.status, 200);
    assert.equal(r1.contentType, 'application/vnd.schemaregistry.v1+json');
    assert.deepEqual(Object.keys(r1.body), ['id'], 'the answer is {"id": n}, as Confluent 5.x–7.x give it');
    const again = await call('POST', '/subjects/users-value/versions', { schema: JSON.stringify(JSON.parse(userV1), null, 2) });
    assert.deepEqual(again.body, r1.body, 'whitespace does not make a new schema');
    const other = await call('POST', '/subjects/other-value/versions', { schema: userV1, schemaType: 'AVRO' });
    assert.equal(other.body.id, r1.body.id);
    const r2 = await call('POST', '/subjects/users-value/versions', { schema: userV2 });
    assert.equal(r2.status, 200);
    assert.notEqual(r2.body.id, r1.body.id);
    assert.deepEqual((await call('GET', '/subjects/users-value/versions')).body, [1, 2]);
    assert.deepEqual((await call('GET', '/subjects/other-value/versions')).body, [1]);
  });

  test('read versions, latest, raw schema, ids', async () => {
    assert.deepEqual((await call('GET', '/subjects/users-value/versions')).body, [1, 2]);
    const latest = await call('GET', '/subjects/users-value/versions/latest');
    assert.equal(latest.body.subject, 'users-value');
    assert.equal(latest.body.version, 2);
    assert.equal(latest.body.schemaType, undefined, 'AVRO is left out, as Confluent does');
    assert.deepEqual(JSON.parse(latest.body.schema), JSON.parse(userV2));
    assert.equal((await call('GET', '/subjects/users-value/versions/-1')).body.version, 2);
    const raw = await call('GET', '/subjects/users-value/versions/1/schema');
    assert.deepEqual(raw.body, JSON.parse(userV1));
    const byId = await call('GET', `/schemas/ids/${latest.body.id}`);
    assert.deepEqual(JSON.parse(byId.body.schema), JSON.parse(userV2));
    assert.deepEqual((await call('GET', `/schemas/ids/${latest.body.id}/schema`)).body, JSON.parse(userV2));
    const v1 = await call('GET', '/subjects/users-value/versions/1');
    assert.deepEqual((await call('GET', `/schemas/ids/${v1.body.id}/versions`)).body,
      [{ subject: 'other-value', version: 1 }, { subject: 'users-value', version: 1 }]);
    assert.deepEqual((await call('GET', `/schemas/ids/${v1.body.id}/subjects`)).body, ['other-value', 'users-value']);
    assert.deepEqual((await call('GET', '/subjects')).body, ['other-value', 'users-value']);
    assert.deepEqual((await call('GET', '/schemas/types')).body, ['JSON', 'PROTOBUF', 'AVRO']);
    assert.deepEqual((await call('GET', '/')).body, {});
  });

  test('lookup finds the version holding a schema', async () => {
    const found = await call('POST', '/subjects/users-value', { schema: userV1 });
    assert.equal(found.status, 200);
    assert.equal(found.body.version, 1);
    assert.equal(found.body.subject, 'users-value');
    const missing = await call('POST', '/subjects/users-value', { schema: avroRecord('Nope', []) });
    assert.deepEqual([missing.status, missing.body], [404, { error_code: 40403, message: 'Schema not found' }]);
    const noSubject = await call('POST', '/subjects/ghost', { schema: userV1 });
    assert.deepEqual([noSubject.status, noSubject.body], [404, { error_code: 40401, message: "Subject 'ghost' not found." }]);
  });

  test('subjects are URL-decoded and may contain : and /', async () => {
    const subject = 'ctx:orders/v1-value';
    const r = await call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: userV1 });
    assert.equal(r.status, 200);
    assert.ok((await call('GET', '/subjects')).body.includes(subject));
    assert.equal((await call('GET', `/subjects/${encodeURIComponent(subject)}/versions/1`)).body.subject, subject);
  });

  test('application/json is accepted and unknown query parameters and body fields are ignored', async () => {
    const r = await call('POST', '/subjects/users-value/versions?normalize=false&whatever=1', { schema: userV1, metadata: null, ruleSet: null },
      { 'Content-Type': 'application/json' });
    assert.equal(r.status, 200);
    assert.equal(r.body.id, (await call('GET', '/subjects/users-value/versions/1')).body.id);
  });
});

describe('errors', () => {
  const cases: Array<[string, string, string, unknown, number, number, string | RegExp]> = [
    ['unknown subject', 'GET', '/subjects/ghost/versions', undefined, 404, 40401, "Subject 'ghost' not found."],
    ['unknown subject version', 'GET', '/subjects/ghost/versions/1', undefined, 404, 40401, "Subject 'ghost' not found."],
    ['unknown version', 'GET', '/subjects/users-value/versions/99', undefined, 404, 40402, 'Version 99 not found.'],
    ['invalid version', 'GET', '/subjects/users-value/versions/abc', undefined, 422, 42202,
      'The specified version \'abc\' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"'],
    ['version zero', 'GET', '/subjects/users-value/versions/0', undefined, 422, 42202, /not a valid version id/],
    ['unknown id', 'GET', '/schemas/ids/9999', undefined, 404, 40403, 'Schema 9999 not found'],
    ['invalid schema', 'POST', '/subjects/bad/versions', { schema: '{"type":"record","name":"X"}' }, 422, 42201, /^Invalid schema of type AVRO, details: /],
    ['schema not JSON', 'POST', '/subjects/bad/versions', { schema: 'not json' }, 422, 42201, /^Invalid schema of type AVRO/],
    ['unknown type name', 'POST', '/subjects/bad/versions', { schema: avroRecord('X', [{ name: 'a', type: 'Missing' }]) }, 422, 42201, /Missing/],
    ['unknown schema type', 'POST', '/subjects/bad/versions', { schema: '{}', schemaType: 'XML' }, 422, 42201, 'Invalid schema type XML'],
    ['empty schema', 'POST', '/subjects/bad/versions', {}, 422, 42201, 'Empty schema'],
    ['missing reference', 'POST', '/subjects/bad/versions',
      { schema: avroRecord('X', [{ name: 'a', type: 'Y' }]), references: [{ name: 'Y', subject: 'nowhere', version: 1 }] },
      422, 42201, /Reference 'Y' to subject 'nowhere' version 1 not found/],
    ['malformed JSON body', 'POST', '/subjects/bad/versions', '{"schema": ', 400, 400, /^Unexpected JSON body/],
    ['body of the wrong shape', 'POST', '/subjects/bad/versions', '[1,2]', 400, 400, 'Expected a JSON object'],
    ['schema of the wrong type', 'POST', '/subjects/bad/versions', { schema: 42 }, 400, 400, "Field 'schema' must be a string"],
    ['unknown path', 'GET', '/nope', undefined, 404, 404, 'HTTP 404 Not Found'],
    ['unknown nested path', 'GET', '/subjects/a/b/c/d/e/f', undefined, 404, 404, 'HTTP 404 Not Found'],
    ['non-numeric id', 'GET', '/schemas/ids/abc', undefined, 404, 404, 'HTTP 404 Not Found'],
    ['id past 2^31-1 (no int: JAX-RS\'s 404)', 'GET', '/schemas/ids/99999999999', undefined, 404, 404, 'HTTP 404 Not Found'],
    ['aliases that are not strings', 'POST', '/subjects/bad/versions', { schema: avroRecord('X', [{ name: 'a', type: 'string', aliases: [1] }]) }, 422, 42201, /alias not a string: 1/],
    ['aliases not an array', 'POST', '/subjects/bad/versions', { schema: JSON.stringify({ type: 'record', name: 'X', aliases: 'Y', fields: [] }) }, 422, 42201, /aliases not an array/],
    ['wrong method', 'PATCH', '/subjects', undefined, 405, 405, 'HTTP 405 Method Not Allowed'],
    ['invalid compatibility', 'PUT', '/config', { compatibility: 'SIDEWAYS' }, 422, 42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive'],
    ['invalid mode', 'PUT', '/mode', { mode: 'SOMETIMES' }, 422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.'],
    ['subject without config', 'GET', '/config/users-value', undefined, 404, 40408,
      "Subject 'users-value' does not have subject-level compatibility configured"],
    ['subject without mode', 'GET', '/mode/users-value', undefined, 404, 40409, "Subject 'users-value' does not have subject-level mode configured"],
    ['delete missing subject config', 'DELETE', '/config/ghost', undefined, 404, 40401, "Subject 'ghost' not found."],
  ];
  for (const [name, method, path, body, status, code, message] of cases) {
    test(name, async () => {
      const r = await call(method, path, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.error_code, code);
      if (typeof message === 'string') assert.equal(r.body.message, message);
      else assert.match(r.body.message, message);
    });
  }

  test('unsupported media type', async () => {
    const r = await call('POST', '/subjects/bad/versions', JSON.stringify({ schema: userV1 }), { 'Content-Type': 'text/plain' });
    assert.deepEqual([r.status, r.body.error_code], [415, 415]);
  });

  test('huge bodies are refused: 42209 when registering, 413 elsewhere; the registry keeps serving', async () => {
    const huge = avroRecord('Huge', [{ name: 'a', type: 'string', doc: 'x'.repeat(100 * 1024) }]);
    const r = await call('POST', '/subjects/huge/versions', { schema: huge });
    assert.deepEqual([r.status, r.body], [422, { error_code: 42209, message: 'Register operation failed because schema is too large' }]);
    const lookup = await call('POST', '/subjects/huge', { schema: huge });
    assert.deepEqual([lookup.status, lookup.body.error_code], [413, 413]);
    assert.equal((await call('GET', '/subjects/huge/versions')).status, 404);
    assert.equal((await call('GET', '/subjects')).status, 200);
  });

  test('an incompatible schema is refused with 409 and the reasons', async () => {
    const r = await call('POST', '/subjects/users-value/versions', { schema: userBad });
    assert.equal(r.status, 409);
    assert.equal(r.body.error_code, 40901);
    assert.match(r.body.message, /^Schema being registered is incompatible with an earlier schema for subject "users-value", details: \[/);
    assert.match(r.body.message, /READER_FIELD_MISSING_DEFAULT_VALUE/);
    assert.match(r.body.message, /\{oldSchemaVersion: 2\}/);
    assert.match(r.body.message, /compatibility: 'BACKWARD'/);
  });
});

describe('compatibility endpoint', () => {
  test('against latest, a version, and all versions; verbose adds the messages', async () => {
    const ok = await call('POST', '/compatibility/subjects/users-value/versions/latest', { schema: userV2 });
    assert.deepEqual([ok.status, ok.body], [200, { is_compatible: true }]);
    const bad = await call('POST', '/compatibility/subjects/users-value/versions/latest?verbose=true', { schema: userBad });
    assert.equal(bad.body.is_compatible, false);
    assert.ok(bad.body.messages.some((m: string) => m.includes('READER_FIELD_MISSING_DEFAULT_VALUE')));
    const terse = await call('POST', '/compatibility/subjects/users-value/versions/1', { schema: userBad });
    assert.deepEqual(terse.body, { is_compatible: false });
    const all = await call('POST', '/compatibility/subjects/users-value/versions', { schema: userV2 });
    assert.deepEqual(all.body, { is_compatible: true });
    const fresh = await call('POST', '/compatibility/subjects/brand-new/versions/latest', { schema: userBad });
    assert.deepEqual(fresh.body, { is_compatible: true });
    const noVersion = await call('POST', '/compatibility/subjects/users-value/versions/42', { schema: userV2 });
    assert.deepEqual([noVersion.status, noVersion.body.error_code], [404, 40402]);
    const invalid = await call('POST', '/compatibility/subjects/users-value/versions/latest?verbose=true', { schema: '{' });
    assert.equal(invalid.body.is_compatible, false);
    assert.match(invalid.body.messages[0], /^Invalid schema/);
    const invalidTerse = await call('POST', '/compatibility/subjects/users-value/versions/latest', { schema: '{' });
    assert.equal(invalidTerse.body.error_code, 42201);
  });
});

describe('config', () => {
  test('global and subject levels, defaultToGlobal, delete', async () => {
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await call('PUT', '/config/cfg-subject', { compatibility: 'full' })).body, { compatibility: 'FULL' });
    assert.deepEqual((await call('GET', '/config/cfg-subject')).body, { compatibilityLevel: 'FULL' });
    assert.deepEqual((await call('GET', '/config/other-subject?defaultToGlobal=true')).body, { compatibilityLevel: 'BACKWARD' });
    assert.deepEqual((await call('PUT', '/config', { compatibility: 'NONE' })).body, { compatibility: 'NONE' });
    assert.deepEqual((await call('GET', '/config/other-subject?defaultToGlobal=true')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await call('DELETE', '/config/cfg-subject')).body, { compatibilityLevel: 'FULL' });
    assert.equal((await call('GET', '/config/cfg-subject')).body.error_code, 40408);
    assert.deepEqual((await call('DELETE', '/config')).body, { compatibilityLevel: 'NONE' });
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' });
  });

  test('a subject level governs registration', async () => {
    await call('POST', '/subjects/lenient/versions', { schema: userV2 });
    assert.equal((await call('POST', '/subjects/lenient/versions', { schema: userBad })).status, 409);
    await call('PUT', '/config/lenient', { compatibility: 'NONE' });
    const r = await call('POST', '/subjects/lenient/versions', { schema: userBad });
    assert.equal(r.status, 200);
    assert.deepEqual((await call('GET', '/subjects/lenient/versions')).body, [1, 2]);
  });
});

describe('mode', () => {
  test('READONLY refuses changes; IMPORT keeps explicit ids and versions', async () => {
    assert.deepEqual((await call('GET', '/mode')).body, { mode: 'READWRITE' });
    await call('POST', '/subjects/frozen/versions', { schema: userV1 });
    assert.deepEqual((await call('PUT', '/mode/frozen', { mode: 'READONLY' })).body, { mode: 'READONLY' });
    const refused = await call('POST', '/subjects/frozen/versions', { schema: userV2 });
    assert.deepEqual([refused.status, refused.body],
      [422, { error_code: 42205, message: 'Subject frozen in context . is in read-only mode' }]);
    assert.equal((await call('DELETE', '/subjects/frozen')).body.error_code, 42205);
    assert.deepEqual((await call('DELETE', '/mode/frozen')).body, { mode: 'READONLY' });
    assert.equal((await call('GET', '/mode/frozen')).body.error_code, 40409);
    assert.deepEqual((await call('GET', '/mode/frozen?defaultToGlobal=true')).body, { mode: 'READWRITE' });

    const notImport = await call('POST', '/subjects/imported/versions', { schema: userV1, id: 500, version: 3 });
    assert.deepEqual([notImport.status, notImport.body.message], [422, 'Subject imported in context . is not in import mode']);
    const busy = await call('PUT', '/mode/frozen', { mode: 'IMPORT' });
    assert.deepEqual([busy.status, busy.body], [422, { error_code: 42205, message: 'Cannot import since found existing subjects' }]);
    assert.equal((await call('PUT', '/mode/imported', { mode: 'IMPORT' })).status, 200);
    const imported = await call('POST', '/subjects/imported/versions', { schema: userV1, id: 500, version: 3 });
    assert.deepEqual(imported.body, { id: 500 });
    assert.deepEqual((await call('GET', '/subjects/imported/versions')).body, [3]);
    const clash = await call('POST', '/subjects/imported/versions', { schema: userV2, id: 500, version: 4 });
    assert.deepEqual([clash.status, clash.body.error_code, clash.body.message],
      [422, 42205, 'Overwrite new schema with id 500 in context . is not permitted.']);
    // A version stored under another id is not replaced (its id would vanish with the schema its data needs).
    const replacing = await call('POST', '/subjects/imported/versions', { schema: userV2, id: 600, version: 3 });
    assert.deepEqual([replacing.status, replacing.body.error_code, replacing.body.message],
      [422, 42205, 'Overwrite new schema with version 3 is not permitted.']);
    assert.equal((await call('GET', '/schemas/ids/500')).status, 200);
    const withoutId = await call('POST', '/subjects/imported/versions', { schema: userV2 });
    assert.equal(withoutId.body.message, 'Subject imported in context . is not in read-write mode');
    await call('DELETE', '/mode/imported');
    assert.equal((await call('GET', '/schemas/ids/500')).status, 200);
    // New ids continue above the imported one.
    const next = await call('POST', '/subjects/imported/versions', { schema: avroRecord('Fresh', []) , schemaType: 'AVRO' });
    assert.equal(next.status, 409, 'BACKWARD still applies after the import');
    await call('PUT', '/config/imported', { compatibility: 'NONE' });
    const fresh = await call('POST', '/subjects/imported/versions', { schema: avroRecord('Fresh', []) });
    assert.deepEqual(fresh.body, { id: 501 });
    assert.deepEqual((await call('GET', '/subjects/imported/versions')).body, [3, 4]);
  });
});

describe('delete', () => {
  test('soft then hard delete of versions and subjects, with Confluent codes on each wrong step', async () => {
    const s = 'doomed';
    await call('POST', `/subjects/${s}/versions`, { schema: userV1 });
    await call('POST', `/subjects/${s}/versions`, { schema: userV2 });
    const hardFirst = await call('DELETE', `/subjects/${s}/versions/1?permanent=true`);
    assert.deepEqual([hardFirst.status, hardFirst.body],
      [404, { error_code: 40407, message: "Subject 'doomed' Version 1 was not deleted first before being permanently deleted" }]);
    assert.deepEqual((await call('DELETE', `/subjects/${s}/versions/1`)).body, 1);
    const twice = await call('DELETE', `/subjects/${s}/versions/1`);
    assert.deepEqual([twice.status, twice.body],
      [404, { error_code: 40406, message: "Subject 'doomed' Version 1 was soft deleted.Set permanent=true to delete permanently" }]);
    assert.deepEqual((await call('GET', `/subjects/${s}/versions`)).body, [2]);
    assert.deepEqual((await call('GET', `/subjects/${s}/versions?deleted=true`)).body, [1, 2]);
    assert.equal((await call('GET', `/subjects/${s}/versions/1`)).body.error_code, 40402);
    assert.equal((await call('GET', `/subjects/${s}/versions/1?deleted=true`)).body.version, 1);
    assert.deepEqual((await call('DELETE', `/subjects/${s}/versions/1?permanent=true`)).body, 1);
    assert.deepEqual((await call('GET', `/subjects/${s}/versions?deleted=true`)).body, [2]);

    const hardSubject = await call('DELETE', `/subjects/${s}?permanent=true`);
    assert.deepEqual([hardSubject.status, hardSubject.body],
      [404, { error_code: 40405, message: "Subject 'doomed' was not deleted first before being permanently deleted" }]);
    assert.deepEqual((await call('DELETE', `/subjects/${s}`)).body, [2]);
    const again = await call('DELETE', `/subjects/${s}`);
    assert.deepEqual([again.status, again.body],
      [404, { error_code: 40404, message: "Subject 'doomed' was soft deleted.Set permanent=true to delete permanently" }]);
    assert.ok(!(await call('GET', '/subjects')).body.includes(s));
    assert.ok((await call('GET', '/subjects?deleted=true')).body.includes(s));
    assert.equal((await call('GET', `/subjects/${s}/versions`)).body.error_code, 40401);
    // A soft-deleted schema is still served by id: consumers may still hold data written with it.
    const id = (await call('GET', `/subjects/${s}/versions/2?deleted=true`)).body.id;
    assert.equal((await call('GET', `/schemas/ids/${id}`)).status, 200);
    assert.deepEqual((await call('DELETE', `/subjects/${s}?permanent=true`)).body, [2]);
    assert.ok(!(await call('GET', '/subjects?deleted=true')).body.includes(s));
    assert.equal((await call('DELETE', `/subjects/${s}`)).body.error_code, 40401);
  });

  test('re-registering after a soft delete gives a new version with the same id', async () => {
    const s = 'phoenix';
    const first = await call('POST', `/subjects/${s}/versions`, { schema: userV1 });
    await call('DELETE', `/subjects/${s}`);
    const again = await call('POST', `/subjects/${s}/versions`, { schema: userV1 });
    assert.deepEqual(again.body, { id: first.body.id });
    assert.deepEqual((await call('GET', `/subjects/${s}/versions`)).body, [2]);
  });
});

describe('references', () => {
  test('a schema using a named type from another subject; referencedby; referenced versions cannot be deleted', async () => {
    const address = avroRecord('Address', [{ name: 'street', type: 'string' }], { namespace: 'com.acme' });
    const addr = await call('POST', '/subjects/address/versions', { schema: address });
    const person = avroRecord('Person', [{ name: 'home', type: 'com.acme.Address' }], { namespace: 'com.acme' });
    const r = await call('POST', '/subjects/person/versions', {
      schema: person, references: [{ name: 'com.acme.Address', subject: 'address', version: 1 }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const got = await call('GET', '/subjects/person/versions/1');
    assert.deepEqual(got.body.references, [{ name: 'com.acme.Address', subject: 'address', version: 1 }]);
    assert.deepEqual((await call('GET', `/schemas/ids/${r.body.id}`)).body.references, got.body.references);
    assert.deepEqual((await call('GET', '/subjects/address/versions/1/referencedby')).body, [r.body.id]);
    const del = await call('DELETE', '/subjects/address/versions/1');
    assert.deepEqual([del.status, del.body], [422, {
      error_code: 42206, message: 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
    }]);
    assert.equal((await call('DELETE', '/subjects/address')).body.error_code, 42206);
    // Without the reference the same text does not parse.
    assert.equal((await call('POST', '/subjects/person2/versions', { schema: person })).body.error_code, 42201);
    // Latest (-1) in a reference is stored resolved.
    const latestRef = await call('POST', '/subjects/person3/versions', {
      schema: person, references: [{ name: 'com.acme.Address', subject: 'address', version: -1 }],
    });
    assert.equal(latestRef.body.id, r.body.id, 'same text, same resolved references: same schema');
    // Once the referrers are gone (soft), the referenced version may be soft-deleted.
    await call('DELETE', '/subjects/person');
    await call('DELETE', '/subjects/person3');
    assert.equal((await call('DELETE', '/subjects/address/versions/1')).status, 200);
    assert.equal(addr.status, 200);
    // …but not hard-deleted while soft-deleted referrers remain.
    assert.equal((await call('DELETE', '/subjects/address/versions/1?permanent=true')).body.error_code, 42206);
  });
});

test('a body that is not UTF-8 is refused (400), not stored with U+FFFD in its place', async () => {
  const bytes = Buffer.concat([Buffer.from('{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"U\\",\\"doc\\":\\"'), Buffer.from([0xff, 0xfe]), Buffer.from('\\",\\"fields\\":[]}"}')]);
  const res = await fetch(`${registry.url}/subjects/not-utf8/versions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: bytes });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /not valid UTF-8/);
  assert.equal((await call('GET', '/subjects/not-utf8/versions')).status, 404, 'nothing stored');
  const valid = Buffer.from('{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"U\\",\\"doc\\":\\"é\\",\\"fields\\":[]}"}');
  assert.equal((await fetch(`${registry.url}/subjects/utf8/versions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: valid })).status, 200);
});
