/**
 * Produce-path cost of record validation: Broker.appendRecords (parse, CRC, record scan or bounded inflate, append)
 * in-process on an in-memory broker, 1 MiB-ish requests of 1 KiB records, per codec. Run: node dist/test/bench/produce-validation.js
 */
import { startTestBroker } from '../helpers.js';
import { Compression, encodeBatch } from '../../src/protocol/record-batch.js';

const running = await startTestBroker();
const { broker } = running;
for (const [name, codec] of Object.entries(Compression)) {
  broker.createTopic(`bench-${name}`, 1, { 'retention.bytes': String(64 << 20), 'segment.bytes': String(16 << 20) });
  const records = Array.from({ length: 1000 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.from(`{"n":${i},"pad":"${'x'.repeat(980)}"}`) }));
  const template = encodeBatch(records, { compression: codec });
  const inflated = records.reduce((n, r) => n + r.key.length + r.value.length, 0);
  let bytes = 0;
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 2000) {
    const out = await broker.appendRecords(`bench-${name}`, 0, Buffer.from(template), false);
    if (out.errorCode !== 0) throw new Error(`append failed ${out.errorCode}`);
    bytes += inflated;
    n++;
  }
  const secs = (performance.now() - start) / 1000;
  console.log(`${name.padEnd(7)} ${(bytes / 2 ** 20 / secs).toFixed(0).padStart(6)} MiB/s of records (${n} requests of ${template.length} bytes)`);
}
await running.close();
