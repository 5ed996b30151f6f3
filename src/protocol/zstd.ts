/**
 * zstd without compiling anything at install: Node's own zstd (zlib, from Node 22.15 / 23.8) where the running Node
 * has it; elsewhere `fzstd` (pure JavaScript) decodes, and batches Samsa writes itself (compaction rewrites) go out as
 * zstd frames of raw blocks: valid zstd every client reads, just not smaller.
 *
 * Both paths are bounded: inflating stops past `limit` bytes, and a frame may not ask the decoder for a window larger
 * than 2^27 (or what `limit` needs).
 */
import { requirePackage } from '../require-package.js';
import { nameErrorClasses } from '../error-names.js';

/** Node's zstd, typed here as @types/node 20 does not know it. */
interface NodeZstd {
  zstdCompressSync(b: Buffer): Buffer;
  zstdDecompressSync(b: Buffer, o: { maxOutputLength: number; chunkSize: number; params: Record<number, number> }): Buffer;
}
/** Node's zstd, or null; looked up on first use (zlib is not loaded by a broker that never sees zstd). */
let builtinZstd: NodeZstd | null | undefined;
function nodeZstd(): NodeZstd | null {
  if (builtinZstd !== undefined) return builtinZstd;
  const zlib = process.getBuiltinModule('node:zlib') as unknown as Partial<NodeZstd>;
  return builtinZstd = typeof zlib.zstdDecompressSync === 'function' ? zlib as NodeZstd : null;
}
const ZSTD_D_WINDOW_LOG_MAX = 100; // zlib.constants.ZSTD_d_windowLogMax (ZSTD_d_windowLogMax in zstd.h)

/** Thrown when the inflated data passes the limit. */
export class ZstdTooLarge extends Error {}

const windowLogMax = (limit: number) => Math.min(27, Math.max(24, Math.ceil(Math.log2(limit))));

export function zstdCompress(b: Buffer): Buffer {
  const builtin = nodeZstd();
  return builtin ? builtin.zstdCompressSync(b) : storedFrame(b);
}

/** Inflates every frame of `input`, throwing ZstdTooLarge before more than `limit` bytes are held. */
export function zstdDecompress(input: Buffer, limit: number): Buffer {
  const builtin = nodeZstd();
  if (builtin) {
    try {
      // zlib inflates in chunks and stops as soon as the output passes maxOutputLength.
      return builtin.zstdDecompressSync(input, { maxOutputLength: limit, chunkSize: 64 * 1024, params: { [ZSTD_D_WINDOW_LOG_MAX]: windowLogMax(limit) } });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ZstdTooLarge();
      throw err;
    }
  }
  // fzstd allocates a frame's window (or, single-segment, its declared size) up front: check every header first.
  let declared = 0;
  for (const frame of zstdFrames(input)) {
    if (frame.windowSize > 2 ** windowLogMax(limit)) throw new Error(`zstd window of ${frame.windowSize} bytes`);
    declared += frame.contentSize ?? 0;
    if (declared > limit) throw new ZstdTooLarge();
  }
  const { Decompress } = requirePackage<typeof import('fzstd')>('fzstd');
  const chunks: Uint8Array[] = [];
  let total = 0;
  new Decompress((chunk) => {
    total += chunk.length;
    if (total > limit) throw new ZstdTooLarge();
    chunks.push(chunk);
  }).push(input, true);
  return Buffer.concat(chunks, total);
}

const MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;

/** One zstd frame of raw (stored) blocks: no content size declared, a window of one block. */
function storedFrame(b: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic; no size, no checksum; window 2^17
  for (let i = 0; i === 0 || i < b.length; i += BLOCK_MAX) {
    const block = b.subarray(i, i + BLOCK_MAX);
    const last = i + BLOCK_MAX >= b.length ? 1 : 0;
    const header = Buffer.alloc(3);
    header.writeUIntLE((block.length << 3) | last, 0, 3); // block type 0: raw
    parts.push(header, block);
  }
  return Buffer.concat(parts);
}

export interface ZstdFrameInfo { windowSize: number; contentSize: number | null }

/** The frames of `input` (skippable ones left out), read from their headers and block headers only. */
export function* zstdFrames(input: Buffer): Generator<ZstdFrameInfo> {
  let i = 0;
  const need = (n: number) => { if (i + n > input.length) throw new Error('truncated zstd frame'); };
  while (i < input.length) {
    need(4);
    const magic = input.readUInt32LE(i);
    if ((magic & 0xfffffff0) === 0x184d2a50) { // skippable frame: magic, length, bytes
      need(8);
      i += 8 + input.readUInt32LE(i + 4);
      need(0);
      continue;
    }
    if (magic !== MAGIC) throw new Error('not a zstd frame');
    need(2);
    const descriptor = input[i + 4];
    const singleSegment = (descriptor >> 5) & 1;
    const sizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6];
    const dictBytes = [0, 1, 2, 4][descriptor & 3];
    i += 5;
    let windowSize = 0;
    if (!singleSegment) {
      const w = input[i++];
      const base = 2 ** (10 + (w >> 3));
      windowSize = base + (base / 8) * (w & 7);
    }
    i += dictBytes;
    need(sizeBytes);
    let contentSize: number | null = null;
    if (sizeBytes === 1) contentSize = input[i];
    else if (sizeBytes === 2) contentSize = input.readUInt16LE(i) + 256;
    else if (sizeBytes === 4) contentSize = input.readUInt32LE(i);
    else if (sizeBytes === 8) contentSize = Number(input.readBigUInt64LE(i));
    i += sizeBytes;
    if (singleSegment) windowSize = contentSize ?? 0;
    for (let last = 0; !last;) {
      need(3);
      const header = input.readUIntLE(i, 3);
      last = header & 1;
      const type = (header >> 1) & 3;
      if (type === 3) throw new Error('reserved zstd block type');
      i += 3 + (type === 1 ? 1 : header >> 3);
      need(0);
    }
    i += descriptor & 4 ? 4 : 0; // content checksum
    need(0);
    yield { windowSize, contentSize };
  }
}

nameErrorClasses({ ZstdTooLarge });
