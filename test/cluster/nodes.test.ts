/**
 * A cluster of three nodes in one process, as real clients see it: every node in Metadata, partition leaders and
 * coordinators spread over the nodes, requests to the wrong node refused as a multi-broker Kafka refuses them
 * (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR), and kafkajs, kcat, confluent-kafka-python and kafka-python producing
 * and consuming through a group whose coordinator is not node 0 without being told anything but one address.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Kafka } from 'kafkajs';
import { startTestBroker, kafkaClient, callApi, run, tempDir } from '../helpers.js';
import { startCli, stopCli } from '../durability/support.js';
import type { RunningBroker } from '../../src/index.js';
import { FindCoordinatorApi, HeartbeatApi, ListOffsetsApi, MetadataApi, OffsetForLeaderEpochApi, ProduceApi } from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let cluster: RunningBroker;
let kafka: Kafka;
let admin: Admin;
const TOPIC = 'spread';

/** A group (or transactional) id whose coordinator is the given node. */
function keyCoordinatedBy(node: number, prefix: string): string {
  for (let i = 0; ; i++) if (cluster.broker.placement.coordinatorOf(`${prefix}-${i}`) === node) return `${prefix}-${i}`;
}

const portOf = (node: number) => cluster.nodes.find((n) => n.id === node)!.port;

before(async () => {
  cluster = await startTestBroker({ nodes: 3 });
  kafka = kafkaClient(cluster);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 3 }] });
});

after(async () => {
  await admin.disconnect();
  await cluster.close();
});

test('Metadata from any node lists the three nodes; six partitions have two leaders per node, three replicas each', async () => {
  assert.deepEqual(cluster.nodes.map((n) => n.id), [0, 1, 2]);
  assert.equal(new Set(cluster.nodes.map((n) => n.port)).size, 3);
  for (const node of cluster.nodes) {
    const meta = await callApi(node.port, MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: TOPIC }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    assert.deepEqual(meta.brokers.map((b) => [b.nodeId, b.port]).sort(), cluster.nodes.map((n) => [n.id, n.port]));
    const partitions = meta.topics[0].partitions;
    assert.equal(partitions.length, 6);
    const leaders = partitions.map((p) => p.leaderId);
    assert.deepEqual([0, 1, 2].map((id) => leaders.filter((l) => l === id).length), [2, 2, 2]);
    for (const p of partitions) {
      assert.equal(p.replicaNodes.length, 3);
      assert.equal(p.replicaNodes[0], p.leaderId);
      assert.deepEqual([...p.isrNodes].sort(), [0, 1, 2]);
    }
  }
  const described = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  assert.equal(described.topics[0].partitions.length, 6);
});

test('a replication factor above the node count is refused', async () => {
  await assert.rejects(admin.createTopics({ topics: [{ topic: 'too-many-replicas', numPartitions: 1, replicationFactor: 4 }] }),
    (err: { errors?: Array<{ type: string }> }) => err.errors?.[0]?.type === 'INVALID_REPLICATION_FACTOR');
  await admin.createTopics({ topics: [{ topic: 'three-replicas', numPartitions: 1, replicationFactor: 3 }] });
});

test('Produce and ListOffsets to a node that does not lead the partition: NOT_LEADER_OR_FOLLOWER; FindCoordinator from any node names the coordinator', async () => {
  const leader = cluster.broker.placement.leaderOf(TOPIC, 0);
  const other = [0, 1, 2].find((id) => id !== leader)!;
  const records = encodeBatch([{ key: null, value: Buffer.from('x') }]);
  const produce = (node: number) => callApi(portOf(node), ProduceApi, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] });
  assert.equal((await produce(other)).responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal((await produce(leader)).responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
  const listOffsets = (node: number) => callApi(portOf(node), ListOffsetsApi, 3, { replicaId: -1, isolationLevel: 0, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1 }] }] });
  assert.equal((await listOffsets(other)).topics[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal((await listOffsets(leader)).topics[0].partitions[0].offset, 1);

  const group = keyCoordinatedBy(2, 'find');
  for (const node of cluster.nodes) {
    const found = await callApi(node.port, FindCoordinatorApi, 2, { key: group, keyType: 0 });
    assert.equal(found.errorCode, ErrorCode.NONE);
    assert.deepEqual([found.nodeId, found.port], [2, portOf(2)]);
  }
  const heartbeat = await callApi(portOf(0), HeartbeatApi, 3, { groupId: group, generationId: 1, memberId: 'm', groupInstanceId: null });
  assert.equal(heartbeat.errorCode, ErrorCode.NOT_COORDINATOR);
});

test('kafkajs: a group coordinated by node 1 reads all six partitions; producing finds every leader', async () => {
  const group = keyCoordinatedBy(1, 'kafkajs');
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: 60 }, (_, i) => `v${i}`);
  await admin.createTopics({ topics: [{ topic: 'kafkajs-six', numPartitions: 6 }] });
  await producer.send({ topic: 'kafkajs-six', messages: values.map((value, i) => ({ value, partition: i % 6 })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: group, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'kafkajs-six', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); if (seen.length === values.length) resolve(); } }).catch(reject);
  });
  await consumer.disconnect();
  assert.deepEqual(seen.sort(), [...values].sort());
  const offsets = await admin.fetchOffsets({ groupId: group, topics: ['kafkajs-six'] });
  assert.equal(offsets[0].partitions.reduce((n, p) => n + Number(p.offset), 0), 60);
  const groups = await admin.listGroups();
  assert.equal(groups.groups.filter((g) => g.groupId === group).length, 1, 'each group listed once, by its coordinator');
});

test('kcat: produce to six partitions and consume them in a group coordinated by node 2', async () => {
  await admin.createTopics({ topics: [{ topic: 'kcat-six', numPartitions: 6 }] });
  const lines = Array.from({ length: 30 }, (_, i) => `k${i}`);
  const produced = await run('kcat', ['-b', cluster.bootstrap, '-P', '-t', 'kcat-six', '-K', ':'], { input: lines.map((l) => `${l}:${l}`).join('\n') + '\n' });
  assert.equal(produced.code, 0, produced.stderr);
  const group = keyCoordinatedBy(2, 'kcat');
  const consumed = await run('kcat', ['-b', cluster.bootstrap, '-G', group, 'kcat-six', '-X', 'auto.offset.reset=earliest', '-c', '30', '-f', '%s\n', '-q'], { timeoutMs: 60_000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.deepEqual(consumed.stdout.trim().split('\n').sort(), [...lines].sort());
  const meta = await run('kcat', ['-b', cluster.bootstrap, '-L', '-t', 'kcat-six']);
  assert.match(meta.stdout, /3 brokers:/);
});

const PYTHON = String.raw`
import sys, json
kind, bootstrap, topic, group = sys.argv[1:5]
values = ['p%d' % i for i in range(24)]
if kind == 'confluent':
    from confluent_kafka import Producer, Consumer
    p = Producer({'bootstrap.servers': bootstrap})
    for i, v in enumerate(values):
        p.produce(topic, v.encode(), partition=i % 6)
    assert p.flush(30) == 0
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    got = []
    while len(got) < len(values):
        m = c.poll(1.0)
        if m is not None and m.error() is None:
            got.append(m.value().decode())
    c.commit(asynchronous=False)
    c.close()
else:
    from kafka import KafkaProducer, KafkaConsumer
    p = KafkaProducer(bootstrap_servers=bootstrap)
    for i, v in enumerate(values):
        p.send(topic, v.encode(), partition=i % 6)
    p.flush()
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest', consumer_timeout_ms=20000)
    got = []
    for m in c:
        got.append(m.value.decode())
        if len(got) == len(values):
            break
    c.commit()
    c.close()
print(json.dumps(sorted(got)))
`;

for (const kind of ['confluent', 'kafka-python'] as const) {
  test(`${kind === 'confluent' ? 'confluent-kafka-python' : 'kafka-python'}: produce to six partitions, consume in a group coordinated by node 1`, async () => {
    const topic = `py-${kind}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const group = keyCoordinatedBy(1, `py-${kind}`);
    const res = await run('/usr/bin/python3', ['-c', PYTHON, kind, cluster.bootstrap, topic, group], { timeoutMs: 90_000 });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), Array.from({ length: 24 }, (_, i) => `p${i}`).sort());
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    assert.equal(offsets[0].partitions.reduce((n, p) => n + Number(p.offset), 0), 24);
  });
}

test('the CLI runs --nodes 3: three brokers in Metadata, each on its own port', async () => {
  const { dir, remove } = tempDir();
  const cli = await startCli(dir, ['--nodes', '3']);
  try {
    const meta = await run('kcat', ['-b', cli.bootstrap, '-L', '-J']);
    assert.equal(meta.code, 0, meta.stderr);
    const brokers = (JSON.parse(meta.stdout) as { brokers: Array<{ id: number; name: string }> }).brokers;
    assert.deepEqual(brokers.map((b) => b.id).sort(), [0, 1, 2]);
    assert.equal(new Set(brokers.map((b) => b.name)).size, 3);
  } finally {
    await stopCli(cli);
    remove();
  }
});

test('a leader move mid-stream: the new epoch is in Metadata, and kafkajs producer and consumer recover on their own', async () => {
  const topic = 'moving';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  const consumer = kafka.consumer({ groupId: keyCoordinatedBy(0, 'moving'), heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  let allSeen: () => void;
  const done = new Promise<void>((r) => { allSeen = r; });
  void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); if (seen.length === 20) allSeen(); } });
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `before-${i}` })) });

  const from = cluster.broker.placement.leaderOf(topic, 0);
  const to = (from + 1) % 3;
  assert.equal(cluster.broker.moveLeader(topic, 0, to), 1);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(meta.topics[0].partitions[0].leader, to);
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `after-${i}` })) });
  await done;
  await consumer.disconnect();
  await producer.disconnect();
  assert.deepEqual(seen, [...Array.from({ length: 10 }, (_, i) => `before-${i}`), ...Array.from({ length: 10 }, (_, i) => `after-${i}`)]);
  const epochs = await callApi(portOf(to), MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  assert.equal(epochs.topics[0].partitions[0].leaderEpoch, 1);
  const epochEnd = async (node: number, currentLeaderEpoch: number, leaderEpoch: number) => (await callApi(portOf(node), OffsetForLeaderEpochApi, 2, {
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
  })).topics[0].partitions[0];
  assert.deepEqual(await epochEnd(to, 1, 0), { partition: 0, errorCode: 0, leaderEpoch: 0, endOffset: 10 }, 'epoch 0 ended where epoch 1 began');
  assert.deepEqual(await epochEnd(to, 1, 1), { partition: 0, errorCode: 0, leaderEpoch: 1, endOffset: 20 });
  assert.equal((await epochEnd(to, 0, 0)).errorCode, ErrorCode.FENCED_LEADER_EPOCH);
  assert.equal((await epochEnd(from, 1, 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});
