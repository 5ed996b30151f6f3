/**
 * The group APIs over raw connections at the versions old clients pin (JoinGroup/SyncGroup/Heartbeat/LeaveGroup v0
 * for librdkafka 2.0.2's feature map, OffsetFetch v1, DescribeGroups v0), and Kafka's error codes for bad input.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, callApi } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import {
  FindCoordinatorApi, JoinGroupApi, SyncGroupApi, HeartbeatApi, LeaveGroupApi, OffsetCommitApi, OffsetFetchApi,
  DescribeGroupsApi, ListGroupsApi, DeleteGroupsApi, OffsetDeleteApi, CreateTopicsApi,
} from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let broker: RunningBroker;
let port: number;

before(async () => {
  broker = await startTestBroker();
  port = broker.port;
  await callApi(port, CreateTopicsApi, 2, { topics: [{ name: 'wire', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});

after(() => broker.close());

const join = (version: number, over: Partial<Parameters<typeof JoinGroupApi.writeRequest>[2]> = {}) => callApi(port, JoinGroupApi, version, {
  groupId: 'wire-group', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, memberId: '', groupInstanceId: null,
  protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 4, 0x77, 0x69, 0x72, 0x65, 0xff, 0xff, 0xff, 0xff]) }], ...over,
});

test('FindCoordinator v0-2: this broker for groups and transactional ids, INVALID_REQUEST for other key types', async () => {
  for (const [version, keyType] of [[0, 0], [1, 0], [1, 1], [2, 1]]) {
    const r = await callApi(port, FindCoordinatorApi, version, { key: 'anything', keyType, coordinatorKeys: [] });
    assert.deepEqual([r.errorCode, r.nodeId, r.port], [ErrorCode.NONE, 0, port]);
    assert.equal(r.host, 'localhost');
  }
  assert.equal((await callApi(port, FindCoordinatorApi, 2, { key: 'k', keyType: 2, coordinatorKeys: [] })).errorCode, ErrorCode.INVALID_REQUEST);
});

test('a v0 member: join, sync, heartbeat, commit (v2), fetch (v1), describe (v0), list, leave', async () => {
  const j = await join(0);
  assert.equal(j.errorCode, ErrorCode.NONE);
  assert.equal(j.leader, j.memberId);
  const ref = { groupId: 'wire-group', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null };
  const s = await callApi(port, SyncGroupApi, 0, { ...ref, assignments: [{ memberId: j.memberId, assignment: Buffer.from('A') }], protocolType: null, protocolName: null });
  assert.deepEqual([s.errorCode, s.assignment.toString()], [ErrorCode.NONE, 'A']);
  assert.equal((await callApi(port, HeartbeatApi, 0, ref)).errorCode, ErrorCode.NONE);
  const c = await callApi(port, OffsetCommitApi, 2, { ...ref, retentionTimeMs: -1, topics: [
    { name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 12, committedLeaderEpoch: -1, committedMetadata: 'meta' }, { partitionIndex: 9, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
    { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
  ] });
  assert.deepEqual(c.topics.map((t) => t.partitions.map((p) => p.errorCode)), [[ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  const f = await callApi(port, OffsetFetchApi, 1, { groupId: 'wire-group', topics: [{ name: 'wire', partitionIndexes: [0, 1] }], groups: [], requireStable: false });
  assert.deepEqual(f.topics[0].partitions.map((p) => [p.committedOffset, p.metadata]), [[12, 'meta'], [-1, '']]);
  const all = await callApi(port, OffsetFetchApi, 2, { groupId: 'wire-group', topics: null, groups: [], requireStable: false });
  assert.deepEqual(all.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]), [['wire', [12]]]);
  const d = await callApi(port, DescribeGroupsApi, 0, { groups: ['wire-group', 'never-seen'], includeAuthorizedOperations: false });
  assert.deepEqual(d.groups.map((g) => [g.groupId, g.groupState, g.protocolData, g.members.length]), [['wire-group', 'Stable', 'range', 1], ['never-seen', 'Dead', '', 0]]);
  assert.ok((await callApi(port, ListGroupsApi, 0, { statesFilter: [], typesFilter: [] })).groups.some((g) => g.groupId === 'wire-group' && g.protocolType === 'consumer'));
  assert.equal((await callApi(port, LeaveGroupApi, 0, { groupId: 'wire-group', memberId: j.memberId, members: [] })).errorCode, ErrorCode.NONE);
  assert.equal((await callApi(port, DescribeGroupsApi, 2, { groups: ['wire-group'], includeAuthorizedOperations: false })).groups[0].groupState, 'Empty');
});

test('JoinGroup v4 asks for a member id first; v5 static members get one derived from their instance id', async () => {
  const first = await join(4, { groupId: 'v4-group' });
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const second = await join(4, { groupId: 'v4-group', memberId: first.memberId });
  assert.deepEqual([second.errorCode, second.memberId, second.members.length], [ErrorCode.NONE, first.memberId, 1]);
  const s = await join(5, { groupId: 'v5-group', groupInstanceId: 'pod-1' });
  assert.equal(s.errorCode, ErrorCode.NONE);
  assert.match(s.memberId, /^pod-1-/);
  assert.equal(s.members[0].groupInstanceId, 'pod-1');
});

test('bad input gets Kafka\'s error codes and leaves the broker serving', async () => {
  assert.equal((await join(1, { groupId: 'bad', protocolType: '' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await join(1, { groupId: 'bad', protocols: [] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await join(1, { groupId: 'bad', sessionTimeoutMs: 10 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await join(1, { groupId: '' })).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await join(1, { groupId: 'bad', memberId: 'made-up' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await callApi(port, HeartbeatApi, 1, { groupId: 'bad', generationId: 1, memberId: 'x', groupInstanceId: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await callApi(port, LeaveGroupApi, 1, { groupId: 'bad', memberId: 'x', members: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const j = await join(1, { groupId: 'gen-group' });
  const ref = { groupId: 'gen-group', generationId: j.generationId + 5, memberId: j.memberId, groupInstanceId: null };
  assert.equal((await callApi(port, SyncGroupApi, 1, { ...ref, assignments: [], protocolType: null, protocolName: null })).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await callApi(port, HeartbeatApi, 1, ref)).errorCode, ErrorCode.ILLEGAL_GENERATION);
  const big = await callApi(port, OffsetCommitApi, 7, { groupId: 'solo', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [
    { name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(5000) }] },
  ] });
  assert.equal(big.topics[0].partitions[0].errorCode, ErrorCode.OFFSET_METADATA_TOO_LARGE);
  const wrongGen = await callApi(port, OffsetCommitApi, 5, { groupId: 'nobody-home', generationId: 3, memberId: 'm', groupInstanceId: null, retentionTimeMs: -1, topics: [
    { name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
  ] });
  assert.equal(wrongGen.topics[0].partitions[0].errorCode, ErrorCode.ILLEGAL_GENERATION);
  const deleted = await callApi(port, DeleteGroupsApi, 1, { groupsNames: ['gen-group', 'never-seen', ''] });
  assert.deepEqual(deleted.results.map((r) => r.errorCode), [ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.INVALID_GROUP_ID]);
  const describedEmpty = await callApi(port, DescribeGroupsApi, 5, { groups: [''], includeAuthorizedOperations: false });
  assert.equal(describedEmpty.groups[0].errorCode, ErrorCode.INVALID_GROUP_ID);
  // A static member's calls name an instance id the group knows, else UNKNOWN_MEMBER_ID (Kafka's validateMember).
  const ghost = { groupId: 'gen-group', generationId: j.generationId, memberId: j.memberId, groupInstanceId: 'ghost' };
  assert.equal((await callApi(port, HeartbeatApi, 3, ghost)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const ghostCommit = await callApi(port, OffsetCommitApi, 7, { ...ghost, retentionTimeMs: -1, topics: [
    { name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
  ] });
  assert.equal(ghostCommit.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await callApi(port, OffsetDeleteApi, 0, { groupId: 'never-seen', topics: [] })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.equal((await callApi(port, FindCoordinatorApi, 0, { key: 'still-up', keyType: 0, coordinatorKeys: [] })).errorCode, ErrorCode.NONE);
});

test('OffsetDelete v0 and DeleteGroups over the wire for a standalone group', async () => {
  await callApi(port, OffsetCommitApi, 6, { groupId: 'standalone-wire', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [
    { name: 'wire', partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: 0, committedMetadata: null }, { partitionIndex: 1, committedOffset: 4, committedLeaderEpoch: 0, committedMetadata: null }] },
  ] });
  const del = await callApi(port, OffsetDeleteApi, 0, { groupId: 'standalone-wire', topics: [{ name: 'wire', partitions: [{ partitionIndex: 0 }] }] });
  assert.deepEqual([del.errorCode, del.topics[0].partitions[0].errorCode], [ErrorCode.NONE, ErrorCode.NONE]);
  const left = await callApi(port, OffsetFetchApi, 3, { groupId: 'standalone-wire', topics: null, groups: [], requireStable: false });
  assert.deepEqual(left.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset]), [[1, 4]]);
  assert.deepEqual((await callApi(port, DeleteGroupsApi, 0, { groupsNames: ['standalone-wire'] })).results[0].errorCode, ErrorCode.NONE);
  assert.deepEqual((await callApi(port, OffsetFetchApi, 4, { groupId: 'standalone-wire', topics: null, groups: [], requireStable: false })).topics, []);
});
