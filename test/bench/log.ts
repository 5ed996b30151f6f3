/**
 * Log figures for `npm run bench`: recovery time of a ~1 GiB partition after kill -9 (and after a clean stop), and
 * produce latency with and without the cleaner and retention working on other topics of the same broker.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaClient } from '../helpers.js';
import { RECOVERY_POINT_FILE } from '../../src/log/index.js';

export interface LogBenchContext {
  dir: string;
  /** `count` lines of 1 KiB (with the newline). */
  file: string;
  count: number;
  report(name: string, value: string): void;
  startBroker(args: string[]): Promise<{ child: ChildProcess; port: number; startMs: number; selfReportedMs: number; stop(): Promise<void> }>;
  kcatProduce(port: number, topic: string, file: string, extra?: string[]): Promise<number>;
}

const MiB = 1024 * 1024;

export async function logBenchmarks(ctx: LogBenchContext): Promise<void> {
  await recoveryTime(ctx);
  await latencyUnderMaintenance(ctx);
}

/** Recovery after kill -9 of a ~1 GiB partition: with every CRC checked, after a clean stop, after a recovery-point checkpoint. */
export async function recoveryTime(ctx: LogBenchContext): Promise<void> {
  const data = join(ctx.dir, 'recovery');
  const rounds = 4;
  let broker = await ctx.startBroker(['--data-dir', data]);
  for (let i = 0; i < rounds; i++) await ctx.kcatProduce(broker.port, 'recovery', ctx.file);
  broker.child.kill('SIGKILL');
  await once(broker.child, 'exit');
  const size = `${((rounds * ctx.count * 1024) / MiB / 1024).toFixed(2)} GiB`;
  broker = await ctx.startBroker(['--data-dir', data]);
  ctx.report(`restart after kill -9 with a ${size} partition (CRC scan)`, `${broker.startMs.toFixed(0)} ms (self-reported ${broker.selfReportedMs} ms)`);
  await broker.stop();
  broker = await ctx.startBroker(['--data-dir', data]);
  ctx.report(`restart after a clean stop, same ${size}`, `${broker.startMs.toFixed(0)} ms (self-reported ${broker.selfReportedMs} ms)`);
  await broker.stop();
  // Another round written, then checkpointed (log.flush.offset.checkpoint.interval.ms, 1 s here): kill -9 after it
  // leaves nothing past the recovery point to check.
  broker = await ctx.startBroker(['--data-dir', data, '--set', 'log.flush.offset.checkpoint.interval.ms=1000']);
  await ctx.kcatProduce(broker.port, 'recovery', ctx.file);
  const end = (rounds + 1) * ctx.count;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    let point = '';
    try { point = readFileSync(join(data, 'recovery-0', RECOVERY_POINT_FILE), 'utf8'); } catch { /* not yet */ }
    if (point === `${end}\n`) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  broker.child.kill('SIGKILL');
  await once(broker.child, 'exit');
  const bigger = `${(((rounds + 1) * ctx.count * 1024) / MiB / 1024).toFixed(2)} GiB`;
  broker = await ctx.startBroker(['--data-dir', data]);
  ctx.report(`restart after kill -9 with a ${bigger} partition, after a recovery-point checkpoint`, `${broker.startMs.toFixed(0)} ms (self-reported ${broker.selfReportedMs} ms)`);
  await broker.stop();
}

/**
 * One-message acks=1 sends fired every 2 ms whether or not earlier ones were answered (open loop: a stall delays
 * every send made during it, as it would a real application's), for `ms`: latency percentiles.
 */
export async function sendLatency(port: number, topic: string, ms: number): Promise<{ p50: number; p99: number; max: number; n: number }> {
  const producer = kafkaClient({ bootstrap: `127.0.0.1:${port}` }).producer();
  await producer.connect();
  await producer.send({ topic, acks: 1, messages: [{ value: 'warm' }] });
  const lat: number[] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; performance.now() < start + ms; i++) {
    const due = start + i * 2;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // From when it was due (a late send counts its lateness), or from when it went out if the timer fired early
    // (Node rounds a timer's delay to whole ms: the p50 once came out at -0.15 ms).
    const from = Math.max(due, performance.now());
    pending.push(producer.send({ topic, acks: 1, messages: [{ value: Buffer.alloc(100) }] }).then(() => { lat.push(performance.now() - from); }));
  }
  await Promise.all(pending);
  await producer.disconnect();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)], max: lat[lat.length - 1], n: lat.length };
}

const fmt = (l: { p50: number; p99: number; max: number; n: number }) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(1)} ms (${l.n} sends)`;

export async function latencyUnderMaintenance(ctx: LogBenchContext): Promise<void> {
  // Retention and the cleaner look every second (Kafka: 300 s and 15 s) so they work during the 10 s measured.
  const broker = await ctx.startBroker(['--data-dir', join(ctx.dir, 'maintenance'), '--set', 'log.retention.check.interval.ms=1000', '--set', 'log.cleaner.backoff.ms=1000']);
  await sendLatency(broker.port, 'latency', 2000); // warm-up (JIT, first connections), not reported
  ctx.report('produce latency, idle broker (1 x 100 B, acks=1, every 2 ms)', fmt(await sendLatency(broker.port, 'latency', 5000)));

  // 300 MB of 5000 keys for the cleaner (cleanable 3 s after it was written, so it works while we measure) and
  // 300 MB for size retention (64 MiB kept) on the same broker.
  const keyed = join(ctx.dir, 'keyed.txt');
  const line = (i: number) => `k${i % 5000}\t${'v'.repeat(1016 - String(i % 5000).length)}\n`;
  writeFileSync(keyed, Array.from({ length: ctx.count }, (_, i) => line(i)).join(''));
  const kafka = kafkaClient({ bootstrap: `127.0.0.1:${broker.port}` });
  const admin = kafka.admin();
  await admin.connect();
  const entries = (c: Record<string, string>) => Object.entries(c).map(([name, value]) => ({ name, value }));
  await admin.createTopics({
    topics: [
      { topic: 'compacting', numPartitions: 1, configEntries: entries({ 'cleanup.policy': 'compact', 'segment.bytes': String(16 * MiB), 'min.cleanable.dirty.ratio': '0.01', 'min.compaction.lag.ms': '3000' }) },
      { topic: 'expiring', numPartitions: 1, configEntries: entries({ 'retention.bytes': String(64 * MiB), 'segment.bytes': String(8 * MiB) }) },
    ],
  });
  await admin.disconnect();
  await ctx.kcatProduce(broker.port, 'compacting', keyed, ['-K', '\t']);
  await ctx.kcatProduce(broker.port, 'expiring', ctx.file);
  ctx.report('produce latency while the cleaner compacts 300 MB and retention trims 300 MB', fmt(await sendLatency(broker.port, 'latency', 10000)));
  await broker.stop();
}
