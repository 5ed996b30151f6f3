/**
 * Soak for `npm run bench` (or alone: `node dist/test/bench/soak.js`): the broker as a child process under mixed load
 * for BENCH_SOAK_SECONDS (default 600) — kcat producing to a compacted topic with small segments (random keys out
 * of a fixed set) and to a size-retained topic, kcat consumers following both — sampling every 10 s, after a
 * warm-up, the broker's RSS, open fds (/proc/<pid>/fd), segments per partition, the cleaner offset and ApiVersions
 * round trips (event-loop stalls show there). A broker whose maintenance keeps up stays flat: the last sample
 * near the first, and fds per minute near zero.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callApi, kafkaClient, tempDir } from '../helpers.js';
import { startCli, stopCli } from '../durability/support.js';
import { ApiVersionsApi } from '../../src/protocol/generated/index.js';
import { rssBytes } from './fetch.js';

const MiB = 1024 * 1024;
const KEYS = 1000;
/** Messages per second to each topic, ~200 B each. */
const RATE = 1000;
const SAMPLE_MS = 10_000;
const PING_EVERY_MS = 100;
const RETENTION_CHECK_MS = 10_000;

interface Sample { t: number; rssMiB: number; fds: number; compactedSegments: number; retainedSegments: number; cleanedTo: number; pingP50: number; pingMax: number }

/** Seeded, so every run writes the same keys in the same order. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

export async function soakBenchmark(ctx: { dir: string; report(name: string, value: string): void }): Promise<void> {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
  const warmupMs = Math.min(30_000, (seconds * 1000) / 3);
  const data = join(ctx.dir, 'soak');
  const broker = await startCli(data, ['--set', `log.retention.check.interval.ms=${RETENTION_CHECK_MS}`]);
  const pid = broker.child.pid!;
  const children: ChildProcess[] = [];
  try {
    const admin = kafkaClient(broker).admin();
    await admin.connect();
    const entries = (c: Record<string, string>) => Object.entries(c).map(([name, value]) => ({ name, value }));
    await admin.createTopics({
      topics: [
        // Kafka's cleaner defaults (dirty ratio 0.5, no lag); ~1 s of writes per segment.
        { topic: 'soak-compacted', numPartitions: 1, configEntries: entries({ 'cleanup.policy': 'compact', 'segment.bytes': String(256 * 1024) }) },
        { topic: 'soak-retained', numPartitions: 1, configEntries: entries({ 'segment.bytes': String(MiB), 'retention.bytes': String(4 * MiB) }) },
      ],
    });
    await admin.disconnect();
    console.log(`\nSoak: ${seconds} s (BENCH_SOAK_SECONDS), ${RATE} msg/s of ~200 B to each of a compacted topic (256 KiB segments, ${KEYS} keys) and a`);
    console.log(`retained one (1 MiB segments, retention.bytes 4 MiB, log.retention.check.interval.ms ${RETENTION_CHECK_MS}), kcat following both`);

    const kcat = (args: string[], out: 'pipe' | 'ignore' = 'pipe') => {
      const child = spawn('kcat', ['-b', broker.bootstrap, ...args], { stdio: ['pipe', out, 'ignore'] });
      children.push(child);
      return child;
    };
    const consumed = { compacted: 0, retained: 0 };
    for (const [topic, key] of [['soak-compacted', 'compacted'], ['soak-retained', 'retained']] as const) {
      kcat(['-C', '-t', topic, '-o', 'beginning', '-q', '-u', '-f', '.']).stdout!.on('data', (c: Buffer) => { consumed[key] += c.length; });
    }
    const keyed = kcat(['-P', '-t', 'soak-compacted', '-K', '\t'], 'ignore');
    const plain = kcat(['-P', '-t', 'soak-retained'], 'ignore');
    const next = random(42);
    let produced = 0;
    const value = 'v'.repeat(190);
    const writer = setInterval(() => {
      const n = RATE / 10;
      let keyedLines = '';
      let plainLines = '';
      for (let i = 0; i < n; i++) {
        keyedLines += `k${Math.floor(next() * KEYS)}\t${produced + i}-${value}\n`;
        plainLines += `${produced + i}-${value}\n`;
      }
      produced += n;
      keyed.stdin!.write(keyedLines);
      plain.stdin!.write(plainLines);
    }, 100);

    const pings: number[] = [];
    const pinger = setInterval(() => {
      const start = performance.now();
      callApi(broker.port, ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }).then(() => pings.push(performance.now() - start), () => pings.push(Infinity));
    }, PING_EVERY_MS);

    const segments = (topic: string) => readdirSync(join(data, `${topic}-0`)).filter((f) => f.endsWith('.log')).length;
    const cleanerOffset = join(data, 'soak-compacted-0', 'cleaner-offset');
    const samples: Sample[] = [];
    const start = performance.now();
    await new Promise((r) => setTimeout(r, warmupMs));
    pings.length = 0;
    // (Until less than half a sample period is left: a last sample of a few ms had no round trips, p50 NaN.)
    while (seconds * 1000 - (performance.now() - start) > SAMPLE_MS / 2) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, seconds * 1000 - (performance.now() - start))));
      const sorted = pings.splice(0).sort((a, b) => a - b);
      const s: Sample = {
        t: Math.round((performance.now() - start) / 1000),
        rssMiB: rssBytes(pid) / 1024 / 1024,
        fds: readdirSync(`/proc/${pid}/fd`).length,
        compactedSegments: segments('soak-compacted'),
        retainedSegments: segments('soak-retained'),
        cleanedTo: existsSync(cleanerOffset) ? Number(readFileSync(cleanerOffset, 'utf8')) : 0,
        pingP50: sorted[Math.floor(sorted.length / 2)] ?? NaN,
        pingMax: sorted[sorted.length - 1] ?? NaN,
      };
      samples.push(s);
      console.log(`  t=${String(s.t).padStart(4)} s  RSS ${s.rssMiB.toFixed(0)} MiB  fds ${s.fds}  segments ${s.compactedSegments} compacted / ${s.retainedSegments} retained`
        + `  cleaner offset ${s.cleanedTo} of ${produced} written  ApiVersions p50 ${s.pingP50.toFixed(2)} ms max ${s.pingMax.toFixed(1)} ms`);
    }
    clearInterval(writer);
    clearInterval(pinger);
    const first = samples[0];
    const last = samples[samples.length - 1];
    const max = (f: (s: Sample) => number) => Math.max(...samples.map(f));
    const minutes = (last.t - first.t) / 60;
    const line = (f: (s: Sample) => number, digits = 0) => `${f(first).toFixed(digits)} -> ${f(last).toFixed(digits)} (max ${max(f).toFixed(digits)})`;
    ctx.report(`soak ${seconds} s, broker RSS MiB, first -> last sample`, line((s) => s.rssMiB));
    ctx.report('soak open fds', `${line((s) => s.fds)}, ${minutes > 0 ? ((last.fds - first.fds) / minutes).toFixed(1) : '-'} fds/min`);
    ctx.report('soak segments, compacted partition', line((s) => s.compactedSegments));
    ctx.report('soak segments, retained partition', line((s) => s.retainedSegments));
    ctx.report('soak cleaner offset', `${first.cleanedTo} -> ${last.cleanedTo} (${produced} written)`);
    ctx.report('soak ApiVersions round trip, p50 / max per sample', `${line((s) => s.pingP50, 2)} ms / ${line((s) => s.pingMax, 1)} ms`);
    ctx.report('soak messages consumed, compacted / retained', `${consumed.compacted} / ${consumed.retained} of ${produced} each`);
  } finally {
    // Consumers stopped, producers drained (end of input), then the broker.
    await Promise.all(children.map((c) => {
      const exited = new Promise((r) => c.once('exit', r));
      if (c.exitCode === null && c.signalCode === null) {
        if (c.stdout) c.kill('SIGKILL');
        else c.stdin!.end();
      } else return undefined;
      return exited;
    }));
    await stopCli(broker);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tmp = tempDir('samsa-soak-');
  soakBenchmark({ dir: tmp.dir, report: (name, value) => console.log(`${name.padEnd(58)} ${value}`) })
    .finally(() => tmp.remove())
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
