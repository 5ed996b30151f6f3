/**
 * What the commands print: aligned tables for people, JSON for scripts (`--format json`), and errors as one line on
 * stderr with a non-zero exit code (1: the request failed; 2: the command line was wrong).
 */
import { errorInfo } from '../protocol/generated/errors.js';
import { nameErrorClasses } from '../error-names.js';

/** A failure the command reports as one line; `exitCode` 2 for bad usage, 1 for everything else. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** A Kafka error code in a response, named as Kafka names it. */
export class KafkaError extends CliError {
  readonly retriable: boolean;
  constructor(readonly errorCode: number, context: string, serverMessage?: string | null) {
    const [name, retriable, text] = errorInfo.get(errorCode) ?? [`error ${errorCode}`, false, ''];
    super(`${context}: ${name}${serverMessage ? ` (${serverMessage})` : text ? ` (${text})` : ''}`);
    this.retriable = retriable;
  }
}

/** Throws a KafkaError unless `errorCode` is 0. */
export function check(errorCode: number, context: string, serverMessage?: string | null): void {
  if (errorCode !== 0) throw new KafkaError(errorCode, context, serverMessage);
}

export type Cell = string | number | boolean | null | undefined;

/** Columns padded to their widest cell; the last column is not padded, so lines carry no trailing blanks. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : printable(String(c)))))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return text.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * Text with its control characters written as escapes (\n, \t, \x1b): a name in a table or an error message cannot
 * move the cursor, colour the terminal or forge a row. `keepNewlines` for messages that are meant to span lines.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? /[\x00-\x09\x0b-\x1f\x7f-\x9f]/g : /[\x00-\x1f\x7f-\x9f]/g, (ch) => (
    ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Output format shared by every command: `text` (tables) or `json`. */
export type Format = 'text' | 'json';

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** Prints `value` as JSON, or the text `render` makes of it. */
export function emit<T>(format: Format, value: T, render: (v: T) => string): void {
  if (format === 'json') printJson(value);
  else print(render(value));
}

nameErrorClasses({ CliError, KafkaError });
