/** Helpers for the broker-level durability tests: the CLI as a child process, kcat reads, polling. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers.js';

const root = join(fileURLToPath(import.meta.url), '../../../..');

export interface CliBroker {
  child: ChildProcess;
  port: number;
  bootstrap: string;
  /** Resolves with the exit signal or code. */
  exited: Promise<unknown>;
  /** The "samsa is ready" line. */
  ready: Record<string, unknown>;
  /** Everything it printed on stdout so far (its log lines). */
  output(): string;
}

/** Caps for a child broker: its descriptors (`ulimit -n`, soft and hard) and its V8 heap. */
export interface ChildLimits { fds?: number; heapMiB?: number }

/** Starts `node dist/bundle/main.js` as users do, resolving once its "samsa is ready" line names the port. */
export async function startCli(dataDir: string, extra: string[] = [], limits: ChildLimits = {}): Promise<CliBroker> {
  const args = [...(limits.heapMiB ? [`--max-old-space-size=${limits.heapMiB}`] : []), join(root, 'dist/bundle/main.js'), '--port', '0', '--registry-port', '0', '--admin-port', '0', '--data-dir', dataDir, ...extra];
  // exec: the shell becomes the broker, so signals reach it.
  const [cmd, argv] = limits.fds ? ['bash', ['-c', `ulimit -n ${limits.fds} && exec "$0" "$@"`, process.execPath, ...args]] : [process.execPath, args];
  const child: ChildProcess = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code, signal]) => signal ?? code);
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => { err += c; });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    void exited.then((how) => reject(new Error(`broker exited (${String(how)}) before ready: ${out}${err}`)));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        if (!line.includes('samsa is ready')) continue;
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
  });
  child.stdout!.resume();
  const port = ready.port as number;
  return { child, port, bootstrap: `127.0.0.1:${port}`, exited, ready, output: () => out };
}

export async function kill9(broker: CliBroker): Promise<void> {
  broker.child.kill('SIGKILL');
  await broker.exited;
}

export async function stopCli(broker: CliBroker): Promise<void> {
  broker.child.kill('SIGTERM');
  await broker.exited;
}

export interface ConsumedRecord { partition: number; offset: number; timestamp: number; key: string | null; value: string | null }

/**
 * Everything kcat reads from `topic` (all partitions, from `offset`, until the end), CRCs checked. Keys and values
 * must be printable without tabs or newlines; null ones come back as null.
 */
export async function kcatRead(bootstrap: string, topic: string, extra: string[] = [], offset = 'beginning'): Promise<ConsumedRecord[]> {
  const res = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', offset, '-e', '-q', '-Z', '-X', 'check.crcs=true', '-f', '%p\t%o\t%T\t%k\t%s\n', ...extra], { timeoutMs: 60_000 });
  if (res.code !== 0) throw new Error(`kcat exited ${res.code}: ${res.stderr}`);
  return res.stdout.split('\n').filter(Boolean).map((line) => {
    const [p, o, t, k, v] = line.split('\t');
    return { partition: Number(p), offset: Number(o), timestamp: Number(t), key: k === 'NULL' ? null : k, value: v === 'NULL' ? null : v };
  });
}

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs` with the last error. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
