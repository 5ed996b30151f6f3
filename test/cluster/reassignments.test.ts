/**
 * The cluster APIs on three nodes: DescribeCluster, ElectLeaders (43, raw: no client we run sends it),
 * AlterPartitionReassignments / ListPartitionReassignments (45/46, through kafkajs, which sends v0), each
 * reassignment completing at once and moving leadership (with a new leader epoch) only when the leader is dropped;
 * and KIP-951's current leader on a Produce v10 / Fetch v16 sent to a node that does not lead the partition.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { startTestBroker, kafkaClient, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { AlterPartitionReassignmentsApi, DescribeClusterApi, ElectLeadersApi, FetchApi, MetadataApi, ProduceApi } from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let cluster: RunningBroker;
let admin: Admin;
const TOPIC = 'moved';

before(async () => {
  cluster = await startTestBroker({ nodes: 3 });
  admin = kafkaClient(cluster).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 2 }] });
});

after(async () => {
  await admin.disconnect();
  await cluster.close();
});

const placement = (partition: number) => cluster.broker.placement.partition(TOPIC, partition, 2);

async function metadata(partition: number) {
  const res = await callApi(cluster.port, MetadataApi, 12, { topics: [{ topicId: Buffer.alloc(16), name: TOPIC }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  return res.topics[0].partitions.find((p) => p.partitionIndex === partition)!;
}

test('DescribeCluster v0-v2 lists the three nodes and the controller Metadata names; asking for controllers is refused', async () => {
  for (const version of [0, 1, 2]) {
    const res = await callApi(cluster.port, DescribeClusterApi, version, { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: true });
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.equal(res.clusterId, cluster.broker.clusterId);
    assert.deepEqual(res.brokers.map((b) => [b.brokerId, b.port]), cluster.nodes.map((n) => [n.id, n.port]));
    assert.equal(res.controllerId, 0);
    assert.notEqual(res.clusterAuthorizedOperations, -2147483648); // asked for, no authorizer: every operation
  }
  const controllers = await callApi(cluster.port, DescribeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false });
  assert.equal(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
  assert.deepEqual(controllers.brokers, []);
  const unknown = await callApi(cluster.port, DescribeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 7, includeFencedBrokers: false });
  assert.equal(unknown.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
});

test('kafkajs reassigns a partition: done at once, leader kept when it stays a replica, moved with a new epoch when not', async () => {
  const before0 = placement(0);
  const outsider = [0, 1, 2].find((n) => !before0.replicas.includes(n))!;
  // Keep the leader, swap the follower for the node outside the replica set.
  await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [before0.leader, outsider] }] }] });
  let p = await metadata(0);
  assert.deepEqual(p.replicaNodes, [before0.leader, outsider]);
  assert.equal(p.leaderId, before0.leader);
  assert.equal(p.leaderEpoch, before0.leaderEpoch);
  // Drop the leader: leadership goes to the first live new replica, with the next epoch.
  const others = [0, 1, 2].filter((n) => n !== before0.leader);
  await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: others }] }] });
  p = await metadata(0);
  assert.deepEqual(p.replicaNodes, others);
  assert.equal(p.leaderId, others[0]);
  assert.equal(p.leaderEpoch, before0.leaderEpoch + 1);
  // Nothing is ever in progress.
  assert.deepEqual((await admin.listPartitionReassignments({ topics: [{ topic: TOPIC, partitions: [0, 1, 2] }] })).topics, []);
  assert.deepEqual((await admin.listPartitionReassignments({})).topics, []);
});

test('a reassignment that puts another replica first keeps the leader (Metadata and Produce agree) until a preferred election', async () => {
  const before1 = placement(1);
  const outsider = [0, 1, 2].find((n) => !before1.replicas.includes(n))!;
  await admin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 1, replicas: [outsider, before1.leader] }] }] });
  const produceTo = async (nodeId: number) => (await callApi(cluster.nodes.find((n) => n.id === nodeId)!.port, ProduceApi, 9, {
    transactionalId: null, acks: 1, timeoutMs: 5000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 1, records: encodeBatch([{ key: null, value: Buffer.from('r') }]) }] }],
  })).responses[0].partitionResponses[0].errorCode;
  let p = await metadata(1);
  assert.deepEqual([p.replicaNodes, p.leaderId, p.leaderEpoch], [[outsider, before1.leader], before1.leader, before1.leaderEpoch]);
  assert.deepEqual([await produceTo(before1.leader), await produceTo(outsider)], [ErrorCode.NONE, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
  const elected = await callApi(cluster.port, ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: TOPIC, partitions: [1] }], timeoutMs: 1000 });
  assert.equal(elected.replicaElectionResults[0].partitionResult[0].errorCode, ErrorCode.NONE);
  p = await metadata(1);
  assert.deepEqual([p.leaderId, p.leaderEpoch], [outsider, before1.leaderEpoch + 1]);
  assert.deepEqual([await produceTo(outsider), await produceTo(before1.leader)], [ErrorCode.NONE, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
});

test('CreateTopics and CreatePartitions place manual assignments as given, the first replica leading', async () => {
  const given = [[2, 0], [1, 2], [0, 2], [2, 1]];
  await admin.createTopics({ topics: [{ topic: 'placed', replicaAssignment: given.map((replicas, partition) => ({ partition, replicas })) }] });
  const described = async () => (await admin.fetchTopicMetadata({ topics: ['placed'] })).topics[0].partitions.sort((a, b) => a.partitionId - b.partitionId);
  assert.deepEqual((await described()).map((p) => [p.replicas, p.leader]), given.map((r) => [r, r[0]]));
  await admin.createPartitions({ topicPartitions: [{ topic: 'placed', count: 5, assignments: [[1, 0]] }] });
  const grown = await described();
  assert.deepEqual([grown[4].replicas, grown[4].leader], [[1, 0], 1]);
  // The node Metadata names leads: a produce there is taken.
  const answer = await callApi(cluster.nodes.find((n) => n.id === 2)!.port, ProduceApi, 9, {
    transactionalId: null, acks: 1, timeoutMs: 5000,
    topicData: [{ name: 'placed', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from('p') }]) }] }],
  });
  assert.equal(answer.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
});

test('AlterPartitionReassignments refuses what Kafka refuses, partition by partition', async () => {
  const res = await callApi(cluster.port, AlterPartitionReassignmentsApi, 1, {
    timeoutMs: 1000, allowReplicationFactorChange: false,
    topics: [
      { name: TOPIC, partitions: [
        { partitionIndex: 1, replicas: [] }, { partitionIndex: 1, replicas: [1, 1] }, { partitionIndex: 1, replicas: [0, 9] },
        { partitionIndex: 1, replicas: null }, { partitionIndex: 1, replicas: [0, 1, 2] }, { partitionIndex: 7, replicas: [0] },
      ] },
      { name: 'absent', partitions: [{ partitionIndex: 0, replicas: [0] }] },
    ],
  });
  assert.equal(res.errorCode, ErrorCode.NONE);
  assert.equal(res.allowReplicationFactorChange, false);
  assert.deepEqual(res.responses.flatMap((t) => t.partitions.map((p) => p.errorCode)), [
    ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, ErrorCode.INVALID_REPLICATION_FACTOR, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
});

test('ElectLeaders: a moved partition goes back to its preferred replica with a new epoch; then no election is needed', async () => {
  const before2 = placement(2);
  const elsewhere = before2.replicas[1];
  cluster.broker.moveLeader(TOPIC, 2, elsewhere);
  const elect = (version: number, topicPartitions: Array<{ topic: string; partitions: number[] }> | null, electionType = 0) =>
    callApi(cluster.port, ElectLeadersApi, version, { electionType, topicPartitions, timeoutMs: 1000 });
  const all = await elect(2, null);
  assert.equal(all.errorCode, ErrorCode.NONE);
  // With every partition asked for, only the elected one is listed.
  assert.deepEqual(all.replicaElectionResults.map((t) => [t.topic, t.partitionResult.map((r) => [r.partitionId, r.errorCode])]), [[TOPIC, [[2, ErrorCode.NONE]]]]);
  const p = await metadata(2);
  assert.equal(p.leaderId, before2.replicas[0]);
  assert.equal(p.leaderEpoch, before2.leaderEpoch + 2);

  const again = await elect(0, [{ topic: TOPIC, partitions: [2, 9] }, { topic: 'absent', partitions: [0] }]);
  assert.deepEqual(again.replicaElectionResults.flatMap((t) => t.partitionResult.map((r) => r.errorCode)),
    [ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  const unclean = await elect(1, [{ topic: TOPIC, partitions: [2] }], 1);
  assert.equal(unclean.replicaElectionResults[0].partitionResult[0].errorCode, ErrorCode.ELECTION_NOT_NEEDED);
});

test('ElectLeaders: a preferred replica on a stopped node is PREFERRED_LEADER_NOT_AVAILABLE', async () => {
  const { replicas } = placement(1);
  await cluster.cluster.stopNode(replicas[0]);
  try {
    const res = await callApi(cluster.nodes.find((n) => n.id !== replicas[0])!.port, ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: TOPIC, partitions: [1] }], timeoutMs: 1000 });
    assert.equal(res.replicaElectionResults[0].partitionResult[0].errorCode, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
  } finally {
    await cluster.cluster.startNode(replicas[0]);
  }
});

test('KIP-951: Produce v10 and Fetch v16 to a node that does not lead name the leader, its epoch and its address', async () => {
  const { leader, leaderEpoch } = placement(1);
  const wrong = cluster.nodes.find((n) => n.id !== leader)!;
  const leaderNode = cluster.nodes.find((n) => n.id === leader)!;
  const produce = (version: number) => callApi(wrong.port, ProduceApi, version, {
    transactionalId: null, acks: -1, timeoutMs: 5000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 1, records: encodeBatch([{ key: null, value: Buffer.from('x') }]) }] }],
  });
  const produced = await produce(10);
  const p = produced.responses[0].partitionResponses[0];
  assert.equal(p.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.deepEqual(p.currentLeader, { leaderId: leader, leaderEpoch });
  assert.deepEqual(produced.nodeEndpoints.map((e) => [e.nodeId, `${e.host}:${e.port}`]), [[leader, leaderNode.bootstrap]]);
  assert.equal((await produce(9)).responses[0].partitionResponses[0].currentLeader, null); // not in v9

  const fetched = await callApi(wrong.port, FetchApi, 16, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: '', topicId: cluster.broker.topics.get(TOPIC)!.id, partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '', clusterId: null,
  });
  assert.equal(fetched.responses[0].partitions[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.deepEqual(fetched.responses[0].partitions[0].currentLeader, { leaderId: leader, leaderEpoch });
  assert.deepEqual(fetched.nodeEndpoints.map((e) => [e.nodeId, e.port]), [[leader, leaderNode.port]]);
});
