/**
 * @confluentinc/kafka-javascript (librdkafka 2.15 inside), through its KafkaJS-compatible API, plus its rdkafka
 * AdminClient for what that API lacks (adding partitions), and Confluent's @confluentinc/schemaregistry. Built by
 * setup.sh into clients/confluent-js/ (see there why it is not a root dependency); without that build every
 * scenario is reported as not supported.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Ctx, notSupported, packageVersion, securityScenario, requireRegistry, runIfMain, type ScenarioTable } from '../lib/harness.js';
import { check, checkMessages, type GroupMember, type Msg, sleep, splitThenTakeOver, testMessages, USER_SCHEMA_V1, USER_SCHEMA_V2, waitFor, wireSchemaId } from '../lib/expect.js';
import { CODECS, type Codec } from '../lib/scenarios.js';
import { ROOT } from '../lib/runner.js';
import { fromKafkajs, toKafkajs } from './kafkajs.js';

const PREFIX = join(ROOT, 'compat-suite', 'clients', 'confluent-js');
const PACKAGE = '@confluentinc/kafka-javascript';

/* eslint-disable @typescript-eslint/no-explicit-any -- the package is optional, so its types may be absent */
type Lib = any;

function loadOptional(name: string): Lib | string {
  try {
    return createRequire(join(PREFIX, 'package.json'))(name);
  } catch (err) {
    return `${name} is not built here: run compat-suite/setup.sh (it builds librdkafka from source with ` +
      `CKJS_LINKING=dynamic; a plain npm install needs GitHub downloads). Load error: ${(err as Error).message.split('\n')[0]}`;
  }
}

const lib = loadOptional(PACKAGE);

function kafka(ctx: Ctx): Lib {
  const { Kafka, logLevel } = lib.KafkaJS;
  const secure = ctx.saslSsl && {
    ssl: true, sasl: { mechanism: 'scram-sha-512', username: ctx.saslSsl.user, password: ctx.saslSsl.password },
  };
  return new Kafka({
    kafkaJS: { brokers: [ctx.bootstrap], clientId: ctx.prefix, connectionTimeout: 3000, requestTimeout: 10000, logLevel: logLevel.WARN, ...secure },
    ...(ctx.saslSsl ? { 'ssl.ca.location': ctx.saslSsl.caPath } : {}),
  });
}

async function withAdmin<T>(ctx: Ctx, fn: (admin: Lib) => Promise<T>): Promise<T> {
  const admin = kafka(ctx).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

const createTopic = (ctx: Ctx, topic: string, numPartitions = 2, configEntries: { name: string; value: string }[] = []) =>
  withAdmin(ctx, (a) => a.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1, configEntries }] }));

async function produce(ctx: Ctx, topic: string, batches: Msg[][], config: Record<string, unknown> = {}, txn?: boolean[]): Promise<void> {
  const producer = kafka(ctx).producer({ kafkaJS: { acks: -1, ...config } });
  await producer.connect();
  try {
    for (const [i, batch] of batches.entries()) {
      if (!txn) {
        await producer.send({ topic, messages: batch.map((m) => toKafkajs(m)) });
        continue;
      }
      const t = await producer.transaction();
      await t.send({ topic, messages: batch.map((m) => toKafkajs(m)) });
      if (txn[i]) await t.commit(); else await t.abort();
    }
  } finally {
    await producer.disconnect();
  }
}

async function consumeN(ctx: Ctx, topic: string, groupId: string, n: number, opts: { autoCommit?: boolean; settleMs?: number } = {}): Promise<Msg[]> {
  const consumer = kafka(ctx).consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: opts.autoCommit ?? true, sessionTimeout: 10000 } });
  const got: Msg[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    void consumer.run({
      eachMessage: async ({ message, partition }: any) => { got.push(fromKafkajs(message, partition, message.offset)); },
    });
    await waitFor(`${n} messages on ${topic} (have ${got.length})`, 20000, () => (got.length >= n ? true : undefined));
    await sleep(opts.settleMs ?? 500);
    if (opts.autoCommit === false) await consumer.commitOffsets();
  } finally {
    await consumer.disconnect();
  }
  return got;
}

async function roundTrip(ctx: Ctx, config: Record<string, unknown> = {}): Promise<void> {
  const topic = `${ctx.prefix}-t`;
  await createTopic(ctx, topic);
  const messages = testMessages(12);
  await produce(ctx, topic, [messages], config);
  checkMessages(await consumeN(ctx, topic, `${ctx.prefix}-g`, messages.length), messages);
}

/**
 * Two members split 4 partitions, one leaves, the other takes over at the committed offsets. With the KIP-848
 * protocol (group.protocol=consumer: ConsumerGroupHeartbeat, the broker assigns) the member that keeps its
 * partitions must also never lose them on the way.
 */
async function rebalance(ctx: Ctx, consumerProtocol: boolean): Promise<void> {
  const topic = `${ctx.prefix}-t`;
  const groupId = `${ctx.prefix}-g`;
  await createTopic(ctx, topic, 4);
  const member = async (): Promise<GroupMember> => {
    // The consumer protocol takes no session timeout from the client (the broker's group.consumer.session.timeout.ms).
    const consumer = consumerProtocol
      ? kafka(ctx).consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false }, 'group.protocol': 'consumer' })
      : kafka(ctx).consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false, sessionTimeout: 10000 } });
    const got: Msg[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    void consumer.run({
      eachMessage: async ({ message, partition }: any) => {
        got.push(fromKafkajs(message, partition, message.offset));
        // commit each message: a takeover never re-reads
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    return { got, owned: () => (consumer.assignment() as { partition: number }[]).map((tp) => tp.partition), leave: () => consumer.disconnect() };
  };
  await splitThenTakeOver({ member, produce: (messages) => produce(ctx, topic, [messages]), exactlyOnce: true, ownedOnly: true, keepsPartitions: consumerProtocol });
}

function scenarios(): ScenarioTable {
  const codecs = Object.fromEntries(CODECS.map((c: Codec) => [c, (ctx: Ctx) => roundTrip(ctx, { compression: c })]));
  return {
    produce: (ctx) => roundTrip(ctx),
    ...codecs,

    /** The round trip over SASL_SSL + SCRAM-SHA-512, then one write the ACLs refuse. */
    security: securityScenario((ctx) => roundTrip(ctx), (ctx, topic) => produce(ctx, topic, [testMessages(1)])),

    async group(ctx) {
      const topic = `${ctx.prefix}-t`;
      const groupId = `${ctx.prefix}-g`;
      await createTopic(ctx, topic);
      const first = testMessages(10, 'first');
      const second = testMessages(5, 'second');
      await produce(ctx, topic, [first]);
      checkMessages(await consumeN(ctx, topic, groupId, 10, { autoCommit: false }), first);
      await produce(ctx, topic, [second]);
      checkMessages(await consumeN(ctx, topic, groupId, 5, { settleMs: 1500 }), second);
      const [offsets] = await withAdmin<any[]>(ctx, (a) => a.fetchOffsets({ groupId, topics: [topic] }));
      const committed = offsets.partitions.reduce((sum: number, p: { offset: string }) => sum + Math.max(0, Number(p.offset)), 0);
      check(committed === 15, `committed offsets add up to ${committed}, expected 15`);
    },

    rebalance: (ctx) => rebalance(ctx, false),
    kip848: (ctx) => rebalance(ctx, true),

    async admin(ctx) {
      // The KafkaJS-compatible admin has no describe/alter configs; the rdkafka AdminClient adds partitions.
      const topic = `${ctx.prefix}-t`;
      await createTopic(ctx, topic, 1, [{ name: 'retention.ms', value: '3600000' }]);
      await withAdmin(ctx, async (a) => {
        check((await a.listTopics()).includes(topic), 'new topic not listed');
        const raw = lib.AdminClient.create({ 'bootstrap.servers': ctx.bootstrap });
        try {
          await new Promise<void>((resolve, reject) => raw.createPartitions(topic, 3, 10000, (err: Error) => (err ? reject(err) : resolve())));
        } finally {
          raw.disconnect();
        }
        await waitFor('3 partitions', 10000, async () => {
          const [meta] = await a.fetchTopicMetadata({ topics: [topic] });
          return meta.partitions.length === 3 ? true : undefined;
        });
        await a.deleteTopics({ topics: [topic] });
        await waitFor('topic to disappear', 10000, async () => ((await a.listTopics()).includes(topic) ? undefined : true));
      });
      return { detail: 'create (with a config) / add partitions / delete; the client has no describe/alter configs' };
    },

    async timestamps(ctx) {
      const topic = `${ctx.prefix}-t`;
      await createTopic(ctx, topic, 1);
      const base = Date.now() - 60_000;
      const producer = kafka(ctx).producer({ kafkaJS: { acks: -1 } });
      await producer.connect();
      await producer.send({ topic, messages: testMessages(5).map((m, i) => toKafkajs(m, base + i * 1000)) });
      await producer.disconnect();
      await withAdmin(ctx, async (a) => {
        const at = async (ts: number) => String((await a.fetchTopicOffsetsByTimestamp(topic, ts))[0].offset);
        check(await at(base + 1500) === '2', `offset for ts+1500: ${await at(base + 1500)}, expected 2`);
        check(await at(base - 1000) === '0', `offset before the first record: ${await at(base - 1000)}, expected 0`);
      });
    },

    idempotent: (ctx) => roundTrip(ctx, { idempotent: true }),

    async transactions(ctx) {
      const topic = `${ctx.prefix}-t`;
      await createTopic(ctx, topic);
      const committed = testMessages(5, 'committed');
      const aborted = testMessages(5, 'aborted');
      const after = testMessages(2, 'after');
      await produce(ctx, topic, [committed, aborted, after], { transactionalId: `${ctx.prefix}-tx` }, [true, false, true]);
      checkMessages(await consumeN(ctx, topic, `${ctx.prefix}-g`, 7, { settleMs: 1500 }), [...committed, ...after]);
    },

    async registry(ctx) {
      // Confluent's own registry client, a separate package installed beside the Kafka client by setup.sh.
      const url = requireRegistry(ctx);
      const sr = loadOptional('@confluentinc/schemaregistry');
      if (typeof sr === 'string') notSupported(sr);
      const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } = sr;
      const registry = new SchemaRegistryClient({ baseURLs: [url] });
      const topic = `${ctx.prefix}-t`;
      const subject = `${topic}-value`;
      const id = await registry.register(subject, { schemaType: 'AVRO', schema: JSON.stringify(USER_SCHEMA_V1) });
      ctx.log('registered', subject, 'id', id);
      await createTopic(ctx, topic, 1);
      const users = [{ id: 1, name: 'ada' }, { id: 2, name: 'grace' }];
      const serializer = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });
      const producer = kafka(ctx).producer({ kafkaJS: { acks: -1 } });
      await producer.connect();
      await producer.send({ topic, messages: await Promise.all(users.map(async (u, i) => ({ key: String(i), value: await serializer.serialize(topic, u) }))) });
      await producer.disconnect();
      const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});
      const decoded = [];
      for (const m of await consumeN(ctx, topic, `${ctx.prefix}-g`, 2)) {
        check(wireSchemaId(m.raw!) === id, 'schema id in the record differs from the registered one');
        decoded.push(await deserializer.deserialize(topic, m.raw!));
      }
      check(JSON.stringify(decoded) === JSON.stringify(users), `decoded ${JSON.stringify(decoded)}`);
      const v2 = { schemaType: 'AVRO', schema: JSON.stringify(USER_SCHEMA_V2) };
      check(await registry.testSubjectCompatibility(subject, v2), 'evolved schema reported incompatible');
      const id2 = await registry.register(subject, v2);
      check(id2 !== id, 'evolved schema got the same id');
      registry.clearLatestCaches(); // the serializer's useLatestVersion cached v1 as "latest", without a TTL
      const latest = await registry.getLatestSchemaMetadata(subject);
      check(latest.id === id2 && latest.version === 2, `latest is id ${latest.id} version ${latest.version}`);
    },
  };
}

const TABLE: ScenarioTable = typeof lib === 'string'
  ? Object.fromEntries(['produce', ...CODECS, 'group', 'rebalance', 'kip848', 'admin', 'timestamps', 'idempotent', 'transactions', 'registry', 'security'].map((s) => [s, lib]))
  : scenarios();

runIfMain(import.meta.url, TABLE, () => (typeof lib === 'string' ? `${PACKAGE} (not built)` : `${PACKAGE} ${packageVersion(PACKAGE, join(PREFIX, 'package.json'))} (librdkafka ${lib.librdkafkaVersion})`));
