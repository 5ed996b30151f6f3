/**
 * The primitive codecs at Kafka's limits: int64 as JS numbers keeps Long.MIN_VALUE and Long.MAX_VALUE (a client's
 * "no limit") through a read and a write, and a string is at most 32,767 bytes, also when invalid UTF-8 is written
 * back as U+FFFD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader, readInt64, DecodeError } from '../../src/protocol/reader.js';
import { Writer, writeInt64 } from '../../src/protocol/writer.js';

const LONG_MAX = Buffer.from('7fffffffffffffff', 'hex');
const LONG_MIN = Buffer.from('8000000000000000', 'hex');

function written(v: number): Buffer {
  const b = Buffer.alloc(8);
  writeInt64(b, 0, v);
  return b;
}

test('int64: Long.MAX_VALUE and Long.MIN_VALUE survive a read and a write; beyond them is written as the limit', () => {
  assert.deepEqual(written(readInt64(LONG_MAX, 0)), LONG_MAX);
  assert.deepEqual(written(readInt64(LONG_MIN, 0)), LONG_MIN);
  assert.deepEqual(written(2 ** 64), LONG_MAX);
  assert.deepEqual(written(-(2 ** 64)), LONG_MIN);
  assert.deepEqual(new Writer().int64(2 ** 63).toBuffer(), LONG_MAX);
  assert.equal(new Reader(LONG_MAX).int64(), 2 ** 63);
});

test('int64: every safe integer round-trips exactly', () => {
  fc.assert(fc.property(fc.maxSafeInteger(), (v) => {
    const b = written(v);
    assert.equal(b.readBigInt64BE(0), BigInt(v));
    assert.equal(readInt64(b, 0), v);
  }), { numRuns: 2000 });
});

test('int64: written right at any position of a growing Writer (its buffer doubles from 256 bytes)', () => {
  for (let before = 0; before <= 1100; before++) {
    const w = new Writer();
    for (let i = 0; i < before; i++) w.int8(1);
    const out = w.int64(-(2 ** 40) - before).toBuffer();
    assert.equal(out.length, before + 8);
    assert.equal(out.readBigInt64BE(before), BigInt(-(2 ** 40) - before), `after ${before} bytes`);
  }
});

/** A string field: compact (varint length + 1) or classic (int16 length). */
function stringField(bytes: Buffer, compact: boolean): Buffer {
  const w = new Writer();
  if (compact) w.uvarint(bytes.length + 1);
  else w.int16(bytes.length);
  return Buffer.concat([w.toBuffer(), bytes]);
}

test('strings: 32,767 bytes are read; a compact string of 32,768 is refused with a DecodeError', () => {
  assert.equal(new Reader(stringField(Buffer.alloc(32_767, 'a'), true)).string(true).length, 32_767);
  assert.equal(new Reader(stringField(Buffer.alloc(32_767, 'a'), false)).string(false).length, 32_767);
  assert.throws(() => new Reader(stringField(Buffer.alloc(32_768, 'a'), true)).string(true), DecodeError);
  assert.throws(() => new Reader(stringField(Buffer.alloc(100_000, 'a'), true)).nullableString(true), DecodeError);
});

test('strings: invalid UTF-8 that would be longer than 32,767 bytes written back is refused; shorter is read', () => {
  // Each 0xff reads as U+FFFD, three bytes when written.
  assert.throws(() => new Reader(stringField(Buffer.alloc(20_000, 0xff), false)).string(false), DecodeError);
  const s = new Reader(stringField(Buffer.alloc(10_000, 0xff), true)).string(true);
  assert.equal(Buffer.byteLength(s), 30_000);
  // Valid multi-byte UTF-8 keeps its length.
  const euro = Buffer.from('€'.repeat(10_922)); // 32,766 bytes
  assert.equal(new Reader(stringField(euro, true)).string(true), '€'.repeat(10_922));
});

test('varlong keeps its sign past 2^53, where the unsigned value has lost its low bit', () => {
  const read = (bytes: number[]) => new Reader(Buffer.from(bytes)).varlong();
  assert.equal(read([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), -(2 ** 63), 'zigzag(Long.MIN_VALUE), as Java writes it');
  assert.equal(read([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 2 ** 63, 'zigzag(Long.MAX_VALUE): the nearest double');
  assert.equal(read([0x01]), -1);
  assert.equal(read([0x02]), 1);
});
