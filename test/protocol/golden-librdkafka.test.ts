/**
 * Golden bytes from librdkafka 2.15.1 (captured by test/protocol/golden/capture.ts): every request frame it sent is
 * decoded with our generated codec, must use up exactly its bytes, and must encode back to the same bytes, so a
 * field in the wrong place, of the wrong width or missing in one version fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { isFlexible } from '../../src/protocol/api.js';
import { HANDLERS } from '../../src/handlers/index.js';
import { repositoryRoot } from '../../protocol/generate.js';

const FIXTURES = join(repositoryRoot(), 'test', 'protocol', 'golden', 'librdkafka-2.15.1');
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.hex')).sort();

test('the librdkafka fixtures are there', () => {
  assert.ok(files.length >= 20, `only ${files.length} fixtures`);
});

for (const file of files) {
  test(`librdkafka 2.15.1 ${file.replace('.hex', '')}: decodes and re-encodes byte for byte`, () => {
    const frame = Buffer.from(readFileSync(join(FIXTURES, file), 'utf8').trim(), 'hex');
    const r = new Reader(frame);
    const key = r.int16();
    const version = r.int16();
    r.int32(); // correlation id
    r.nullableString(false); // client id: never compact, even in header v2
    const handler = HANDLERS.find((h) => h.api.key === key);
    assert.ok(handler, `no handler for API ${key}`);
    const { api } = handler;
    assert.ok(version >= handler.versions.min && version <= handler.versions.max, `${api.name} v${version} is not served`);
    if (isFlexible(api, version)) r.taggedFields();
    const body = frame.subarray(frame.length - r.remaining);
    const reader = new Reader(body);
    const decoded = api.readRequest(reader, version);
    assert.equal(reader.remaining, 0, `${reader.remaining} bytes left over`);
    const w = new Writer();
    api.writeRequest(w, version, decoded);
    assert.equal(w.toBuffer().toString('hex'), body.toString('hex'));
  });
}
