/** Seeded damage to a partition directory's files, shared by the log's recovery tests and the broker-level ones. */
import { closeSync, openSync, readdirSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A small seeded PRNG (mulberry32): a failing seed reproduces. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One random damage to one of the segment or index files in `dir`: garbage written at a random position,
 * truncation at a random size, junk appended, or the file removed. Returns what it did, for assertion messages.
 */
export function corrupt(dir: string, random: () => number): string {
  const files = readdirSync(dir).filter((f) => /\.(log|index|timeindex)$/.test(f)).sort();
  if (files.length === 0) return `nothing left to damage in ${dir}`; // index files exist only once they have entries
  const file = join(dir, files[Math.floor(random() * files.length)]);
  const size = statSync(file).size;
  const mode = Math.floor(random() * 4);
  if (mode === 0 && size > 0) {
    const garbage = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
    const at = Math.floor(random() * size);
    const fd = openSync(file, 'r+');
    writeSync(fd, garbage, 0, Math.min(garbage.length, size - at), at);
    closeSync(fd);
    return `garbage at ${at} of ${file}`;
  }
  if (mode === 1) {
    const at = Math.floor(random() * size);
    truncateSync(file, at);
    return `truncated ${file} at ${at}`;
  }
  if (mode === 2) {
    const fd = openSync(file, 'a');
    writeSync(fd, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 100) }, () => Math.floor(random() * 256))));
    closeSync(fd);
    return `junk appended to ${file}`;
  }
  unlinkSync(file);
  return `removed ${file}`;
}
