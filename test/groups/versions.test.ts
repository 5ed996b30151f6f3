/**
 * The group and transaction API versions up to Kafka 4.1's client versions, over raw connections: the behaviour
 * each newer version adds (batched FindCoordinator and LeaveGroup, multi-group OffsetFetch with requireStable,
 * SyncGroup's protocol check, JoinGroup's protocol type and KIP-814 skipAssignment, DescribeGroups v6's
 * GROUP_ID_NOT_FOUND, ListGroups' filters, PRODUCER_FENCED by version, DescribeTransactions, ListTransactions'
 * pattern). The real clients that send these versions run in the compat-suite and in the platformatic test below.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, callApi } from '../helpers.js';
import { joinBody, stableGroupAt, until } from './helpers.js';
import type { RunningBroker } from '../../src/index.js';
import {
  FindCoordinatorApi, JoinGroupApi, SyncGroupApi, HeartbeatApi, LeaveGroupApi, OffsetCommitApi, OffsetFetchApi, DescribeGroupsApi,
  ListGroupsApi, InitProducerIdApi, AddPartitionsToTxnApi, AddOffsetsToTxnApi, EndTxnApi, TxnOffsetCommitApi, DescribeTransactionsApi,
  ListTransactionsApi, ApiVersionsApi,
} from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let broker: RunningBroker;
let port: number;

before(async () => {
  broker = await startTestBroker();
  port = broker.port;
  broker.broker.createTopic('vt', 2);
});

after(() => broker.close());

/** A one-member Stable group at JoinGroup/SyncGroup `version`: the member's id and generation. */
const stableGroup = (groupId: string, version: number, groupInstanceId: string | null = null) => stableGroupAt(port, groupId, version, groupInstanceId);

test('ApiVersions advertises Kafka 4.1\'s client versions of the group and transaction APIs, never AddPartitionsToTxn 4+ or EndTxn/TxnOffsetCommit 5', async () => {
  const { apiKeys } = await callApi(port, ApiVersionsApi, 3, { clientSoftwareName: 'versions-test', clientSoftwareVersion: '1' });
  const ranges = Object.fromEntries(apiKeys.filter((k) => [8, 9, 10, 11, 12, 13, 14, 15, 16, 22, 24, 25, 26, 28, 42, 47, 61, 65, 66].includes(k.apiKey))
    .map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
  assert.deepEqual(ranges, {
    8: '2-9', 9: '1-9', 10: '0-6', 11: '0-9', 12: '0-4', 13: '0-5', 14: '0-5', 15: '0-6', 16: '0-5',
    22: '0-5', 24: '0-3', 25: '0-4', 26: '0-4', 28: '0-4', 42: '0-2', 47: '0-0', 61: '0-0', 65: '0-0', 66: '0-2',
  });
});

test('FindCoordinator v4-6 answer one coordinator per key; an unknown key type fails each key', async () => {
  const r = await callApi(port, FindCoordinatorApi, 6, { key: '', keyType: 0, coordinatorKeys: ['g1', 'g2'] });
  assert.deepEqual(r.coordinators.map((c) => [c.key, c.nodeId, c.port, c.errorCode]), [['g1', 0, port, ErrorCode.NONE], ['g2', 0, port, ErrorCode.NONE]]);
  const txn = await callApi(port, FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['t1'] });
  assert.deepEqual(txn.coordinators.map((c) => [c.key, c.nodeId, c.errorCode]), [['t1', 0, ErrorCode.NONE]]);
  const bad = await callApi(port, FindCoordinatorApi, 5, { key: '', keyType: 7, coordinatorKeys: ['a', 'b'] });
  assert.deepEqual(bad.coordinators.map((c) => [c.key, c.errorCode]), [['a', ErrorCode.INVALID_REQUEST], ['b', ErrorCode.INVALID_REQUEST]]);
});

test('JoinGroup v7+ answers the protocol type, and a null protocol in errors; SyncGroup v5 checks and answers the protocol', async () => {
  const j = await stableGroup('v7-group', 7);
  assert.deepEqual([j.protocolType, j.protocolName], ['consumer', 'range']);
  const unknown = await callApi(port, JoinGroupApi, 7, joinBody('v7-group', { memberId: 'stranger' }));
  assert.deepEqual([unknown.errorCode, unknown.protocolType, unknown.protocolName], [ErrorCode.UNKNOWN_MEMBER_ID, null, null]);
  const old = await callApi(port, JoinGroupApi, 6, joinBody('v7-group', { memberId: 'stranger' }));
  assert.equal(old.protocolName, '', 'before v7 the protocol name is not nullable');

  const ref = { groupId: 'v7-group', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [] };
  const ok = await callApi(port, SyncGroupApi, 5, { ...ref, protocolType: 'consumer', protocolName: 'range' });
  assert.deepEqual([ok.errorCode, ok.protocolType, ok.protocolName, ok.assignment.toString()], [ErrorCode.NONE, 'consumer', 'range', 'assigned']);
  const wrongName = await callApi(port, SyncGroupApi, 5, { ...ref, protocolType: 'consumer', protocolName: 'roundrobin' });
  assert.deepEqual([wrongName.errorCode, wrongName.protocolName], [ErrorCode.INCONSISTENT_GROUP_PROTOCOL, null]);
  const wrongType = await callApi(port, SyncGroupApi, 5, { ...ref, protocolType: 'connect', protocolName: null });
  assert.equal(wrongType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await callApi(port, HeartbeatApi, 4, { groupId: 'v7-group', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null })).errorCode, ErrorCode.NONE);
});

test('JoinGroup v9: a restarted static leader of a Stable group is told it leads, with the members, and to skip the assignment', async () => {
  const first = await stableGroup('kip814', 9, 'leader-instance');
  const restarted = await callApi(port, JoinGroupApi, 9, joinBody('kip814', { groupInstanceId: 'leader-instance' }));
  assert.equal(restarted.errorCode, ErrorCode.NONE);
  assert.notEqual(restarted.memberId, first.memberId);
  assert.equal(restarted.generationId, first.generationId, 'no rebalance');
  assert.deepEqual([restarted.leader, restarted.skipAssignment], [restarted.memberId, true]);
  assert.deepEqual(restarted.members.map((m) => [m.memberId, m.groupInstanceId]), [[restarted.memberId, 'leader-instance']]);
  const synced = await callApi(port, SyncGroupApi, 5, { groupId: 'kip814', generationId: restarted.generationId, memberId: restarted.memberId, groupInstanceId: 'leader-instance', protocolType: 'consumer', protocolName: 'range', assignments: [] });
  assert.deepEqual([synced.errorCode, synced.assignment.toString()], [ErrorCode.NONE, 'assigned'], 'the current assignment is kept');

  // Before v9 the restarted leader is given the old leader id, so it does not assign again.
  await stableGroup('pre-kip814', 8, 'old-leader');
  const old = await callApi(port, JoinGroupApi, 8, joinBody('pre-kip814', { groupInstanceId: 'old-leader' }));
  assert.equal(old.errorCode, ErrorCode.NONE);
  assert.notEqual(old.leader, old.memberId);
  assert.deepEqual(old.members, []);
});

test('LeaveGroup v3-5: a batch of members, each answered; by instance id with an empty member id; v0-2 carry the first error', async () => {
  const a = await stableGroup('leave-batch', 5, 'static-a');
  const bJoin = callApi(port, JoinGroupApi, 5, joinBody('leave-batch', { groupInstanceId: 'static-b' }));
  // b's join started a rebalance that waits for a: a rejoins, then both are members.
  await until('b joins', () => broker.broker.groups.inspect('leave-batch')?.staticMembers.has('static-b'));
  const aAgain = await callApi(port, JoinGroupApi, 5, joinBody('leave-batch', { memberId: a.memberId, groupInstanceId: 'static-a' }));
  assert.equal(aAgain.errorCode, ErrorCode.NONE);
  const bJoined = await bJoin;
  assert.equal(bJoined.errorCode, ErrorCode.NONE);
  const left = await callApi(port, LeaveGroupApi, 5, { groupId: 'leave-batch', memberId: '', members: [
    { memberId: a.memberId, groupInstanceId: 'static-a', reason: 'shutting down' },
    { memberId: '', groupInstanceId: 'static-b', reason: null },
    { memberId: 'stranger', groupInstanceId: null, reason: null },
    { memberId: 'impostor', groupInstanceId: 'static-a', reason: null },
    { memberId: '', groupInstanceId: 'no-such-instance', reason: null },
  ] });
  assert.equal(left.errorCode, ErrorCode.NONE);
  assert.deepEqual(left.members.map((m) => [m.memberId, m.groupInstanceId, m.errorCode]), [
    [a.memberId, 'static-a', ErrorCode.NONE],
    ['', 'static-b', ErrorCode.NONE],
    ['stranger', null, ErrorCode.UNKNOWN_MEMBER_ID],
    ['impostor', 'static-a', ErrorCode.FENCED_INSTANCE_ID],
    ['', 'no-such-instance', ErrorCode.UNKNOWN_MEMBER_ID],
  ]);
  assert.equal(broker.broker.groups.stateOf('leave-batch'), 'Empty');

  const unknownGroup = await callApi(port, LeaveGroupApi, 3, { groupId: 'no-such-group', memberId: '', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] });
  assert.deepEqual([unknownGroup.errorCode, unknownGroup.members.map((m) => m.errorCode)], [ErrorCode.NONE, [ErrorCode.UNKNOWN_MEMBER_ID]]);
  assert.equal((await callApi(port, LeaveGroupApi, 2, { groupId: 'no-such-group', memberId: 'm', members: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('DescribeGroups v3-6: instance ids, authorized operations when asked, GROUP_ID_NOT_FOUND for an unknown group in v6 only', async () => {
  await stableGroup('described', 5, 'inst-1');
  const d = await callApi(port, DescribeGroupsApi, 6, { groups: ['described', 'never-seen'], includeAuthorizedOperations: true });
  const [known, unknown] = d.groups;
  assert.deepEqual([known.errorCode, known.errorMessage, known.groupState, known.members.map((m) => m.groupInstanceId)], [ErrorCode.NONE, null, 'Stable', ['inst-1']]);
  // No authorizer configured: every group operation is allowed (READ 3, DELETE 6, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11).
  assert.equal(known.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11));
  assert.deepEqual([unknown.errorCode, unknown.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group never-seen not found.']);
  const v5 = await callApi(port, DescribeGroupsApi, 5, { groups: ['never-seen'], includeAuthorizedOperations: false });
  assert.deepEqual([v5.groups[0].errorCode, v5.groups[0].groupState, v5.groups[0].authorizedOperations], [ErrorCode.NONE, 'Dead', -2147483648]);
});

test('ListGroups v4-5 filter by state and type (case-insensitive) and answer both', async () => {
  await stableGroup('listed-stable', 5);
  const j = await stableGroup('listed-empty', 5);
  await callApi(port, LeaveGroupApi, 1, { groupId: 'listed-empty', memberId: j.memberId, members: [] });
  const find = (groups: Array<{ groupId: string }>, id: string) => groups.find((g) => g.groupId === id);
  const all = await callApi(port, ListGroupsApi, 5, { statesFilter: [], typesFilter: [] });
  assert.deepEqual(find(all.groups, 'listed-stable'), { groupId: 'listed-stable', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' });
  const empty = await callApi(port, ListGroupsApi, 4, { statesFilter: ['EMPTY'], typesFilter: [] });
  assert.ok(find(empty.groups, 'listed-empty') && !find(empty.groups, 'listed-stable'));
  assert.ok(empty.groups.every((g) => g.groupState === 'Empty'));
  assert.ok(find((await callApi(port, ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Classic'] })).groups, 'listed-stable'));
  assert.deepEqual((await callApi(port, ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })).groups, []);
});

test('transactions: OffsetFetch v7+ requireStable, v8-9 several groups; PRODUCER_FENCED by version; DescribeTransactions; ListTransactions v2', async () => {
  const init = await callApi(port, InitProducerIdApi, 5, { transactionalId: 'vt-txn', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  assert.equal(init.errorCode, ErrorCode.NONE);
  const producer = { transactionalId: 'vt-txn', producerId: init.producerId, producerEpoch: init.producerEpoch };
  const added = await callApi(port, AddPartitionsToTxnApi, 3, { ...producer, topics: [{ name: 'vt', partitions: [1] }] });
  assert.equal(added.results[0].results[0].errorCode, ErrorCode.NONE);
  assert.equal((await callApi(port, AddOffsetsToTxnApi, 4, { ...producer, groupId: 'txn-group' })).errorCode, ErrorCode.NONE);
  const sent = await callApi(port, TxnOffsetCommitApi, 4, { ...producer, groupId: 'txn-group', generationId: -1, memberId: '', groupInstanceId: null, topics: [
    { name: 'vt', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] },
  ] });
  assert.equal(sent.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  await callApi(port, OffsetCommitApi, 9, { groupId: 'txn-group', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [
    { name: 'vt', partitions: [{ partitionIndex: 1, committedOffset: 8, committedLeaderEpoch: 4, committedMetadata: 'm' }] },
  ] });

  const described = await callApi(port, DescribeTransactionsApi, 0, { transactionalIds: ['vt-txn', 'no-such-txn', ''] });
  const [open, missing, empty] = described.transactionStates;
  assert.deepEqual([open.errorCode, open.transactionState, open.producerId, open.producerEpoch, open.transactionTimeoutMs], [ErrorCode.NONE, 'Ongoing', init.producerId, init.producerEpoch, 60_000]);
  assert.deepEqual(open.topics, [{ topic: 'vt', partitions: [1] }]);
  assert.ok(open.transactionStartTimeMs > 0);
  assert.deepEqual([missing.errorCode, empty.errorCode], [ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, ErrorCode.INVALID_REQUEST]);

  const list = (transactionalIdPattern: string | null) => callApi(port, ListTransactionsApi, 2, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern });
  assert.deepEqual((await list('vt-.*')).transactionStates.map((t) => [t.transactionalId, t.transactionState]), [['vt-txn', 'Ongoing']]);
  assert.deepEqual((await list('vt')).transactionStates, [], 'the whole id must match');
  assert.ok((await list('')).transactionStates.some((t) => t.transactionalId === 'vt-txn'));
  assert.equal((await list('vt-(')).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
  assert.equal((await list('(a)\\1')).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION, 'backreferences are not RE2');

  const partitions = [{ name: 'vt', partitionIndexes: [0, 1] }];
  const stable = await callApi(port, OffsetFetchApi, 7, { groupId: 'txn-group', topics: partitions, groups: [], requireStable: true });
  assert.deepEqual(stable.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.errorCode]),
    [[0, -1, -1, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, 8, 4, ErrorCode.NONE]]);
  const unstableOk = await callApi(port, OffsetFetchApi, 6, { groupId: 'txn-group', topics: partitions, groups: [], requireStable: false });
  assert.deepEqual(unstableOk.topics[0].partitions.map((p) => [p.committedOffset, p.errorCode]), [[-1, ErrorCode.NONE], [8, ErrorCode.NONE]]);
  const groups = await callApi(port, OffsetFetchApi, 9, { groupId: '', topics: null, requireStable: true, groups: [
    { groupId: 'txn-group', memberId: null, memberEpoch: -1, topics: partitions },
    { groupId: 'other-group', memberId: 'm', memberEpoch: 3, topics: null },
  ] });
  assert.deepEqual(groups.groups.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => t.partitions.map((p) => p.errorCode))]), [
    ['txn-group', ErrorCode.NONE, [[ErrorCode.UNSTABLE_OFFSET_COMMIT, ErrorCode.NONE]]],
    ['other-group', ErrorCode.NONE, []],
  ]);

  // A new incarnation fences this one: old versions read INVALID_PRODUCER_EPOCH, newer ones PRODUCER_FENCED.
  const bumped = await callApi(port, InitProducerIdApi, 4, { transactionalId: 'vt-txn', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  assert.equal(bumped.producerEpoch, init.producerEpoch + 1);
  assert.equal((await callApi(port, EndTxnApi, 1, { ...producer, committed: true })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal((await callApi(port, EndTxnApi, 4, { ...producer, committed: true })).errorCode, ErrorCode.PRODUCER_FENCED);
  assert.equal((await callApi(port, AddOffsetsToTxnApi, 2, { ...producer, groupId: 'txn-group' })).errorCode, ErrorCode.PRODUCER_FENCED);
  const stale = { transactionalId: 'vt-txn', transactionTimeoutMs: 60_000, producerId: init.producerId, producerEpoch: init.producerEpoch };
  assert.equal((await callApi(port, InitProducerIdApi, 3, stale)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal((await callApi(port, InitProducerIdApi, 4, stale)).errorCode, ErrorCode.PRODUCER_FENCED);
  // The fencing aborted the open transaction: its offsets are no longer pending, and were never committed.
  const after = await callApi(port, OffsetFetchApi, 8, { groupId: '', topics: null, requireStable: true, groups: [{ groupId: 'txn-group', memberId: null, memberEpoch: -1, topics: partitions }] });
  assert.deepEqual(after.groups[0].topics[0].partitions.map((p) => [p.committedOffset, p.errorCode]), [[-1, ErrorCode.NONE], [8, ErrorCode.NONE]]);
});
