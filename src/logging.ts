/**
 * The broker's logger: JSON lines with ISO times for machines (pipes, files, log shippers), or one short readable
 * line per event in a terminal (`log.format`: auto picks pretty when stdout is a terminal).
 *
 * The lines are pino's (`{"level":30,"time":"…","name":"samsa",…,"msg":"…"}`, `err` as type/message/stack), written
 * here rather than by pino itself: loading pino and what it pulls in (worker threads, assert, sonic-boom) cost ~10 ms
 * of every start for the few lines an idle broker writes. A pino logger can still be passed (StartOptions.logger).
 */
import type { BrokerConfig } from './config.js';

type LogFn = { (fields: object, msg?: string): void; (msg: string): void };

/** What Samsa calls on a logger: pino's methods of the same names (a pino Logger is one). */
export interface Logger {
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export function createLogger(config: BrokerConfig, out: NodeJS.WriteStream = process.stdout): Logger {
  const format = config.get('log.format');
  const pretty = !(format === 'json' || (format === 'auto' && !out.isTTY));
  const color = pretty && out.isTTY === true && !process.env.NO_COLOR;
  const write = pretty ? (line: string) => { out.write(prettyLine(line, color)); } : (line: string) => { out.write(line); };
  return new JsonLineLogger(config.get('log.level'), ',"name":"samsa"', write);
}

class JsonLineLogger implements Logger {
  private threshold: number;
  readonly trace: LogFn = (a: object | string, msg?: string) => this.write(10, a, msg);
  readonly debug: LogFn = (a: object | string, msg?: string) => this.write(20, a, msg);
  readonly info: LogFn = (a: object | string, msg?: string) => this.write(30, a, msg);
  readonly warn: LogFn = (a: object | string, msg?: string) => this.write(40, a, msg);
  readonly error: LogFn = (a: object | string, msg?: string) => this.write(50, a, msg);
  readonly fatal: LogFn = (a: object | string, msg?: string) => this.write(60, a, msg);

  /** `bindings`: the JSON of the fields every line carries, each with a leading comma. */
  constructor(private levelName: string, private readonly bindings: string, private readonly out: (line: string) => void) {
    this.threshold = LEVEL_VALUES[levelName] ?? 30;
  }

  get level(): string {
    return this.levelName;
  }

  set level(name: string) {
    if (!(name in LEVEL_VALUES)) throw new Error(`unknown log level ${name}`);
    this.levelName = name;
    this.threshold = LEVEL_VALUES[name];
  }

  child(bindings: Record<string, unknown>): Logger {
    return new JsonLineLogger(this.levelName, this.bindings + fieldsJson(bindings), this.out);
  }

  private write(level: number, a: object | string, msg: string | undefined): void {
    if (level < this.threshold) return;
    const fields = typeof a === 'string' ? '' : fieldsJson(a instanceof Error ? { err: a } : a);
    const text = typeof a === 'string' ? a : msg;
    this.out(`{"level":${level},"time":"${new Date().toISOString()}"${this.bindings}${fields}${text === undefined ? '' : `,"msg":${JSON.stringify(text)}`}}\n`);
  }
}

/** `{a:1,b:2}` → `,"a":1,"b":2` (undefined values left out, as JSON.stringify does); never throws. */
function fieldsJson(fields: object): string {
  let json: string;
  try {
    json = JSON.stringify(fields, jsonValue) ?? '{}';
  } catch {
    json = '{"logError":"fields could not be serialized"}';
  }
  return json === '{}' ? '' : `,${json.slice(1, -1)}`;
}

function jsonValue(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return errorFields(value);
  return value;
}

/** An error as pino's serializer writes it: type, message, stack, then its own enumerable fields (code, errno, ...). */
function errorFields(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.constructor?.name ?? err.name, message: err.message, stack: err.stack };
  for (const [key, value] of Object.entries(err)) if (out[key] === undefined && key !== 'cause') out[key] = value;
  return out;
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
