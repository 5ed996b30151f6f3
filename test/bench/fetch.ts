/**
 * Long-poll figure for `npm run bench`: the broker's CPU per produced MiB while 500 consumers long-poll 500 idle
 * topics (one raw Fetch each, max_wait 30 s), next to the same produce with nobody polling. Parked polls on idle
 * topics should cost the producer nothing. Broker CPU is read from /proc (utime + stime) around the produce phase.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { kafkaClient, openRequest } from '../helpers.js';
import { FetchApi } from '../../src/protocol/generated/index.js';

export interface FetchBenchContext {
  report(name: string, value: string): void;
  startBroker(args: string[]): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }>;
}

const MiB = 1024 * 1024;
const POLLERS = 500;
const SENDS = 1500;
const RECORDS_PER_SEND = 16;

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU time (user + system) a process has used, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** A process's resident memory (VmRSS), in bytes. */
export function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

export async function idlePollBenchmark({ report, startBroker }: FetchBenchContext): Promise<void> {
  const broker = await startBroker(['--in-memory']);
  const kafka = kafkaClient({ bootstrap: `127.0.0.1:${broker.port}` });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: ['busy', ...Array.from({ length: POLLERS }, (_, i) => `idle-${i}`)].map((topic) => ({ topic })) });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: RECORDS_PER_SEND }, () => ({ value: Buffer.alloc(1024, 1) }));
  const mib = (SENDS * RECORDS_PER_SEND * 1024) / MiB;
  const cpuPerMiB = async (): Promise<number> => {
    await producer.send({ topic: 'busy', acks: 1, messages });
    const before = cpuMs(broker.child.pid!);
    for (let i = 0; i < SENDS; i++) await producer.send({ topic: 'busy', acks: 1, messages });
    return (cpuMs(broker.child.pid!) - before) / mib;
  };
  let pollers: Socket[] = [];
  try {
    await cpuPerMiB(); // warm-up: the first phase would otherwise also pay for JIT compilation
    const alone = await cpuPerMiB();
    pollers = await Promise.all(Array.from({ length: POLLERS }, (_, i) => openRequest(broker.port, FetchApi, 11, {
      replicaId: -1, maxWaitMs: 30_000, minBytes: 1, maxBytes: 50 * MiB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: `idle-${i}`, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: MiB }] }],
      forgottenTopicsData: [], rackId: '', clusterId: null,
    })));
    await new Promise((r) => setTimeout(r, 500)); // let every poll park
    const polled = await cpuPerMiB();
    report(`broker CPU per MiB produced (${RECORDS_PER_SEND} KiB sends), ${POLLERS} idle long-polls | none`, `${polled.toFixed(0)} ms | ${alone.toFixed(0)} ms`);
  } finally {
    for (const s of pollers) s.destroy();
    await producer.disconnect();
    await broker.stop();
  }
}
