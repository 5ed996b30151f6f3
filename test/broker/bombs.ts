/**
 * Compression bombs for every codec, built without ever holding the inflated bytes: a small compressed unit repeated
 * (concatenated gzip members, zstd frames, LZ4 frames), each repeat adding `unit` inflated bytes.
 */
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { Compression, encodeBatch, BATCH_HEADER_SIZE, LOG_OVERHEAD } from '../../src/protocol/record-batch.js';
import { crc32c } from '../../src/protocol/crc32c.js';

const require = createRequire(import.meta.url);
const MiB = 1 << 20;

/**
 * `size` inflated bytes of zeros, compressed with `codec` (gzip, lz4, zstd). zstd comes as one streamed frame that does
 * not declare its size (as Java producers write it); `declared` gives frames that do.
 */
export function bombPayload(codec: number, size: number, declared = false): Buffer {
  const unit = Buffer.alloc(MiB);
  if (codec === Compression.zstd) return declared ? Buffer.concat(Array.from({ length: Math.ceil(size / MiB) }, () => zstdZeros(MiB, true))) : zstdZeros(size, false);
  const one = codec === Compression.gzip ? gzipSync(unit, { level: 9 })
    : (require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer }).compressFrameSync(unit);
  return Buffer.concat(Array.from({ length: Math.ceil(size / MiB) }, () => one));
}

/**
 * One zstd frame of `size` zeros written by hand (RFC 8878): RLE blocks of 128 KiB, 4 bytes each, so a GiB takes
 * 32 KiB. `declared` puts the size in the frame header (8-byte Frame_Content_Size); otherwise it is absent.
 */
function zstdZeros(size: number, declared: boolean): Buffer {
  const block = 128 * 1024;
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, declared ? 0xc0 : 0x00, 0x38, ...(declared ? [0, 0, 0, 0, 0, 0, 0, 0] : [])]);
  if (declared) header.writeBigUInt64LE(BigInt(size), 6);
  const blocks = Buffer.alloc(4 * Math.ceil(size / block));
  for (let done = 0, at = 0; done < size; done += block, at += 4) {
    const n = Math.min(block, size - done);
    blocks.writeUIntLE((n << 3) | (1 << 1) | (done + n >= size ? 1 : 0), at, 3); // RLE block; byte `at + 3` is the zero
  }
  return Buffer.concat([header, blocks]);
}

/** A produced batch (valid header and CRC) whose compressed body is `payload`, claiming `count` records. */
export function batchWithBody(codec: number, payload: Buffer, count = 1): Buffer {
  const header = encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }]).subarray(0, BATCH_HEADER_SIZE);
  const buf = Buffer.concat([header, payload]);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, 8);
  buf.writeInt16BE(codec, 21);
  buf.writeInt32BE(count - 1, 23);
  buf.writeInt32BE(count, 57);
  buf.writeUInt32BE(crc32c(buf.subarray(21)), 17);
  return buf;
}
