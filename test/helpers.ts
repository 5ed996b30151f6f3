/** Shared test helpers: an in-process broker on a free port, and real clients pointed at it. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker, type StartOptions } from '../src/index.js';
import { Writer } from '../src/protocol/writer.js';
import { Reader } from '../src/protocol/reader.js';
import { isFlexible, type ApiCodec } from '../src/protocol/api.js';

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
export function run(cmd: string, args: string[], { input, timeoutMs = 30_000, cwd }: { input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd });
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
    child.stdin.on('error', () => {}); // a child that exits before reading its input: EPIPE is not our failure
    child.stdin.end(input ?? '');
  });
}

/** Sends one request of any API over a fresh raw connection and decodes its response (header v0/v1 as Kafka's). */
export async function callApi<Req, Res>(port: number, api: ApiCodec<Req, Res>, version: number, body: Req): Promise<Res> {
  const sock = await openRequest(port, api, version, body);
  try {
    return await readResponse(sock, api, version);
  } finally {
    sock.destroy();
  }
}

/** Connects and sends one request without waiting for its answer (long polls a test abandons or reads later). */
export async function openRequest<Req>(port: number, api: ApiCodec<Req, unknown>, version: number, body: Req): Promise<Socket> {
  const w = new Writer();
  w.int32(0).int16(api.key).int16(version).int32(1).nullableString('raw-test', false);
  if (isFlexible(api, version)) w.taggedFields();
  api.writeRequest(w, version, body);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  const sock = new Socket();
  sock.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(frame);
  return sock;
}

/** Reads the one response frame `sock` is owed and decodes it. */
export async function readResponse<Res>(sock: Socket, api: ApiCodec<unknown, Res>, version: number): Promise<Res> {
  let buf = Buffer.alloc(0);
  for await (const chunk of sock) {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) break;
  }
  if (buf.length < 8) throw new Error('connection closed without a response');
  const r = new Reader(buf, 4);
  r.int32();
  if (isFlexible(api, version) && api.key !== 18) r.taggedFields();
  return api.readResponse(r, version);
}
