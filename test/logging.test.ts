/**
 * The logger's timestamps: the same text as pino's isoTime, made without Date.prototype.toISOString; its test for
 * a terminal (pretty lines), made without loading Node's tty module for what is plainly not one; and errors' stacks in
 * source positions on error lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, isoTime, isTerminal } from '../src/logging.js';
import { buildConfig, readConfigFile } from '../src/config.js';
import { run, tempDir } from './helpers.js';
import { nameErrorClasses } from '../src/error-names.js';

test('isoTime writes what pino\'s isoTime writes (Date.prototype.toISOString), across days, months and leap days', () => {
  const times = [
    0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000,
    Date.UTC(2024, 1, 28, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 0, 0, 0, 0), Date.UTC(2024, 2, 1),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(2100, 1, 28, 12), Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  ];
  // Forwards, backwards and jumping about: the cached day must never leak into another day's time.
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) times.push(Math.floor(random() * Date.UTC(2200, 0, 1)));
  for (const t of [...times, ...times.reverse()]) assert.equal(isoTime(t), `,"time":"${new Date(t).toISOString()}"`, String(t));
});

test('isTerminal: a file, /dev/null and a pipe are no terminal; a pseudo-terminal is', async () => {
  const dir = tempDir('samsa-terminal-');
  try {
    for (const path of [join(dir.dir, 'out.log'), '/dev/null']) {
      const fd = openSync(path, 'w');
      try {
        assert.equal(isTerminal(fd), false, path);
      } finally {
        closeSync(fd);
      }
    }
    const logging = fileURLToPath(new URL('../src/logging.js', import.meta.url));
    const ask = `node -e "import('${logging}').then((m) => console.log('terminal=' + m.isTerminal(1)))"`;
    // run() gives the child a pipe; script(1) runs it on a pseudo-terminal of its own.
    assert.match((await run('bash', ['-c', ask])).stdout, /terminal=false/);
    assert.match((await run('script', ['-qec', ask, '/dev/null'])).stdout, /terminal=true/);
  } finally {
    dir.remove();
  }
});

test('an error line gives its error\'s stack in TypeScript positions and its name as type; a warning line\'s stack is left as thrown', () => {
  const lines: string[] = [];
  const out = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  const logger = createLogger(buildConfig({ 'log.format': 'json' }), out as unknown as NodeJS.WriteStream);
  // A real failure from compiled code that has a source map beside it (tsc writes dist/src/config.js.map).
  const thrown = () => {
    try {
      readConfigFile('/nonexistent/samsa.properties');
    } catch (err) {
      return err as Error;
    }
    throw new Error('readConfigFile did not throw');
  };
  logger.warn({ err: thrown() }, 'warned');
  logger.error({ err: thrown() }, 'failed');
  const [warned, failed] = lines.map((l) => JSON.parse(l) as { err: { type: string; stack: string } });
  assert.match(warned.err.stack, /dist\/src\/config\.js:\d+:\d+\)/);
  // The first frame: where parseConfigFile throws, in the TypeScript source.
  const frame = failed.err.stack.split('\n')[1];
  const [, file, line] = /^\s+at parseConfigFile \((\/.+\/src\/config-file\.ts):(\d+):\d+\)$/.exec(frame) ?? [];
  assert.ok(file, failed.err.stack);
  assert.match(readFileSync(file, 'utf8').split('\n')[Number(line) - 1], /throw new ConfigError\(`cannot read config file/);
  assert.match(failed.err.stack, /at readConfigFile \(\/.+\/src\/config\.ts:\d+:\d+\)/);
  assert.doesNotMatch(failed.err.stack, /dist\/src\/config\.js/);
  assert.equal(failed.err.type, 'ConfigError');
  assert.match(failed.err.stack, /^ConfigError: cannot read config file/);
});

test('nameErrorClasses gives a class whose name was minified its source name: err.name, the stack, the log line\'s type', () => {
  const minified = class extends Error {};
  assert.equal(minified.name, 'minified');
  nameErrorClasses({ StorageLikeError: minified });
  const err = new minified('disk gone');
  assert.equal(err.name, 'StorageLikeError');
  assert.match(err.stack!, /^StorageLikeError: disk gone/);
  assert.deepEqual(Object.keys(err), [], 'not an own, enumerable property');
  const lines: string[] = [];
  const out = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
  createLogger(buildConfig({ 'log.format': 'json' }), out as unknown as NodeJS.WriteStream).warn({ err }, 'failed');
  assert.equal((JSON.parse(lines[0]) as { err: { type: string } }).err.type, 'StorageLikeError');
});
