/**
 * Cluster operations on a three-node cluster, seen by real clients: a stopped node refuses connections and leaves
 * Metadata, its partitions fail over to live nodes with a new leader epoch and producing continues (kafkajs, kcat),
 * a consumer group whose coordinator's node stops finds the new coordinator and resumes at its committed offsets,
 * a started node listens on its old port again; bad input changes nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { once } from 'node:events';
import type { Admin, Kafka } from 'kafkajs';
import { startTestBroker, kafkaClient, callApi, run } from '../helpers.js';
import { waitFor } from '../durability/support.js';
import type { RunningBroker } from '../../src/index.js';
import { TestkitError } from '../../src/testkit/errors.js';
import { FindCoordinatorApi, MetadataApi } from '../../src/protocol/generated/index.js';

let cluster: RunningBroker;
let kafka: Kafka;
let admin: Admin;

before(async () => {
  cluster = await startTestBroker({ nodes: 3 });
  kafka = kafkaClient(cluster);
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin.disconnect();
  await cluster.close();
});

const bootstrapAll = () => cluster.nodes.map((n) => n.bootstrap);
const portOf = (node: number) => cluster.nodes.find((n) => n.id === node)!.port;
const leaderOf = (topic: string, p: number) => cluster.broker.placement.leaderOf(topic, p);
const endOffsets = (topic: string, count: number) => Array.from({ length: count }, (_, p) => cluster.broker.partition(topic, p)!.logEndOffset);
const metadata = (port: number, topic: string) => callApi(port, MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
    sock.connect(port, '127.0.0.1');
  });
}

/** A group id whose coordinator is `node` now. */
function groupCoordinatedBy(node: number, prefix: string): string {
  for (let i = 0; ; i++) if (cluster.broker.placement.coordinatorOf(`${prefix}-${i}`) === node) return `${prefix}-${i}`;
}

test('a stopped node refuses connections and leaves Metadata; its partitions move to live nodes with a new epoch; kafkajs keeps producing; start brings it back on its port', async () => {
  const topic = 'failover';
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  const send = (from: number) => producer.send({ topic, acks: -1, messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${from + i}`, partition: i })) });
  await send(0);
  const victim = leaderOf(topic, 0);
  const led = [0, 1, 2, 3, 4, 5].filter((p) => leaderOf(topic, p) === victim);
  const epochs = led.map((p) => cluster.broker.placement.leaderEpochOf(topic, p));

  await cluster.cluster.stopNode(victim);
  assert.equal(await connects(portOf(victim)), false);
  const live = cluster.nodes.find((n) => n.id !== victim)!;
  const meta = await metadata(live.port, topic);
  assert.deepEqual(meta.brokers.map((b) => b.nodeId).sort(), [0, 1, 2].filter((id) => id !== victim));
  assert.notEqual(meta.controllerId, victim);
  for (const p of meta.topics[0].partitions) {
    assert.notEqual(p.leaderId, victim);
    assert.ok(!p.isrNodes.includes(victim));
    assert.deepEqual(p.offlineReplicas, [victim]);
  }
  for (const [i, p] of led.entries()) assert.equal(meta.topics[0].partitions[p].leaderEpoch, epochs[i] + 1);

  await send(6);
  await producer.disconnect();
  assert.deepEqual(endOffsets(topic, 6), [2, 2, 2, 2, 2, 2]);

  await cluster.cluster.startNode(victim);
  assert.equal(await connects(portOf(victim)), true);
  assert.deepEqual((await metadata(portOf(victim), topic)).brokers.map((b) => b.nodeId).sort(), [0, 1, 2]);
  for (const p of led) assert.notEqual(leaderOf(topic, p), victim, 'leadership stays where it moved');
  assert.deepEqual(cluster.cluster.nodes, [0, 1, 2].map((id) => ({ id, live: true })));
});

/** A confluent-kafka-python (librdkafka) producer that sends 10 records, waits for a line on stdin, then sends 10 more. */
const PYTHON_PRODUCER = String.raw`
import sys
from confluent_kafka import Producer
bootstrap, topic = sys.argv[1:3]
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 1, 'topic.metadata.refresh.interval.ms': 500})
def send(prefix):
    for i in range(10):
        p.produce(topic, ('%s%d' % (prefix, i)).encode(), partition=0)
    assert p.flush(30) == 0
send('a')
print('sent', flush=True)
sys.stdin.readline()
send('b')
print('done', flush=True)
`;

test('librdkafka keeps producing while the leader of its partition stops: confluent-kafka-python mid-stream, kcat with the stopped node first in its bootstrap list', async () => {
  const topic = 'rdkafka-failover';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
  const victim = leaderOf(topic, 0);
  const python = spawn('/usr/bin/python3', ['-c', PYTHON_PRODUCER, bootstrapAll().join(','), topic], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  python.stdout.on('data', (c) => { stdout += c; });
  python.stderr.on('data', (c) => { stderr += c; });
  const exited = once(python, 'close');
  try {
    await waitFor('the first records', () => (stdout.includes('sent') ? true : undefined), 30_000);
    assert.equal(endOffsets(topic, 1)[0], 10);
    await cluster.cluster.stopNode(victim);
    python.stdin.end('go\n');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
    assert.equal(endOffsets(topic, 1)[0], 20);
    assert.notEqual(leaderOf(topic, 0), victim);

    const victimFirst = [cluster.nodes.find((n) => n.id === victim)!.bootstrap, ...cluster.nodes.filter((n) => n.id !== victim).map((n) => n.bootstrap)];
    const res = await run('kcat', ['-b', victimFirst.join(','), '-P', '-t', topic, '-p', '0'], { input: 'c0\nc1\nc2\n' });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(endOffsets(topic, 1)[0], 23);
  } finally {
    python.kill();
    await cluster.cluster.startNode(victim);
  }
});

test('a kafkajs consumer group whose coordinator\'s node stops finds the new coordinator and resumes at its committed offsets', async () => {
  const topic = 'group-failover';
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }] });
  const coordinator = 2;
  const groupId = groupCoordinatedBy(coordinator, 'failover');
  const producer = kafka.producer();
  await producer.connect();
  const produce = (prefix: string) => producer.send({ topic, messages: Array.from({ length: 15 }, (_, i) => ({ value: `${prefix}${i}`, partition: i % 3 })) });
  await produce('a');
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 100, sessionTimeout: 6000, maxWaitTimeInMs: 100, retry: { retries: 2, initialRetryTime: 50 } });
  let joins = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => { joins++; });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  try {
    await waitFor('the first 15 records', () => (seen.length >= 15 ? true : undefined));
    const committed = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    await waitFor('offsets committed', async () => ((await committed()) === 15 ? true : undefined));
    const joinsBefore = joins;

    await cluster.cluster.stopNode(coordinator);
    const found = await callApi(portOf(0), FindCoordinatorApi, 2, { key: groupId, keyType: 0, coordinatorKeys: [] });
    assert.notEqual(found.nodeId, coordinator);
    await produce('b');
    await waitFor('the next 15 records', () => (seen.length >= 30 ? true : undefined), 30_000);
    await waitFor('offsets committed again', async () => ((await committed()) === 30 ? true : undefined)).catch(async (err) => { throw new Error(`${err.message}: seen ${seen.length}, committed ${await committed()}, joins ${joins}`); });
    // Committed before the stop: never read again. Read after it: at least once (commits to the stopped node failed).
    assert.deepEqual(seen.filter((v) => v.startsWith('a')).sort(), Array.from({ length: 15 }, (_, i) => `a${i}`).sort());
    assert.deepEqual([...new Set(seen.filter((v) => v.startsWith('b')))].sort(), Array.from({ length: 15 }, (_, i) => `b${i}`).sort());
    assert.ok(joins > joinsBefore, `the group rejoined at its new coordinator (joins: ${joinsBefore} before the stop, ${joins} after)`);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await cluster.cluster.startNode(coordinator);
  }
});

test('moveLeader and moveCoordinator: clients are sent to the new node', async () => {
  const topic = 'moved';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  const target = (leaderOf(topic, 0) + 1) % 3;
  const epoch = cluster.cluster.moveLeader(topic, 0, target);
  assert.equal(epoch, 1);
  assert.equal((await metadata(portOf(0), topic)).topics[0].partitions[0].leaderId, target);
  assert.equal(cluster.cluster.moveLeader(topic, 0, target), 1, 'to the leader it has: nothing moves, the epoch stays');
  const group = groupCoordinatedBy(0, 'moved');
  cluster.cluster.moveCoordinator(group, 1);
  assert.equal((await callApi(portOf(0), FindCoordinatorApi, 2, { key: group, keyType: 0, coordinatorKeys: [] })).nodeId, 1);
});

test('bad input: unknown node, the last live node, a leader or coordinator moved to a stopped node: a thrown code, nothing changed', async () => {
  const refused = async (fn: () => unknown, code: string) =>
    assert.rejects(async () => fn(), (err: unknown) => err instanceof TestkitError && err.code === code);
  await refused(() => cluster.cluster.stopNode(7), 'SAMSA_UNKNOWN_NODE');
  await refused(() => cluster.cluster.moveLeader('moved', 0, 7), 'SAMSA_UNKNOWN_NODE');
  await refused(() => cluster.cluster.moveLeader('moved', 5, 0), 'SAMSA_UNKNOWN_PARTITION');
  await refused(() => cluster.cluster.moveLeader('no-such-topic', 0, 0), 'SAMSA_UNKNOWN_PARTITION');
  const leader = leaderOf('moved', 0);
  const epoch = cluster.broker.placement.leaderEpochOf('moved', 0);
  const other = [0, 1, 2].find((id) => id !== leader)!;
  await cluster.cluster.stopNode(other);
  try {
    await refused(() => cluster.cluster.moveLeader('moved', 0, other), 'SAMSA_NODE_STOPPED');
    await refused(() => cluster.cluster.moveCoordinator('g', other), 'SAMSA_NODE_STOPPED');
    assert.deepEqual([leaderOf('moved', 0), cluster.broker.placement.leaderEpochOf('moved', 0)], [leader, epoch]);
    const third = [0, 1, 2].find((id) => id !== leader && id !== other)!;
    await cluster.cluster.stopNode(third);
    await refused(() => cluster.cluster.stopNode(leader), 'SAMSA_LAST_LIVE_NODE');
    assert.deepEqual(cluster.cluster.nodes.filter((n) => n.live).map((n) => n.id), [leader]);
    assert.equal(await connects(portOf(leader)), true);
    await cluster.cluster.startNode(third);
  } finally {
    await cluster.cluster.startNode(other);
  }
  assert.deepEqual(cluster.cluster.nodes.map((n) => n.live), [true, true, true]);
});
