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
  if (codec === Compression.zstd && !declared) return zstdStreamed(unit, Math.ceil(size / MiB));
  const one = codec === Compression.gzip ? gzipSync(unit, { level: 9 })
    : codec === Compression.zstd ? (require('zstd-napi') as { compress(b: Buffer): Buffer }).compress(unit)
      : (require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer }).compressFrameSync(unit);
  return Buffer.concat(Array.from({ length: Math.ceil(size / MiB) }, () => one));
}

interface ZstdCompressBinding {
  CCtx: new () => { compressStream2(dst: Uint8Array, src: Uint8Array, end: number): [number, number, number] };
  EndDirective: { continue: number; end: number };
}

/** One zstd frame of `unit` repeated `times`, fed in pieces so the frame header carries no content size. */
function zstdStreamed(unit: Buffer, times: number): Buffer {
  const zstd = require('zstd-napi/binding') as ZstdCompressBinding;
  const cctx = new zstd.CCtx();
  const out: Buffer[] = [];
  const feed = (src: Buffer, end: number) => {
    for (let left = src, more = 1; left.length > 0 || more !== 0;) {
      const dst = Buffer.allocUnsafe(128 * 1024);
      const [remaining, produced, consumed] = cctx.compressStream2(dst, left, end);
      out.push(dst.subarray(0, produced));
      left = left.subarray(consumed);
      more = end === zstd.EndDirective.end ? remaining : 0;
    }
  };
  for (let i = 0; i < times; i++) feed(unit, zstd.EndDirective.continue);
  feed(Buffer.alloc(0), zstd.EndDirective.end);
  return Buffer.concat(out);
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
