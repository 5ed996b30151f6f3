/**
 * Every generated codec, every version we serve, both directions: random messages shaped by the .api definitions
 * survive encode → decode unchanged, and the committed generated code is what the generator produces now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseApi, generateAll, repositoryRoot, type ApiDefinition } from '../../protocol/generate.js';
import * as generated from '../../src/protocol/generated/index.js';
import type { ApiCodec } from '../../src/protocol/api.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const root = repositoryRoot();
const definitions: ApiDefinition[] = readdirSync(join(root, 'protocol', 'apis')).filter((f) => f.endsWith('.api'))
  .map((f) => parseApi(readFileSync(join(root, 'protocol', 'apis', f), 'utf8'), f));
const codecs = new Map<string, ApiCodec<any, any>>(Object.entries(generated)
  .filter(([name]) => name.endsWith('Api')).map(([, api]) => [(api as ApiCodec<any, any>).name, api as ApiCodec<any, any>]));

type Field = ApiDefinition['request'][number];
const inRange = (r: { min: number; max: number }, v: number) => v >= r.min && v <= r.max;

/** Builds an arbitrary of the message shape at one version (absent fields get their decoded default). */
function arbitraryOf(fields: Field[], v: number, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) {
    const present = inRange(f.versions, v);
    const nullable = f.nullable !== null && inRange(f.nullable, v);
    let a: fc.Arbitrary<unknown>;
    if (f.type === 'struct' && !f.array) a = arbitraryOf(f.fields, v, depth); // one struct: no deeper than its parent
    else if (f.type === 'struct') a = fc.array(depth < 3 ? arbitraryOf(f.fields, v, depth + 1) : fc.constant({}), { maxLength: 3 });
    else {
      a = scalar(f.type);
      if (f.array) a = fc.array(a, { maxLength: 4 });
    }
    if (nullable || f.type === 'records') a = fc.option(a, { nil: null });
    shape[f.name] = present ? a : fc.constant(absent(f));
  }
  return fc.record(shape, { noNullPrototype: true });
}

function scalar(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int8': return fc.integer({ min: -128, max: 127 });
    case 'int16': return fc.integer({ min: -32768, max: 32767 });
    case 'uint16': return fc.integer({ min: 0, max: 65535 });
    case 'int32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32': return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64': return fc.maxSafeInteger();
    case 'float64': return fc.double({ noNaN: true });
    case 'bool': return fc.boolean();
    case 'string': return fc.string({ maxLength: 20 });
    case 'uuid': return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b));
    default: return fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)); // bytes, records
  }
}

function absent(f: Field): unknown {
  if (f.defaultValue !== null) return f.type === 'string' ? f.defaultValue : f.type === 'bool' ? f.defaultValue === 'true' : Number(f.defaultValue);
  if (f.nullable || f.type === 'records') return null;
  if (f.array) return [];
  return ({ bool: false, string: '', bytes: Buffer.alloc(0), uuid: Buffer.alloc(16) } as Record<string, unknown>)[f.type] ?? 0;
}

function roundTrip(write: (w: Writer) => void, read: (r: Reader) => unknown): unknown {
  const w = new Writer(8);
  write(w);
  const buf = w.toBuffer();
  const r = new Reader(buf);
  const out = read(r);
  assert.equal(r.remaining, 0, 'decoder must consume exactly what the encoder wrote');
  return out;
}

for (const def of definitions) {
  const codec = codecs.get(def.name)!;
  test(`${def.name} round-trips every served version`, () => {
    assert.ok(codec, `generated codec for ${def.name}`);
    for (let v = def.versions.min; v <= def.versions.max; v++) {
      for (const [side, fields] of [['request', def.request], ['response', def.response]] as const) {
        fc.assert(fc.property(arbitraryOf(fields, v), (msg) => {
          const decoded = side === 'request'
            ? roundTrip((w) => codec.writeRequest(w, v, msg), (r) => codec.readRequest(r, v))
            : roundTrip((w) => codec.writeResponse(w, v, msg), (r) => codec.readResponse(r, v));
          assert.deepEqual(decoded, msg);
        }), { numRuns: 60 });
      }
    }
  });
}

test('truncated messages fail with one DecodeError, never another exception', () => {
  for (const def of definitions) {
    const codec = codecs.get(def.name)!;
    const v = def.versions.max;
    fc.assert(fc.property(arbitraryOf(def.request, v), fc.nat(), (msg, cut) => {
      const w = new Writer();
      codec.writeRequest(w, v, msg);
      const buf = w.toBuffer();
      if (buf.length === 0) return;
      const truncated = buf.subarray(0, cut % buf.length);
      try {
        codec.readRequest(new Reader(truncated), v);
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'SAMSA_DECODE_ERROR');
      }
    }), { numRuns: 30 });
  }
});

test('committed generated code matches the definitions', () => {
  for (const [path, content] of generateAll(root)) {
    assert.equal(readFileSync(join(root, path), 'utf8'), content, `${path} is stale: run npm run generate`);
  }
});
