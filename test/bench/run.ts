/**
 * `npm run bench`: prints the broker's figures next to this machine's own ceilings, measured in the same run.
 * Nothing here asserts; the issue notes quote these numbers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { closeSync, fsyncSync, openSync, writeFileSync, writeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { tempDir, run, kafkaClient } from '../helpers.js';
import { repositoryRoot } from '../../protocol/generate.js';
import { groupBenchmarks } from '../groups/bench.js';
import { logBenchmarks, recoveryTime, latencyUnderMaintenance } from './log.js';
import { cpuMs, idlePollBenchmark, rssBytes } from './fetch.js';
import { soakBenchmark } from './soak.js';
import { metricsScrapeBenchmark } from './metrics.js';
import { securityBenchmarks } from './security.js';
import { testkitBenchmarks } from './testkit.js';
import { kcatConsumeAll as kcatConsume, median, scaleBenchmarks } from './scale.js';
import { kfakeComparison } from './kfake.js';

const MiB = 1024 * 1024;
const root = repositoryRoot();
const results: Array<[string, string]> = [];

function report(name: string, value: string): void {
  results.push([name, value]);
  console.log(`${name.padEnd(58)} ${value}`);
}

const mibps = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

async function loopbackCeiling(totalBytes: number): Promise<number> {
  const server = createServer((s) => s.resume());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sock = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(sock, 'connect');
  const chunk = Buffer.alloc(MiB, 1);
  const start = performance.now();
  for (let sent = 0; sent < totalBytes; sent += chunk.length) if (!sock.write(chunk)) await once(sock, 'drain');
  sock.end();
  await once(sock, 'close');
  const ms = performance.now() - start;
  server.close();
  return ms;
}

function fileAppendCeiling(dir: string, totalBytes: number, fsyncEach: boolean): number {
  const path = join(dir, `ceiling-${fsyncEach}`);
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(MiB, 1);
  const start = performance.now();
  for (let written = 0; written < totalBytes; written += chunk.length) {
    writeSync(fd, chunk);
    if (fsyncEach) fsyncSync(fd);
  }
  closeSync(fd);
  const ms = performance.now() - start;
  rmSync(path);
  return ms;
}

interface BrokerProcess { child: ChildProcess; port: number; startMs: number; selfReportedMs: number; rss(): number; stop(): Promise<void> }

/**
 * Starts the broker as users do (the CLI), timing process start to the first accepted connection. `fds`: a
 * descriptor limit raised in a child shell first (`exec` keeps the broker's pid the shell's).
 */
async function startBrokerProcess(args: string[], fds?: number): Promise<BrokerProcess> {
  // SAMSA_BENCH_BUNDLE: another build's main.js, for before/after figures from one checkout.
  // SAMSA_BENCH_NODE_ARGS: node options for the broker (e.g. --cpu-prof, which NODE_OPTIONS refuses).
  const nodeArgs = process.env.SAMSA_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const argv = [...nodeArgs, process.env.SAMSA_BENCH_BUNDLE ?? join(root, 'dist/bundle/main.js'), '--port', '0', '--registry-port', '0', '--admin-port', '0', ...args];
  return startProcess(process.execPath, argv, /"port":(\d+)[^\n]*"startupMs":(\d+)[^\n]*samsa is ready/, fds);
}

/** The kfake process of test/bench/kfake/main.go: it prints its listen address and serves until SIGTERM. */
const startKfakeProcess = (binary: string) => startProcess(binary, ['0'], /^[\d.]+:(\d+)$/m);

/**
 * Spawns `file argv` and times it from process start to the first accepted connection on the port that `ready`
 * captures from its stdout (a second capture, when there is one, is the process's own start-up time in ms).
 */
async function startProcess(file: string, argv: string[], ready: RegExp, fds?: number): Promise<BrokerProcess> {
  // The bench's own SAMSA_BENCH_* variables are not the broker's settings (it would warn about each).
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SAMSA_BENCH_')));
  const start = performance.now();
  const child = fds === undefined
    ? spawn(file, argv, { stdio: ['ignore', 'pipe', 'inherit'], env })
    : spawn('bash', ['-c', `ulimit -n ${fds} 2>/dev/null || ulimit -n hard; exec "$0" "$@"`, file, ...argv], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let buffered = '';
  const [port, selfReportedMs] = await new Promise<[number, number]>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      const m = ready.exec(buffered);
      if (m) resolve([Number(m[1]), Number(m[2] ?? NaN)]);
    });
  });
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const startMs = performance.now() - start;
  sock.destroy();
  child.stdout!.resume();
  return {
    child, port, startMs, selfReportedMs,
    rss: () => rssBytes(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** `npm start` as the README gives it, with the build current (its staleness check skips the build): to accepting. */
async function npmStartToAccepting(): Promise<number> {
  const start = performance.now();
  const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--registry-port', '0', '--admin-port', '0', '--in-memory'],
    { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      const m = /"port":(\d+)[^\n]*samsa is ready/.exec(buffered);
      if (m) resolve(Number(m[1]));
    });
  });
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const ms = performance.now() - start;
  sock.destroy();
  child.removeAllListeners('exit');
  process.kill(-child.pid!, 'SIGTERM'); // npm and the broker under it
  await once(child, 'exit');
  return ms;
}

async function timeBareNode(): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return performance.now() - start;
}

/** RSS of a bare node process listening on one TCP port, 500 ms after it listens: the floor for the broker's idle RSS. */
async function bareListenerRss(afterMs = 500): Promise<number> {
  const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(0, () => console.log('listening'))"], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout!, 'data');
  await new Promise((r) => setTimeout(r, afterMs));
  const rss = rssBytes(child.pid!);
  child.kill('SIGTERM');
  await once(child, 'exit');
  return rss;
}

/** The default start's extra listeners (startBrokerProcess turns them off): the Schema Registry and the admin port. */
const WITH_REGISTRY_AND_ADMIN = ['--registry-port', '-1', '--admin-port', '-1'];

/**
 * Start-up and idle memory as the median of `runs` fresh starts (one spawn swings by several ms), each on an empty
 * data directory, beside the floors measured between them: a bare `node -e 0` spawn, and a bare node listening. Then
 * the same for the default start, with the Schema Registry and the admin port.
 */
async function startupFigures(dir: string, runs = 7): Promise<void> {
  const starts: number[] = [];
  const selfReported: number[] = [];
  const cpu: number[] = [];
  const idleRss: number[] = [];
  const bare: number[] = [];
  const bareRss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const data = join(dir, `startup-${i}`);
    const broker = await startBrokerProcess(['--data-dir', data]);
    starts.push(broker.startMs);
    selfReported.push(broker.selfReportedMs);
    cpu.push(cpuMs(broker.child.pid!));
    await new Promise((r) => setTimeout(r, 500));
    idleRss.push(broker.rss());
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
    bare.push(await timeBareNode());
    bareRss.push(await bareListenerRss());
  }
  report(`spawn to accepting connections, empty data dir (median of ${runs})`, `${median(starts).toFixed(0)} ms (self-reported ${median(selfReported)} ms, CPU ${median(cpu).toFixed(0)} ms; min ${Math.min(...starts).toFixed(0)})`);
  report(`  bare node process spawn and exit (\`node -e 0\`, median of ${runs})`, `${median(bare).toFixed(0)} ms (min ${Math.min(...bare).toFixed(0)})`);
  report(`idle RSS, 500 ms after start (median of ${runs})`, `${(median(idleRss) / MiB).toFixed(1)} MiB`);
  report('  bare node listening on one port, 500 ms after', `${(median(bareRss) / MiB).toFixed(1)} MiB`);
  // Once idle for ~8 s V8's memory reducer runs (full GCs that shrink the young generation start-up grew, and drop the
  // bytecode only start-up ran); now and then it has not finished by 12 s, so this is a median too (idle brokers side
  // by side: they do not compete for the CPU).
  const settled = await Promise.all(Array.from({ length: 5 }, async (_, i) => {
    const data = join(dir, `startup-idle-${i}`);
    const broker = await startBrokerProcess(['--data-dir', data]);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rss = broker.rss();
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
    return rss;
  }));
  const bareSettled = await Promise.all(Array.from({ length: 3 }, () => bareListenerRss(IDLE_MS)));
  report(`idle RSS, ${IDLE_MS / 1000} s after start (median of ${settled.length})`, `${(median(settled) / MiB).toFixed(1)} MiB (min ${(Math.min(...settled) / MiB).toFixed(1)}; bare node listening, as long: ${(median(bareSettled) / MiB).toFixed(1)} MiB)`);

  const defaults: Array<{ startMs: number; rss: number }> = [];
  for (let i = 0; i < 5; i++) {
    const data = join(dir, `startup-default-${i}`);
    const broker = await startBrokerProcess(['--data-dir', data, ...WITH_REGISTRY_AND_ADMIN]);
    await new Promise((r) => setTimeout(r, 500));
    defaults.push({ startMs: broker.startMs, rss: broker.rss() });
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
  }
  report('with the Schema Registry and the admin port (the default start), median of 5', `spawn to accepting ${median(defaults.map((d) => d.startMs)).toFixed(0)} ms, idle RSS 500 ms after start ${(median(defaults.map((d) => d.rss)) / MiB).toFixed(1)} MiB`);
}

const IDLE_MS = 12_000;

async function kcatProduce(port: number, topic: string, file: string, extra: string[] = []): Promise<number> {
  const start = performance.now();
  const res = await run('kcat', ['-P', '-b', `127.0.0.1:${port}`, '-t', topic, '-X', 'linger.ms=5', '-X', 'queue.buffering.max.kbytes=1048576', ...extra, '-l', file], { timeoutMs: 300_000 });
  if (res.code !== 0) throw new Error(`kcat produce failed: ${res.stderr}`);
  return performance.now() - start;
}

/** Only with SAMSA_BENCH_KFAKE (a kfake binary, see test/bench/kfake/main.go): the same figures for both, side by side. */
async function compareWithKfake(dir: string, file: string, count: number): Promise<void> {
  const binary = process.env.SAMSA_BENCH_KFAKE;
  if (!binary) return;
  console.log('\nSide by side with kfake');
  await kfakeComparison({ dir, file, count, report, startBroker: startBrokerProcess, startKfake: startKfakeProcess, kcatProduce }, binary);
}

async function main(): Promise<void> {
  const tmp = tempDir('samsa-bench-');
  const total = 300_000;
  const payload = `${'x'.repeat(1023)}\n`;
  const file = join(tmp.dir, 'messages.txt');
  writeFileSync(file, payload.repeat(total));
  const bytes = total * 1024;
  try {
    if (process.argv[2] === 'recovery') {
      console.log('Recovery');
      await recoveryTime({ dir: tmp.dir, file, count: total, report, startBroker: startBrokerProcess, kcatProduce });
      return;
    }
    if (process.argv[2] === 'maintenance') {
      // Produce latency while compacting and trimming only; further arguments go to the broker (e.g. --set name=value).
      console.log('Log maintenance');
      const extra = process.argv.slice(3);
      const startBroker = (args: string[]) => startBrokerProcess([...args, ...extra]);
      await latencyUnderMaintenance({ dir: tmp.dir, file, count: total, report, startBroker, kcatProduce });
      return;
    }
    if (process.argv[2] === 'scale') {
      console.log('Scale');
      await startupFigures(tmp.dir);
      await scaleBenchmarks({ dir: tmp.dir, file, count: total, report, startBroker: startBrokerProcess, kcatProduce }, process.argv.slice(3));
      if (process.argv.length === 3 || process.argv.includes('kfake')) await compareWithKfake(tmp.dir, file, total);
      return;
    }
    console.log('Machine ceilings');
    report('loopback TCP copy, 1 GiB', mibps(1024 * MiB, await loopbackCeiling(1024 * MiB)));
    report('file append (writeSync 1 MiB), 300 MiB', mibps(300 * MiB, fileAppendCeiling(tmp.dir, 300 * MiB, false)));
    report('file append with fsync per MiB, 300 MiB', mibps(300 * MiB, fileAppendCeiling(tmp.dir, 300 * MiB, true)));

    console.log('\nIn-process (a test suite embedding Samsa)');
    const { startBroker } = await import('../../src/index.js');
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const embedded = await startBroker({ port: 0, inMemory: true, logLevel: 'warn', useEnvironment: false });
      timings.push(performance.now() - t);
      await embedded.close();
    }
    report('startBroker({ port: 0, inMemory: true }), median of 5', `${timings.sort((a, b) => a - b)[2].toFixed(1)} ms`);
    await testkitBenchmarks({ report });

    console.log('\nBroker (data on disk)');
    await startupFigures(tmp.dir);
    report('`npm start` to accepting connections, build current', `${(await npmStartToAccepting()).toFixed(0)} ms`);
    const broker = await startBrokerProcess(['--data-dir', join(tmp.dir, 'data')]);
    const produceMs = await kcatProduce(broker.port, 'bench', file);
    report(`kcat produce ${total} x 1 KiB (linger.ms=5, acks=-1 default)`, mibps(bytes, produceMs));
    report('RSS after 300 MB produced', `${(broker.rss() / MiB).toFixed(0)} MiB`);
    const consumeMs = await kcatConsume(broker.port, 'bench', total);
    report(`kcat consume ${total} x 1 KiB (first output to exit)`, mibps(bytes, consumeMs));

    const kafka = kafkaClient({ bootstrap: `127.0.0.1:${broker.port}` });
    const producer = kafka.producer();
    await producer.connect();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ value: Buffer.alloc(100, i % 256) }));
    await producer.send({ topic: 'bench-kafkajs', acks: 1, messages: batch });
    const sends = 100;
    const start = performance.now();
    for (let i = 0; i < sends; i++) await producer.send({ topic: 'bench-kafkajs', acks: 1, messages: batch });
    const ms = performance.now() - start;
    report(`kafkajs producer, ${sends} sends x 1000 x 100 B, acks=1`, `${((sends * 1000) / (ms / 1000) / 1000).toFixed(0)}k msg/s`);
    await producer.disconnect();

    console.log('\nConsumer groups');
    await groupBenchmarks(`127.0.0.1:${broker.port}`, report);
    await broker.stop();

    console.log('\nLong polls');
    await idlePollBenchmark({ report, startBroker: startBrokerProcess });

    console.log('\nBroker, durable mode (--fsync)');
    const durable = await startBrokerProcess(['--data-dir', join(tmp.dir, 'durable'), '--fsync']);
    const durableMs = await kcatProduce(durable.port, 'bench', file, ['-X', 'acks=all']);
    report(`kcat produce ${total} x 1 KiB, acks=-1, fsync`, mibps(bytes, durableMs));
    await durable.stop();

    console.log('\nLog: recovery and maintenance');
    await logBenchmarks({ dir: tmp.dir, file, count: total, report, startBroker: startBrokerProcess, kcatProduce });

    console.log('\nSecurity: TLS and SASL logins');
    await securityBenchmarks({ dir: tmp.dir, file, count: total, report, kcatProduce, kcatConsume });

    console.log('\nMetrics');
    await metricsScrapeBenchmark(report);

    await soakBenchmark({ dir: tmp.dir, report });

    console.log('\nScale');
    await scaleBenchmarks({ dir: tmp.dir, file, count: total, report, startBroker: startBrokerProcess, kcatProduce });
    await compareWithKfake(tmp.dir, file, total);
  } finally {
    tmp.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
