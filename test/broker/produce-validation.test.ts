/**
 * What Produce refuses before anything is stored, with raw requests and hand-built batches: compression bombs (every
 * codec, memory-capped child broker) and batches whose records lie about their count or framing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startTestBroker, callApi, run } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { ProduceApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { Compression, compress, encodeBatch, BATCH_HEADER_SIZE } from '../../src/protocol/record-batch.js';
import { crc32c } from '../../src/protocol/crc32c.js';
import { batchWithBody } from './bombs.js';

let running: RunningBroker;
before(async () => {
  running = await startTestBroker();
  for (const t of ['lies', 'framing']) running.broker.createTopic(t, 1);
});
after(async () => { await running.close(); });

async function produce(topic: string, records: Buffer): Promise<number> {
  const res = await callApi(running.port, ProduceApi, 7, {
    transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return res.responses[0].partitionResponses[0].errorCode;
}

const resign = (b: Buffer): Buffer => { b.writeUInt32BE(crc32c(b.subarray(21)), 17); return b; };

test('bombs (zstd 1 GiB, gzip 768 MiB, lz4 240 MiB) in every codec is refused MESSAGE_TOO_LARGE by a broker with a 256 MiB heap, memory staying low', { timeout: 120_000 }, async () => {
  const child = fileURLToPath(new URL('./inflation-child.js', import.meta.url));
  const out = await run(process.execPath, ['--max-old-space-size=256', '--expose-gc', child], { timeoutMs: 110_000 });
  assert.equal(out.code, 0, out.stderr);
  const { results, peakBytes } = JSON.parse(out.stdout) as { results: Array<{ topic: string; codec: number; errorCode: number; bytes: number }>; peakBytes: number };
  assert.equal(results.length, 8);
  for (const r of results) {
    assert.ok(r.bytes < 1048588, `the bomb itself is within max.message.bytes (${r.bytes} bytes)`);
    assert.equal(r.errorCode, ErrorCode.MESSAGE_TOO_LARGE, `${r.topic} codec ${r.codec}`);
  }
  // The bound is 32 x max.message.bytes (32 MiB) of inflated data, held up to twice while a buffer grows, plus what
  // the registry loads (RSS seen: 80-110 MiB); old code inflated the whole GiB (RSS grew by 1.8 GiB).
  assert.ok(peakBytes < 256 << 20, `peak growth ${(peakBytes / 2 ** 20).toFixed(0)} MiB`);
});

test('a snappy block claiming more than snappy can expand to is CORRUPT_MESSAGE', async () => {
  running.broker.createTopic('snappy-lie', 1, { 'cleanup.policy': 'compact' });
  // Raw snappy: varint preamble 2^30 (1 GiB), then a literal of 4 bytes.
  const lie = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x0c, 1, 2, 3, 4]);
  assert.equal(await produce('snappy-lie', batchWithBody(Compression.snappy, lie)), ErrorCode.CORRUPT_MESSAGE);
  assert.equal(running.broker.partition('snappy-lie', 0)!.logEndOffset, 0);
});

test('a batch claiming 2^31-1 records with one present is refused and consumes no offsets', async () => {
  const b = encodeBatch([{ key: null, value: Buffer.from('one') }]);
  b.writeInt32BE(2 ** 31 - 2, 23); // lastOffsetDelta, consistent with the count
  b.writeInt32BE(2 ** 31 - 1, 57);
  assert.equal(await produce('lies', resign(b)), ErrorCode.INVALID_RECORD);
  const ok = encodeBatch([{ key: null, value: Buffer.from('fine') }]);
  assert.equal(await produce('lies', ok), ErrorCode.NONE);
  assert.equal(running.broker.partition('lies', 0)!.logEndOffset, 1, 'only the honest batch took an offset');
});

test('record framing that lies inside a valid CRC is INVALID_RECORD, compressed or not', async () => {
  const good = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }, { key: Buffer.from('k2'), value: Buffer.from('v2') }]);
  const body = good.subarray(BATCH_HEADER_SIZE);
  const withBody = (records: Buffer, compression: number = Compression.none, count = 2) => batchWithBody(compression, compress(compression, records), count);
  const cases: Array<[string, Buffer]> = [
    // The first record's length (varint 0x0c... ) re-encoded on 10 bytes: same value, not a valid int32 varint.
    ['10-byte varint length', Buffer.concat([Buffer.from([body[0] | 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), body.subarray(1)])],
    ['key length past the record', patchFirstKeyLength(body, 40)],
    ['trailing bytes after the records', Buffer.concat([body, Buffer.from([0, 0, 0, 0, 0, 0, 0])])],
    ['one record short', body.subarray(0, 1 + (body[0] >> 1))],
  ];
  for (const [what, records] of cases) {
    assert.equal(await produce('framing', withBody(records)), ErrorCode.INVALID_RECORD, what);
    assert.equal(await produce('framing', withBody(records, Compression.zstd)), ErrorCode.INVALID_RECORD, `${what} (zstd)`);
  }
  assert.equal(await produce('framing', good), ErrorCode.NONE);
  assert.equal(await produce('framing', withBody(body, Compression.gzip)), ErrorCode.NONE);
  assert.equal(running.broker.partition('framing', 0)!.logEndOffset, 4);
});

/** The first record of `encodeBatch` output: length, attributes 0, timestamp delta 0, offset delta 0, then the key length. */
function patchFirstKeyLength(body: Buffer, len: number): Buffer {
  const copy = Buffer.from(body);
  copy[4] = len << 1; // zigzag
  return copy;
}
