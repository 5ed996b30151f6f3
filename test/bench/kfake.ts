/**
 * Optional side-by-side with franz-go's kfake (an in-memory Go broker), for issue #16's targets "in the same run":
 * only when SAMSA_BENCH_KFAKE names a kfake binary built from test/bench/kfake/main.go. Samsa (data on disk) and
 * kfake are measured alternately, round after round, with the same functions; each figure is the median over the
 * rounds, with the ratio Samsa / kfake.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaClient } from '../helpers.js';
import { cpuMs } from './fetch.js';
import { createTopics, kcatConsumeCost, median, RawClient, settle, type ScaleBroker } from './scale.js';

export interface KfakeComparisonContext {
  dir: string;
  /** `count` lines of 1 KiB (with the newline). */
  file: string;
  count: number;
  report(name: string, value: string): void;
  startBroker(args: string[], fds?: number): Promise<ScaleBroker>;
  startKfake(binary: string): Promise<ScaleBroker>;
  kcatProduce(port: number, topic: string, file: string, extra?: string[]): Promise<number>;
}

const MiB = 1024 * 1024;
const TOPICS = 20;
const PARTITIONS = 100;

interface Figures {
  startMs: number;
  startCpuMs: number;
  idleRssMiB: number;
  createMs: number;
  createCpuMs: number;
  rssPer1000MiB: number;
  sendBatchMs: number;
  sendBatchCpuMs: number;
  consumeMiBs: number;
  consumeCpuMsPerMiB: number;
}

/** One round on one broker: start-up, idle RSS, 2,000 partitions, one record to each, then kcat reading 300 MB. */
async function measure(ctx: KfakeComparisonContext, broker: ScaleBroker): Promise<Figures> {
  const pid = broker.child.pid!;
  const startCpuMs = cpuMs(pid);
  await settle(500);
  const idleRss = broker.rss();
  const client = await RawClient.connect(broker.port);
  let cpu = cpuMs(pid);
  const createMs = await createTopics(client, 'cmp', TOPICS, PARTITIONS);
  const createCpuMs = cpuMs(pid) - cpu;
  await createTopics(client, 'consume', 1, 1);
  client.close();
  await settle(500);
  const rssPer1000MiB = (broker.rss() - idleRss) / MiB / ((TOPICS * PARTITIONS) / 1000);

  const producer = kafkaClient({ bootstrap: `127.0.0.1:${broker.port}` }).producer();
  await producer.connect();
  const topicMessages = Array.from({ length: TOPICS }, (_, t) => ({
    topic: `cmp-${t}`,
    messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: Buffer.alloc(100, partition) })),
  }));
  cpu = cpuMs(pid);
  const start = performance.now();
  await producer.sendBatch({ topicMessages });
  const sendBatchMs = performance.now() - start;
  const sendBatchCpuMs = cpuMs(pid) - cpu;
  await producer.disconnect();

  await ctx.kcatProduce(broker.port, 'consume-0', ctx.file);
  const consume = await kcatConsumeCost(broker, 'consume-0', ctx.count);
  return {
    startMs: broker.startMs, startCpuMs, idleRssMiB: idleRss / MiB, createMs, createCpuMs, rssPer1000MiB, sendBatchMs, sendBatchCpuMs,
    consumeMiBs: consume.mibPerSecond, consumeCpuMsPerMiB: consume.cpuMsPerMiB,
  };
}

export async function kfakeComparison(ctx: KfakeComparisonContext, binary: string, rounds = 3): Promise<void> {
  const samsa: Figures[] = [];
  const kfake: Figures[] = [];
  for (let round = 0; round < rounds; round++) {
    const data = join(ctx.dir, `kfake-comparison-${round}`);
    const broker = await ctx.startBroker(['--data-dir', data], 65536);
    try {
      samsa.push(await measure(ctx, broker));
    } finally {
      await broker.stop();
      rmSync(data, { recursive: true, force: true });
    }
    const fake = await ctx.startKfake(binary);
    try {
      kfake.push(await measure(ctx, fake));
    } finally {
      await fake.stop();
    }
  }
  const row = (name: string, pick: (f: Figures) => number, unit: string, digits = 0) => {
    const a = median(samsa.map(pick));
    const b = median(kfake.map(pick));
    const ratio = b > 0 ? `${(a / b).toFixed(2)}x` : '-';
    ctx.report(name, `${a.toFixed(digits)} | ${b.toFixed(digits)} ${unit} | ${ratio}`);
  };
  console.log(`Samsa (data on disk) | kfake (in memory), median of ${rounds} alternating rounds | ratio Samsa / kfake`);
  row(`kcat consume ${ctx.count} x 1 KiB`, (f) => f.consumeMiBs, 'MiB/s');
  row('broker CPU per consumed MiB', (f) => f.consumeCpuMsPerMiB, 'ms', 2);
  row(`create ${(TOPICS * PARTITIONS).toLocaleString('en')} partitions (${TOPICS} topics x ${PARTITIONS})`, (f) => f.createMs, 'ms');
  row('  broker CPU for it', (f) => f.createCpuMs, 'ms');
  row(`one record to each of ${(TOPICS * PARTITIONS).toLocaleString('en')} partitions (one kafkajs sendBatch)`, (f) => f.sendBatchMs, 'ms');
  row('  broker CPU for it', (f) => f.sendBatchCpuMs, 'ms');
  row('RSS per 1,000 idle partitions (just created)', (f) => f.rssPer1000MiB, 'MiB', 2);
  row('process start to accepting connections', (f) => f.startMs, 'ms');
  row('  CPU until then', (f) => f.startCpuMs, 'ms');
  row('idle RSS', (f) => f.idleRssMiB, 'MiB');
}
