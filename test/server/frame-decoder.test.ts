/** The frame decoder under random frames, random chunk splits and random garbage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, FrameError } from '../../src/server/frame-decoder.js';

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/** Cuts a stream into chunks at the given (sorted, deduplicated) positions. */
function split(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of [...points, stream.length]) {
    chunks.push(stream.subarray(at, p));
    at = p;
  }
  return chunks;
}

test('frames come out whole and in order, however the stream is split', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (bodies, cuts) => {
    const stream = Buffer.concat(bodies.map(frame));
    const decoder = new FrameDecoder(1000);
    const out: Buffer[] = [];
    for (const chunk of split(stream, cuts)) out.push(...decoder.push(chunk));
    assert.deepEqual(out.map((b) => Buffer.from(b)), bodies.map((b) => Buffer.from(b)));
  }));
});

test('random bytes either decode into frames or fail with FrameError, never anything else', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
    const decoder = new FrameDecoder(512);
    try {
      for (const chunk of split(Buffer.from(bytes), cuts)) {
        for (const f of decoder.push(chunk)) assert.ok(f.length <= 512);
      }
    } catch (err) {
      assert.ok(err instanceof FrameError, String(err));
    }
  }));
});

test('an oversized or negative length prefix is refused before any allocation', () => {
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(2 ** 31 - 1, 0);
  assert.throws(() => new FrameDecoder(100 * 1024 * 1024).push(huge), /exceeds socket.request.max.bytes/);
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-5, 0);
  assert.throws(() => new FrameDecoder(1024).push(negative), /negative frame size/);
});
