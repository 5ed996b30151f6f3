/** Samsa's version: the one in our package.json, the nearest up from this module (dist/bundle/ or dist/src/). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'samsa') {
        cached = pkg.version ?? 'unknown';
        break;
      }
    } catch { /* not here: look further up */ }
  }
  return cached;
}
