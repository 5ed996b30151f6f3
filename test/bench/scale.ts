/**
 * Scale figures for `npm run bench` (also alone: `node dist/test/bench/run.js scale`): the cost per consumed MiB,
 * per partition, per connection and per group, each measured at two sizes so the growth shows. Every item is
 * bounded in time; nothing asserts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Socket } from 'node:net';
import { run } from '../helpers.js';
import { cpuMs } from './fetch.js';
import { sendLatency } from './log.js';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { isFlexible, type ApiCodec } from '../../src/protocol/api.js';
import { readBatchHeader } from '../../src/protocol/record-batch.js';
import { ApiVersionsApi, CreateTopicsApi, FetchApi, HeartbeatApi, JoinGroupApi, MetadataApi, SyncGroupApi } from '../../src/protocol/generated/index.js';

const MiB = 1024 * 1024;

export interface ScaleBroker { child: ChildProcess; port: number; startMs: number; selfReportedMs: number; rss(): number; stop(): Promise<void> }

export interface ScaleBenchContext {
  dir: string;
  /** `count` lines of 1 KiB (with the newline). */
  file: string;
  count: number;
  report(name: string, value: string): void;
  /** `fds`: the broker's descriptor limit (raised in a child shell). */
  startBroker(args: string[], fds?: number): Promise<ScaleBroker>;
  kcatProduce(port: number, topic: string, file: string, extra?: string[]): Promise<number>;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One raw connection carrying any number of requests at once, answered by correlation id. */
export class RawClient {
  private readonly sock = new Socket();
  private next = 1;
  private readonly waiting = new Map<number, (r: Reader) => void>();
  private buf: Buffer = Buffer.alloc(0);
  private pendingChunks: Buffer[] = [];
  private pendingBytes = 0;

  static async connect(port: number): Promise<RawClient> {
    const c = new RawClient();
    c.sock.connect(port, '127.0.0.1');
    await once(c.sock, 'connect');
    c.sock.on('data', (chunk) => c.onData(chunk));
    c.sock.on('error', () => {});
    return c;
  }

  /**
   * Connects as Kafka clients do: the first request on a new connection is ApiVersions (kafkajs, librdkafka, franz-go
   * and the Java client all ask it before anything else), so a timed request after it is not the connection's first.
   */
  static async connectAsClient(port: number): Promise<RawClient> {
    const c = await RawClient.connect(port);
    await c.send(ApiVersionsApi, 3, { clientSoftwareName: 'samsa-bench', clientSoftwareVersion: '1' });
    return c;
  }

  private onData(chunk: Buffer): void {
    // Chunks are joined once a whole frame is in: joining on every chunk is quadratic for 16 MiB responses.
    this.pendingChunks.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < 4 + this.needed()) return;
    this.buf = Buffer.concat(this.pendingChunks);
    this.pendingChunks = [];
    this.pendingBytes = 0;
    while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
      const frame = this.buf.subarray(4, 4 + this.buf.readInt32BE(0));
      this.buf = this.buf.subarray(4 + frame.length);
      const r = new Reader(frame);
      const id = r.int32();
      this.waiting.get(id)?.(r);
      this.waiting.delete(id);
    }
    if (this.buf.length) {
      this.pendingChunks = [this.buf];
      this.pendingBytes = this.buf.length;
    }
  }

  /** The size of the frame being received (0 until its length is in). */
  private needed(): number {
    if (this.pendingBytes < 4) return 0;
    const head = this.pendingChunks[0].length >= 4 ? this.pendingChunks[0] : Buffer.concat(this.pendingChunks);
    return head.readInt32BE(0);
  }

  send<Req, Res>(api: ApiCodec<Req, Res>, version: number, body: Req): Promise<Res> {
    return this.request(api, version, body, (r) => {
      if (isFlexible(api, version) && api.key !== ApiVersionsApi.key) r.taggedFields();
      return api.readResponse(r, version);
    });
  }

  /** As `send`, answered with the response's size, not decoded: the broker's time without this client's decoding. */
  sendUndecoded<Req>(api: ApiCodec<Req, unknown>, version: number, body: Req): Promise<number> {
    return this.request(api, version, body, (r) => r.buf.length);
  }

  private request<Req, T>(api: ApiCodec<Req, unknown>, version: number, body: Req, answer: (r: Reader) => T): Promise<T> {
    const id = this.next++;
    const w = new Writer();
    w.int32(0).int16(api.key).int16(version).int32(id).nullableString('scale-bench', false);
    if (isFlexible(api, version)) w.taggedFields();
    api.writeRequest(w, version, body);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    this.sock.write(frame);
    return new Promise((resolve) => this.waiting.set(id, (r) => resolve(answer(r))));
  }

  close(): void {
    this.sock.destroy();
  }
}

/**
 * kcat reading `count` records of `topic` from the start; the time is from its first output to its exit. Not from
 * its start, nor reading to the end (-e): librdkafka learns of the end only from a Fetch at the end offset, which the
 * broker holds for fetch.wait.max.ms (500 ms) as Kafka does, and its first Fetch now and then waits 500 ms more (its
 * offset query can run before the leader's broker thread is up: "no current leader for partition ... (re)starting
 * offset query timer"). Those fixed client waits made a 0.25 s read of 300 MB count as 0.8 or 1.3 s, whatever the
 * broker. (kcat's output reaches us in 4 KiB blocks, the first after ~600 records: the clock starts a little late.)
 */
export async function kcatConsumeAll(port: number, topic: string, count: number, extra: string[] = []): Promise<number> {
  const child = spawn('kcat', ['-C', '-b', `127.0.0.1:${port}`, '-t', topic, '-o', 'beginning', '-c', String(count), '-q', '-f', '%o\n', '-X', 'fetch.message.max.bytes=16777216', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let lines = 0;
  let first = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (lines === 0) first = performance.now();
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const [code] = await once(child, 'exit');
  const ms = performance.now() - first;
  clearTimeout(timer);
  if (code !== 0 || lines !== count) throw new Error(`kcat consumed ${lines} of ${count} (exit ${code}): ${stderr}`);
  return ms;
}

const SECTIONS = { consume: consumeCost, partitions: partitionCosts, connections: connectionCost, groups: groupCost };

/** `only`: section names to run (consume, partitions, connections, groups); all when empty. */
export async function scaleBenchmarks(ctx: ScaleBenchContext, only: string[] = []): Promise<void> {
  for (const [name, section] of Object.entries(SECTIONS)) if (only.length === 0 || only.includes(name)) await section(ctx);
}

/** kcat reading `topic` (`count` records of 1 KiB) from the start, 3 times: median MiB/s (first output to exit) and broker CPU per MiB. */
export async function kcatConsumeCost(broker: { child: ChildProcess; port: number }, topic: string, count: number): Promise<{ mibPerSecond: number; cpuMsPerMiB: number }> {
  const mib = (count * 1024) / MiB;
  const rates: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < 3; i++) {
    const cpu = cpuMs(broker.child.pid!);
    const ms = await kcatConsumeAll(broker.port, topic, count);
    rates.push(mib / (ms / 1000));
    cpus.push((cpuMs(broker.child.pid!) - cpu) / mib);
  }
  return { mibPerSecond: median(rates), cpuMsPerMiB: median(cpus) };
}

/** kcat consume rate and the broker's CPU per consumed MiB; then produce latency while 4 consumers read ~1 GiB. */
async function consumeCost(ctx: ScaleBenchContext): Promise<void> {
  const data = join(ctx.dir, 'scale-consume');
  const broker = await ctx.startBroker(['--data-dir', data]);
  try {
    await ctx.kcatProduce(broker.port, 'consume', ctx.file);
    const { mibPerSecond, cpuMsPerMiB } = await kcatConsumeCost(broker, 'consume', ctx.count);
    ctx.report(`kcat consume ${ctx.count} x 1 KiB (first output to exit), median of 3`, `${mibPerSecond.toFixed(0)} MiB/s, broker CPU ${cpuMsPerMiB.toFixed(2)} ms/MiB`);
    for (let i = 0; i < 3; i++) await ctx.kcatProduce(broker.port, 'consume', ctx.file);
    const quiet = await sendLatency(broker.port, 'latency', 3000);
    // Raw Fetch loops (16 MiB per partition per request, nothing decoded): kcat's own CPU would starve a 2-core
    // machine and measure that instead of the broker's event loop.
    // In a child process, so that receiving a GiB does not delay this process's sends.
    const readers = run(process.execPath, [fileURLToPath(import.meta.url), 'raw-consumers', String(broker.port), 'consume', '3500'], { timeoutMs: 60_000 });
    await settle(300);
    const loaded = await sendLatency(broker.port, 'latency', 3000);
    const read = Number((await readers).stdout.trim());
    ctx.report(`produce p99 (acks=1, every 2 ms) while 4 raw consumers read from the start (${(read / MiB / 1024).toFixed(2)} GiB in 3 s) | idle`, `${loaded.p99.toFixed(1)} ms (max ${loaded.max.toFixed(0)}) | ${quiet.p99.toFixed(1)} ms`);
  } finally {
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

/** Start-up as wall time and as the CPU the broker used until then (steadier on a loaded machine). */
export function startup(broker: ScaleBroker): string {
  return `${broker.startMs.toFixed(0)} ms (self-reported ${broker.selfReportedMs} ms, CPU ${cpuMs(broker.child.pid!).toFixed(0)} ms)`;
}

/** Fetches partition 0 of `topic` from offset 0 until its end (then again from 0) until `stop()`; returns the bytes read. */
async function rawConsume(port: number, topic: string, stop: () => boolean): Promise<number> {
  const client = await RawClient.connect(port);
  let bytes = 0;
  let offset = 0;
  try {
    while (!stop()) {
      const res = await client.send(FetchApi, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 64 * MiB, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 16 * MiB }] }],
        forgottenTopicsData: [], rackId: '', clusterId: null,
      });
      const records = res.responses[0].partitions[0].records as Buffer;
      bytes += records.length;
      let next = offset;
      for (let pos = 0; pos < records.length;) {
        const h = readBatchHeader(records, pos);
        next = h.baseOffset + h.lastOffsetDelta + 1;
        pos += h.size;
      }
      offset = records.length === 0 ? 0 : next;
    }
  } finally {
    client.close();
  }
  return bytes;
}

export async function createTopics(client: RawClient, prefix: string, topics: number, partitions: number): Promise<number> {
  const start = performance.now();
  const res = await client.send(CreateTopicsApi, 4, {
    topics: Array.from({ length: topics }, (_, i) => ({ name: `${prefix}-${i}`, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 600_000, validateOnly: false,
  });
  const failed = res.topics.find((t) => t.errorCode !== 0);
  if (failed) throw new Error(`CreateTopics ${failed.name}: error ${failed.errorCode} ${failed.errorMessage}`);
  return performance.now() - start;
}

/** Metadata for all topics, median of 5 round trips: decoded by this client, and (the broker's part) not decoded. */
async function metadataMs(port: number): Promise<{ decoded: number; undecoded: number; bytes: number }> {
  const client = await RawClient.connect(port);
  const all = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  try {
    const decoded: number[] = [];
    const undecoded: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      let start = performance.now();
      await client.send(MetadataApi, 8, all);
      decoded.push(performance.now() - start);
      start = performance.now();
      bytes = await client.sendUndecoded(MetadataApi, 8, all);
      undecoded.push(performance.now() - start);
    }
    return { decoded: median(decoded), undecoded: median(undecoded), bytes };
  } finally {
    client.close();
  }
}

/**
 * Partitions created per second, RSS per 1,000 idle partitions, Metadata for all of them, and start-up with them
 * on disk after a clean stop and after kill -9: at 2,000 (20 topics x 100) and at 10,000 (100 x 100) partitions.
 */
async function partitionCosts(ctx: ScaleBenchContext): Promise<void> {
  const data = join(ctx.dir, 'scale-partitions');
  let broker = await ctx.startBroker(['--data-dir', data], 65536);
  try {
    await settle(300);
    const idle = broker.rss();
    let rssBefore = idle;
    let created = 0;
    for (const [topics, label] of [[20, '2,000'], [80, '10,000']] as const) {
      const client = await RawClient.connectAsClient(broker.port);
      const cpu = cpuMs(broker.child.pid!);
      const ms = await createTopics(client, `t${created}`, topics, 100);
      const createCpu = cpuMs(broker.child.pid!) - cpu;
      client.close();
      created += topics * 100;
      await settle(500);
      const rss = broker.rss();
      ctx.report(`create ${topics} topics x 100 partitions (to ${label}): time, partitions/s`, `${ms.toFixed(0)} ms, ${((topics * 100) / (ms / 1000)).toFixed(0)}/s (broker CPU ${createCpu.toFixed(0)} ms)`);
      ctx.report(`RSS per 1,000 idle partitions, at ${label}`, `${(((rss - rssBefore) / MiB) / (topics / 10)).toFixed(2)} MiB (RSS ${(rss / MiB).toFixed(0)} MiB)`);
      rssBefore = rss;
      const metadata = await metadataMs(broker.port);
      ctx.report(`Metadata (all topics, v8) with ${label} partitions, median of 5`, `${metadata.undecoded.toFixed(1)} ms round trip (${(metadata.bytes / 1024).toFixed(0)} KiB; ${metadata.decoded.toFixed(1)} ms with this client's decoding)`);
      await broker.stop();
      broker = await ctx.startBroker(['--data-dir', data], 65536);
      ctx.report(`start-up with ${label} partitions on disk, after a clean stop`, startup(broker));
      broker.child.kill('SIGKILL');
      await once(broker.child, 'exit');
      broker = await ctx.startBroker(['--data-dir', data], 65536);
      ctx.report(`start-up with ${label} partitions on disk, after kill -9`, startup(broker));
      await settle(300);
      rssBefore = broker.rss();
      ctx.report(`idle RSS after restart with ${label} partitions (empty broker: ${(idle / MiB).toFixed(1)} MiB)`, `${(rssBefore / MiB).toFixed(1)} MiB, ${(((rssBefore - idle) / MiB) / (created / 1000)).toFixed(2)} MiB per 1,000 partitions`);
    }
  } finally {
    await broker.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

/** Idle connections (each sent one ApiVersions): broker RSS per connection at 1,000 and at 5,000. */
async function connectionCost(ctx: ScaleBenchContext): Promise<void> {
  const broker = await ctx.startBroker(['--in-memory'], 65536);
  const clients: RawClient[] = [];
  try {
    await settle(300);
    let before = broker.rss();
    for (const target of [1000, 5000]) {
      const added = target - clients.length;
      while (clients.length < target) {
        const batch = await Promise.all(Array.from({ length: Math.min(500, target - clients.length) }, () => RawClient.connect(broker.port)));
        await Promise.all(batch.map((c) => c.send(ApiVersionsApi, 3, { clientSoftwareName: 'bench', clientSoftwareVersion: '1' })));
        clients.push(...batch);
      }
      await settle(500);
      const rss = broker.rss();
      ctx.report(`RSS per idle connection, ${target.toLocaleString('en')} open`, `${((rss - before) / added / 1024).toFixed(1)} KiB (RSS ${(rss / MiB).toFixed(0)} MiB)`);
      before = rss;
    }
  } finally {
    for (const c of clients) c.close();
    await broker.stop();
  }
}

/** Groups of one member each, heartbeating every second: the broker's CPU share, at 100 and at 1,000 groups. */
async function groupCost(ctx: ScaleBenchContext): Promise<void> {
  const broker = await ctx.startBroker(['--in-memory', '--set', 'group.initial.rebalance.delay.ms=0']);
  const client = await RawClient.connect(broker.port);
  const members: Array<{ groupId: string; memberId: string; generationId: number }> = [];
  try {
    for (const target of [100, 1000]) {
      const joined = await Promise.all(Array.from({ length: target - members.length }, async (_, i) => {
        const groupId = `g-${members.length + i}`;
        const join = await client.send(JoinGroupApi, 3, {
          groupId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: null,
          protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
        });
        await client.send(SyncGroupApi, 2, {
          groupId, generationId: join.generationId, memberId: join.memberId, groupInstanceId: null, protocolType: null, protocolName: null,
          assignments: [{ memberId: join.memberId, assignment: Buffer.alloc(0) }],
        });
        return { groupId, memberId: join.memberId, generationId: join.generationId };
      }));
      members.push(...joined);
      const seconds = 5;
      const cpu = cpuMs(broker.child.pid!);
      for (let s = 0; s < seconds; s++) {
        const tick = performance.now();
        const answers = await Promise.all(members.map((m) => client.send(HeartbeatApi, 2, { ...m, groupInstanceId: null })));
        if (answers.some((a) => a.errorCode !== 0)) throw new Error(`heartbeat error ${answers.find((a) => a.errorCode !== 0)!.errorCode}`);
        await settle(1000 - (performance.now() - tick));
      }
      const used = cpuMs(broker.child.pid!) - cpu;
      ctx.report(`${target.toLocaleString('en')} one-member groups heartbeating every 1 s: broker CPU`, `${((used / (seconds * 1000)) * 100).toFixed(1)}% of a core (${((used * 1000) / (seconds * target)).toFixed(0)} µs per heartbeat)`);
    }
  } finally {
    client.close();
    await broker.stop();
  }
}

// The child that reads for the latency figure: 4 raw consumers for `ms`, printing the bytes they read.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'raw-consumers') {
  const [port, topic, ms] = process.argv.slice(3);
  const end = performance.now() + Number(ms);
  const counts = await Promise.all(Array.from({ length: 4 }, () => rawConsume(Number(port), topic, () => performance.now() > end)));
  console.log(counts.reduce((a, b) => a + b, 0));
}
