/**
 * Compatibility rules as tables of (history, new schema, level, expected), for the three formats at all seven levels.
 * A row gives BACKWARD (the new schema reads data written with the old) and FORWARD (the old reads the new); FULL is
 * both, NONE always passes, and with a one-schema history the *_TRANSITIVE levels agree with the plain ones. Rows
 * with a longer history give every level explicitly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCompatibility, COMPATIBILITY_LEVELS, type CompatibilityLevel } from '../../src/registry/compatibility.js';
import { FORMATS, type Dependency } from '../../src/registry/formats/index.js';
import { avroRecord, client, startTestRegistry } from './helpers.js';

interface Row {
  name: string;
  history: string[];
  next: string;
  backward?: boolean;
  forward?: boolean;
  levels?: Partial<Record<CompatibilityLevel, boolean>>;
}

function expected(row: Row, level: CompatibilityLevel): boolean {
  if (row.levels?.[level] !== undefined) return row.levels[level]!;
  const b = row.backward!;
  const f = row.forward!;
  switch (level.replace('_TRANSITIVE', '')) {
    case 'NONE': return true;
    case 'BACKWARD': return b;
    case 'FORWARD': return f;
    default: return b && f;
  }
}

function runTable(type: string, rows: Row[], deps: Dependency[] = []): void {
  const format = FORMATS[type]!;
  for (const row of rows) {
    test(row.name, () => {
      const history = row.history.map((s, i) => ({ version: i + 1, schema: format.parse(s, deps) }));
      const next = format.parse(row.next, deps);
      for (const level of COMPATIBILITY_LEVELS) {
        const messages = checkCompatibility(level, next, history);
        assert.equal(messages.length === 0, expected(row, level), `${level}: ${messages.join('\n')}`);
      }
    });
  }
}

const rec = (fields: unknown[], name = 'R', extra: Record<string, unknown> = {}) => avroRecord(name, fields, extra);
const f = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

describe('AVRO', () => {
  const colors = (symbols: string[], extra: Record<string, unknown> = {}) => rec([f('c', { type: 'enum', name: 'Color', symbols, ...extra })]);
  const list = (extra: unknown[] = []) => rec([f('value', 'int'), f('next', ['null', 'Node'], { default: null }), ...extra], 'Node');
  runTable('AVRO', [
    { name: 'unchanged', history: [rec([f('a', 'int')])], next: rec([f('a', 'int')]), backward: true, forward: true },
    { name: 'field added with a default', history: [rec([f('a', 'int')])], next: rec([f('a', 'int'), f('b', 'string', { default: 'x' })]), backward: true, forward: true },
    { name: 'field added without a default', history: [rec([f('a', 'int')])], next: rec([f('a', 'int'), f('b', 'string')]), backward: false, forward: true },
    { name: 'field removed (had no default)', history: [rec([f('a', 'int'), f('b', 'string')])], next: rec([f('a', 'int')]), backward: true, forward: false },
    { name: 'field removed (had a default)', history: [rec([f('a', 'int'), f('b', 'string', { default: '' })])], next: rec([f('a', 'int')]), backward: true, forward: true },
    { name: 'int promoted to long', history: [rec([f('a', 'int')])], next: rec([f('a', 'long')]), backward: true, forward: false },
    { name: 'long narrowed to int', history: [rec([f('a', 'long')])], next: rec([f('a', 'int')]), backward: false, forward: true },
    { name: 'int promoted to float', history: [rec([f('a', 'int')])], next: rec([f('a', 'float')]), backward: true, forward: false },
    { name: 'long promoted to double', history: [rec([f('a', 'long')])], next: rec([f('a', 'double')]), backward: true, forward: false },
    { name: 'float promoted to double', history: [rec([f('a', 'float')])], next: rec([f('a', 'double')]), backward: true, forward: false },
    { name: 'string and bytes read each other', history: [rec([f('a', 'string')])], next: rec([f('a', 'bytes')]), backward: true, forward: true },
    { name: 'int to string', history: [rec([f('a', 'int')])], next: rec([f('a', 'string')]), backward: false, forward: false },
    { name: 'enum symbol added', history: [colors(['RED', 'GREEN'])], next: colors(['RED', 'GREEN', 'BLUE']), backward: true, forward: false },
    { name: 'enum symbol added, old reader has a default', history: [colors(['RED', 'GREEN'], { default: 'RED' })], next: colors(['RED', 'GREEN', 'BLUE'], { default: 'RED' }), backward: true, forward: true },
    { name: 'enum symbol removed', history: [colors(['RED', 'GREEN'])], next: colors(['RED']), backward: false, forward: true },
    { name: 'enum symbol removed, new reader has a default', history: [colors(['RED', 'GREEN'])], next: colors(['RED'], { default: 'RED' }), backward: true, forward: true },
    { name: 'type widened to a union', history: [rec([f('a', 'int')])], next: rec([f('a', ['null', 'int'])]), backward: true, forward: false },
    { name: 'union branch added', history: [rec([f('a', ['null', 'int'])])], next: rec([f('a', ['null', 'int', 'string'])]), backward: true, forward: false },
    { name: 'union branch promoted', history: [rec([f('a', ['null', 'int'])])], next: rec([f('a', ['null', 'long'])]), backward: true, forward: false },
    { name: 'field renamed with an alias', history: [rec([f('name', 'string')])], next: rec([f('fullName', 'string', { aliases: ['name'] })]), backward: true, forward: false },
    { name: 'record renamed with an alias', history: [rec([f('a', 'int')], 'User')], next: rec([f('a', 'int')], 'Person', { aliases: ['User'] }), backward: true, forward: false },
    { name: 'record renamed without an alias', history: [rec([f('a', 'int')], 'User')], next: rec([f('a', 'int')], 'Person'), backward: false, forward: false },
    { name: 'namespace changed (unqualified names match)', history: [rec([f('a', 'int')], 'User', { namespace: 'a' })], next: rec([f('a', 'int')], 'User', { namespace: 'b' }), backward: true, forward: true },
    { name: 'fixed size changed', history: [rec([f('h', { type: 'fixed', name: 'H', size: 16 })])], next: rec([f('h', { type: 'fixed', name: 'H', size: 32 })]), backward: false, forward: false },
    { name: 'array items promoted', history: [rec([f('xs', { type: 'array', items: 'int' })])], next: rec([f('xs', { type: 'array', items: 'long' })]), backward: true, forward: false },
    { name: 'map values changed', history: [rec([f('m', { type: 'map', values: 'string' })])], next: rec([f('m', { type: 'map', values: 'int' })]), backward: false, forward: false },
    { name: 'recursive type, unchanged', history: [list()], next: list(), backward: true, forward: true },
    { name: 'recursive type, field with a default added', history: [list()], next: list([f('label', 'string', { default: '' })]), backward: true, forward: true },
    { name: 'primitive to record', history: ['"string"'], next: rec([f('a', 'string')]), backward: false, forward: false },
    {
      name: 'transitive backward: a required field the first version never wrote',
      history: [rec([f('a', 'int')]), rec([f('a', 'int'), f('b', 'string', { default: 'x' })])],
      next: rec([f('a', 'int'), f('b', 'string')]),
      levels: { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: false, FORWARD: true, FORWARD_TRANSITIVE: true, FULL: true, FULL_TRANSITIVE: false },
    },
    {
      name: 'transitive forward: a field the first version reads without a default is dropped',
      history: [rec([f('a', 'int'), f('b', 'string')]), rec([f('a', 'int'), f('b', 'string', { default: 'x' })])],
      next: rec([f('a', 'int')]),
      levels: { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: true, FORWARD: true, FORWARD_TRANSITIVE: false, FULL: true, FULL_TRANSITIVE: false },
    },
  ]);

  test('messages name the incompatibility, its location, the old version and the level', () => {
    const format = FORMATS.AVRO!;
    const messages = checkCompatibility('BACKWARD', format.parse(rec([f('a', 'int'), f('b', 'string')]), []),
      [{ version: 3, schema: format.parse(rec([f('a', 'int')]), []) }]);
    assert.equal(messages[0], "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new "
      + "schema has no default value and is missing in the old schema', additionalInfo:'b'}");
    assert.equal(messages[1], '{oldSchemaVersion: 3}');
    assert.equal(messages[messages.length - 1], "{validateFields: 'false', compatibility: 'BACKWARD'}");
  });
});

describe('JSON', () => {
  const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'object', properties, ...extra });
  const closed = { additionalProperties: false };
  runTable('JSON', [
    { name: 'unchanged', history: [obj({ a: { type: 'string' } })], next: obj({ a: { type: 'string' } }), backward: true, forward: true },
    { name: 'optional property added to a closed model', history: [obj({ a: { type: 'string' } }, closed)], next: obj({ a: { type: 'string' }, b: { type: 'integer' } }, closed), backward: true, forward: false },
    { name: 'optional property added to an open model', history: [obj({ a: { type: 'string' } })], next: obj({ a: { type: 'string' }, b: { type: 'integer' } }), backward: false, forward: true },
    { name: 'property with an empty schema added to an open model', history: [obj({ a: { type: 'string' } })], next: obj({ a: { type: 'string' }, b: {} }), backward: true, forward: true },
    { name: 'property added, covered by the partially open model', history: [obj({ a: { type: 'string' } }, { additionalProperties: { type: 'integer' } })], next: obj({ a: { type: 'string' }, b: { type: 'number' } }, { additionalProperties: { type: 'integer' } }), backward: true, forward: false },
    { name: 'integer widened to number', history: [obj({ a: { type: 'integer' } })], next: obj({ a: { type: 'number' } }), backward: true, forward: false },
    { name: 'type changed', history: [obj({ a: { type: 'integer' } })], next: obj({ a: { type: 'string' } }), backward: false, forward: false },
    { name: 'type gains null', history: [obj({ a: { type: 'string' } })], next: obj({ a: { type: ['string', 'null'] } }), backward: true, forward: false },
    { name: 'maxLength increased', history: [obj({ a: { type: 'string', maxLength: 10 } })], next: obj({ a: { type: 'string', maxLength: 20 } }), backward: true, forward: false },
    { name: 'minimum added', history: [obj({ a: { type: 'integer' } })], next: obj({ a: { type: 'integer', minimum: 0 } }), backward: false, forward: true },
    { name: 'pattern changed', history: [obj({ a: { type: 'string', pattern: '^a' } })], next: obj({ a: { type: 'string', pattern: '^b' } }), backward: false, forward: false },
    { name: 'required property added', history: [obj({ a: { type: 'string' }, b: { type: 'string' } })], next: obj({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['b'] }), backward: false, forward: true },
    { name: 'required property with a default added', history: [obj({ a: { type: 'string' }, b: { type: 'string' } })], next: obj({ a: { type: 'string' }, b: { type: 'string', default: '' } }, { required: ['b'] }), backward: true, forward: true },
    { name: 'enum extended', history: [obj({ c: { enum: ['r', 'g'] } })], next: obj({ c: { enum: ['r', 'g', 'b'] } }), backward: true, forward: false },
    { name: 'oneOf extended', history: [obj({ v: { oneOf: [{ type: 'string' }] } })], next: obj({ v: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }), backward: true, forward: false },
    { name: 'property removed from an open model', history: [obj({ a: { type: 'string' }, b: { type: 'integer' } })], next: obj({ a: { type: 'string' } }), backward: true, forward: false },
    { name: 'property removed from a closed model', history: [obj({ a: { type: 'string' }, b: { type: 'integer' } }, closed)], next: obj({ a: { type: 'string' } }, closed), backward: false, forward: true },
    { name: 'local $ref target changed', history: [obj({ a: { $ref: '#/definitions/A' } }, { definitions: { A: { type: 'string' } } })], next: obj({ a: { $ref: '#/definitions/A' } }, { definitions: { A: { type: 'integer' } } }), backward: false, forward: false },
    { name: 'array items widened', history: [obj({ xs: { type: 'array', items: { type: 'integer' } } })], next: obj({ xs: { type: 'array', items: { type: 'number' } } }), backward: true, forward: false },
    {
      name: 'recursive schema unchanged',
      history: [obj({ child: { $ref: '#' }, v: { type: 'integer' } })],
      next: obj({ child: { $ref: '#' }, v: { type: 'integer' } }), backward: true, forward: true,
    },
    {
      name: 'transitive: maximum raised then lowered below the first',
      history: [obj({ a: { type: 'integer', maximum: 10 } }), obj({ a: { type: 'integer', maximum: 5 } })],
      next: obj({ a: { type: 'integer', maximum: 7 } }),
      levels: { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: false, FORWARD: false, FORWARD_TRANSITIVE: false, FULL: false, FULL_TRANSITIVE: false },
    },
  ]);

  runTable('JSON', [
    {
      name: 'a property typed by a referenced schema ($id) stays compatible with itself',
      history: [obj({ home: { $ref: 'https://acme.example/address.json' } })],
      next: obj({ home: { $ref: 'https://acme.example/address.json' }, extra: {} }), backward: true, forward: true,
    },
  ], [{ name: 'https://acme.example/address.json', type: 'JSON', schema: JSON.stringify({ $id: 'https://acme.example/address.json', type: 'object' }) }]);
});

describe('PROTOBUF', () => {
  const proto = (body: string, pkg = 'acme', syntax = 'proto3') => `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`;
  const order = (fields: string) => proto(`message Order { ${fields} }`);
  runTable('PROTOBUF', [
    { name: 'unchanged', history: [order('string id = 1;')], next: order('string id = 1;'), backward: true, forward: true },
    { name: 'field added', history: [order('string id = 1;')], next: order('string id = 1; int64 amount = 2;'), backward: true, forward: true },
    { name: 'field removed', history: [order('string id = 1; int64 amount = 2;')], next: order('string id = 1;'), backward: true, forward: true },
    { name: 'field renamed', history: [order('string id = 1;')], next: order('string key = 1;'), backward: true, forward: true },
    { name: 'int32 to int64 (same varint kind)', history: [order('int32 n = 1;')], next: order('int64 n = 1;'), backward: true, forward: true },
    { name: 'int32 to sint32 (zigzag)', history: [order('int32 n = 1;')], next: order('sint32 n = 1;'), backward: false, forward: false },
    { name: 'string to bytes', history: [order('string s = 1;')], next: order('bytes s = 1;'), backward: true, forward: true },
    { name: 'string to int32', history: [order('string s = 1;')], next: order('int32 s = 1;'), backward: false, forward: false },
    { name: 'int32 to enum', history: [order('int32 s = 1;')], next: order('enum S { A = 0; } S s = 1;'), backward: true, forward: true },
    { name: 'scalar to message', history: [order('string s = 1;')], next: proto('message M { string v = 1; } message Order { M s = 1; }'), backward: false, forward: false },
    { name: 'message type changed', history: [proto('message A { string v = 1; } message B { string v = 1; } message Order { A x = 1; }')], next: proto('message A { string v = 1; } message B { string v = 1; } message Order { B x = 1; }'), backward: false, forward: false },
    { name: 'package changed', history: [order('string id = 1;')], next: proto('message Order { string id = 1; }', 'other'), backward: false, forward: false },
    { name: 'message removed', history: [proto('message Order { string id = 1; } message Extra { string v = 1; }')], next: order('string id = 1;'), backward: false, forward: true },
    { name: 'numeric field made repeated', history: [order('int32 n = 1;')], next: order('repeated int32 n = 1;'), backward: false, forward: false },
    { name: 'string field made repeated', history: [order('string s = 1;')], next: order('repeated string s = 1;'), backward: true, forward: true },
    { name: 'one field moved into a new oneof', history: [order('string a = 1; string b = 2;')], next: order('string a = 1; oneof o { string b = 2; }'), backward: true, forward: true },
    { name: 'two fields moved into a new oneof', history: [order('string a = 1; string b = 2;')], next: order('oneof o { string a = 1; string b = 2; }'), backward: false, forward: true },
    { name: 'enum value added', history: [proto('enum S { A = 0; } message Order { S s = 1; }')], next: proto('enum S { A = 0; B = 1; } message Order { S s = 1; }'), backward: true, forward: true },
    { name: 'map value kind changed', history: [order('map<string, int32> m = 1;')], next: order('map<string, string> m = 1;'), backward: false, forward: false },
    { name: 'proto2 required field added', history: [proto('message Order { required string id = 1; }', 'acme', 'proto2')], next: proto('message Order { required string id = 1; required int32 n = 2; }', 'acme', 'proto2'), backward: false, forward: false },
    { name: 'nested message field changed', history: [proto('message Order { message Line { int32 q = 1; } Line l = 1; }')], next: proto('message Order { message Line { string q = 1; } Line l = 1; }'), backward: false, forward: false },
    {
      name: 'transitive: a field kind flips back',
      history: [order('int32 n = 1;'), order('string other = 2;')],
      next: order('string n = 1;'),
      levels: { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: false, FORWARD: true, FORWARD_TRANSITIVE: false, FULL: true, FULL_TRANSITIVE: false },
    },
  ]);
});

describe('levels over HTTP', () => {
  test('each level set on a subject decides registration against its history', async () => {
    const registry = await startTestRegistry();
    const call = client(registry.url);
    try {
      const history = [rec([f('a', 'int')]), rec([f('a', 'int'), f('b', 'string', { default: 'x' })])];
      const next = rec([f('a', 'int'), f('b', 'string')]);
      const want: Record<CompatibilityLevel, number> = {
        NONE: 200, BACKWARD: 200, BACKWARD_TRANSITIVE: 409, FORWARD: 200, FORWARD_TRANSITIVE: 200, FULL: 200, FULL_TRANSITIVE: 409,
      };
      for (const level of COMPATIBILITY_LEVELS) {
        const subject = `levels-${level}`;
        for (const schema of history) assert.equal((await call('POST', `/subjects/${subject}/versions`, { schema })).status, 200);
        await call('PUT', `/config/${subject}`, { compatibility: level });
        const r = await call('POST', `/subjects/${subject}/versions`, { schema: next });
        assert.equal(r.status, want[level], `${level}: ${JSON.stringify(r.body)}`);
      }
    } finally {
      await registry.close();
    }
  });
});

describe('compatibility of large or heavily shared schemas finishes (each once held the event loop for seconds)', { timeout: 20_000 }, () => {
  test('JSON: 20 levels of oneOf over shared $refs, against itself (4^20 trials before: 29 s)', () => {
    const definitions: Record<string, unknown> = { d0: { type: 'string' } };
    for (let k = 1; k <= 20; k++) {
      const ref = { $ref: `#/definitions/d${k - 1}` };
      definitions[`d${k}`] = { oneOf: [{ type: 'object', properties: { a: ref } }, { type: 'object', properties: { b: ref } }] };
    }
    const text = JSON.stringify({ definitions, $ref: '#/definitions/d20' });
    assert.deepEqual(FORMATS.JSON.parse(text, []).canRead(FORMATS.JSON.parse(text, [])), []);
    // Still told apart: one level's branch `b` gone from the reader, with a closed model.
    const narrowed = JSON.parse(text);
    narrowed.definitions.d7 = { oneOf: [{ type: 'object', properties: { a: { $ref: '#/definitions/d6' } }, additionalProperties: false }] };
    assert.ok(FORMATS.JSON.parse(JSON.stringify(narrowed), []).canRead(FORMATS.JSON.parse(text, [])).length > 0);
  });

  test('JSON: an enum of 15,000 values (a pairwise meta-schema check took 3 s); a duplicate among them is still refused', () => {
    const values = Array.from({ length: 15_000 }, (_, i) => `v${i}`);
    const all = FORMATS.JSON.parse(JSON.stringify({ type: 'string', enum: values }), []);
    assert.deepEqual(FORMATS.JSON.parse(JSON.stringify({ type: 'string', enum: values, description: 'd' }), []).canRead(all), []);
    assert.deepEqual(FORMATS.JSON.parse(JSON.stringify({ type: 'string', enum: values.slice(1) }), []).canRead(all).map((i) => i.type), ['ENUM_ARRAY_NARROWED']);
    assert.throws(() => FORMATS.JSON.parse(JSON.stringify({ type: 'string', enum: [...values, 'v7'] }), []), /duplicate items/);
    assert.throws(() => FORMATS.JSON.parse(JSON.stringify({ type: 'string', enum: ['a', 'a'] }), []), /duplicate items/);
  });

  test('Avro: a record of 15,000 fields against one of 32,000 (24 s before)', () => {
    const record = (n: number) => FORMATS.AVRO.parse(JSON.stringify({ type: 'record', name: 'R', fields: Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 })) }), []);
    const [small, large] = [record(15_000), record(32_000)];
    assert.deepEqual([large.canRead(small), small.canRead(large)], [[], []]);
    const noDefaults = FORMATS.AVRO.parse(JSON.stringify({ type: 'record', name: 'R', fields: Array.from({ length: 32_000 }, (_, i) => ({ name: `f${i}`, type: 'int' })) }), []);
    assert.equal(noDefaults.canRead(small).length, 17_000, 'each field the writer lacks, without a default');
  });
});

describe('names that are members of Object.prototype are names like any other', () => {
  test('Avro: records named toString and constructor are taken; a type named hasOwnProperty that nothing defines is not', () => {
    for (const name of ['toString', 'constructor', 'valueOf']) {
      const parsed = FORMATS.AVRO.parse(JSON.stringify({ type: 'record', name, fields: [{ name: 'x', type: 'int' }] }), []);
      assert.match(parsed.text, new RegExp(`"name":"${name}"`));
    }
    assert.throws(() => FORMATS.AVRO.parse(JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'hasOwnProperty' }] }), []), /undefined type name: hasOwnProperty/);
  });

  test('JSON: a property named constructor removed from a closed content model is told, as any other', () => {
    const closed = (properties: Record<string, unknown>) => FORMATS.JSON.parse(JSON.stringify({ type: 'object', properties, additionalProperties: false }), []);
    for (const name of ['constructor', 'toString', 'foo']) {
      assert.deepEqual(closed({}).canRead(closed({ [name]: { type: 'string' } })).map((i) => i.type), ['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'], name);
    }
  });

  test('Protobuf: __proto__ as a name is refused, not stored otherwise; field numbers as protoc checks them', () => {
    assert.throws(() => FORMATS.PROTOBUF.parse('syntax = "proto3";\nmessage __proto__ { int32 a = 1; }\n', []), /__proto__/);
    assert.throws(() => FORMATS.PROTOBUF.parse('syntax = "proto3";\nmessage M { int32 __proto__ = 1; }\n', []), /__proto__/);
    for (const id of [0, 19_000, 19_999, 536_870_912]) {
      assert.throws(() => FORMATS.PROTOBUF.parse(`syntax = "proto3";\nmessage M { int32 a = ${id}; }\n`, []), /Field numbers/, String(id));
    }
    for (const id of [1, 18_999, 20_000, 536_870_911]) FORMATS.PROTOBUF.parse(`syntax = "proto3";\nmessage M { int32 a = ${id}; }\n`, []);
  });
});
