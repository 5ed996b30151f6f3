/**
 * The broker's logger: JSON lines with ISO times for machines (pipes, files, log shippers), or one short readable
 * line per event in a terminal (`log.format`: auto picks pretty when stdout is a terminal).
 */
import { fstatSync } from 'node:fs';
import { destination, pino, stdSerializers, type Logger, type LoggerOptions, type LogFn } from 'pino';
import { sourceMappedStack } from './source-stack.js';
import type { BrokerConfig } from './config.js';

/**
 * `out`: where lines go, default standard output. JSON lines are written to file descriptor 1 as pino does by default,
 * but without making `process.stdout` (~1 ms of start-up for a pipe: a net.Socket), which pino's default asks for only
 * to read its descriptor.
 */
export function createLogger(config: BrokerConfig, out?: NodeJS.WriteStream): Logger {
  const format = config.get('log.format');
  const options: LoggerOptions = {
    level: config.get('log.level'), base: { name: 'samsa' }, timestamp: isoTime,
    hooks: { logMethod: sourceStacksWhenFailing }, serializers: { err: errorFields },
  };
  const terminal = out ? out.isTTY === true : isTerminal(1);
  if (format === 'json' || (format === 'auto' && !terminal)) return out ? pino(options, out) : pino(options, destination({ dest: 1 }));
  return pino(options, prettyStream(out ?? process.stdout, terminal && !process.env.NO_COLOR));
}

/** An error or fatal line's error (`{ err }`, or the error itself) has its stack in source positions. */
function sourceStacksWhenFailing(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
  const first: unknown = args[0];
  const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
  if (level >= 50 && err instanceof Error && err.stack) err.stack = sourceMappedStack(err.stack);
  method.apply(this, args);
}

/** pino's error fields, with `type` the error's name: its class's name is minified in the CLI's bundle. */
function errorFields(err: unknown): unknown {
  const fields = stdSerializers.err(err as Error);
  if (err instanceof Error) fields.type = err.name;
  return fields;
}

/**
 * `tty.isatty(fd)`, with Node's tty module (~80 KiB of RSS) loaded only for a character device: a pipe, file or
 * socket — where a broker's output usually goes — is no terminal.
 */
export function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(fd);
  } catch {
    return false;
  }
}

const DAY_MS = 86_400_000;
let dayStart = -DAY_MS;
let dayPrefix = '';
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * pino's `stdTimeFunctions.isoTime` (`,"time":"2026-12-02T12:00:01.234Z"`) without Date.prototype.toISOString: Node
 * 20's works out the local time zone too, and its first call loads ICU's zone data (~0.9 MiB of RSS for the life of
 * the process). The date part is made once a day.
 */
export function isoTime(now = Date.now()): string {
  if (now < dayStart || now >= dayStart + DAY_MS) {
    const d = new Date(now);
    dayStart = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
    dayPrefix = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T`;
  }
  const ms = now - dayStart;
  return `,"time":"${dayPrefix}${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}Z"`;
}

const LEVELS: Record<number, [string, number]> = {
  10: ['TRACE', 90], 20: ['DEBUG', 36], 30: ['INFO ', 32], 40: ['WARN ', 33], 50: ['ERROR', 31], 60: ['FATAL', 35],
};
const HIDDEN = new Set(['level', 'time', 'name', 'msg', 'pid', 'hostname']);

/** pino's JSON line → `12:00:01.234 INFO  message key=value ...` (an error's stack on the lines after). */
export function prettyLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const [label, code] = LEVELS[entry.level as number] ?? [String(entry.level), 0];
  const time = typeof entry.time === 'string' ? new Date(entry.time).toTimeString().slice(0, 8) + entry.time.slice(19, 23) : '';
  let stack = '';
  const fields = Object.entries(entry).filter(([k]) => !HIDDEN.has(k)).map(([k, v]) => {
    if (k === 'err' && v && typeof v === 'object') {
      const err = v as { message?: string; stack?: string };
      if ((entry.level as number) >= 50 && err.stack) stack = `\n${err.stack.replace(/^/gm, '    ')}`;
      v = err.message;
    }
    const text = typeof v === 'string' && !/[\s"=]/.test(v) && v !== '' ? v : JSON.stringify(v);
    return `${paint(2, `${k}=`)}${text}`;
  });
  return `${paint(2, time)} ${paint(code, label)} ${entry.msg ?? ''}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}

function prettyStream(out: NodeJS.WriteStream, color: boolean): { write(line: string): void } {
  return { write: (line) => { out.write(prettyLine(line, color)); } };
}
