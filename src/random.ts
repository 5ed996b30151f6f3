/**
 * Random bytes for what a start makes (the internal topics' ids on a first start) without loading node:crypto, which
 * costs a start ~5 ms and ~2 MiB of RSS: read from the kernel's generator, as OpenSSL does; node:crypto where there is
 * no /dev/urandom.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function randomBytes(size: number): Buffer {
  let fd: number;
  try {
    fd = openSync('/dev/urandom', 'r');
  } catch {
    return process.getBuiltinModule('node:crypto').randomBytes(size);
  }
  try {
    const bytes = Buffer.allocUnsafe(size);
    for (let filled = 0; filled < size;) filled += readSync(fd, bytes, filled, size - filled, null);
    return bytes;
  } finally {
    closeSync(fd);
  }
}
