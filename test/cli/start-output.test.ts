/**
 * What `samsa` prints: one line with exit code 2 for every mistake (naming the setting, where it came from and what
 * is allowed), the banner and pretty logs in a terminal (a pseudo-terminal from util-linux `script`), JSON lines with
 * ISO times otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir, run, type RunResult } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';

const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');
const FREE_PORTS = ['--port', '0', '--registry-port', '0', '--admin-port', '0'];

/** Runs the CLI with free ports, the given variables and flags; it must exit by itself (a mistake) within 20 s. */
function samsa(args: string[], env: Record<string, string> = {}, prefix: string[] = []): Promise<RunResult> {
  return run('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...prefix, process.execPath, cli, ...FREE_PORTS, ...args], { timeoutMs: 20_000 });
}

/** Exit code 2 and exactly one line on stderr, matching `line`. */
function assertOneLine(out: RunResult, line: RegExp | string): void {
  assert.equal(out.code, 2, `exit code (stderr: ${out.stderr})`);
  const lines = out.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${out.stderr}`);
  if (typeof line === 'string') assert.equal(lines[0], line);
  else assert.match(lines[0], line);
}

test('bad flag values: one line naming the setting, the flag and what is allowed', async () => {
  assertOneLine(await samsa(['--in-memory', '--port', '99999']), 'samsa: Invalid value 99999 for configuration port: Value must be no more than 65535 (--port)');
  assertOneLine(await samsa(['--in-memory', '--port', 'ninety']), 'samsa: Invalid value ninety for configuration port: Not a number of type INT from 0 to 65535 (--port)');
  assertOneLine(await samsa(['--in-memory', '--log-level', 'loud']), 'samsa: Invalid value loud for configuration log.level: String must be one of: fatal, error, warn, info, debug, trace, silent (--log-level)');
  assertOneLine(await samsa(['--in-memory', '--log-format', 'fancy']), 'samsa: Invalid value fancy for configuration log.format: String must be one of: auto, pretty, json (--log-format)');
  assertOneLine(await samsa(['--in-memory', '--set', 'broker.id=-3']), 'samsa: Invalid value -3 for configuration node.id: Value must be at least 0 (--set broker.id)');
  assertOneLine(await samsa(['--in-memory', '--set', 'no.such.setting=1']), "samsa: Unknown broker setting 'no.such.setting' (--set no.such.setting)");
});

test('bad settings from variables and files name the variable or the file and line', async () => {
  assertOneLine(await samsa(['--in-memory'], { SAMSA_NUM_PARTITIONS: 'lots' }), 'samsa: Invalid value lots for configuration num.partitions: Not a number of type INT of at least 1 (SAMSA_NUM_PARTITIONS)');
  const tmp = tempDir();
  try {
    const props = join(tmp.dir, 'samsa.properties');
    writeFileSync(props, '# dev\nnum.partitions = 2\nlog.segment.bytes : 5\n');
    assertOneLine(await samsa(['--in-memory', '--config', props]), `samsa: Invalid value 5 for configuration log.segment.bytes: Value must be at least 14 (${props}:3)`);
    const yaml = join(tmp.dir, 'samsa.yaml');
    writeFileSync(yaml, 'log:\n  retention:\n    ms: -5\n');
    assertOneLine(await samsa(['--in-memory', '--config', yaml]), `samsa: Invalid value -5 for configuration log.retention.ms: Value must be at least -1 (${yaml}:3)`);
    const toml = join(tmp.dir, 'samsa.toml');
    writeFileSync(toml, 'port = 1\n');
    assertOneLine(await samsa(['--in-memory', '--config', toml]), `samsa: config file ${toml}: unknown kind '.toml'; use .properties, .json, .yaml, .yml`);
    assertOneLine(await samsa(['--in-memory', '--config', join(tmp.dir, 'absent.yaml')]), /^samsa: cannot read config file .*absent\.yaml: ENOENT/);
  } finally {
    tmp.remove();
  }
});

test('a busy port names the service and the flag that moves it', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = String((busy.address() as AddressInfo).port);
  try {
    assertOneLine(await samsa(['--in-memory', '--port', port]), `samsa: Kafka port ${port} is already in use: choose another with --port (0 picks a free port)`);
    assertOneLine(await samsa(['--in-memory', '--registry-port', port]), `samsa: Schema Registry port ${port} is already in use: choose another with --registry-port (-1 picks a free port, 0 turns the registry off)`);
    assertOneLine(await samsa(['--in-memory', '--admin-port', port]), `samsa: admin port ${port} is already in use: choose another with --admin-port (-1 picks a free port, 0 turns the admin port off)`);
  } finally {
    busy.close();
  }
});

test('a data directory that cannot be used: one line, exit 2, no hang', async () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    assertOneLine(await samsa(['--data-dir', file]), `samsa: cannot use data directory ${file} (log.dirs, from --data-dir): not a directory, '${file}'; choose a writable directory with --data-dir, or run --in-memory`);
    assertOneLine(await samsa(['--data-dir', join(file, 'sub')]), new RegExp(`^samsa: cannot use data directory ${file}/sub \\(log.dirs, from --data-dir\\): not a directory, mkdir`));
    // Node 20's recursive mkdir never returns under /proc.
    assertOneLine(await samsa(['--data-dir', '/proc/samsa-data']), "samsa: cannot use data directory /proc/samsa-data (log.dirs, from --data-dir): no such file or directory, mkdir '/proc/samsa-data'; choose a writable directory with --data-dir, or run --in-memory");
    assertOneLine(await samsa([], { SAMSA_LOG_DIRS: '/proc/self' }), /^samsa: cannot use data directory \/proc\/self \(log.dirs, from SAMSA_LOG_DIRS\): no such file or directory, open '\/proc\/self\/.lock'/);
    // Unwritable: a directory of mode 555 (root ignores modes, so as root the CLI runs as nobody).
    const locked = join(tmp.dir, 'locked');
    writeFileSync(join(tmp.dir, 'placeholder'), '');
    chmodSync(tmp.dir, 0o755);
    await run('mkdir', ['-m', '555', locked]);
    const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    assertOneLine(await samsa(['--data-dir', join(locked, 'data')], {}, asNobody), `samsa: cannot use data directory ${locked}/data (log.dirs, from --data-dir): permission denied, mkdir '${locked}/data'; choose a writable directory with --data-dir, or run --in-memory`);
  } finally {
    tmp.remove();
  }
});

test('usage mistakes: one line and exit 2; unknown SAMSA_* variables get a one-line warning each, the client\'s own none', async () => {
  assertOneLine(await samsa(['--in-memory', '--no-such-flag']), /^samsa: Unknown option '--no-such-flag'.* \(samsa --help lists the options\)$/);
  assertOneLine(await samsa(['--in-memory', '--port']), /^samsa: Option '--port <value>' argument missing \(samsa --help lists the options\)$/);
  // The typo'd variables are reported first; then the invalid flag stops the start.
  // The command-line client's own variables are not typos.
  const warned = await samsa(['--in-memory', '--port', '-5'], { SAMSA_NUM_PARTITION: '3', SAMSA_PORTT: '1', SAMSA_BOOTSTRAP: 'localhost:1', SAMSA_REGISTRY_URL: 'http://localhost:1' });
  assert.equal(warned.code, 2);
  assert.deepEqual(warned.stderr.trimEnd().split('\n'), [
    'samsa: warning: SAMSA_NUM_PARTITION names no setting and is ignored (SAMSA_NUM_PARTITIONS sets num.partitions)',
    'samsa: warning: SAMSA_PORTT names no setting and is ignored (SAMSA_NUM_PARTITIONS sets num.partitions)',
    'samsa: Invalid value -5 for configuration port: Value must be at least 0 (--port)',
  ]);
});

/** Starts the CLI (its output a pipe, or a pseudo-terminal through `script`) until `ready` matches its stdout. */
async function startUntil(args: string[], ready: RegExp, terminal: boolean): Promise<string> {
  const command = [process.execPath, cli, ...args].map((a) => `'${a}'`).join(' ');
  const child = terminal
    ? spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        if (ready.test(out)) resolve();
      });
    });
  } finally {
    child.kill('SIGTERM');
    await once(child, 'close');
  }
  return out;
}

test('in a terminal: a banner with the version, addresses and data directory, and pretty log lines', async () => {
  const out = await startUntil([...FREE_PORTS.slice(0, 2), '--registry-port', '-1', '--admin-port', '-1', '--in-memory'], /Ctrl-C stops it/, true);
  const text = out.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');
  assert.match(text, /Samsa \d+\.\d+\.\d+\S* is ready/);
  assert.match(text, /^ {2}Kafka +localhost:\d+$/m);
  assert.match(text, /^ {2}Schema Registry +http:\/\/localhost:\d+$/m);
  assert.match(text, /^ {2}Admin +http:\/\/localhost:\d+$/m);
  assert.match(text, /^ {2}Data +in memory/m);
  assert.match(text, /^\d\d:\d\d:\d\d\.\d{3} INFO +samsa is ready port=\d+/m, 'pretty log line');
  assert.doesNotMatch(text, /"level":/, 'no JSON in a terminal');
});

test('not in a terminal: no banner, JSON lines with ISO times and the ready line naming the port; --log-format overrides', async () => {
  const out = await startUntil([...FREE_PORTS, '--in-memory'], /samsa is ready[^\n]*\n/, false);
  assert.doesNotMatch(out, /Ctrl-C/);
  const ready = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { time: string; port: number; msg: string }).find((l) => l.msg === 'samsa is ready')!;
  assert.ok(ready.port > 0);
  assert.match(ready.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const pretty = await startUntil([...FREE_PORTS, '--in-memory', '--log-format', 'pretty'], /samsa is ready[^\n]*\n/, false);
  assert.match(pretty, /^\d\d:\d\d:\d\d\.\d{3} INFO +samsa is ready port=\d+/m);
  assert.doesNotMatch(pretty, /\u001b\[/, 'no colours outside a terminal');
});

test('a SIGTERM sent on seeing the ready line stops the broker gracefully (its handlers are in before the line)', async () => {
  // Before the fix the handlers went in just after the line, and about 4 starts in 10 died of the signal itself.
  for (let i = 0; i < 6; i++) {
    const child = spawn(process.execPath, [cli, ...FREE_PORTS, '--in-memory', '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (!sent && out.includes('samsa is ready')) { sent = true; child.kill('SIGTERM'); }
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, `start ${i}: ${out}`);
    assert.match(out, /"signal":"SIGTERM"[^\n]*shutting down/);
  }
});
