/**
 * Run by produce-validation.test.ts in a child with a capped heap: a broker with schema validation and a compacted
 * topic receives a bomb per codec (up to 1 GiB; zstd both streamed and with declared sizes); prints each produce's error code and the peak memory seen, as JSON.
 */
import { startTestBroker, callApi } from '../helpers.js';
import { ProduceApi } from '../../src/protocol/generated/index.js';
import { Compression } from '../../src/protocol/record-batch.js';
import { bombPayload, batchWithBody } from './bombs.js';

const GiB = 1 << 30;
/** As much as fits in max.message.bytes: gzip tops at ~1000x, LZ4 at ~250x. */
const INFLATED: Record<number, number> = { [Compression.gzip]: 0.75 * GiB, [Compression.lz4]: 240 << 20, [Compression.zstd]: GiB };
const running = await startTestBroker({ registryPort: -1 });
const { broker } = running;
broker.createTopic('validated', 1, { 'confluent.value.schema.validation': 'true' });
broker.createTopic('compacted', 1, { 'cleanup.policy': 'compact' });
const bombs = [Compression.gzip, Compression.lz4, Compression.zstd].map((c) => ({ codec: c, batch: batchWithBody(c, bombPayload(c, INFLATED[c])) }));
bombs.push({ codec: Compression.zstd, batch: batchWithBody(Compression.zstd, bombPayload(Compression.zstd, GiB, true)) });
global.gc?.();
const base = process.memoryUsage();
let peak = 0;
const sample = setInterval(() => { const m = process.memoryUsage(); peak = Math.max(peak, m.rss - base.rss, m.arrayBuffers - base.arrayBuffers); }, 5);
const results: Array<{ topic: string; codec: number; errorCode: number; bytes: number; ms: number }> = [];
for (const topic of ['validated', 'compacted']) {
  for (const { codec, batch } of bombs) {
    const start = performance.now();
    const res = await callApi(running.port, ProduceApi, 7, {
      transactionalId: null, acks: 1, timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    });
    results.push({ topic, codec, errorCode: res.responses[0].partitionResponses[0].errorCode, bytes: batch.length, ms: Math.round(performance.now() - start) });
  }
}
clearInterval(sample);
const m = process.memoryUsage();
peak = Math.max(peak, m.rss - base.rss, m.arrayBuffers - base.arrayBuffers);
await running.close();
process.stdout.write(JSON.stringify({ results, peakBytes: peak }));
