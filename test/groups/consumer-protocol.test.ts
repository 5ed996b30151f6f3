/**
 * KIP-848 consumer groups over raw ConsumerGroupHeartbeat/ConsumerGroupDescribe requests, on a ManualClock:
 * incremental reconciliation (no partition ever held by two members), session expiry, static members, regex
 * subscriptions, the range assignor, offsets with member epochs, replay after a restart, and Kafka's errors for
 * bad input with the group left as it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, callApi, tempDir } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { ManualClock } from '../../src/clock.js';
import { consumerGroupLags } from '../../src/operator/lag.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import {
  ConsumerGroupHeartbeatApi, ConsumerGroupDescribeApi, CreateTopicsApi, JoinGroupApi, ListGroupsApi, DescribeGroupsApi,
  OffsetCommitApi, OffsetFetchApi, DeleteGroupsApi, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse,
} from '../../src/protocol/generated/index.js';

let broker: RunningBroker;
let port: number;
const clock = new ManualClock(1_000_000);
const ids = new Map<string, Buffer>();

async function createTopic(name: string, numPartitions: number, p = port): Promise<void> {
  const r = await callApi(p, CreateTopicsApi, 2, { topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  assert.equal(r.topics[0].errorCode, ErrorCode.NONE);
}

before(async () => {
  broker = await startTestBroker({ clock });
  port = broker.port;
  for (const [name, n] of [['cp', 4], ['cp-other', 2], ['rx-a', 2], ['rx-b', 1], ['plain', 3]] as const) await createTopic(name, n);
  for (const t of broker.broker.topics.list()) ids.set(t.name, t.id);
});

after(() => broker.close());

type Hb = Partial<ConsumerGroupHeartbeatRequest>;
const heartbeat = (body: Hb, version = 1, p = port) => callApi(p, ConsumerGroupHeartbeatApi, version, {
  groupId: 'g', memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: null,
  subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...body,
});
const joinAs = (groupId: string, memberId: string, topics: string[], over: Hb = {}) =>
  heartbeat({ groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: topics, topicPartitions: [], ...over });

/** The assignment of a response as "topic:partition" strings (names from the ids). */
function owned(r: ConsumerGroupHeartbeatResponse): string[] | null {
  if (!r.assignment) return null;
  const names = new Map([...ids].map(([n, id]) => [id.toString('hex'), n]));
  return r.assignment.topicPartitions.flatMap((t) => t.partitions.map((p) => `${names.get(t.topicId.toString('hex'))}:${p}`)).sort();
}
const asOwned = (tps: string[]) => {
  const by = new Map<string, number[]>();
  for (const tp of tps) {
    const [t, p] = tp.split(':');
    by.set(t, [...(by.get(t) ?? []), Number(p)]);
  }
  return [...by].map(([t, partitions]) => ({ topicId: ids.get(t)!, partitions }));
};
const describe = async (groupId: string, p = port) => (await callApi(p, ConsumerGroupDescribeApi, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];

test('two members split the partitions; a partition is never handed to the second before the first revoked it', async () => {
  const a1 = await joinAs('split', 'member-a', ['cp']);
  assert.deepEqual([a1.errorCode, a1.memberId, a1.memberEpoch, a1.heartbeatIntervalMs], [ErrorCode.NONE, 'member-a', 1, 5000]);
  assert.deepEqual(owned(a1), ['cp:0', 'cp:1', 'cp:2', 'cp:3']);

  const b1 = await joinAs('split', 'member-b', ['cp']);
  // B is at the new epoch but gets nothing yet: A still holds what the target gives B.
  assert.deepEqual([b1.errorCode, b1.memberEpoch, owned(b1)], [ErrorCode.NONE, 2, []]);
  const d1 = await describe('split');
  assert.deepEqual([d1.groupState, d1.groupEpoch, d1.assignmentEpoch, d1.assignorName], ['Reconciling', 2, 2, 'uniform']);

  // A learns what it keeps, stays in epoch 1 until it reports the rest gone.
  const a2 = await heartbeat({ groupId: 'split', memberId: 'member-a', memberEpoch: 1, topicPartitions: asOwned(owned(a1)!) });
  assert.equal(a2.memberEpoch, 1);
  const keptByA = owned(a2)!;
  assert.equal(keptByA.length, 2);
  const b2 = await heartbeat({ groupId: 'split', memberId: 'member-b', memberEpoch: 2, topicPartitions: [] });
  assert.deepEqual([b2.memberEpoch, b2.assignment], [2, null], 'still nothing for B: A has not revoked');

  const a3 = await heartbeat({ groupId: 'split', memberId: 'member-a', memberEpoch: 1, topicPartitions: asOwned(keptByA) });
  assert.equal(a3.memberEpoch, 2);
  const b3 = await heartbeat({ groupId: 'split', memberId: 'member-b', memberEpoch: 2, topicPartitions: [] });
  const gotByB = owned(b3)!;
  assert.deepEqual([...keptByA, ...gotByB].sort(), ['cp:0', 'cp:1', 'cp:2', 'cp:3']);
  assert.equal(gotByB.length, 2);
  const d2 = await describe('split');
  assert.equal(d2.groupState, 'Stable');
  assert.deepEqual(d2.members.map((m) => [m.memberId, m.memberEpoch, m.memberType]).sort(), [['member-a', 2, 1], ['member-b', 2, 1]]);
  assert.equal(d2.members[0].assignment.topicPartitions[0].topicName, 'cp');

  // B leaves: A takes everything at the next epoch, keeping its own partitions throughout.
  const left = await heartbeat({ groupId: 'split', memberId: 'member-b', memberEpoch: -1 });
  assert.deepEqual([left.errorCode, left.memberEpoch], [ErrorCode.NONE, -1]);
  const a4 = await heartbeat({ groupId: 'split', memberId: 'member-a', memberEpoch: 2, topicPartitions: asOwned(keptByA) });
  assert.deepEqual([a4.memberEpoch, owned(a4)], [3, ['cp:0', 'cp:1', 'cp:2', 'cp:3']]);
});

test('a member that stops heartbeating is fenced after group.consumer.session.timeout.ms; the other takes its partitions', async () => {
  await joinAs('expiry', 'x', ['cp-other']);
  const y = await joinAs('expiry', 'y', ['cp-other']);
  const x = await heartbeat({ groupId: 'expiry', memberId: 'x', memberEpoch: 1, topicPartitions: asOwned(['cp-other:0', 'cp-other:1']) });
  const kept = owned(x)!;
  await heartbeat({ groupId: 'expiry', memberId: 'x', memberEpoch: 1, topicPartitions: asOwned(kept) });
  await heartbeat({ groupId: 'expiry', memberId: 'y', memberEpoch: y.memberEpoch, topicPartitions: [] });
  assert.equal((await describe('expiry')).members.length, 2);
  for (let t = 0; t < 45_000; t += 5_000) {
    await clock.advance(5_000);
    await heartbeat({ groupId: 'expiry', memberId: 'y', memberEpoch: (await describe('expiry')).members.find((m) => m.memberId === 'y')!.memberEpoch, topicPartitions: null });
  }
  const d = await describe('expiry');
  assert.deepEqual(d.members.map((m) => m.memberId), ['y']);
  assert.deepEqual(d.members[0].assignment.topicPartitions.map((t) => [t.topicName, t.partitions]), [['cp-other', [0, 1]]]);
  assert.equal((await heartbeat({ groupId: 'expiry', memberId: 'x', memberEpoch: 2, topicPartitions: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a member that does not give up its partitions within its rebalance timeout is fenced; they go to the other', async () => {
  const a = await joinAs('slow', 'slow-a', ['cp-other'], { rebalanceTimeoutMs: 20_000 });
  const all = owned(a)!;
  const b = await joinAs('slow', 'slow-b', ['cp-other']);
  // A keeps reporting both partitions (it never revokes), heartbeating within its session.
  let last = await heartbeat({ groupId: 'slow', memberId: 'slow-a', memberEpoch: 1, topicPartitions: asOwned(all) });
  assert.equal(owned(last)!.length, 1, 'A was asked to give one up');
  for (let t = 0; t < 15_000; t += 5_000) {
    await clock.advance(5_000);
    last = await heartbeat({ groupId: 'slow', memberId: 'slow-a', memberEpoch: 1, topicPartitions: asOwned(all) });
    assert.equal(last.errorCode, ErrorCode.NONE);
  }
  await clock.advance(5_000);
  assert.deepEqual((await describe('slow')).members.map((m) => m.memberId), ['slow-b']);
  assert.equal((await heartbeat({ groupId: 'slow', memberId: 'slow-a', memberEpoch: 1, topicPartitions: asOwned(all) })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const bNow = await heartbeat({ groupId: 'slow', memberId: 'slow-b', memberEpoch: b.memberEpoch, topicPartitions: [] });
  assert.deepEqual(owned(bNow), ['cp-other:0', 'cp-other:1']);
});

test('bad input gets Kafka\'s errors and leaves the group as it was', async () => {
  const a = await joinAs('bad', 'bad-a', ['plain']);
  assert.equal(a.memberEpoch, 1);
  const before = JSON.stringify(await describe('bad'), (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v));
  const cases: Array<[string, Hb, number]> = [
    ['a greater epoch', { groupId: 'bad', memberId: 'bad-a', memberEpoch: 7, topicPartitions: null }, ErrorCode.FENCED_MEMBER_EPOCH],
    ['an unknown member', { groupId: 'bad', memberId: 'nobody', memberEpoch: 3, topicPartitions: null }, ErrorCode.UNKNOWN_MEMBER_ID],
    ['an invalid regex', { groupId: 'bad', memberId: 'bad-b', subscribedTopicRegex: '(unclosed', rebalanceTimeoutMs: 1000, topicPartitions: [] }, ErrorCode.INVALID_REGULAR_EXPRESSION],
    ['a lookbehind (not RE2)', { groupId: 'bad', memberId: 'bad-b', subscribedTopicRegex: '(?<=x)y', rebalanceTimeoutMs: 1000, topicPartitions: [] }, ErrorCode.INVALID_REGULAR_EXPRESSION],
    ['an unknown assignor', { groupId: 'bad', memberId: 'bad-b', subscribedTopicNames: ['plain'], serverAssignor: 'sticky', rebalanceTimeoutMs: 1000, topicPartitions: [] }, ErrorCode.UNSUPPORTED_ASSIGNOR],
    ['no member id (v1)', { groupId: 'bad', memberId: '', subscribedTopicNames: ['plain'], rebalanceTimeoutMs: 1000, topicPartitions: [] }, ErrorCode.INVALID_REQUEST],
    ['a join without rebalance timeout', { groupId: 'bad', memberId: 'bad-b', subscribedTopicNames: ['plain'], topicPartitions: [] }, ErrorCode.INVALID_REQUEST],
    ['a join owning partitions', { groupId: 'bad', memberId: 'bad-b', subscribedTopicNames: ['plain'], rebalanceTimeoutMs: 1000, topicPartitions: asOwned(['plain:0']) }, ErrorCode.INVALID_REQUEST],
    ['an epoch below -2', { groupId: 'bad', memberId: 'bad-a', memberEpoch: -3 }, ErrorCode.INVALID_REQUEST],
    ['-2 without an instance id', { groupId: 'bad', memberId: 'bad-a', memberEpoch: -2 }, ErrorCode.INVALID_REQUEST],
    ['owned partitions of a topic id that does not exist', { groupId: 'bad', memberId: 'bad-a', memberEpoch: 1, topicPartitions: [{ topicId: Buffer.alloc(16, 7), partitions: [0] }] }, ErrorCode.NONE],
  ];
  for (const [what, body, code] of cases) {
    const r = await heartbeat(body);
    assert.equal(r.errorCode, code, what);
    if (code !== ErrorCode.NONE) assert.ok(r.errorMessage, `${what}: a message`);
  }
  // Epoch 0 is a fenced member rejoining (KIP-848): it gets its assignment back at its epoch.
  const fencedA = await heartbeat({ groupId: 'bad', memberId: 'bad-a', memberEpoch: 5, topicPartitions: null });
  assert.equal(fencedA.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  const rejoined = await heartbeat({ groupId: 'bad', memberId: 'bad-a', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['plain'], topicPartitions: [] });
  assert.deepEqual([rejoined.errorCode, rejoined.memberEpoch, owned(rejoined)], [ErrorCode.NONE, 1, ['plain:0', 'plain:1', 'plain:2']]);
  const after = JSON.stringify(await describe('bad'), (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v));
  assert.equal(after, before);
  // v0: the coordinator makes the member id.
  const v0 = await heartbeat({ groupId: 'bad-v0', memberEpoch: 0, subscribedTopicNames: ['plain'], rebalanceTimeoutMs: 1000, topicPartitions: [] }, 0);
  assert.equal(v0.errorCode, ErrorCode.NONE);
  assert.ok(v0.memberId && v0.memberId.length > 0);
});

test('classic and consumer groups side by side: each refuses the other protocol on a live group, ListGroups tells the type', async () => {
  await joinAs('mixed', 'm1', ['plain']);
  const classicJoin = await callApi(port, JoinGroupApi, 5, {
    groupId: 'mixed', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
  });
  assert.equal(classicJoin.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  // A classic group with a member: a consumer-protocol join is GROUP_ID_NOT_FOUND.
  const joined = await callApi(port, JoinGroupApi, 3, {
    groupId: 'classic-live', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
  });
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const refused = await joinAs('classic-live', 'c1', ['plain']);
  assert.equal(refused.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const listed = new Map(broker.broker.groups.listGroups().map((g) => [g.groupId, [g.groupType, g.groupState]]));
  assert.deepEqual(listed.get('mixed'), ['consumer', 'Stable']);
  assert.deepEqual(listed.get('classic-live')?.[0], 'classic');
  const wire = await callApi(port, ListGroupsApi, 2, { statesFilter: [], typesFilter: [] });
  assert.deepEqual(wire.groups.find((g) => g.groupId === 'mixed')?.protocolType, 'consumer');
  // DescribeGroups is for classic groups (Kafka: Dead); ConsumerGroupDescribe is for consumer groups.
  assert.equal((await callApi(port, DescribeGroupsApi, 2, { groups: ['mixed'], includeAuthorizedOperations: false })).groups[0].groupState, 'Dead');
  const cd = await describe('classic-live');
  assert.deepEqual([cd.errorCode, cd.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group classic-live is not a consumer group.']);
  assert.equal((await describe('no-such-group')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test('regex subscriptions follow topics as they are created; the range assignor gives contiguous ranges', async () => {
  const r1 = await joinAs('rx', 'r1', [], { subscribedTopicNames: null, subscribedTopicRegex: 'rx-.*' });
  assert.deepEqual(owned(r1), ['rx-a:0', 'rx-a:1', 'rx-b:0']);
  await createTopic('rx-c', 1);
  ids.set('rx-c', broker.broker.topics.get('rx-c')!.id);
  const r2 = await heartbeat({ groupId: 'rx', memberId: 'r1', memberEpoch: 1, topicPartitions: null });
  assert.deepEqual([r2.memberEpoch, owned(r2)], [2, ['rx-a:0', 'rx-a:1', 'rx-b:0', 'rx-c:0']]);

  const g1 = await joinAs('ranged', 'a', ['cp'], { serverAssignor: 'range' });
  const g2 = await joinAs('ranged', 'b', ['cp'], { serverAssignor: 'range' });
  assert.deepEqual(owned(g1), ['cp:0', 'cp:1', 'cp:2', 'cp:3']);
  const d = await describe('ranged');
  assert.equal(d.assignorName, 'range');
  const target = new Map(d.members.map((m) => [m.memberId, m.targetAssignment.topicPartitions[0].partitions]));
  assert.deepEqual([target.get('a'), target.get('b')], [[0, 1], [2, 3]]);
  assert.equal(g2.memberEpoch, 2);
});

test('a static member leaves with -2 and a new incarnation takes its partitions over without a new epoch; an unreleased one is refused', async () => {
  const s1 = await joinAs('static', 's-1', ['cp-other'], { instanceId: 'inst' });
  assert.equal(s1.memberEpoch, 1);
  const busy = await joinAs('static', 's-2', ['cp-other'], { instanceId: 'inst' });
  assert.equal(busy.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
  const gone = await heartbeat({ groupId: 'static', memberId: 's-1', memberEpoch: -2, instanceId: 'inst' });
  assert.deepEqual([gone.errorCode, gone.memberEpoch], [ErrorCode.NONE, -2]);
  const s2 = await joinAs('static', 's-2', ['cp-other'], { instanceId: 'inst' });
  assert.deepEqual([s2.errorCode, s2.memberEpoch, owned(s2)], [ErrorCode.NONE, 1, ['cp-other:0', 'cp-other:1']]);
  const d = await describe('static');
  assert.deepEqual([d.groupEpoch, d.members.map((m) => [m.memberId, m.instanceId])], [1, [['s-2', 'inst']]]);
});

test('offsets of a consumer group: commits carry the member epoch (STALE_MEMBER_EPOCH otherwise), OffsetFetch v9 checks the member', async () => {
  const m = await joinAs('offsets', 'o1', ['plain']);
  const commit = (generationId: number, memberId = 'o1', version = 9) => callApi(port, OffsetCommitApi, version, {
    groupId: 'offsets', generationId, memberId, groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: 'plain', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  assert.equal((await commit(m.memberEpoch)).topics[0].partitions[0].errorCode, ErrorCode.NONE);
  assert.equal((await commit(m.memberEpoch + 1)).topics[0].partitions[0].errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal((await commit(m.memberEpoch, 'stranger')).topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await commit(m.memberEpoch, 'o1', 8)).topics[0].partitions[0].errorCode, ErrorCode.UNSUPPORTED_VERSION, 'a consumer-protocol member commits with v9+');
  const fetch = (memberId: string | null, memberEpoch: number) => callApi(port, OffsetFetchApi, 9, {
    groupId: '', topics: null, requireStable: true,
    groups: [{ groupId: 'offsets', memberId, memberEpoch, topics: [{ name: 'plain', partitionIndexes: [0] }] }],
  });
  const ok = (await fetch('o1', m.memberEpoch)).groups[0];
  assert.deepEqual([ok.errorCode, ok.topics[0].partitions[0].committedOffset], [ErrorCode.NONE, 5]);
  assert.equal((await fetch('o1', m.memberEpoch + 3)).groups[0].errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  assert.equal((await fetch(null, -1)).groups[0].topics[0].partitions[0].committedOffset, 5, 'an admin fetch needs no member');
  // The operator's lag view knows who owns the partition.
  const lag = consumerGroupLags(broker.broker, 'offsets').find((l) => l.topic === 'plain' && l.partition === 0);
  assert.deepEqual([lag?.committed, lag?.consumerId], [5, 'o1']);
});

test('DeleteGroups: NON_EMPTY_GROUP while a consumer group has members; once empty it is deleted with its offsets', async () => {
  const m = await joinAs('deletable', 'd1', ['plain']);
  const deleteGroup = async () => (await callApi(port, DeleteGroupsApi, 1, { groupsNames: ['deletable'] })).results[0].errorCode;
  assert.equal(await deleteGroup(), ErrorCode.NON_EMPTY_GROUP);
  await heartbeat({ groupId: 'deletable', memberId: 'd1', memberEpoch: -1 });
  assert.equal((await describe('deletable')).groupState, 'Empty');
  assert.equal(m.memberEpoch, 1);
  assert.equal(await deleteGroup(), ErrorCode.NONE);
  assert.equal((await describe('deletable')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  // The id is free for either protocol again.
  assert.equal((await joinAs('deletable', 'd2', ['plain'])).memberEpoch, 1);
});

test('consumer groups are records in __consumer_offsets, replayed after a restart', async () => {
  const dir = tempDir('samsa-kip848-');
  try {
    const first = await startTestBroker({ dataDir: dir.dir, clock: new ManualClock(5_000) });
    await createTopic('durable', 3, first.port);
    const h = (body: Hb) => heartbeat(body, 1, first.port);
    const j1 = await h({ groupId: 'durable-g', memberId: 'da', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['durable'], topicPartitions: [] });
    const j2 = await h({ groupId: 'durable-g', memberId: 'db', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['durable'], topicPartitions: [], instanceId: 'db-inst', serverAssignor: 'range' });
    await h({ groupId: 'durable-g', memberId: 'da', memberEpoch: j1.memberEpoch, topicPartitions: asOwnedOn(first, ['durable:0', 'durable:1', 'durable:2']) });
    assert.equal(j2.errorCode, ErrorCode.NONE);
    const before = await describe('durable-g', first.port);
    await first.close();
    const second = await startTestBroker({ dataDir: dir.dir, clock: new ManualClock(5_000) });
    try {
      const replayed = await describe('durable-g', second.port);
      assert.deepEqual(replayed, before);
      assert.equal(replayed.members.length, 2);
      assert.deepEqual(second.broker.groups.listGroups().find((g) => g.groupId === 'durable-g')?.groupType, 'consumer');
    } finally {
      await second.close();
    }
  } finally {
    dir.remove();
  }
});

function asOwnedOn(b: RunningBroker, tps: string[]) {
  return tps.map((tp) => tp.split(':')).map(([t, p]) => ({ topicId: b.broker.topics.get(t)!.id, partitions: [Number(p)] }));
}

test('ConsumerGroupDescribe gives the caller\'s operations on the group only when includeAuthorizedOperations asks', async () => {
  await joinAs('ops-g', 'member-ops', ['plain']);
  const unasked = await describe('ops-g');
  assert.equal(unasked.authorizedOperations, -2147483648);
  const asked = (await callApi(port, ConsumerGroupDescribeApi, 1, { groupIds: ['ops-g'], includeAuthorizedOperations: true })).groups[0];
  assert.equal(asked.errorCode, ErrorCode.NONE);
  // Kafka's group operations without an authorizer: READ (3), DELETE (6), DESCRIBE (8), DESCRIBE_CONFIGS (10) and
  // ALTER_CONFIGS (11), as bits.
  assert.equal(asked.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11));
});
