/** The `samsa` command as users run it: flags, config errors, SIGTERM shutdown and restart over the same data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, run, callApi } from '../helpers.js';
import { ApiVersionsApi } from '../../src/protocol/generated/index.js';
import { repositoryRoot } from '../../protocol/generate.js';

const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');

/** Starts the CLI and resolves once its "ready" log line names the port. */
async function start(args: string[], env: NodeJS.ProcessEnv = {}, command: string[] = []) {
  const child = spawn(process.execPath, [cli, ...command, '--port', '0', '--registry-port', '0', '--admin-port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /"port":(\d+)[^\n]*samsa is ready/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port, log: () => out };
}

test('SIGTERM flushes, closes and exits 0; the data is there after a restart', async () => {
  const tmp = tempDir();
  try {
    const first = await start(['--data-dir', tmp.dir, '--log-level', 'info']);
    const produced = await run('kcat', ['-P', '-b', `127.0.0.1:${first.port}`, '-t', 'cli', '-K', ':'], { input: 'a:1\nb:2\nc:3\n' });
    assert.equal(produced.code, 0, produced.stderr);
    first.child.kill('SIGTERM');
    const [code] = await once(first.child, 'exit');
    assert.equal(code, 0);
    assert.match(first.log(), /shutting down/);
    assert.ok(existsSync(join(tmp.dir, 'cli-0', 'clean-shutdown')), 'a clean shutdown leaves its marker');

    const second = await start(['--data-dir', tmp.dir]);
    const consumed = await run('kcat', ['-C', '-b', `127.0.0.1:${second.port}`, '-t', 'cli', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
    assert.deepEqual(consumed.stdout.trim().split('\n'), ['a=1', 'b=2', 'c=3']);
    second.child.kill('SIGINT');
    assert.deepEqual(await once(second.child, 'exit'), [0, null]);
  } finally {
    tmp.remove();
  }
});

test('settings from a config file and SAMSA_* variables reach the broker', async () => {
  const tmp = tempDir();
  try {
    const file = join(tmp.dir, 'samsa.properties');
    writeFileSync(file, '# dev broker\nnum.partitions=3\n');
    const broker = await start(['--in-memory', '--config', file], { SAMSA_AUTO_CREATE_TOPICS_ENABLE: 'true' });
    await run('kcat', ['-P', '-b', `127.0.0.1:${broker.port}`, '-t', 'three'], { input: 'x\n' });
    const meta = await run('kcat', ['-L', '-b', `127.0.0.1:${broker.port}`, '-t', 'three']);
    assert.match(meta.stdout, /topic "three" with 3 partitions/);
    broker.child.kill('SIGTERM');
    await once(broker.child, 'exit');
  } finally {
    tmp.remove();
  }
});

test('bad flags and bad settings give one clear error and exit code 2', async () => {
  const badFlag = await run(process.execPath, [cli, '--port', 'ninety']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /Invalid value ninety for configuration port: Not a number of type INT from 0 to 65535 \(--port\)/);
  const unknown = await run(process.execPath, [cli, '--set', 'no.such.setting=1']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown broker setting 'no.such.setting'/);
  const envValue = await run('env', ['SAMSA_NUM_PARTITIONS=lots', process.execPath, cli, '--in-memory']);
  assert.equal(envValue.code, 2);
  assert.match(envValue.stderr, /Invalid value lots for configuration num.partitions/);
  const outOfRange = await run(process.execPath, [cli, '--port', '70000']);
  assert.equal(outOfRange.code, 2);
  assert.equal(outOfRange.stderr.trim(), 'samsa: Invalid value 70000 for configuration port: Value must be no more than 65535 (--port)');
  const belowMinimum = await run('env', ['SAMSA_LOG_SEGMENT_BYTES=5', process.execPath, cli, '--in-memory']);
  assert.equal(belowMinimum.code, 2);
  assert.match(belowMinimum.stderr, /^samsa: Invalid value 5 for configuration log.segment.bytes: Value must be at least 14 \(SAMSA_LOG_SEGMENT_BYTES\)$/m);
});

test('`samsa start` runs the broker as `samsa` alone does', async () => {
  const broker = await start(['--in-memory'], {}, ['start']);
  try {
    const info = await run(process.execPath, [cli, 'cluster', 'info', '-b', `127.0.0.1:${broker.port}`]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^0\s+localhost\s+\d+/m);
  } finally {
    broker.child.kill('SIGTERM');
    await once(broker.child, 'exit');
  }
});

test('--kafka-version makes the broker advertise that release; an unknown release is refused with the choices', async () => {
  const broker = await start(['--in-memory', '--kafka-version', '2.4']);
  try {
    const versions = await callApi(broker.port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
    const keys = versions.apiKeys.map((k) => k.apiKey);
    assert.ok(keys.includes(0) && !keys.includes(66), 'Produce, but not ListTransactions (Kafka 3.0)');
  } finally {
    broker.child.kill('SIGTERM');
    await once(broker.child, 'exit');
  }
  const bad = await run(process.execPath, [cli, '--kafka-version', '3.0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid value 3.0 for configuration kafka.version: String must be one of: 2.4, 2.8, 3.9, 4.1 \(--kafka-version\)/);
});
