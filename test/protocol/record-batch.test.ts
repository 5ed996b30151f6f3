/**
 * Record batch v2: golden bytes from a real client's encoder (kafkajs), round trips through our encoder/decoder for
 * every codec, validation errors with their Kafka codes, in-place patches keeping the CRC right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import {
  BatchError, Compression, TimestampType, checkBatchAt, controlType, decodeBatch, encodeBatch, encodeControlBatch,
  compress, decompress, parseBatches, readBatchHeader, scanRecords, setBaseOffset, setLogAppendTime, type RecordInput,
} from '../../src/protocol/record-batch.js';
import { crc32c } from '../../src/protocol/crc32c.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { bombPayload } from '../broker/bombs.js';

const require = createRequire(import.meta.url);

/** Encodes a batch with kafkajs' own producer code (its internal RecordBatch and Record encoders). */
async function kafkajsBatch(records: { key: Buffer | null; value: Buffer | null; headers?: Record<string, Buffer> }[], opts: { compression?: number; firstTimestamp?: number } = {}): Promise<Buffer> {
  const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
  const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
  const firstTimestamp = opts.firstTimestamp ?? 1_700_000_000_000;
  const encoded = records.map((r, i) => Record({ offsetDelta: i, timestampDelta: i * 10, key: r.key, value: r.value, headers: r.headers ?? {} }));
  const batch = await RecordBatch({
    compression: opts.compression ?? 0, firstTimestamp, maxTimestamp: firstTimestamp + (records.length - 1) * 10,
    lastOffsetDelta: records.length - 1, producerId: -1, producerEpoch: 0, firstSequence: 0, records: encoded,
  });
  return batch.buffer as Buffer;
}

async function kafkajsDecode(buf: Buffer): Promise<any> {
  const Decoder = require('kafkajs/src/protocol/decoder.js');
  const decode = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
  return decode(new Decoder(buf));
}

test('crc32c matches the standard check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.from('6789'), crc32c(Buffer.from('12345'))), 0xe3069283);
});

for (const [name, compression] of [['uncompressed', 0], ['gzip', 1]] as const) {
  test(`kafkajs ${name} batch parses, validates and decodes to what it sent`, async () => {
    const sent = [
      { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { h: Buffer.from('x') } },
      { key: null, value: Buffer.from('no key') },
      { key: Buffer.from('tomb'), value: null },
    ];
    const bytes = await kafkajsBatch(sent, { compression });
    const batches = parseBatches(bytes);
    assert.ok(!(batches instanceof BatchError), String(batches));
    assert.equal(batches.length, 1);
    const h = batches[0];
    assert.equal(h.size, bytes.length);
    assert.equal(h.compression, compression);
    assert.equal(h.recordCount, 3);
    assert.equal(h.lastOffsetDelta, 2);
    assert.equal(h.baseTimestamp, 1_700_000_000_000);
    assert.equal(h.maxTimestamp, 1_700_000_000_020);
    assert.equal(h.producerId, -1);
    const { records } = decodeBatch(bytes);
    assert.deepEqual(records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null]), [
      [0, 1_700_000_000_000, 'k1', 'v1'], [1, 1_700_000_000_010, null, 'no key'], [2, 1_700_000_000_020, 'tomb', null],
    ]);
    assert.deepEqual(records[0].headers, [{ key: 'h', value: Buffer.from('x') }]);
  });
}

test('our encoder produces batches kafkajs decodes identically', async () => {
  const bytes = encodeBatch([
    { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1000, headers: [{ key: 'trace', value: Buffer.from('t') }] },
    { key: null, value: Buffer.from('2'), timestamp: 1005 },
  ], { baseOffset: 42, compression: Compression.gzip });
  const decoded = await kafkajsDecode(bytes);
  assert.equal(decoded.firstOffset, '42');
  assert.deepEqual(decoded.records.map((r: any) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value.toString()]), [
    ['42', '1000', 'a', '1'], ['43', '1005', null, '2'],
  ]);
  assert.deepEqual(decoded.records[0].headers, { trace: Buffer.from('t') });
});

const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)), { nil: null }) }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

test('encode → validate → decode round trips for every codec', () => {
  for (const compression of Object.values(Compression)) {
    fc.assert(fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2 ** 50 }), (records, baseOffset) => {
      const bytes = encodeBatch(records, { baseOffset, compression, producerId: 2 ** 40 + 7, producerEpoch: 3, baseSequence: 11 });
      const parsed = parseBatches(bytes);
      assert.ok(!(parsed instanceof BatchError), String(parsed));
      const h = parsed[0];
      assert.equal(h.baseOffset, baseOffset);
      assert.equal(h.compression, compression);
      assert.equal(h.producerId, 2 ** 40 + 7);
      assert.equal(h.maxTimestamp, Math.max(...records.map((r) => r.timestamp!)));
      const out = decodeBatch(bytes).records;
      assert.equal(out.length, records.length);
      out.forEach((r, i) => {
        assert.equal(r.offset, baseOffset + i);
        assert.equal(r.timestamp, records[i].timestamp);
        assert.deepEqual(r.key, records[i].key);
        assert.deepEqual(r.value, records[i].value);
        assert.deepEqual(r.headers, records[i].headers!.map((h) => ({ key: h.key, value: h.value })));
      });
    }), { numRuns: 25 });
  }
});

test('raw (unframed) snappy, as librdkafka and kafkajs-snappy send it, decodes too', () => {
  const snappy = require('snappy');
  const plain = encodeBatch([{ key: Buffer.from('k'), value: Buffer.alloc(500, 7), timestamp: 5 }, { key: null, value: Buffer.from('v'), timestamp: 6 }]);
  const body = snappy.compressSync(plain.subarray(61)) as Buffer;
  const batch = Buffer.concat([plain.subarray(0, 61), body]);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt16BE(Compression.snappy, 21);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  assert.ok(!(parseBatches(batch) instanceof BatchError));
  const records = decodeBatch(batch).records;
  assert.deepEqual(records.map((r) => r.value), [Buffer.alloc(500, 7), Buffer.from('v')]);
});

test('several batches in one record set are split at their boundaries', () => {
  const a = encodeBatch([{ key: null, value: Buffer.from('a') }]);
  const b = encodeBatch([{ key: null, value: Buffer.from('b') }, { key: null, value: Buffer.from('c') }]);
  const parsed = parseBatches(Buffer.concat([a, b]));
  assert.ok(!(parsed instanceof BatchError));
  assert.deepEqual(parsed.map((h) => [h.position, h.size, h.recordCount]), [[0, a.length, 1], [a.length, b.length, 2]]);
});

function errorCodeOf(buf: Buffer): number {
  const r = parseBatches(buf);
  assert.ok(r instanceof BatchError, 'expected a BatchError');
  return r.errorCode;
}

test('any flipped byte under the CRC is CORRUPT_MESSAGE', () => {
  const good = encodeBatch([{ key: Buffer.from('key'), value: Buffer.from('value'), timestamp: 1 }]);
  for (let i = 17; i < good.length; i++) {
    const bad = Buffer.from(good);
    bad[i] ^= 0x40;
    assert.equal(errorCodeOf(bad), ErrorCode.CORRUPT_MESSAGE, `byte ${i}`);
  }
});

test('bad framing, old formats, inconsistent counts and client control batches get Kafka error codes', () => {
  const good = encodeBatch([{ key: null, value: Buffer.from('v') }, { key: null, value: Buffer.from('w') }]);
  assert.equal(errorCodeOf(good.subarray(0, good.length - 1)), ErrorCode.CORRUPT_MESSAGE); // truncated
  assert.equal(errorCodeOf(good.subarray(0, 20)), ErrorCode.CORRUPT_MESSAGE);
  assert.equal(errorCodeOf(Buffer.concat([good, Buffer.alloc(7)])), ErrorCode.CORRUPT_MESSAGE); // trailing junk
  assert.equal(errorCodeOf(Buffer.alloc(0)), ErrorCode.CORRUPT_MESSAGE);
  const longer = Buffer.from(good);
  longer.writeInt32BE(good.length, 8); // claims more bytes than there are
  assert.equal(errorCodeOf(longer), ErrorCode.CORRUPT_MESSAGE);
  const tiny = Buffer.from(good);
  tiny.writeInt32BE(10, 8);
  assert.equal(errorCodeOf(tiny), ErrorCode.CORRUPT_MESSAGE);
  const v1 = Buffer.from(good);
  v1[16] = 1;
  assert.equal(errorCodeOf(v1), ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  const miscount = encodeBatch([{ key: null, value: Buffer.from('v') }], { lastOffsetDelta: 4 });
  assert.equal(errorCodeOf(miscount), ErrorCode.INVALID_RECORD);
  assert.equal(errorCodeOf(encodeControlBatch(true, 1, 0)), ErrorCode.INVALID_RECORD);
  // Stored (compacted) batches may have fewer records than offsets: the non-strict check accepts them.
  assert.ok(!(checkBatchAt(miscount, 0, miscount.length, false) instanceof BatchError));
});

test('patching the base offset leaves the CRC valid; LogAppendTime rewrites timestamp and CRC', () => {
  const buf = encodeBatch([{ key: null, value: Buffer.from('a'), timestamp: 100 }, { key: null, value: Buffer.from('b'), timestamp: 150 }]);
  setBaseOffset(buf, 0, 2 ** 52 + 3);
  assert.ok(!(parseBatches(buf) instanceof BatchError));
  assert.equal(readBatchHeader(buf).baseOffset, 2 ** 52 + 3);
  setLogAppendTime(buf, 0, buf.length, 999_999);
  const parsed = parseBatches(buf);
  assert.ok(!(parsed instanceof BatchError));
  assert.equal(parsed[0].timestampType, TimestampType.logAppendTime);
  assert.equal(parsed[0].maxTimestamp, 999_999);
  assert.equal(parsed[0].baseTimestamp, 100);
  assert.deepEqual(decodeBatch(buf).records.map((r) => r.timestamp), [999_999, 999_999]);
});

test('control batches: COMMIT and ABORT markers', () => {
  const commit = encodeControlBatch(true, 77, 2, 5);
  const h = readBatchHeader(commit);
  assert.ok(h.isControl && h.isTransactional);
  assert.equal(h.producerId, 77);
  assert.equal(h.producerEpoch, 2);
  assert.equal(controlType(commit, 0), true);
  assert.equal(controlType(encodeControlBatch(false, 77, 2), 0), false);
  const { records } = decodeBatch(commit);
  assert.deepEqual(records[0].key, Buffer.from([0, 0, 0, 1]));
  assert.deepEqual(records[0].value, Buffer.from([0, 0, 0, 0, 0, 5]));
});

test('malformed records inside a valid CRC are CORRUPT_MESSAGE on decode, never a crash', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.integer({ min: 0, max: 4 }), (junk, compression) => {
    const good = encodeBatch([{ key: null, value: Buffer.from('x') }]);
    const buf = Buffer.concat([good.subarray(0, 61), Buffer.from(junk)]);
    buf.writeInt32BE(buf.length - 12, 8);
    buf.writeInt16BE(compression, 21);
    buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
    try {
      decodeBatch(buf);
    } catch (err) {
      assert.ok(err instanceof BatchError, String(err));
      assert.ok(err.errorCode === ErrorCode.CORRUPT_MESSAGE || err.errorCode === ErrorCode.MESSAGE_TOO_LARGE, err.message);
    }
  }), { numRuns: 300 });
});

test('decompress stops at its limit for every codec (MESSAGE_TOO_LARGE) and passes data within it', () => {
  const data = Buffer.alloc(256 * 1024, 7);
  for (const codec of [Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd]) {
    const packed = compress(codec, data);
    assert.deepEqual(decompress(codec, packed, data.length), data, `codec ${codec} within the limit`);
    assert.throws(() => decompress(codec, packed, data.length - 1), (e: any) => e instanceof BatchError && e.errorCode === ErrorCode.MESSAGE_TOO_LARGE, `codec ${codec} past the limit`);
  }
});

test('scanRecords accepts what encodeBatch writes and refuses counts and varints that lie', () => {
  const b = encodeBatch([{ key: null, value: Buffer.from('a'), headers: [{ key: 'h', value: null }] }, { key: Buffer.from('k'), value: null }]);
  const end = b.length;
  const stamp = readBatchHeader(b).baseTimestamp;
  assert.deepEqual(scanRecords(b, 61, end, 2, stamp), { nullKey: true, minTimestamp: stamp, maxTimestamp: stamp });
  for (const count of [1, 3, 2 ** 31 - 1]) assert.equal((scanRecords(b, 61, end, count) as BatchError).errorCode, ErrorCode.INVALID_RECORD, `count ${count}`);
  const long = Buffer.concat([Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), b.subarray(62)]);
  assert.ok(scanRecords(long, 0, long.length, 2) instanceof BatchError, 'a 6-byte varint');
});

test('scanRecords reads every record timestamp: negative and 10-byte deltas, NO_TIMESTAMP left out', () => {
  const stamps = [5_000, -1, 2 ** 52, 4_000, 0];
  const b = encodeBatch(stamps.map((timestamp) => ({ key: null, value: null, timestamp })), { baseTimestamp: 4_000 });
  assert.deepEqual(scanRecords(b, 61, b.length, stamps.length, 4_000), { nullKey: true, minTimestamp: 0, maxTimestamp: 2 ** 52 });
  const none = encodeBatch([{ key: null, value: null, timestamp: -1 }], { baseTimestamp: -1 });
  assert.deepEqual(scanRecords(none, 61, none.length, 1, -1), { nullKey: true, minTimestamp: Infinity, maxTimestamp: -1 });
  // A delta of -2^52 (zigzag 2^53 - 1, 8 bytes) is read exactly.
  const far = encodeBatch([{ key: null, value: null, timestamp: -(2 ** 51) }], { baseTimestamp: 2 ** 51 });
  assert.equal((scanRecords(far, 61, far.length, 1, 2 ** 51) as { minTimestamp: number }).minTimestamp, -(2 ** 51));
  // zigzag(-2^63) as Java writes it (ten bytes, all ones): the nearest double, negative. The maximum starts at
  // NO_TIMESTAMP, as Kafka's does.
  const javaMin = Buffer.from([0x1e, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x01, 0x01, 0x00]);
  assert.deepEqual(scanRecords(javaMin, 0, javaMin.length, 1, 0), { nullKey: true, minTimestamp: -(2 ** 63), maxTimestamp: -1 });
});

test('zstd frames that do not declare their size (streamed, as Java producers write them) are bounded too', () => {
  const streamed = bombPayload(Compression.zstd, 2 << 20);
  assert.equal(decompress(Compression.zstd, streamed, 2 << 20).length, 2 << 20);
  assert.throws(() => decompress(Compression.zstd, streamed, (2 << 20) - 1), (e: any) => e instanceof BatchError && e.errorCode === ErrorCode.MESSAGE_TOO_LARGE);
  assert.throws(() => decompress(Compression.zstd, streamed.subarray(0, streamed.length - 3), 4 << 20), (e: any) => e instanceof BatchError && e.errorCode === ErrorCode.CORRUPT_MESSAGE, 'truncated');
});

test('zstd from a real compressor (Huffman and FSE blocks, declared size) inflates on this Node, built-in zstd or not', () => {
  // Written by Node 26's zlib.zstdCompressSync (libzstd, level 3) from the text below.
  const packed = Buffer.from('KLUv/WAlH70TAKZQJhSgazmYfN/3raqzUkpSJinRwb0reCkAHgAcAJwZmU3M3RISyojIQu7WOFvsbhFHFhQSEA4MCggGBA4DOERAQQMDgUFDnUrX6N0qKtaU1CrqbhERaUhoFHS3SCSHwjF4t4YmxJHNLeJ2N8aRWOxunc7P5Xv8bplMj8Vz+G6Vyv///79t27bdthxZdC3i7G5tZF8RR8a7RZPdC4FfqPHd7jEGkUY0aGGKDRIYQSERO4QiXBlGiHBkHCGCxUidHQCtO5CGHCSRjc1Bm+KRUNC0T2qoAwlxa5u/0RZ9xIPbjJfnaOwOx9vZNCXBm0Dlt3fhAPTANuLyOBu74Xg7m05CGoHibp8F2VhIxEBj0J/hIjY068P4t5mYRPwBFdyehQPQAtkQl+doxsVWHCA5tv1ZMj84oJy2z4IcZMAa8jW6Go/z8fZLTrKPAZXYHi74gwoEQrl/V+NxPt5+yUn2KqDa2rtQBC2wFXmfXXrlgLKWTzbefpOT7COgotqzcABaIBvi8hyN3eF4O0snIXOAomnfBTmIgFXka2Q3Hufj7ZecZF8BKqO9C0XQAnRlGzhA83bJaNKBoV9rkVkwXP/PHgsBoAKBUO4PX9Qg1nIGxJtJRelOzksKeaWhpysvCXA3xZ/om38RiC0r8YmdwryDiPca9LT6JJSbKf4X4ZeUVHAyQRZC4JcWdJfQLFUhaVDiOLmc9YJEkgocSWcgpPtIOG5KyVfBJsYRcd9g/HEtEf8UOEEcgB2S1q5F5nCaeNuZJhLMVp+CuFfwgSaAvpcRWko/X7x157mHmHXXTvV1CDecTAQDPb9RWyq7Ey536wO7cz6XTVUBjho=', 'base64');
  const text = Array.from({ length: 200 }, (_, i) => `record-${i} ${'abcdefghij'.repeat(i % 7)}`).join('\n');
  assert.equal(decompress(Compression.zstd, packed, 8229).toString(), text);
  assert.throws(() => decompress(Compression.zstd, packed, 8228), (e: any) => e instanceof BatchError && e.errorCode === ErrorCode.MESSAGE_TOO_LARGE);
});

test('scanRecords never throws on junk, and whatever it accepts decodes', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.integer({ min: 0, max: 6 }), (junk, count) => {
    const body = Buffer.from(junk);
    const scan = scanRecords(body, 0, body.length, count);
    if (scan instanceof BatchError) return;
    const batch = encodeBatch([]);
    const whole = Buffer.concat([batch.subarray(0, 61), body]);
    whole.writeInt32BE(whole.length - 12, 8);
    whole.writeInt32BE(count, 57);
    assert.equal(decodeBatch(whole).records.length, count);
  }), { numRuns: 2000 });
});

test('a valid batch with one byte of its records changed is refused by scanRecords or still decodes', () => {
  const record = fc.record({ key: fc.option(fc.uint8Array({ maxLength: 8 })), value: fc.option(fc.uint8Array({ maxLength: 8 })) });
  fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (recs, at, byte) => {
    const b = encodeBatch(recs.map((r) => ({ key: r.key && Buffer.from(r.key), value: r.value && Buffer.from(r.value), timestamp: 1000 })));
    b[61 + (at % (b.length - 61))] = byte;
    if (scanRecords(b, 61, b.length, recs.length) instanceof BatchError) return;
    assert.equal(decodeBatch(b).records.length, recs.length);
  }), { numRuns: 2000 });
});
