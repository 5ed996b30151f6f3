/**
 * kafkajs 2.2.4. Codecs: gzip built in; snappy via kafkajs-snappy, lz4 via kafkajs-lz4, zstd via a small adapter
 * over Samsa's own zstd (Node's zlib zstd, or fzstd; @kafkajs/zstd needs a native build that fails here). kafkajs reads only through consumer groups,
 * so every round trip needs the group coordinator.
 */
import kafkajs, { type Consumer, type IHeaders, type Kafka as KafkaT, type Producer, type ProducerConfig } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Ctx, packageVersion, requireRegistry, runIfMain, type ScenarioTable, securityScenario } from '../lib/harness.js';
import { check, checkMessages, type GroupMember, type Msg, sleep, splitThenTakeOver, testMessages, USER_SCHEMA_V1, USER_SCHEMA_V2, waitFor, wireSchemaId } from '../lib/expect.js';
import type { Codec } from '../lib/scenarios.js';
import { zstdCompress, zstdDecompress } from '../../src/protocol/zstd.js';

const { Kafka, CompressionTypes, CompressionCodecs, ConfigResourceTypes, logLevel } = kafkajs;
const require = createRequire(import.meta.url);

const CODEC_TYPES: Record<Codec, kafkajs.CompressionTypes> = {
  gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD,
};

function installCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy');
  // kafkajs codec contract: compress(encoder) gets an Encoder whose .buffer holds the records.
  const lz4 = require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer; decompressFrameSync(b: Buffer): Buffer };
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: { buffer: Buffer }) => lz4.compressFrameSync(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4.decompressFrameSync(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: { buffer: Buffer }) => zstdCompress(encoder.buffer),
    decompress: async (buffer: Buffer) => zstdDecompress(buffer, 2 ** 31 - 1),
  });
}

export function client(ctx: Ctx, id = 'compat'): KafkaT {
  installCodecs();
  return new Kafka({
    clientId: `${ctx.prefix}-${id}`,
    brokers: [ctx.bootstrap],
    ...(ctx.saslSsl ? {
      ssl: { ca: [readFileSync(ctx.saslSsl.caPath, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512' as const, username: ctx.saslSsl.user, password: ctx.saslSsl.password },
    } : {}),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
  });
}

export async function createTopic(kafka: KafkaT, topic: string, numPartitions = 2): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export function toKafkajs(m: Msg, timestamp?: number) {
  return { key: m.key, value: m.value, headers: m.headers, ...(timestamp ? { timestamp: String(timestamp) } : {}) };
}

export function fromKafkajs(m: { key: Buffer | null; value: Buffer | null; headers?: IHeaders }, partition: number, offset: string): Msg {
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return { key: m.key?.toString() ?? '', value: m.value?.toString() ?? '', raw: m.value ?? undefined, headers, partition, offset: Number(offset) };
}

export async function withProducer<T>(kafka: KafkaT, config: ProducerConfig, fn: (p: Producer) => Promise<T>): Promise<T> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, ...config });
  await producer.connect();
  try {
    return await fn(producer);
  } finally {
    await producer.disconnect();
  }
}

/** Per partition, the offset after the last message read: what a consumer commits. */
function nextOffsets(got: Msg[]): [number, string][] {
  const next = new Map<number, number>();
  for (const m of got) next.set(m.partition!, Math.max(next.get(m.partition!) ?? 0, m.offset! + 1));
  return [...next].map(([p, o]) => [p, String(o)]);
}

/**
 * Reads through group `groupId` until `n` messages arrived, then `settleMs` longer to catch extras. With
 * autoCommit off it commits what it read explicitly before leaving (unless noCommit).
 */
export async function consumeN(kafka: KafkaT, topic: string, groupId: string, n: number,
  opts: { autoCommit?: boolean; noCommit?: boolean; settleMs?: number; timeoutMs?: number } = {}): Promise<Msg[]> {
  const consumer: Consumer = kafka.consumer({
    groupId, sessionTimeout: 10000, rebalanceTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 250,
  });
  const got: Msg[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: opts.autoCommit ?? true,
      eachMessage: async ({ message, partition }) => {
        got.push(fromKafkajs(message, partition, message.offset));
      },
    });
    await waitFor(`${n} messages on ${topic} (have ${got.length})`, opts.timeoutMs ?? 15000, () => (got.length >= n ? true : undefined));
    await sleep(opts.settleMs ?? 500);
    if (opts.autoCommit === false && !opts.noCommit) {
      await consumer.commitOffsets(nextOffsets(got).map(([partition, offset]) => ({ topic, partition, offset })));
    }
  } finally {
    await consumer.disconnect();
  }
  return got;
}

async function roundTrip(ctx: Ctx, compression?: kafkajs.CompressionTypes): Promise<void> {
  const kafka = client(ctx);
  const topic = `${ctx.prefix}-t`;
  await createTopic(kafka, topic);
  const messages = testMessages(12);
  await withProducer(kafka, {}, (p) => p.send({ topic, acks: -1, compression, messages: messages.map((m) => toKafkajs(m)) }));
  ctx.log('produced', messages.length);
  checkMessages(await consumeN(kafka, topic, `${ctx.prefix}-g`, messages.length), messages);
}

const codec = (c: Codec) => (ctx: Ctx) => roundTrip(ctx, CODEC_TYPES[c]);

/** The security column: the round trip over SASL_SSL + SCRAM-SHA-512, then one write the ACLs refuse. */
const security = securityScenario(roundTrip, (ctx, topic) =>
  withProducer(client(ctx), { retry: { retries: 0 } }, (p) => p.send({ topic, acks: -1, messages: [{ value: 'denied' }] })));

export const SCENARIOS: ScenarioTable = {
  kip848: 'kafkajs 2.2.4 speaks only the classic group protocol (JoinGroup/SyncGroup), not KIP-848 ConsumerGroupHeartbeat',
  produce: (ctx) => roundTrip(ctx),
  security,
  gzip: codec('gzip'), snappy: codec('snappy'), lz4: codec('lz4'), zstd: codec('zstd'),

  async group(ctx) {
    const kafka = client(ctx);
    const topic = `${ctx.prefix}-t`;
    const groupId = `${ctx.prefix}-g`;
    await createTopic(kafka, topic);
    const first = testMessages(10, 'first');
    const second = testMessages(5, 'second');
    await withProducer(kafka, {}, (p) => p.send({ topic, messages: first.map((m) => toKafkajs(m)) }));
    checkMessages(await consumeN(kafka, topic, groupId, 10, { autoCommit: false }), first);
    ctx.log('first member read and committed 10');
    await withProducer(kafka, {}, (p) => p.send({ topic, messages: second.map((m) => toKafkajs(m)) }));
    checkMessages(await consumeN(kafka, topic, groupId, 5, { settleMs: 1500 }), second);
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    const committed = offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0); // -1: no commit
    check(committed === 15, `committed offsets add up to ${committed}, expected 15`);
  },

  async rebalance(ctx) {
    const kafka = client(ctx);
    const topic = `${ctx.prefix}-t`;
    const groupId = `${ctx.prefix}-g`;
    await createTopic(kafka, topic, 4);
    // autoCommitThreshold 1: every message is committed once processed, so a takeover never re-reads.
    const member = async (name: string): Promise<GroupMember> => {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, rebalanceTimeout: 10000, heartbeatInterval: 500, maxWaitTimeInMs: 250 });
      const got: Msg[] = [];
      let partitions: number[] = [];
      consumer.on(consumer.events.GROUP_JOIN, (e) => { partitions = e.payload.memberAssignment[topic] ?? []; ctx.log(name, 'assigned', partitions); });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ autoCommitThreshold: 1, eachMessage: async ({ message, partition }) => { got.push(fromKafkajs(message, partition, message.offset)); } });
      return { got, owned: () => partitions, leave: () => consumer.disconnect() };
    };
    const produce = (messages: Msg[]) => withProducer(kafka, {}, (p) => p.send({ topic, messages: messages.map((m) => toKafkajs(m)) })).then(() => undefined);
    await splitThenTakeOver({ member, produce, exactlyOnce: true, ownedOnly: true, keepsPartitions: false });
  },

  async admin(ctx) {
    const kafka = client(ctx);
    const admin = kafka.admin();
    const topic = `${ctx.prefix}-t`;
    await admin.connect();
    try {
      check(await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
        waitForLeaders: true,
      }), 'createTopics returned false');
      check((await admin.listTopics()).includes(topic), 'new topic not listed');
      const retention = async () => {
        const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
        return resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
      };
      check(await retention() === '3600000', `retention.ms after create: ${await retention()}`);
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] });
      check(await retention() === '7200000', `retention.ms after alter: ${await retention()}`);
      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      check(meta.topics[0].partitions.length === 3, `partitions after createPartitions: ${meta.topics[0].partitions.length}`);
      await admin.deleteTopics({ topics: [topic], timeout: 5000 });
      await waitFor('topic to disappear', 5000, async () => ((await admin.listTopics()).includes(topic) ? undefined : true));
    } finally {
      await admin.disconnect();
    }
  },

  async timestamps(ctx) {
    const kafka = client(ctx);
    const topic = `${ctx.prefix}-t`;
    await createTopic(kafka, topic, 1);
    const base = Date.now() - 60_000;
    const messages = testMessages(5);
    await withProducer(kafka, {}, (p) => p.send({ topic, messages: messages.map((m, i) => toKafkajs(m, base + i * 1000)) }));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const at = async (ts: number) => (await admin.fetchTopicOffsetsByTimestamp(topic, ts))[0].offset;
      check(await at(base + 1500) === '2', `offset for ts+1500: ${await at(base + 1500)}, expected 2`);
      check(await at(base - 1000) === '0', `offset before the first record: ${await at(base - 1000)}, expected 0`);
    } finally {
      await admin.disconnect();
    }
  },

  async idempotent(ctx) {
    const kafka = client(ctx);
    const topic = `${ctx.prefix}-t`;
    await createTopic(kafka, topic);
    const messages = testMessages(15);
    await withProducer(kafka, { idempotent: true, maxInFlightRequests: 1 }, async (p) => {
      for (let i = 0; i < messages.length; i += 5) {
        await p.send({ topic, acks: -1, messages: messages.slice(i, i + 5).map((m) => toKafkajs(m)) });
      }
    });
    checkMessages(await consumeN(kafka, topic, `${ctx.prefix}-g`, messages.length, { settleMs: 1000 }), messages);
  },

  async transactions(ctx) {
    const kafka = client(ctx);
    const topic = `${ctx.prefix}-t`;
    await createTopic(kafka, topic);
    const committed = testMessages(5, 'committed');
    const aborted = testMessages(5, 'aborted');
    const after = testMessages(2, 'after');
    await withProducer(kafka, { transactionalId: `${ctx.prefix}-tx`, idempotent: true, maxInFlightRequests: 1 }, async (p) => {
      for (const [batch, commit] of [[committed, true], [aborted, false], [after, true]] as const) {
        const txn = await p.transaction();
        await txn.send({ topic, messages: batch.map((m) => toKafkajs(m)) });
        if (commit) await txn.commit(); else await txn.abort();
      }
    });
    ctx.log('committed, aborted, committed');
    // kafkajs reads read_committed by default.
    const groupId = `${ctx.prefix}-g`;
    const got = await consumeN(kafka, topic, groupId, 7, { settleMs: 1500, autoCommit: false, noCommit: true });
    checkMessages(got, [...committed, ...after]);

    // Consume-transform-produce: the output and the group's offsets commit in one transaction (TxnOffsetCommit).
    const out = `${topic}-out`;
    await createTopic(kafka, out);
    const transformed = got.map((m) => ({ ...m, value: m.value.toUpperCase() }));
    const offsets = nextOffsets(got);
    await withProducer(kafka, { transactionalId: `${ctx.prefix}-eos`, idempotent: true, maxInFlightRequests: 1 }, async (p) => {
      const txn = await p.transaction();
      await txn.send({ topic: out, messages: transformed.map((m) => toKafkajs(m)) });
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: offsets.map(([partition, offset]) => ({ partition, offset })) }] });
      await txn.commit();
    });
    const admin = kafka.admin();
    await admin.connect();
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    for (const [partition, offset] of offsets) {
      const at = fetched.partitions.find((p) => p.partition === partition)?.offset;
      check(at === offset, `group offset of partition ${partition} after the transaction: ${at}, expected ${offset}`);
    }
    checkMessages(await consumeN(kafka, out, `${ctx.prefix}-out`, 7, { settleMs: 1000 }), transformed);
  },

  async registry(ctx) {
    const url = requireRegistry(ctx);
    const { SchemaRegistry, SchemaType } = await import('@kafkajs/confluent-schema-registry');
    const registry = new SchemaRegistry({ host: url });
    const topic = `${ctx.prefix}-t`;
    const subject = `${topic}-value`;
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_SCHEMA_V1) }, { subject });
    ctx.log('registered', subject, 'id', id);
    const kafka = client(ctx);
    await createTopic(kafka, topic, 1);
    const users = [{ id: 1, name: 'ada' }, { id: 2, name: 'grace' }];
    const values = await Promise.all(users.map((u) => registry.encode(id, u)));
    await withProducer(kafka, {}, (p) => p.send({ topic, messages: values.map((value, i) => ({ key: String(i), value })) }));
    const consumer = kafka.consumer({ groupId: `${ctx.prefix}-g`, maxWaitTimeInMs: 250 });
    const decoded: unknown[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        check(wireSchemaId(message.value!) === id, 'schema id in the record differs from the registered one');
        decoded.push(await registry.decode(message.value!));
      },
    });
    await waitFor('2 decoded records', 15000, () => (decoded.length >= 2 ? true : undefined));
    await consumer.disconnect();
    check(JSON.stringify(decoded) === JSON.stringify(users), `decoded ${JSON.stringify(decoded)}`);
    const v2 = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_SCHEMA_V2) }, { subject });
    check(v2.id !== id, 'evolved schema got the same id');
    check(await registry.getLatestSchemaId(subject) === v2.id, 'latest schema id is not the evolved one');
    const again = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(USER_SCHEMA_V1) }, { subject });
    check(again.id === id, `re-registering v1 gave id ${again.id}, expected ${id}`);
  },
};

runIfMain(import.meta.url, SCENARIOS, () => `kafkajs ${packageVersion('kafkajs', fileURLToPath(import.meta.url))}`);
