import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { BrokerConfig } from '../src/config.js';
import { createLogger, prettyLine, type Logger } from '../src/logging.js';

/** A stdout stand-in collecting what is written. */
function capture(isTTY = false): { out: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const out = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }) as unknown as NodeJS.WriteStream;
  out.isTTY = isTTY;
  return { out, lines };
}

const config = (level: string, format = 'json') => new BrokerConfig(new Map([['log.level', level], ['log.format', format]]));

test('JSON lines are the ones pino writes for the same calls (level, ISO time, name, bindings, fields, msg)', () => {
  const ours = capture();
  const theirs = capture();
  const reference = pino({ level: 'debug', base: { name: 'samsa' }, timestamp: pino.stdTimeFunctions.isoTime }, theirs.out);
  const logger = createLogger(config('debug'), ours.out);
  for (const log of [logger, reference] as Logger[]) {
    log.child({ component: 'groups', node: 1 }).info({ group: 'g', members: 3, nothing: undefined }, 'rebalanced');
    log.warn('plain text');
    log.debug({ list: [1, 'a'], nested: { ok: true } }, 'fields');
    log.trace({}, 'below the level');
  }
  const withoutTime = (line: string) => ({ ...JSON.parse(line), time: undefined });
  assert.equal(ours.lines.length, 3);
  assert.deepEqual(ours.lines.map(withoutTime), theirs.lines.map(withoutTime));
  assert.deepEqual(ours.lines.map((l) => Object.keys(JSON.parse(l))), theirs.lines.map((l) => Object.keys(JSON.parse(l))));
  for (const line of ours.lines) {
    assert.ok(line.endsWith('}\n'));
    assert.match(JSON.parse(line).time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
});

test('an err field is written as pino writes it: type, message, stack and its own fields', () => {
  const ours = capture();
  const theirs = capture();
  const reference = pino({ base: { name: 'samsa' }, timestamp: pino.stdTimeFunctions.isoTime }, theirs.out);
  const err = Object.assign(new RangeError('disk full'), { code: 'ENOSPC', errno: -28 });
  createLogger(config('info'), ours.out).error({ err, topic: 't' }, 'append failed');
  reference.error({ err, topic: 't' }, 'append failed');
  const [a, b] = [JSON.parse(ours.lines[0]), JSON.parse(theirs.lines[0])];
  assert.deepEqual(a.err, b.err);
  assert.equal(a.err.type, 'RangeError');
  assert.equal(a.err.code, 'ENOSPC');
});

test('fields that JSON cannot hold (a cycle, a bigint) neither throw nor lose the line', () => {
  const { out, lines } = capture();
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const logger = createLogger(config('info'), out);
  logger.info({ cycle }, 'cyclic');
  logger.info({ big: 2n ** 70n }, 'big');
  assert.equal(JSON.parse(lines[0]).msg, 'cyclic');
  assert.equal(JSON.parse(lines[1]).big, String(2n ** 70n));
});

test('pretty format prints the readable line of the same entry, and the level can change at run time', () => {
  const { out, lines } = capture();
  const logger = createLogger(config('warn', 'pretty'), out);
  logger.info({ port: 9092 }, 'hidden');
  logger.level = 'info';
  logger.info({ port: 9092 }, 'samsa is ready');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO {2}samsa is ready port=9092\n$/);
  assert.equal(prettyLine(JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', msg: 'x', a: 1 }), false).endsWith('INFO  x a=1\n'), true);
});
