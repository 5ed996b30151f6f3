/**
 * CRC32C (Castagnoli), the checksum of record batches v2. Native (SSE4.2 / ARMv8 CRC instructions through
 * @node-rs/crc32): pure-JS table versions are 4-7x slower, and every produced byte passes through here.
 * Loaded with require: importing this CommonJS package as ESM makes Node lex its whole loader at start-up. And loaded
 * on first use, not at import: its loader probes the C library (reads /usr/bin/ldd), some 6 ms of CPU that a start
 * need not wait for.
 */
import { requirePackage } from '../require-package.js';

type Crc32c = (input: Buffer, initial?: number) => number;
let native: Crc32c | null = null;

function loadNative(): Crc32c {
  return requirePackage<{ crc32c: Crc32c }>('@node-rs/crc32').crc32c;
}

/** CRC32C of `buf`, continuing from `initial` (a previous result) when given. Returns an unsigned 32-bit number. */
export function crc32c(buf: Buffer, initial = 0): number {
  return (native ??= loadNative())(buf, initial) >>> 0;
}
