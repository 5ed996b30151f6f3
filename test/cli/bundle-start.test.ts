/**
 * What the CLI's bundle (dist/bundle/main.js, what `npm start` and `npx samsa` run) has loaded of Node's own modules
 * once it is ready: none of those only later work needs. Each costs idle memory (node:module alone brings Node's ES
 * module loader), and src/cli/bundle.mjs rewrites pino's lines that would load some of them. And the stack of an
 * unexpected failure, told in the sources' names and positions though the bundle's names are minified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tempDir } from '../helpers.js';

const bundle = fileURLToPath(new URL('../../bundle/main.js', import.meta.url));

/** Node's modules a started broker (Kafka port only) has no use for yet. */
const NOT_AT_START = ['module', 'internal/modules/esm/loader', 'worker_threads', 'assert', 'os', 'tls', 'https', 'zlib', 'crypto'];

test('a broker started from the bundle has loaded none of node:module, worker_threads, assert, os, tls, https, zlib, crypto', async (t) => {
  const tmp = tempDir();
  // Loaded first with --require: it adds only a signal handler, which answers with the list of modules loaded.
  const reporter = join(tmp.dir, 'report-modules.cjs');
  writeFileSync(reporter, "process.on('SIGUSR2', () => process._rawDebug('MODULES ' + JSON.stringify(process.moduleLoadList)));\n");
  const child = spawn(process.execPath, ['--require', reporter, bundle, '--port', '0', '--registry-port', '0', '--admin-port', '0', '--data-dir', join(tmp.dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.after(async () => {
    child.kill('SIGKILL');
    await exited;
    tmp.remove();
  });
  const lines = (stream: NodeJS.ReadableStream, prefix: string) => new Promise<string>((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n').find((l) => l.includes(prefix));
      if (line && text.slice(text.indexOf(line) + line.length).includes('\n')) resolve(line);
    });
    child.on('exit', (code) => reject(new Error(`the broker exited (${code}) before printing ${JSON.stringify(prefix)}: ${text}`)));
  });
  await lines(child.stdout, 'samsa is ready');
  const answer = lines(child.stderr, 'MODULES ');
  child.kill('SIGUSR2');
  const loaded: string[] = JSON.parse((await answer).slice((await answer).indexOf('MODULES ') + 8));
  assert.ok(loaded.includes('NativeModule net'), 'the list is of this process, which listens');
  assert.deepEqual(NOT_AT_START.filter((name) => loaded.includes(`NativeModule ${name}`)), []);
});

test('an unexpected failure of the bundle shows its stack with the source functions, files and lines', async () => {
  const tmp = tempDir();
  try {
    // A data directory that is a file: making the TLS directory in it fails with ENOTDIR, which nothing describes.
    const notADirectory = join(tmp.dir, 'file');
    writeFileSync(notADirectory, '');
    const { code, stderr } = await run(process.execPath, [bundle, 'tls', 'client', 'bob', '--data-dir', notADirectory]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /ENOTDIR/);
    assert.doesNotMatch(stderr, /samsa\.js:/, 'no frame left in the bundle\'s positions');
    const [, file, line] = /\n\s+at ensureAutoTls \((\/.+\/src\/security\/tls\.ts):(\d+):\d+\)\n/.exec(stderr) ?? [];
    assert.ok(file, stderr);
    assert.match(readFileSync(file, 'utf8').split('\n')[Number(line) - 1], /mkdirSync\(/);
    assert.match(stderr, /\n\s+at issueClientCertificate \(\/.+\/src\/security\/tls\.ts:\d+:\d+\)\n/);
  } finally {
    tmp.remove();
  }
});
