/**
 * Captures golden request bytes from real clients. Run by hand, not by `npm test`:
 *
 *   npx tsc -p tsconfig.json && node dist/test/protocol/golden/capture.js [client ...]
 *
 * Clients (default: all): librdkafka-2.15.1 (inside @confluentinc/kafka-javascript 1.10.1, built by
 * compat-suite/setup.sh into compat-suite/clients/confluent-js/, plus librdkafka-extra.c compiled against the same
 * librdkafka for the C-only admin calls and the share consumer; needs gcc), kafkajs-2.2.4, platformatic-kafka-2.12.1.
 *
 * For each client it starts an in-memory broker behind a recording TCP proxy (the broker advertises the proxy's
 * address, so every connection the client opens goes through it), drives the client through everything it can send
 * (admin calls, idempotent produce, classic and KIP-848 group consumes with commits, a leader epoch bump under them,
 * transactions with offsets, share consume), and writes the first request frame of each (api key, version) it sent,
 * header included and length prefix left out, as hex to test/protocol/golden/<client>/<key>-<Name>-v<N>.hex.
 * test/protocol/golden-clients.test.ts decodes every one with our generated codec and encodes it back to the same
 * bytes. A failed call is logged and the capture goes on: only the request bytes matter (GOLDEN_DEBUG=1 also prints
 * the error response).
 */
import { createServer, connect, type Socket } from 'node:net';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../compat-suite/clients/node22-shim.js';
import { startBroker, type RunningBroker } from '../../../src/index.js';
import { HANDLERS } from '../../../src/handlers/index.js';
import { repositoryRoot } from '../../../protocol/generate.js';

const ROOT = repositoryRoot();
const GOLDEN = join(ROOT, 'test', 'protocol', 'golden');
const NAMES = new Map(HANDLERS.map((h) => [h.api.key, h.api.name]));
const CONFLUENT_JS = join(ROOT, 'compat-suite', 'clients', 'confluent-js');
const LIBRDKAFKA = join(CONFLUENT_JS, 'node_modules', '@confluentinc', 'kafka-javascript');
const TOPIC = 'golden';
const GROUP = 'golden-group';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attempt(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const { message, errors } = err as Error & { errors?: Error[] };
    console.warn(`  ${what} failed: ${message}${errors?.length ? ` (${errors.map((e) => e.message).join('; ')})` : ''}`);
    if (process.env.GOLDEN_DEBUG) console.warn(JSON.stringify((errors?.[0] as { response?: unknown })?.response ?? err, (_, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 800));
  }
}

/** Forwards one client connection to the broker, cutting the client's stream into frames as it passes. */
function relay(client: Socket, brokerPort: number, record: (frame: Buffer) => void): void {
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

type Scenario = (bootstrap: string, broker: RunningBroker) => Promise<void>;

/** Runs one client's scenario behind the recording proxy and writes its frames to golden/<dir>/ (replacing them). */
async function capture(dir: string, scenario: Scenario): Promise<void> {
  console.log(`${dir}:`);
  const frames = new Map<string, Buffer>();
  const record = (frame: Buffer) => {
    const id = `${frame.readInt16BE(0)}-${frame.readInt16BE(2)}`;
    if (!frames.has(id)) frames.set(id, Buffer.from(frame));
  };
  const proxy = createServer();
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as { port: number }).port;
  // The broker reports only its advertised (the proxy's) port, so it listens on a port picked here.
  const brokerPort = await freePort();
  const broker = await startBroker({ inMemory: true, logLevel: 'warn',
    config: { listeners: `PLAINTEXT://127.0.0.1:${brokerPort}`, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}` } });
  proxy.on('connection', (socket) => relay(socket, brokerPort, record));
  try {
    await scenario(`127.0.0.1:${proxyPort}`, broker);
  } finally {
    await broker.close();
    proxy.close();
  }
  const out = join(GOLDEN, dir);
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(out)) if (file.endsWith('.hex')) rmSync(join(out, file));
  for (const [id, frame] of [...frames].sort()) {
    const [key, version] = id.split('-').map(Number);
    const file = `${String(key).padStart(2, '0')}-${NAMES.get(key) ?? 'Unknown'}-v${version}.hex`;
    writeFileSync(join(out, file), frame.toString('hex') + '\n');
  }
  console.log(`  ${frames.size} frames: ${[...frames.keys()].sort().join(' ')}`);
}

/** A new leader epoch on every partition: consumers' next fetches are fenced and they validate their positions with OffsetForLeaderEpoch (KIP-320). */
function bumpLeaderEpochs(broker: RunningBroker, partitions: number): void {
  for (let p = 0; p < partitions; p++) broker.broker.moveLeader(TOPIC, p, 0);
}

async function librdkafka(bootstrap: string, broker: RunningBroker): Promise<void> {
  const lib = createRequire(join(CONFLUENT_JS, 'package.json'))('@confluentinc/kafka-javascript');
  const { Kafka, logLevel } = lib.KafkaJS;
  const kafka = new Kafka({ kafkaJS: { brokers: [bootstrap], clientId: 'golden', logLevel: logLevel.WARN } });
  const admin = kafka.admin();
  const raw = lib.AdminClient.create({ 'bootstrap.servers': bootstrap });
  const callback = <T>(call: (cb: (err: Error | null, result?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => call((err, result) => (err ? reject(err) : resolve(result))));
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    await attempt('createPartitions', () => callback((cb) => raw.createPartitions(TOPIC, 3, 10000, cb)));
    await attempt('fetchTopicMetadata', () => admin.fetchTopicMetadata({ topics: [TOPIC] }));
    await attempt('listTopics', () => admin.listTopics());
    await attempt('describeTopics', () => callback((cb) => raw.describeTopics([TOPIC], { includeAuthorizedOperations: true, timeout: 10000 }, cb)));

    const producer = kafka.producer({ kafkaJS: { acks: -1, idempotent: true } });
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3, headers: { h: 'x' } })) });
    await producer.disconnect();

    await attempt('fetchTopicOffsets', () => admin.fetchTopicOffsets(TOPIC));
    await attempt('fetchTopicOffsetsByTimestamp', () => admin.fetchTopicOffsetsByTimestamp(TOPIC, Date.now() - 60_000));
    await attempt('listOffsets', () => callback((cb) => raw.listOffsets([{ topic: TOPIC, partition: 0, offset: lib.OffsetSpec.MAX_TIMESTAMP }], { isolationLevel: lib.IsolationLevel.READ_COMMITTED }, cb)));

    // A classic group (JoinGroup/SyncGroup/Heartbeat) and a consumer-protocol one (KIP-848: ConsumerGroupHeartbeat),
    // each committing every record it reads.
    const consumers = [];
    for (const [groupId, protocol] of [[GROUP, 'classic'], ['golden-848', 'consumer']] as const) {
      const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false }, 'group.protocol': protocol });
      await consumer.connect();
      await consumer.subscribe({ topics: [TOPIC] });
      let seen = 0;
      void consumer.run({ eachMessage: async ({ message, partition }: { message: { offset: string }; partition: number }) => {
        seen++;
        await consumer.commitOffsets([{ topic: TOPIC, partition, offset: String(Number(message.offset) + 1) }]);
      } });
      for (let i = 0; i < 200 && seen < 6; i++) await sleep(100);
      console.log(`  ${protocol} consumer read ${seen} records`);
      consumers.push(consumer);
    }
    bumpLeaderEpochs(broker, 3);
    await sleep(3000);

    const txn = kafka.producer({ kafkaJS: { transactionalId: 'golden-txn', idempotent: true, maxInFlightRequests: 1 } });
    await txn.connect();
    const t = await txn.transaction();
    await t.send({ topic: TOPIC, messages: [{ key: 't', value: 'in a transaction', partition: 0 }] });
    await t.sendOffsets({ consumer: consumers[0], topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }] });
    await t.commit();
    const aborted = await txn.transaction();
    await aborted.send({ topic: TOPIC, messages: [{ key: 't', value: 'aborted', partition: 1 }] });
    await aborted.abort();
    await txn.disconnect();

    await attempt('describeGroups', () => admin.describeGroups([GROUP, 'golden-848'], { includeAuthorizedOperations: true }));
    for (const consumer of consumers) await consumer.disconnect();

    await attempt('fetchOffsets', () => admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }));
    await attempt('fetchOffsets (all topics, 848 group)', () => admin.fetchOffsets({ groupId: 'golden-848' }));
    await attempt('listGroups', () => admin.listGroups());
    await attempt('listGroups by type', () => admin.listGroups({ matchConsumerGroupTypes: [lib.ConsumerGroupTypes.CONSUMER, lib.ConsumerGroupTypes.CLASSIC] }));
    await attempt('C admin calls and share consumer', () => librdkafkaExtra(bootstrap));
    await attempt('deleteTopicRecords', () => admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }));
    await attempt('deleteGroups', () => admin.deleteGroups([GROUP, 'golden-848']));
    await attempt('deleteTopics', () => admin.deleteTopics({ topics: [TOPIC] }));
  } finally {
    raw.disconnect();
    await admin.disconnect().catch(() => undefined);
  }
}

/** Compiles librdkafka-extra.c against the binding's librdkafka and runs it (admin calls the binding lacks, the share consumer). */
async function librdkafkaExtra(bootstrap: string): Promise<void> {
  const build = mkdtempSync(join(tmpdir(), 'golden-rdk-'));
  try {
    mkdirSync(join(build, 'librdkafka'));
    symlinkSync(join(LIBRDKAFKA, 'deps', 'librdkafka', 'src', 'rdkafka.h'), join(build, 'librdkafka', 'rdkafka.h'));
    const lib = join(LIBRDKAFKA, 'build', 'deps');
    const exe = join(build, 'extra');
    execFileSync('gcc', ['-o', exe, join(GOLDEN, 'librdkafka-extra.c'), `-I${build}`, `-L${lib}`, '-l:librdkafka.so.1', `-Wl,-rpath,${lib}`]);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(exe, [bootstrap, TOPIC, GROUP], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
    });
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}

async function kafkajs(bootstrap: string, broker: RunningBroker): Promise<void> {
  const { Kafka, logLevel, ConfigResourceTypes, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = ((await import('kafkajs')) as unknown as { default: typeof import('kafkajs') }).default; // CommonJS
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'golden', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }], waitForLeaders: true });
    await attempt('createPartitions', () => admin.createPartitions({ topicPartitions: [{ topic: TOPIC, count: 3 }] }));
    await attempt('fetchTopicMetadata', () => admin.fetchTopicMetadata({ topics: [TOPIC] }));
    await attempt('describeCluster', () => admin.describeCluster());
    const resource = { type: ConfigResourceTypes.TOPIC, name: TOPIC };
    await attempt('describeConfigs', () => admin.describeConfigs({ includeSynonyms: true, resources: [resource] }));
    await attempt('alterConfigs', () => admin.alterConfigs({ validateOnly: false, resources: [{ ...resource, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] }));
    const acl = { resourceType: AclResourceTypes.TOPIC, resourceName: TOPIC, resourcePatternType: ResourcePatternTypes.LITERAL,
      principal: 'User:golden', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
    await attempt('createAcls', () => admin.createAcls({ acl: [acl] }));
    await attempt('describeAcls', () => admin.describeAcls(acl));
    await attempt('deleteAcls', () => admin.deleteAcls({ filters: [acl] }));

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3, headers: { h: 'x' } })) });
    await producer.disconnect();
    await attempt('fetchTopicOffsets', () => admin.fetchTopicOffsets(TOPIC));
    await attempt('fetchTopicOffsetsByTimestamp', () => admin.fetchTopicOffsetsByTimestamp(TOPIC, Date.now() - 60_000));

    const consumer = kafka.consumer({ groupId: GROUP });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    let seen = 0;
    void consumer.run({ autoCommit: false, eachMessage: async ({ message, partition }) => {
      seen++;
      await consumer.commitOffsets([{ topic: TOPIC, partition, offset: String(Number(message.offset) + 1) }]);
    } });
    for (let i = 0; i < 200 && seen < 6; i++) await sleep(100);
    console.log(`  consumer read ${seen} records`);
    bumpLeaderEpochs(broker, 3);
    await sleep(3000);

    const txn = kafka.producer({ transactionalId: 'golden-txn', idempotent: true, maxInFlightRequests: 1 });
    await txn.connect();
    const t = await txn.transaction();
    await t.send({ topic: TOPIC, messages: [{ key: 't', value: 'in a transaction', partition: 0 }] });
    await t.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }] });
    await t.commit();
    await txn.disconnect();

    await attempt('describeGroups', () => admin.describeGroups([GROUP]));
    await consumer.disconnect();
    await attempt('fetchOffsets', () => admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }));
    await attempt('setOffsets', () => admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }));
    await attempt('listGroups', () => admin.listGroups());
    await attempt('deleteTopicRecords', () => admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] }));
    await attempt('deleteGroups', () => admin.deleteGroups([GROUP]));
    await attempt('deleteTopics', () => admin.deleteTopics({ topics: [TOPIC] }));
  } finally {
    await admin.disconnect();
  }
}

async function platformatic(bootstrap: string, broker: RunningBroker): Promise<void> {
  const { Admin, Consumer, Producer, MessagesStreamModes, stringSerializers, stringDeserializers } = await import('@platformatic/kafka');
  const base = { clientId: 'golden', bootstrapBrokers: [bootstrap], timeout: 10000, retries: 3, retryDelay: 200 };
  const admin = new Admin(base);
  try {
    await admin.createTopics({ topics: [TOPIC], partitions: 2, replicas: 1, configs: [{ name: 'retention.ms', value: '3600000' }] });
    await attempt('createPartitions', () => admin.createPartitions({ topics: [{ name: TOPIC, count: 3 }] }));
    await attempt('listTopics', () => admin.listTopics());
    const resource = { resourceType: 2 as const, resourceName: TOPIC };
    await attempt('describeConfigs', () => admin.describeConfigs({ resources: [resource], includeSynonyms: true, includeDocumentation: true }));
    await attempt('alterConfigs', () => admin.alterConfigs({ resources: [{ ...resource, configs: [{ name: 'retention.ms', value: '7200000' }] }] }));
    await attempt('incrementalAlterConfigs', () => admin.incrementalAlterConfigs({ resources: [{ ...resource, configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }] }));
    const acl = { resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:golden', host: '*', operation: 3, permissionType: 3 } as never;
    await attempt('createAcls', () => admin.createAcls({ creations: [acl] }));
    await attempt('describeAcls', () => admin.describeAcls({ filter: acl }));
    await attempt('deleteAcls', () => admin.deleteAcls({ filters: [acl] }));
    await attempt('describeLogDirs', () => admin.describeLogDirs({ topics: [{ name: TOPIC, partitions: [0, 1, 2] }] }));
    await attempt('describeClientQuotas', () => admin.describeClientQuotas({ components: [] }));

    const producer = new Producer({ ...base, serializers: stringSerializers, acks: -1, idempotent: true });
    await producer.send({ messages: Array.from({ length: 6 }, (_, i) => ({ topic: TOPIC, key: `k${i}`, value: `v${i}`, partition: i % 3, headers: new Map([['h', 'x']]) })) });
    await producer.close();
    await attempt('listOffsets', () => admin.listOffsets({ topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] } as never));

    // A classic group and a consumer-protocol one (KIP-848), each committing what it reads.
    const consumers: Array<{ consumer: InstanceType<typeof Consumer<string, string, string, string>>; stream: { close(): Promise<void> } }> = [];
    for (const [groupId, protocol] of [[GROUP, {}], ['golden-848', { groupProtocol: 'consumer' as const }]] as const) {
      const consumer = new Consumer({ ...base, groupId, deserializers: stringDeserializers, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTime: 250, ...protocol });
      const stream = await consumer.consume({ topics: [TOPIC], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });
      let seen = 0;
      stream.on('data', (m) => { seen++; void m.commit(); });
      for (let i = 0; i < 200 && seen < 6; i++) await sleep(100);
      console.log(`  ${'groupProtocol' in protocol ? 'consumer' : 'classic'} consumer read ${seen} records`);
      consumers.push({ consumer, stream });
    }
    bumpLeaderEpochs(broker, 3);
    await sleep(3000);

    const txn = new Producer({ ...base, serializers: stringSerializers, idempotent: true, transactionalId: 'golden-txn' });
    await attempt('transaction', async () => {
      const t = await txn.beginTransaction();
      await t.send({ messages: [{ topic: TOPIC, key: 't', value: 'in a transaction', partition: 0 }] });
      await t.addConsumer(consumers[0].consumer);
      await t.commit();
    });
    await txn.close();

    await attempt('describeGroups', () => admin.describeGroups({ groups: [GROUP, 'golden-848'], includeAuthorizedOperations: true }));
    // The admin removes the classic member (LeaveGroup by an admin); the consumers then stop.
    await attempt('removeMembersFromConsumerGroup', () => admin.removeMembersFromConsumerGroup({ groupId: GROUP, members: [{ memberId: consumers[0].consumer.memberId!, reason: 'golden' }] }));
    for (const { consumer, stream } of consumers) {
      await stream.close();
      await consumer.close(true);
    }
    await attempt('listGroups', () => admin.listGroups({ types: ['classic', 'consumer'] }));
    await attempt('listConsumerGroupOffsets', () => admin.listConsumerGroupOffsets({ groups: [GROUP] }));
    await attempt('alterConsumerGroupOffsets', () => admin.alterConsumerGroupOffsets({ groupId: GROUP, topics: [{ name: TOPIC, partitionOffsets: [{ partition: 0, offset: 1n }] }] } as never));
    await attempt('deleteConsumerGroupOffsets', () => admin.deleteConsumerGroupOffsets({ groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0] }] }));
    await attempt('deleteRecords', () => admin.deleteRecords({ topics: [{ name: TOPIC, partitions: [{ partition: 0, offset: 1n }] }] }));
    await attempt('deleteGroups', () => admin.deleteGroups({ groups: [GROUP, 'golden-848'] }));
    await attempt('deleteTopics', () => admin.deleteTopics({ topics: [TOPIC] }));
  } finally {
    await admin.close();
  }
}

export const CLIENTS: Record<string, Scenario> = {
  'librdkafka-2.15.1': librdkafka,
  'kafkajs-2.2.4': kafkajs,
  'platformatic-kafka-2.12.1': platformatic,
};

const wanted = process.argv.slice(2);
for (const [dir, scenario] of Object.entries(CLIENTS)) {
  if (wanted.length === 0 || wanted.includes(dir)) await capture(dir, scenario);
}
