/**
 * @platformatic/kafka: pure-JS client that picks the highest API version it implements inside the broker's range.
 * Its consumer always joins a group. It declares Node >= 22.22: on Node 20 it runs with ./node22-shim (one missing
 * API), and zstd, which needs node:zlib's zstd, is not supported.
 */
import './node22-shim.js';
import {
  Admin, ConfigResourceTypes, ConfluentSchemaRegistry, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers,
  type Message, type ProducerOptions,
} from '@platformatic/kafka';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Ctx, notSupported, securityScenario, packageVersion, requireRegistry, runIfMain, type ScenarioTable } from '../lib/harness.js';
import { check, checkMessages, type GroupMember, type Msg, sleep, splitThenTakeOver, testMessages, USER_SCHEMA_V1, USER_SCHEMA_V2, waitFor } from '../lib/expect.js';
import { CODECS, type Codec } from '../lib/scenarios.js';

type StrProducerOptions = Omit<ProducerOptions<string, string, string, string>, 'clientId' | 'bootstrapBrokers'>;

const base = (ctx: Ctx) => ({
  clientId: ctx.prefix, bootstrapBrokers: [ctx.bootstrap], timeout: 10000, retries: 3, retryDelay: 200,
  ...(ctx.saslSsl ? {
    tls: { ca: readFileSync(ctx.saslSsl.caPath, 'utf8') },
    sasl: { mechanism: 'SCRAM-SHA-512' as const, username: ctx.saslSsl.user, password: ctx.saslSsl.password },
  } : {}),
});

async function withAdmin<T>(ctx: Ctx, fn: (a: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(base(ctx));
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

const createTopic = (ctx: Ctx, topic: string, partitions = 2, configs: { name: string; value: string }[] = []) =>
  withAdmin(ctx, (a) => a.createTopics({ topics: [topic], partitions, replicas: 1, configs }));

async function produce(ctx: Ctx, topic: string, messages: Msg[], opts: StrProducerOptions = {}, timestamps?: number[]): Promise<void> {
  const producer = new Producer({ ...base(ctx), serializers: stringSerializers, acks: -1, ...opts });
  try {
    await producer.send({
      messages: messages.map((m, i) => ({
        topic, key: m.key, value: m.value, headers: m.headers, ...(timestamps ? { timestamp: BigInt(timestamps[i]) } : {}),
      })),
    });
  } finally {
    await producer.close();
  }
}

function fromMessage(m: Message<string, string, string, string>): Msg {
  return { key: m.key, value: m.value, headers: Object.fromEntries(m.headers), partition: m.partition, offset: Number(m.offset) };
}

async function consumeN(ctx: Ctx, topic: string, groupId: string, n: number, opts: { commit?: boolean; settleMs?: number } = {}): Promise<Msg[]> {
  const consumer = new Consumer({ ...base(ctx), groupId, deserializers: stringDeserializers, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTime: 250 });
  const got: Msg[] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false,
    });
    stream.on('data', (m: Message<string, string, string, string>) => {
      got.push(fromMessage(m));
      if (opts.commit) void m.commit();
    });
    await waitFor(`${n} messages on ${topic} (have ${got.length})`, 15000, () => (got.length >= n ? true : undefined));
    await sleep(opts.settleMs ?? 500);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return got;
}

async function roundTrip(ctx: Ctx, opts: StrProducerOptions = {}): Promise<void> {
  const topic = `${ctx.prefix}-t`;
  await createTopic(ctx, topic);
  const messages = testMessages(12);
  await produce(ctx, topic, messages, opts);
  checkMessages(await consumeN(ctx, topic, `${ctx.prefix}-g`, messages.length), messages);
}

function codec(c: Codec) {
  return async (ctx: Ctx) => {
    if (c === 'zstd' && !('zstdCompressSync' in (await import('node:zlib')))) {
      notSupported(`@platformatic/kafka compresses zstd with node:zlib, which has no zstd in Node ${process.version}`);
    }
    await roundTrip(ctx, { compression: c });
  };
}

/** The security column: the round trip over SASL_SSL + SCRAM-SHA-512, then one write the ACLs refuse. */
const security = securityScenario((ctx) => roundTrip(ctx), (ctx, topic) => produce(ctx, topic, testMessages(1), { retries: 0 }));

/**
 * Two members split 4 partitions, one leaves, the other takes over; with `consumerProtocol` over KIP-848
 * (ConsumerGroupHeartbeat, groupProtocol 'consumer').
 */
async function rebalance(ctx: Ctx, consumerProtocol: boolean): Promise<void> {
  const topic = `${ctx.prefix}-t`;
  const groupId = `${ctx.prefix}-g`;
  await createTopic(ctx, topic, 4);
  const member = async (): Promise<GroupMember> => {
    // The consumer protocol (KIP-848) takes its session timeout and heartbeat interval from the broker.
    const timing = consumerProtocol ? { groupProtocol: 'consumer' as const } : { sessionTimeout: 10000, heartbeatInterval: 500 };
    const consumer = new Consumer({ ...base(ctx), groupId, deserializers: stringDeserializers, maxWaitTime: 250, ...timing });
    const got: Msg[] = [];
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });
    // commit each message: a takeover never re-reads
    stream.on('data', (m: Message<string, string, string, string>) => { got.push(fromMessage(m)); void m.commit(); });
    return { got, owned: () => consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [], leave: () => consumer.close(true) };
  };
  // At least once, not exactly once: a member's fetch built before the split may still return partitions it just
  // lost (platformatic keeps such a long poll running), so the other member reads those messages again.
  await splitThenTakeOver({ member, produce: (messages) => produce(ctx, topic, messages), exactlyOnce: false, ownedOnly: false, keepsPartitions: false });
}

export const SCENARIOS: ScenarioTable = {
  produce: (ctx) => roundTrip(ctx),
  security,
  ...Object.fromEntries(CODECS.map((c) => [c, codec(c)])),

  async group(ctx) {
    const topic = `${ctx.prefix}-t`;
    const groupId = `${ctx.prefix}-g`;
    await createTopic(ctx, topic);
    const first = testMessages(10, 'first');
    const second = testMessages(5, 'second');
    await produce(ctx, topic, first);
    checkMessages(await consumeN(ctx, topic, groupId, 10, { commit: true }), first);
    await produce(ctx, topic, second);
    checkMessages(await consumeN(ctx, topic, groupId, 5, { commit: true, settleMs: 1500 }), second);
    const [offsets] = await withAdmin(ctx, (a) => a.listConsumerGroupOffsets({ groups: [groupId] }));
    const committed = offsets.topics.flatMap((t) => t.partitions).reduce((sum, p) => sum + Math.max(0, Number(p.committedOffset)), 0);
    check(committed === 15, `committed offsets add up to ${committed}, expected 15`);
  },

  rebalance: (ctx) => rebalance(ctx, false),
  kip848: (ctx) => rebalance(ctx, true),

  async admin(ctx) {
    const topic = `${ctx.prefix}-t`;
    await withAdmin(ctx, async (a) => {
      await a.createTopics({ topics: [topic], partitions: 1, replicas: 1, configs: [{ name: 'retention.ms', value: '3600000' }] });
      check((await a.listTopics()).includes(topic), 'new topic not listed');
      const retention = async () => {
        const [res] = await a.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }] });
        return res.configs.find((c) => c.name === 'retention.ms')?.value;
      };
      check(await retention() === '3600000', `retention.ms after create: ${await retention()}`);
      await a.alterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [{ name: 'retention.ms', value: '7200000' }] }] });
      check(await retention() === '7200000', `retention.ms after alter: ${await retention()}`);
      await a.createPartitions({ topics: [{ name: topic, count: 3 }] });
      const meta = await a.metadata({ topics: [topic], forceUpdate: true });
      check(meta.topics.get(topic)?.partitionsCount === 3, `partitions after createPartitions: ${meta.topics.get(topic)?.partitionsCount}`);
      await a.deleteTopics({ topics: [topic] });
      await waitFor('topic to disappear', 5000, async () => ((await a.listTopics()).includes(topic) ? undefined : true));
    });
  },

  async timestamps(ctx) {
    const topic = `${ctx.prefix}-t`;
    await createTopic(ctx, topic, 1);
    const t0 = Date.now() - 60_000;
    await produce(ctx, topic, testMessages(5), {}, [0, 1, 2, 3, 4].map((i) => t0 + i * 1000));
    const offsets = await withAdmin(ctx, (a) => a.listOffsets({
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: BigInt(t0 + 1500) }] }],
    }));
    const offset = offsets[0].partitions[0].offset;
    check(offset === 2n, `offset for ts+1500: ${offset}, expected 2`);
  },

  idempotent: (ctx) => roundTrip(ctx, { idempotent: true }),

  async transactions(ctx) {
    const topic = `${ctx.prefix}-t`;
    await createTopic(ctx, topic);
    const committed = testMessages(5, 'committed');
    const aborted = testMessages(5, 'aborted');
    const after = testMessages(2, 'after');
    const producer = new Producer({ ...base(ctx), serializers: stringSerializers, idempotent: true, transactionalId: `${ctx.prefix}-tx` });
    try {
      for (const [batch, commit] of [[committed, true], [aborted, false], [after, true]] as const) {
        const txn = await producer.beginTransaction();
        await txn.send({ messages: batch.map((m) => ({ topic, key: m.key, value: m.value, headers: m.headers })) });
        if (commit) await txn.commit(); else await txn.abort();
      }
    } finally {
      await producer.close();
    }
    checkMessages(await consumeN(ctx, topic, `${ctx.prefix}-g`, 7, { settleMs: 1500 }), [...committed, ...after]);
  },

  async registry(ctx) {
    const url = requireRegistry(ctx);
    const topic = `${ctx.prefix}-t`;
    const subject = `${topic}-value`;
    const register = async (schema: object) => {
      const res = await fetch(new URL(`/subjects/${subject}/versions`, url), {
        method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: JSON.stringify(schema) }),
      });
      if (!res.ok) throw new Error(`register answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { id: number }).id;
    };
    const id = await register(USER_SCHEMA_V1);
    await createTopic(ctx, topic, 1);
    const registry = new ConfluentSchemaRegistry({ url });
    const users = [{ id: 1, name: 'ada' }, { id: 2, name: 'grace' }];
    const producer = new Producer({ ...base(ctx), registry });
    try {
      await producer.send({ messages: users.map((u) => ({ topic, value: u, metadata: { schemas: { value: id } } })) as never });
    } finally {
      await producer.close();
    }
    const consumer = new Consumer({ ...base(ctx), groupId: `${ctx.prefix}-g`, registry, maxWaitTime: 250 });
    const decoded: unknown[] = [];
    try {
      const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
      stream.on('data', (m: Message<unknown, unknown, unknown, unknown>) => decoded.push(m.value));
      await waitFor('2 decoded records', 15000, () => (decoded.length >= 2 ? true : undefined));
      await stream.close();
    } finally {
      await consumer.close(true);
    }
    check(JSON.stringify(decoded) === JSON.stringify(users), `decoded ${JSON.stringify(decoded)}`);
    const id2 = await register(USER_SCHEMA_V2);
    check(id2 !== id, 'evolved schema got the same id');
    check(await register(USER_SCHEMA_V1) === id, 're-registering v1 changed its id');
  },
};

runIfMain(import.meta.url, SCENARIOS, () => `@platformatic/kafka ${packageVersion('@platformatic/kafka', fileURLToPath(import.meta.url))}`);
