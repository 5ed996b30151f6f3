/**
 * Captures golden request bytes from a real client: librdkafka 2.15.1 inside @confluentinc/kafka-javascript 1.10.1
 * (built by compat-suite/setup.sh into compat-suite/clients/confluent-js/). Run by hand, not by `npm test`:
 *
 *   npx tsc -p tsconfig.json && node dist/test/protocol/golden/capture.js
 *
 * It starts an in-memory broker behind a recording TCP proxy (the broker advertises the proxy's address, so every
 * connection the client opens goes through it), drives the client through admin calls, an idempotent produce, a
 * group consume with commits (and a leader epoch bump under it) and a transaction with offsets, and writes the first request frame of each (api key,
 * version) it sent, header included and length prefix left out, as hex to
 * test/protocol/golden/librdkafka-2.15.1/<key>-<Name>-v<N>.hex. test/protocol/golden-librdkafka.test.ts decodes
 * every one with our generated codec and encodes it back to the same bytes.
 */
import { createServer, connect, type Socket } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startBroker } from '../../../src/index.js';
import { HANDLERS } from '../../../src/handlers/index.js';
import { repositoryRoot } from '../../../protocol/generate.js';

const ROOT = repositoryRoot();
export const FIXTURES = join(ROOT, 'test', 'protocol', 'golden', 'librdkafka-2.15.1');
const NAMES = new Map(HANDLERS.map((h) => [h.api.key, h.api.name]));

/** The first frame of each (key, version) seen from clients, by "key-version". */
const frames = new Map<string, Buffer>();

function record(frame: Buffer): void {
  const key = frame.readInt16BE(0);
  const version = frame.readInt16BE(2);
  const id = `${key}-${version}`;
  if (!frames.has(id)) frames.set(id, Buffer.from(frame));
}

/** Forwards one client connection to the broker, cutting the client's stream into frames as it passes. */
function relay(client: Socket, brokerPort: number): void {
  const upstream = connect(brokerPort, '127.0.0.1');
  let pending = Buffer.alloc(0);
  client.on('data', (chunk) => {
    upstream.write(chunk);
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = pending.readInt32BE(0);
      record(pending.subarray(4, 4 + size));
      pending = pending.subarray(4 + size);
    }
  });
  upstream.on('data', (chunk) => client.write(chunk));
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('close', close).on('error', close);
  upstream.on('close', close).on('error', close);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function main(): Promise<void> {
  const lib = createRequire(join(ROOT, 'compat-suite', 'clients', 'confluent-js', 'package.json'))('@confluentinc/kafka-javascript');
  const proxy = createServer();
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as { port: number }).port;
  // The broker reports only its advertised (the proxy's) port, so it listens on a port picked here.
  const brokerPort = await freePort();
  const broker = await startBroker({ inMemory: true, logLevel: 'warn',
    config: { listeners: `PLAINTEXT://127.0.0.1:${brokerPort}`, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}` } });
  proxy.on('connection', (socket) => relay(socket, brokerPort));
  const bootstrap = `127.0.0.1:${proxyPort}`;
  const { Kafka, logLevel } = lib.KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: [bootstrap], clientId: 'golden', logLevel: logLevel.WARN } });
  const topic = 'golden';
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    const raw = lib.AdminClient.create({ 'bootstrap.servers': bootstrap });
    await new Promise<void>((resolve, reject) => raw.createPartitions(topic, 3, 10000, (err: Error) => (err ? reject(err) : resolve())));
    raw.disconnect();
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.listTopics();

    const producer = kafka.producer({ kafkaJS: { acks: -1, idempotent: true } });
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3, headers: { h: 'x' } })) });
    await producer.disconnect();

    await admin.fetchTopicOffsets(topic);
    await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60_000);

    const consumer = kafka.consumer({ kafkaJS: { groupId: 'golden-group', fromBeginning: true, autoCommit: false } });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    let seen = 0;
    void consumer.run({ eachMessage: async ({ message, partition }: { message: { offset: string }; partition: number }) => {
      seen++;
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
    } });
    for (let i = 0; i < 200 && seen < 6; i++) await new Promise((r) => setTimeout(r, 100));
    // A new leader epoch on every partition: the consumer's next fetches are fenced and it validates its positions
    // with OffsetForLeaderEpoch (KIP-320).
    for (let p = 0; p < 3; p++) broker.broker.moveLeader(topic, p, 0);
    await new Promise((r) => setTimeout(r, 3000));

    const txn = kafka.producer({ kafkaJS: { transactionalId: 'golden-txn', idempotent: true, maxInFlightRequests: 1 } });
    await txn.connect();
    const t = await txn.transaction();
    await t.send({ topic, messages: [{ key: 't', value: 'in a transaction', partition: 0 }] });
    await t.sendOffsets({ consumer, topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }] });
    await t.commit();
    await txn.disconnect();
    await consumer.disconnect();

    await admin.fetchOffsets({ groupId: 'golden-group', topics: [topic] });
    await admin.listGroups();
    await admin.describeGroups(['golden-group']);
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '1' }] });
    await admin.deleteGroups(['golden-group']);
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect().catch(() => undefined);
    await broker.close();
    proxy.close();
  }
  mkdirSync(FIXTURES, { recursive: true });
  for (const [id, frame] of [...frames].sort()) {
    const [key, version] = id.split('-').map(Number);
    const file = `${String(key).padStart(2, '0')}-${NAMES.get(key) ?? 'Unknown'}-v${version}.hex`;
    writeFileSync(join(FIXTURES, file), frame.toString('hex') + '\n');
    console.log(file);
  }
}

await main();
