/**
 * Optional side-by-side with franz-go's kfake (an in-memory Go broker), for issue #16's targets "in the same run":
 * only when SAMSA_BENCH_KFAKE names a kfake binary built from test/bench/kfake/main.go. Samsa (data on disk),
 * Samsa --in-memory (the like-for-like one: kfake keeps everything in memory) and kfake are measured in turn, round
 * after round, with the same functions; each figure is the median over the rounds, with the ratios to kfake. The
 * rounds' data directories are removed at the end, not between rounds: on ext4 without a journal (this bench's
 * VM), inodes freed in the last minutes make every new file's inode allocation scan them (find_inode_bit ->
 * recently_deleted), which a round's 4,000 new files would pay for the previous round's removal.
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
  rssPer1000NextMiB: number;
  sendBatchMs: number;
  sendBatchCpuMs: number;
  consumeMiBs: number;
  consumeCpuMsPerMiB: number;
}

const sendBatchOfOneEach = (prefix: string) => ({
  topicMessages: Array.from({ length: TOPICS }, (_, t) => ({
    topic: `${prefix}-${t}`,
    messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: Buffer.alloc(100, partition) })),
  })),
});

/**
 * The bench's own clients (RawClient's CreateTopics, kafkajs's sendBatch) run once against a throwaway broker first:
 * else the first round's broker would be charged with the clients' JIT warm-up (~1 ms of a 2,000-partition create).
 */
async function warmClients(broker: ScaleBroker): Promise<void> {
  const client = await RawClient.connectAsClient(broker.port);
  await createTopics(client, 'warm', TOPICS, PARTITIONS);
  client.close();
  const producer = kafkaClient({ bootstrap: `127.0.0.1:${broker.port}` }).producer();
  await producer.connect();
  await producer.sendBatch(sendBatchOfOneEach('warm'));
  await producer.disconnect();
}

/** One round on one broker: start-up, idle RSS, 2,000 partitions, one record to each, then kcat reading 300 MB. */
async function measure(ctx: KfakeComparisonContext, broker: ScaleBroker): Promise<Figures> {
  const pid = broker.child.pid!;
  const startCpuMs = cpuMs(pid);
  await settle(500);
  const idleRss = broker.rss();
  const client = await RawClient.connectAsClient(broker.port);
  let cpu = cpuMs(pid);
  const createMs = await createTopics(client, 'cmp', TOPICS, PARTITIONS);
  const createCpuMs = cpuMs(pid) - cpu;
  await createTopics(client, 'consume', 1, 1);
  await settle(500);
  const created = broker.rss();
  const rssPer1000MiB = (created - idleRss) / MiB / ((TOPICS * PARTITIONS) / 1000);
  // The next 2,000: what a partition itself costs, without the one-time costs of the first (for Samsa on disk the
  // thread pool's start and the code its background mkdirs run).
  await createTopics(client, 'more', TOPICS, PARTITIONS);
  client.close();
  await settle(500);
  const rssPer1000NextMiB = (broker.rss() - created) / MiB / ((TOPICS * PARTITIONS) / 1000);

  const producer = kafkaClient({ bootstrap: `127.0.0.1:${broker.port}` }).producer();
  await producer.connect();
  const batch = sendBatchOfOneEach('cmp');
  cpu = cpuMs(pid);
  const start = performance.now();
  await producer.sendBatch(batch);
  const sendBatchMs = performance.now() - start;
  const sendBatchCpuMs = cpuMs(pid) - cpu;
  await producer.disconnect();

  await ctx.kcatProduce(broker.port, 'consume-0', ctx.file);
  const consume = await kcatConsumeCost(broker, 'consume-0', ctx.count);
  return {
    startMs: broker.startMs, startCpuMs, idleRssMiB: idleRss / MiB, createMs, createCpuMs, rssPer1000MiB, rssPer1000NextMiB, sendBatchMs, sendBatchCpuMs,
    consumeMiBs: consume.mibPerSecond, consumeCpuMsPerMiB: consume.cpuMsPerMiB,
  };
}

export async function kfakeComparison(ctx: KfakeComparisonContext, binary: string, rounds = 3): Promise<void> {
  const samsa: Figures[] = [];
  const inMemory: Figures[] = [];
  const kfake: Figures[] = [];
  const dataDirs: string[] = [];
  const round = async (into: Figures[], start: () => Promise<ScaleBroker>) => {
    const broker = await start();
    try {
      into.push(await measure(ctx, broker));
    } finally {
      await broker.stop();
    }
  };
  try {
    const throwaway = await ctx.startKfake(binary);
    await warmClients(throwaway).finally(() => throwaway.stop());
    for (let r = 0; r < rounds; r++) {
      const data = join(ctx.dir, `kfake-comparison-${r}`);
      dataDirs.push(data);
      await round(samsa, () => ctx.startBroker(['--data-dir', data], 65536));
      await round(inMemory, () => ctx.startBroker(['--in-memory'], 65536));
      await round(kfake, () => ctx.startKfake(binary));
    }
  } finally {
    for (const data of dataDirs) rmSync(data, { recursive: true, force: true });
  }
  const row = (name: string, pick: (f: Figures) => number, unit: string, digits = 0) => {
    const [disk, memory, fake] = [samsa, inMemory, kfake].map((figures) => median(figures.map(pick)));
    const ratio = (a: number) => (fake > 0 ? `${(a / fake).toFixed(2)}x` : '-');
    ctx.report(name, `${disk.toFixed(digits)} | ${memory.toFixed(digits)} | ${fake.toFixed(digits)} ${unit} | ${ratio(disk)} | ${ratio(memory)}`);
  };
  console.log(`Samsa (data on disk) | Samsa --in-memory | kfake (in memory), median of ${rounds} rounds in turn | ratios to kfake: on disk | in memory`);
  row(`kcat consume ${ctx.count} x 1 KiB (first output to exit)`, (f) => f.consumeMiBs, 'MiB/s');
  row('broker CPU per consumed MiB', (f) => f.consumeCpuMsPerMiB, 'ms', 2);
  row(`create ${(TOPICS * PARTITIONS).toLocaleString('en')} partitions (${TOPICS} topics x ${PARTITIONS})`, (f) => f.createMs, 'ms', 1);
  row('  broker CPU for it', (f) => f.createCpuMs, 'ms');
  row(`one record to each of ${(TOPICS * PARTITIONS).toLocaleString('en')} partitions (one kafkajs sendBatch)`, (f) => f.sendBatchMs, 'ms');
  row('  broker CPU for it', (f) => f.sendBatchCpuMs, 'ms');
  row('RSS per 1,000 idle partitions (the first 2,000 just created)', (f) => f.rssPer1000MiB, 'MiB', 2);
  row('  the next 2,000', (f) => f.rssPer1000NextMiB, 'MiB', 2);
  row('process start to accepting connections', (f) => f.startMs, 'ms');
  row('  CPU until then', (f) => f.startCpuMs, 'ms');
  row('idle RSS', (f) => f.idleRssMiB, 'MiB');
}
