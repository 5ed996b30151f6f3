/**
 * Metrics figure for `npm run bench`: how long one `/metrics` scrape takes (and how big it is) on a broker with
 * 1,000 partitions (10 topics x 100, a record in each) and 50 consumer groups each committed on 100 partitions.
 * Everything is collected at scrape time, so this is the whole cost of metrics on an idle broker.
 * Run alone: `node dist/test/bench/metrics.js`.
 */
import { startTestBroker } from '../helpers.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

const TOPICS = 10;
const PARTITIONS = 100;
const GROUPS = 50;
const SCRAPES = 20;

export async function metricsScrapeBenchmark(report: (name: string, value: string) => void): Promise<void> {
  const running = await startTestBroker({ adminPort: -1 });
  try {
    const { broker } = running;
    for (let t = 0; t < TOPICS; t++) {
      broker.createTopic(`metrics-${t}`, PARTITIONS);
      for (let p = 0; p < PARTITIONS; p++) await broker.appendRecords(`metrics-${t}`, p, encodeBatch([{ key: null, value: Buffer.alloc(100) }]), false);
    }
    for (let g = 0; g < GROUPS; g++) {
      const topic = `metrics-${g % TOPICS}`;
      await broker.groups.commitOffsets(`group-${g}`, Array.from({ length: PARTITIONS }, (_, p) => ({ topic, partition: p, offset: 0, leaderEpoch: -1, metadata: null })));
    }
    const url = `${running.adminUrl}/metrics`;
    const first = performance.now();
    const text = await (await fetch(url)).text();
    const firstMs = performance.now() - first;
    const times: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      const start = performance.now();
      await (await fetch(url)).text();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const label = `/metrics, ${TOPICS * PARTITIONS} partitions, ${GROUPS} groups`;
    report(`${label}: first scrape (builds the exporter)`, `${firstMs.toFixed(1)} ms`);
    report(`${label}: scrape, median of ${SCRAPES}`, `${times[SCRAPES >> 1].toFixed(1)} ms (${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines)`);
  } finally {
    await running.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await metricsScrapeBenchmark((name, value) => console.log(`${name.padEnd(72)} ${value}`));
}
