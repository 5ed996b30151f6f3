/** Shared test helpers: an in-process broker on a free port, and real clients pointed at it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker, type StartOptions } from '../src/index.js';

export async function startTestBroker(options: StartOptions = {}): Promise<RunningBroker> {
  return startBroker({ port: 0, inMemory: options.dataDir === undefined, logLevel: 'warn', useEnvironment: false, ...options });
}

export function kafkaClient(broker: { bootstrap: string }, clientId = 'samsa-test'): Kafka {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 50 } });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'samsa-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** Runs a command to completion (killed after timeoutMs), feeding it `input` on stdin. */
export function run(cmd: string, args: string[], { input, timeoutMs = 30_000 }: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(input ?? '');
  });
}
