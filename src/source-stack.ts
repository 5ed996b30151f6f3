/**
 * An error's stack told in source positions. The CLI's bundle is minified down to its names (dist/bundle/samsa.js: a
 * function `handleProduce` is `Ao` there, every position is on one of a few lines), and dist/src is compiled from
 * TypeScript: each frame in a file with a source map beside it (`file.js.map`, as esbuild and tsc write them) is given
 * its source file, line and column, and a frame's minified function name the name its caller wrote. Used only where a
 * stack is shown (error-level logs, the CLI's unexpected failures): the map is read and decoded each time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TraceMap } from '@jridgewell/trace-mapping';
import { requirePackage } from './require-package.js';

type TraceMapping = typeof import('@jridgewell/trace-mapping');

/** `    at name (/path/file.js:1:2)` or `    at /path/file.js:1:2` (`file://` URLs for ES modules). */
const FRAME = /^(\s+at (?:async )?)(?:(.+?) \()?((?:file:\/\/)?\/[^():]+\.[cm]?js):(\d+):(\d+)\)?$/;

interface Frame { prefix: string; name: string | undefined; file: string; line: number; column: number }

export function sourceMappedStack(stack: string): string {
  const lines = stack.split('\n');
  const frames = lines.map((line) => {
    const m = FRAME.exec(line);
    if (!m) return null;
    const file = m[3].startsWith('file://') ? fileURLToPath(m[3]) : m[3];
    return { prefix: m[1], name: m[2], file, line: Number(m[4]), column: Number(m[5]) } satisfies Frame;
  });
  const maps = new Map<string, TraceMap | null>();
  let tracing: TraceMapping | undefined;
  const mapOf = (file: string): TraceMap | null => {
    if (!maps.has(file)) {
      let map: TraceMap | null = null;
      try {
        if (existsSync(`${file}.map`)) {
          tracing ??= requirePackage<TraceMapping>('@jridgewell/trace-mapping');
          map = new tracing.TraceMap(readFileSync(`${file}.map`, 'utf8'), `${file}.map`);
        }
      } catch {
        map = null; // an unreadable map: the frame as it is
      }
      maps.set(file, map);
    }
    return maps.get(file)!;
  };
  const original = (frame: Frame) => {
    const map = mapOf(frame.file);
    if (!map || !tracing) return null;
    const at = tracing.originalPositionFor(map, { line: frame.line, column: frame.column - 1 });
    return at.source === null ? null : at;
  };
  const positions = frames.map((f) => (f ? original(f) : null));
  return lines.map((line, i) => {
    const frame = frames[i];
    const at = positions[i];
    if (!frame || !at) return line;
    // The name at the caller's call is this function's source name (a minified `Ao(…)` call reads `handleProduce`).
    const callerName = frames[i + 1] ? positions[i + 1]?.name : null;
    const name = callerName && frame.name && !frame.name.includes('.') && !frame.name.startsWith('new ') ? callerName : frame.name;
    const source = at.source!.startsWith('file://') ? fileURLToPath(at.source!) : at.source!;
    const where = `${source}:${at.line}:${at.column + 1}`;
    return name ? `${frame.prefix}${name} (${where})` : `${frame.prefix}${where}`;
  }).join('\n');
}
