/**
 * The group coordinator's state machine, without sockets: joins, syncs, heartbeats, timeouts (on a ManualClock,
 * so no test waits on the clock), static membership, offsets, admin, and replay of its log after a restart.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ManualClock } from '../../src/clock.js';
import { GroupCoordinator, type GroupSettings, type JoinGroupParams } from '../../src/coordinator/group/index.js';
import { MemoryKeyValueLog, type KeyValueRecord } from '../../src/log/key-value-log.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { Writer } from '../../src/protocol/writer.js';

const G = 'group';
const SESSION = 10_000;
const REBALANCE = 30_000;

/** Resolves on the next macrotask: every settled promise has run its callbacks. */
const flush = () => new Promise<void>((r) => setImmediate(r));

/** The value of a promise if it has settled, else 'pending'. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, flush().then(() => 'pending' as const)]);
}

/** A coordinator on a ManualClock; pass the `clock` of a previous one to restart over the same log and time. */
function setup(t: TestContext, { log = new MemoryKeyValueLog(), settings = {}, clock = new ManualClock(1_700_000_000_000) }: { log?: MemoryKeyValueLog; settings?: Partial<GroupSettings>; clock?: ManualClock } = {}) {
  const gc = new GroupCoordinator({
    log, logger: pino({ level: 'silent' }), settings, clock,
    partitionExists: (topic, partition) => topic !== 'missing' && partition >= 0 && partition < 6,
  });
  t.after(() => gc.close());
  return { gc, log, clock };
}

/** A consumer-protocol subscription v0: int16 version, [string] topics, nullable bytes user data. */
function consumerSubscription(topics: string[]): Buffer {
  const w = new Writer();
  w.int16(0);
  w.array(topics, false, (x) => w.string(x, false));
  w.int32(-1);
  return w.toBuffer();
}

function params(over: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: G, memberId: '', groupInstanceId: null, clientId: 'client', clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION, rebalanceTimeoutMs: REBALANCE, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: consumerSubscription(['t1']) }], requireKnownMemberId: false, ...over,
  };
}

/** n new members join and sync: generation 1 for one member, 2 for more (the first completes alone, then rejoins). */
async function stableGroupOf(gc: GroupCoordinator, n: number) {
  const joins = Array.from({ length: n }, (_, i) => gc.joinGroup(params({ clientId: `c${i}` })));
  const first = await joins[0];
  if (n > 1) joins[0] = gc.joinGroup(params({ memberId: first.memberId }));
  const results = await Promise.all(joins);
  const leader = results.find((r) => r.leader === r.memberId)!;
  const syncs = results.map((r) => gc.syncGroup({
    groupId: G, generationId: r.generationId, memberId: r.memberId, groupInstanceId: null,
    assignments: r === leader ? results.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(`a-${m.memberId}`) })) : [],
  }));
  const synced = await Promise.all(syncs);
  assert.deepEqual(synced.map((s) => s.errorCode), results.map(() => ErrorCode.NONE));
  return results;
}

test('a first v4+ join gets MEMBER_ID_REQUIRED, then joins as leader of generation 1 and syncs to Stable', async (t) => {
  const { gc } = setup(t);
  const first = await gc.joinGroup(params({ requireKnownMemberId: true }));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^client-[0-9a-f-]{36}$/);
  assert.equal(gc.stateOf(G), 'Empty');
  const joined = await gc.joinGroup(params({ memberId: first.memberId, requireKnownMemberId: true }));
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leader, first.memberId);
  assert.equal(joined.protocolName, 'range');
  assert.deepEqual(joined.members.map((m) => m.memberId), [first.memberId]);
  assert.equal(gc.stateOf(G), 'CompletingRebalance');
  const sync = await gc.syncGroup({ groupId: G, generationId: 1, memberId: joined.memberId, groupInstanceId: null, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('mine') }] });
  assert.deepEqual(sync, { errorCode: ErrorCode.NONE, assignment: Buffer.from('mine') });
  assert.equal(gc.stateOf(G), 'Stable');
  const d = gc.describeGroup(G);
  assert.equal(d.groupState, 'Stable');
  assert.equal(d.protocolType, 'consumer');
  assert.equal(d.protocolData, 'range');
  assert.deepEqual(d.members.map((m) => [m.clientId, m.clientHost, m.memberAssignment.toString()]), [['client', '/127.0.0.1', 'mine']]);
  assert.deepEqual(gc.listGroups(), [{ groupId: G, protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }]);
});

test('pre-v4 first joins get a member id at once (kafka-python JoinGroup v2)', async (t) => {
  const { gc } = setup(t);
  const joined = await gc.joinGroup(params());
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.notEqual(joined.memberId, '');
});

test('a second member rebalances the group; only the leader gets the member list; followers wait for the leader', async (t) => {
  const { gc } = setup(t);
  const [a] = await stableGroupOf(gc, 1);
  const bJoin = gc.joinGroup(params({ clientId: 'b' }));
  assert.equal(await peek(bJoin), 'pending', 'B waits until A rejoins');
  assert.equal(gc.stateOf(G), 'PreparingRebalance');
  assert.equal(gc.heartbeat({ groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
  const aJoin = await gc.joinGroup(params({ memberId: a.memberId }));
  const b = await bJoin;
  assert.equal(aJoin.generationId, 2);
  assert.equal(b.generationId, 2);
  assert.equal(aJoin.leader, a.memberId);
  assert.equal(b.leader, a.memberId);
  assert.deepEqual(aJoin.members.map((m) => m.memberId).sort(), [a.memberId, b.memberId].sort());
  assert.deepEqual(b.members, []);
  const bSync = gc.syncGroup({ groupId: G, generationId: 2, memberId: b.memberId, groupInstanceId: null, assignments: [] });
  assert.equal(await peek(bSync), 'pending', 'a follower waits for the leader assignment');
  const aSync = await gc.syncGroup({ groupId: G, generationId: 2, memberId: a.memberId, groupInstanceId: null, assignments: [
    { memberId: a.memberId, assignment: Buffer.from('p0,p1,p2') }, { memberId: b.memberId, assignment: Buffer.from('p3,p4,p5') },
  ] });
  assert.equal(aSync.assignment.toString(), 'p0,p1,p2');
  assert.equal((await bSync).assignment.toString(), 'p3,p4,p5');
  assert.equal(gc.stateOf(G), 'Stable');
  // A sync in a Stable group (e.g. retried) answers the stored assignment at once.
  assert.equal((await gc.syncGroup({ groupId: G, generationId: 2, memberId: b.memberId, groupInstanceId: null, assignments: [] })).assignment.toString(), 'p3,p4,p5');
});

test('a follower rejoining a Stable group with unchanged metadata gets the current generation without a rebalance', async (t) => {
  const { gc } = setup(t);
  const [, b] = await stableGroupOf(gc, 2);
  const again = await gc.joinGroup(params({ memberId: b.memberId }));
  assert.equal(again.errorCode, ErrorCode.NONE);
  assert.equal(again.generationId, b.generationId);
  assert.equal(gc.stateOf(G), 'Stable');
  const changed = gc.joinGroup(params({ memberId: b.memberId, protocols: [{ name: 'range', metadata: consumerSubscription(['t1', 't2']) }] }));
  assert.equal(await peek(changed), 'pending');
  assert.equal(gc.stateOf(G), 'PreparingRebalance', 'a changed subscription rebalances');
});

test('protocol selection: only protocols every member supports; the most preferred wins', async (t) => {
  const { gc } = setup(t);
  const a = await gc.joinGroup(params({ protocols: [{ name: 'cooperative-sticky', metadata: Buffer.from('a') }, { name: 'range', metadata: Buffer.from('a') }] }));
  assert.equal(a.protocolName, 'cooperative-sticky');
  const bJoin = gc.joinGroup(params({ protocols: [{ name: 'roundrobin', metadata: Buffer.from('b') }, { name: 'range', metadata: Buffer.from('b') }] }));
  const aAgain = await gc.joinGroup(params({ memberId: a.memberId, protocols: [{ name: 'cooperative-sticky', metadata: Buffer.from('a') }, { name: 'range', metadata: Buffer.from('a') }] }));
  assert.equal(aAgain.protocolName, 'range');
  assert.equal((await bJoin).protocolName, 'range');
  assert.deepEqual(aAgain.members.map((m) => m.metadata.toString()).sort(), ['a', 'b'], 'the leader sees each member\'s metadata for the chosen protocol');
});

test('bad joins: inconsistent protocols, session timeouts out of range, empty group id, unknown members', async (t) => {
  const { gc } = setup(t);
  const code = async (over: Partial<JoinGroupParams>) => (await gc.joinGroup(params(over))).errorCode;
  assert.equal(await code({ groupId: '' }), ErrorCode.INVALID_GROUP_ID);
  assert.equal(await code({ sessionTimeoutMs: 999 }), ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal(await code({ sessionTimeoutMs: 1_800_001 }), ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal(await code({ protocols: [] }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(await code({ protocolType: '' }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(await code({ memberId: 'nobody' }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(gc.stateOf(G), 'Dead', 'failed joins create no group');
  await stableGroupOf(gc, 1);
  assert.equal(await code({ protocolType: 'connect' }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(await code({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal(await code({ memberId: 'nobody' }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(gc.stateOf(G), 'Stable', 'no bad join disturbs the group');
});

test('heartbeat, sync and leave errors: unknown group, unknown member, old generation', async (t) => {
  const { gc } = setup(t);
  assert.equal(gc.heartbeat({ groupId: 'nope', generationId: 1, memberId: 'm', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(gc.heartbeat({ groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null }), ErrorCode.INVALID_GROUP_ID);
  assert.equal(await gc.leaveGroup('nope', 'm'), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await gc.syncGroup({ groupId: 'nope', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const [a, b] = await stableGroupOf(gc, 2);
  assert.equal(gc.heartbeat({ groupId: G, generationId: b.generationId, memberId: 'stranger', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(gc.heartbeat({ groupId: G, generationId: b.generationId - 1, memberId: b.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(gc.heartbeat({ groupId: G, generationId: b.generationId, memberId: b.memberId, groupInstanceId: null }), ErrorCode.NONE);
  assert.equal((await gc.syncGroup({ groupId: G, generationId: 99, memberId: a.memberId, groupInstanceId: null, assignments: [] })).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal(await gc.leaveGroup(G, 'stranger'), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('race: heartbeat from an old generation after a rebalance gets ILLEGAL_GENERATION, the current one goes on', async (t) => {
  const { gc } = setup(t);
  const [a] = await stableGroupOf(gc, 1);
  const bJoin = gc.joinGroup(params({ clientId: 'b' }));
  const a2 = await gc.joinGroup(params({ memberId: a.memberId }));
  await bJoin;
  assert.equal(a2.generationId, 2);
  assert.equal(gc.heartbeat({ groupId: G, generationId: 1, memberId: a.memberId, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION);
  // Between join and sync (CompletingRebalance) a heartbeat of the new generation is fine.
  assert.equal(gc.heartbeat({ groupId: G, generationId: 2, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NONE);
});

test('race: a join during the sync phase answers waiting syncs REBALANCE_IN_PROGRESS and a late leader sync too', async (t) => {
  const { gc } = setup(t);
  const [a] = await stableGroupOf(gc, 1);
  const bJoin = gc.joinGroup(params({ clientId: 'b' }));
  await gc.joinGroup(params({ memberId: a.memberId }));
  const b = await bJoin;
  const bSync = gc.syncGroup({ groupId: G, generationId: 2, memberId: b.memberId, groupInstanceId: null, assignments: [] });
  assert.equal(await peek(bSync), 'pending');
  const cJoin = gc.joinGroup(params({ clientId: 'c' }));
  assert.equal((await bSync).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const late = await gc.syncGroup({ groupId: G, generationId: 2, memberId: a.memberId, groupInstanceId: null, assignments: [{ memberId: a.memberId, assignment: Buffer.from('x') }] });
  assert.equal(late.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  // Everyone rejoins: generation 3 with three members.
  const [ra, rb, rc] = await Promise.all([gc.joinGroup(params({ memberId: a.memberId })), gc.joinGroup(params({ memberId: b.memberId })), cJoin]);
  assert.deepEqual([ra.generationId, rb.generationId, rc.generationId], [3, 3, 3]);
  assert.equal(ra.members.length, 3);
});

test('race: a join while the leader assignment is being stored discards that assignment', async (t) => {
  const log = new GatedLog();
  const { gc } = setup(t, { log });
  const first = await gc.joinGroup(params());
  log.close();
  const sync = gc.syncGroup({ groupId: G, generationId: 1, memberId: first.memberId, groupInstanceId: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('old') }] });
  const bJoin = gc.joinGroup(params({ clientId: 'b' }));
  assert.equal((await sync).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  log.open();
  await flush();
  assert.equal(gc.stateOf(G), 'PreparingRebalance', 'the stale assignment did not make the group Stable');
  const again = await gc.joinGroup(params({ memberId: first.memberId }));
  assert.equal(again.generationId, 2);
  assert.equal((await bJoin).generationId, 2);
});

test('a member whose session expires is removed and the others rebalance without it', async (t) => {
  const { gc, clock } = setup(t);
  const [a, b] = await stableGroupOf(gc, 2);
  for (let i = 0; i < 4; i++) {
    await clock.advance(SESSION / 2);
    assert.equal(gc.heartbeat({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null }), i < 1 ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS);
  }
  assert.equal(gc.heartbeat({ groupId: G, generationId: b.generationId, memberId: b.memberId, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
  const alone = await gc.joinGroup(params({ memberId: a.memberId }));
  assert.equal(alone.generationId, a.generationId + 1);
  assert.deepEqual(alone.members.map((m) => m.memberId), [a.memberId]);
});

test('members that do not rejoin within the rebalance timeout are dropped; a member blocked in JoinGroup stays alive', async (t) => {
  const { gc, clock } = setup(t);
  const [a, b] = await stableGroupOf(gc, 2);
  const leaderId = a.leader;
  const other = leaderId === a.memberId ? b : a;
  const rejoin = gc.joinGroup(params({ memberId: leaderId, sessionTimeoutMs: 5000 }));
  // The other member keeps its session alive with heartbeats, but never rejoins.
  for (let i = 0; i < 7; i++) {
    await clock.advance(4000);
    assert.equal(gc.heartbeat({ groupId: G, generationId: other.generationId, memberId: other.memberId, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
  }
  assert.equal(await peek(rejoin), 'pending', 'the joined leader outlives its 5 s session while it waits');
  await clock.advance(REBALANCE - 28_000);
  const done = await rejoin;
  assert.equal(done.errorCode, ErrorCode.NONE);
  assert.deepEqual(done.members.map((m) => m.memberId), [leaderId]);
  assert.equal(gc.heartbeat({ groupId: G, generationId: other.generationId, memberId: other.memberId, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a leader that never syncs loses its session; the waiting followers are told to rejoin', async (t) => {
  const { gc, clock } = setup(t);
  const [a] = await stableGroupOf(gc, 1);
  const bJoin = gc.joinGroup(params({ clientId: 'b' }));
  await gc.joinGroup(params({ memberId: a.memberId }));
  const b = await bJoin;
  const bSync = gc.syncGroup({ groupId: G, generationId: 2, memberId: b.memberId, groupInstanceId: null, assignments: [] });
  await clock.advance(SESSION + 1);
  assert.equal((await bSync).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const alone = await gc.joinGroup(params({ memberId: b.memberId }));
  assert.equal(alone.leader, b.memberId, 'a remaining member becomes leader');
});

test('leaving: the group rebalances; the last member leaving makes it Empty (offsets kept, generation bumped)', async (t) => {
  const { gc } = setup(t);
  const [a, b] = await stableGroupOf(gc, 2);
  await gc.offsetCommit({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  assert.equal(await gc.leaveGroup(G, b.memberId), ErrorCode.NONE);
  assert.equal(gc.stateOf(G), 'PreparingRebalance');
  const a2 = await gc.joinGroup(params({ memberId: a.memberId }));
  assert.equal(a2.members.length, 1);
  assert.equal(await gc.leaveGroup(G, a.memberId), ErrorCode.NONE);
  assert.equal(gc.stateOf(G), 'Empty');
  assert.equal(gc.describeGroup(G).members.length, 0);
  assert.equal(gc.offsetFetch(G, [{ name: 't1', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset, 5);
  const next = await gc.joinGroup(params());
  assert.equal(next.generationId, a2.generationId + 2, 'Empty counted as a generation, as in Kafka');
});

test('a pending MEMBER_ID_REQUIRED member that leaves or never returns does not hold up the rebalance', async (t) => {
  const { gc, clock } = setup(t);
  const [a] = await stableGroupOf(gc, 1);
  const pending = await gc.joinGroup(params({ requireKnownMemberId: true }));
  assert.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const other = gc.joinGroup(params({ clientId: 'b' }));
  const rejoin = gc.joinGroup(params({ memberId: a.memberId }));
  assert.equal(await peek(rejoin), 'pending', 'Kafka waits for outstanding member ids');
  await clock.advance(SESSION + 1);
  assert.equal((await rejoin).generationId, 2);
  assert.equal((await other).generationId, 2);
});

test('group.initial.rebalance.delay.ms: a new group waits for more members, extending while they arrive', async (t) => {
  const { gc, clock } = setup(t, { settings: { initialRebalanceDelayMs: 3000 } });
  const a = gc.joinGroup(params({ clientId: 'a' }));
  await clock.advance(2000);
  const b = gc.joinGroup(params({ clientId: 'b' }));
  await clock.advance(1000);
  assert.equal(await peek(a), 'pending', 'a member arrived in the first window: wait another');
  await clock.advance(2999);
  assert.equal(await peek(a), 'pending');
  await clock.advance(1);
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(ra.generationId, 1);
  assert.equal(rb.generationId, 1);
  assert.equal(ra.members.length + rb.members.length, 2);
});

test('with the default delay of 0 the first member of a new group is answered at once', async (t) => {
  const { gc } = setup(t);
  assert.notEqual(await peek(gc.joinGroup(params())), 'pending');
});

test('a duplicate join while one is waiting: both requests get the final answer', async (t) => {
  const { gc } = setup(t);
  const [a, b] = await stableGroupOf(gc, 2);
  const cJoin = gc.joinGroup(params({ clientId: 'c' }));
  const a1 = gc.joinGroup(params({ memberId: a.memberId }));
  const a2 = gc.joinGroup(params({ memberId: a.memberId }));
  assert.equal(await peek(a2), 'pending', 'B has not rejoined yet');
  await gc.joinGroup(params({ memberId: b.memberId }));
  const [r1, r2] = await Promise.all([a1, a2]);
  assert.deepEqual(r1, r2);
  assert.equal(r1.generationId, 3);
  assert.equal(r1.members.length, 3);
  assert.equal((await cJoin).generationId, 3);
});

test('static membership: a restarted static member takes its place without a rebalance; its old id is fenced', async (t) => {
  const { gc } = setup(t);
  const staticJoin = (memberId = '') => gc.joinGroup(params({ memberId, groupInstanceId: 'instance-1', clientId: 's' }));
  const s = await staticJoin();
  assert.match(s.memberId, /^instance-1-/);
  const dJoin = gc.joinGroup(params({ clientId: 'd' }));
  const s1 = await staticJoin(s.memberId);
  const d = await dJoin;
  await Promise.all([
    gc.syncGroup({ groupId: G, generationId: s1.generationId, memberId: s.memberId, groupInstanceId: 'instance-1', assignments: [
      { memberId: s.memberId, assignment: Buffer.from('static-part') }, { memberId: d.memberId, assignment: Buffer.from('dynamic-part') },
    ] }),
    gc.syncGroup({ groupId: G, generationId: d.generationId, memberId: d.memberId, groupInstanceId: null, assignments: [] }),
  ]);
  assert.equal(gc.stateOf(G), 'Stable');
  // The static member restarts: joins with no member id but its instance id.
  const restarted = await staticJoin();
  assert.equal(restarted.errorCode, ErrorCode.NONE);
  assert.notEqual(restarted.memberId, s.memberId);
  assert.equal(restarted.generationId, s1.generationId, 'no new generation');
  assert.equal(restarted.leader, s.memberId, 'the old leader id, so the restarted leader does not reassign');
  assert.deepEqual(restarted.members, []);
  assert.equal(gc.stateOf(G), 'Stable');
  const sync = await gc.syncGroup({ groupId: G, generationId: restarted.generationId, memberId: restarted.memberId, groupInstanceId: 'instance-1', assignments: [] });
  assert.equal(sync.assignment.toString(), 'static-part');
  assert.equal(gc.heartbeat({ groupId: G, generationId: d.generationId, memberId: d.memberId, groupInstanceId: null }), ErrorCode.NONE, 'the other member saw no rebalance');
  assert.equal(gc.heartbeat({ groupId: G, generationId: restarted.generationId, memberId: s.memberId, groupInstanceId: 'instance-1' }), ErrorCode.FENCED_INSTANCE_ID);
  const commit = await gc.offsetCommit({ groupId: G, generationId: restarted.generationId, memberId: s.memberId, groupInstanceId: 'instance-1', retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  assert.equal(commit[0].partitions[0].errorCode, ErrorCode.FENCED_INSTANCE_ID);
});

test('offsets: member commits, standalone commits, metadata round trip, null topics = all, per-partition errors', async (t) => {
  const { gc } = setup(t);
  const part = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = null) => ({ partitionIndex, committedOffset, committedLeaderEpoch: 3, committedMetadata });
  // Standalone: generation -1, no group yet (kafkajs admin.setOffsets / assign()-style consumers).
  const standalone = await gc.offsetCommit({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [
    { name: 't1', partitions: [part(0, 10, 'hello'), part(1, 11), part(7, 1)] },
    { name: 'missing', partitions: [part(0, 1)] },
  ] });
  assert.deepEqual(standalone.map((x) => x.partitions.map((p) => p.errorCode)), [[0, 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  const fetched = gc.offsetFetch('simple', [{ name: 't1', partitionIndexes: [0, 1, 2] }, { name: 'other', partitionIndexes: [0] }]);
  assert.deepEqual(fetched.topics, [
    { name: 't1', partitions: [
      { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 3, metadata: 'hello', errorCode: 0 },
      { partitionIndex: 1, committedOffset: 11, committedLeaderEpoch: 3, metadata: '', errorCode: 0 },
      { partitionIndex: 2, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ] },
    { name: 'other', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
  ]);
  assert.deepEqual(gc.offsetFetch('simple', null).topics.map((x) => [x.name, x.partitions.map((p) => p.committedOffset)]), [['t1', [10, 11]]]);
  assert.deepEqual(gc.offsetFetch('unknown-group', null), { errorCode: 0, topics: [] });
  assert.deepEqual(gc.listGroups(), [{ groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
  const tooBig = await gc.offsetCommit({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [part(0, 99, 'x'.repeat(4097))] }] });
  assert.equal(tooBig[0].partitions[0].errorCode, ErrorCode.OFFSET_METADATA_TOO_LARGE);
  assert.equal(gc.offsetFetch('simple', [{ name: 't1', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset, 10);
  // Group members: generation and member checks.
  const noGroup = await gc.offsetCommit({ groupId: G, generationId: 1, memberId: 'm', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [part(0, 1)] }] });
  assert.equal(noGroup[0].partitions[0].errorCode, ErrorCode.ILLEGAL_GENERATION);
  const [a] = await stableGroupOf(gc, 1);
  const commit = (generationId: number, memberId: string) => gc.offsetCommit({ groupId: G, generationId, memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [part(0, 42, 'meta')] }] })
    .then((r) => r[0].partitions[0].errorCode);
  assert.equal(await commit(a.generationId, 'stranger'), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(await commit(a.generationId + 1, a.memberId), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(await commit(-1, ''), ErrorCode.UNKNOWN_MEMBER_ID, 'standalone commits to a group with members are refused');
  assert.equal(await commit(a.generationId, a.memberId), ErrorCode.NONE);
  const bJoin = gc.joinGroup(params({ clientId: 'b' }));
  assert.equal(await commit(a.generationId, a.memberId), ErrorCode.NONE, 'allowed while preparing a rebalance (commit before rejoin)');
  const a2 = await gc.joinGroup(params({ memberId: a.memberId }));
  await bJoin;
  assert.equal(await commit(a2.generationId, a.memberId), ErrorCode.REBALANCE_IN_PROGRESS, 'refused between join and sync');
  assert.deepEqual(gc.offsetFetch(G, null).topics, [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, metadata: 'meta', errorCode: 0 }] }]);
});

test('commitOffsets (transactions) makes offsets visible without membership checks', async (t) => {
  const { gc, log } = setup(t);
  await gc.commitOffsets('txn-group', [{ topic: 't1', partition: 2, offset: 77, leaderEpoch: -1, metadata: null }]);
  assert.equal(gc.offsetFetch('txn-group', [{ name: 't1', partitionIndexes: [2] }]).topics[0].partitions[0].committedOffset, 77);
  const failing = new GroupCoordinator({ log: new FailingLog(), logger: pino({ level: 'silent' }), partitionExists: () => true });
  t.after(() => failing.close());
  await assert.rejects(failing.commitOffsets('g', [{ topic: 't1', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }]));
  assert.ok([...log.replay()].length > 0);
});

test('a log that refuses writes: commits fail retriably and nothing is applied, the group does not get stuck', async (t) => {
  const log = new FailingLog();
  const { gc } = setup(t, { log });
  const r = await gc.offsetCommit({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  assert.equal(r[0].partitions[0].errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal(gc.offsetFetch('simple', [{ name: 't1', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset, -1);
  const a = await gc.joinGroup(params());
  const sync = await gc.syncGroup({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, assignments: [] });
  assert.equal(sync.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal(gc.stateOf(G), 'PreparingRebalance');
  assert.equal((await gc.joinGroup(params({ memberId: a.memberId }))).errorCode, ErrorCode.NONE, 'the member can rejoin');
});

test('DeleteGroups: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown, else gone with its offsets', async (t) => {
  const { gc, log, clock } = setup(t);
  assert.equal(await gc.deleteGroup('nope'), ErrorCode.GROUP_ID_NOT_FOUND);
  const [a] = await stableGroupOf(gc, 1);
  await gc.offsetCommit({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  assert.equal(await gc.deleteGroup(G), ErrorCode.NON_EMPTY_GROUP);
  await gc.leaveGroup(G, a.memberId);
  assert.equal(await gc.deleteGroup(G), ErrorCode.NONE);
  assert.equal(gc.describeGroup(G).groupState, 'Dead');
  assert.deepEqual(gc.listGroups(), []);
  assert.deepEqual(gc.offsetFetch(G, null).topics, []);
  gc.close();
  const again = setup(t, { log, clock }).gc;
  assert.deepEqual(again.listGroups(), [], 'the deletion survives a restart');
});

test('OffsetDelete: an Empty group loses any offsets; an active consumer group only those of unsubscribed topics', async (t) => {
  const { gc } = setup(t);
  assert.equal((await gc.offsetDelete('nope', [])).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const [a] = await stableGroupOf(gc, 1);
  const one = (name: string, partitionIndex = 0) => ({ name, partitions: [{ partitionIndex, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: null }] });
  await gc.offsetCommit({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [one('t1'), one('t2')] });
  const active = await gc.offsetDelete(G, [{ name: 't1', partitions: [{ partitionIndex: 0 }] }, { name: 't2', partitions: [{ partitionIndex: 0 }] }, { name: 'missing', partitions: [{ partitionIndex: 0 }] }]);
  assert.equal(active.errorCode, ErrorCode.NONE);
  assert.deepEqual(active.topics.map((x) => x.partitions[0].errorCode), [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.deepEqual(gc.offsetFetch(G, null).topics.map((x) => x.name), ['t1']);
  await gc.leaveGroup(G, a.memberId);
  const empty = await gc.offsetDelete(G, [{ name: 't1', partitions: [{ partitionIndex: 0 }] }]);
  assert.deepEqual(empty.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  assert.equal(gc.stateOf(G), 'Dead', 'an Empty group without offsets is removed');
  // Non-consumer groups with members: nothing can be deleted.
  const connect = await gc.joinGroup(params({ groupId: 'connect', protocolType: 'connect' }));
  await gc.syncGroup({ groupId: 'connect', generationId: connect.generationId, memberId: connect.memberId, groupInstanceId: null, assignments: [] });
  assert.equal((await gc.offsetDelete('connect', [{ name: 't1', partitions: [{ partitionIndex: 0 }] }])).errorCode, ErrorCode.NON_EMPTY_GROUP);
});

test('offsets of an Empty group expire offsets.retention after it became empty; groups with members keep theirs', async (t) => {
  const retention = 60 * 60_000;
  const { gc, clock } = setup(t, { settings: { offsetsRetentionMs: retention, offsetsRetentionCheckIntervalMs: 60_000 } });
  const one = { name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] };
  const [a] = await stableGroupOf(gc, 1);
  await gc.offsetCommit({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [one] });
  await gc.offsetCommit({ groupId: 'active', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [one] });
  const b = await gc.joinGroup(params({ groupId: 'active', sessionTimeoutMs: 1_800_000 }));
  await gc.syncGroup({ groupId: 'active', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null, assignments: [] });
  // G's member keeps heartbeating for two retention periods: nothing expires.
  for (let i = 0; i < 2 * retention / 5000; i++) {
    await clock.advance(5000);
    gc.heartbeat({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null });
    if (i % 300 === 0) gc.heartbeat({ groupId: 'active', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null });
  }
  await flush();
  assert.equal(gc.offsetFetch(G, null).topics.length, 1);
  await gc.leaveGroup(G, a.memberId);
  await clock.advance(retention - 60_000);
  await flush();
  assert.equal(gc.offsetFetch(G, null).topics.length, 1, 'not yet: counted from when the group became empty');
  await clock.advance(120_000);
  await flush();
  assert.equal(gc.offsetFetch(G, null).topics.length, 0);
  assert.equal(gc.stateOf(G), 'Dead');
  assert.equal(gc.offsetFetch('active', null).topics.length, 1, 'a group with members keeps its offsets');
});

test('restart: offsets and groups are rebuilt by replaying the log; loaded members expire unless they come back', async (t) => {
  const log = new MemoryKeyValueLog();
  const { gc, clock } = setup(t, { log });
  const [a, b] = await stableGroupOf(gc, 2);
  await gc.offsetCommit({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 3, committedOffset: 1234, committedLeaderEpoch: 2, committedMetadata: 'kept' }] }] });
  await gc.offsetCommit({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  const before = gc.describeGroup(G);
  gc.close();
  const restarted = setup(t, { log, clock }).gc;
  assert.deepEqual(restarted.offsetFetch(G, null).topics, [{ name: 't1', partitions: [{ partitionIndex: 3, committedOffset: 1234, committedLeaderEpoch: 2, metadata: 'kept', errorCode: 0 }] }]);
  assert.deepEqual(restarted.offsetFetch('simple', null).topics[0].partitions[0].committedOffset, 7);
  assert.deepEqual(restarted.describeGroup(G), before, 'the Stable group with its members and assignments');
  assert.deepEqual(restarted.listGroups().map((g) => g.groupId).sort(), [G, 'simple']);
  await clock.advance(SESSION / 2);
  assert.equal(restarted.heartbeat({ groupId: G, generationId: a.generationId, memberId: b.memberId, groupInstanceId: null }), ErrorCode.NONE, 'members resume after a broker restart');
  await clock.advance(SESSION / 2 + 1);
  assert.equal(restarted.stateOf(G), 'PreparingRebalance', 'A never came back: its session expired');
});

test('records: Kafka\'s __consumer_offsets layout, byte for byte', async () => {
  const rec = await import('../../src/coordinator/group/records.js');
  // key v1: int16 1, "g", "t", int32 5
  assert.deepEqual(rec.encodeOffsetKey('g', 't', 5), Buffer.from([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 5]));
  assert.deepEqual(rec.encodeGroupKey('g'), Buffer.from([0, 2, 0, 1, 0x67]));
  const v3 = rec.encodeOffsetValue({ offset: 1, leaderEpoch: 2, metadata: 'm', commitTimestamp: 3, expireTimestamp: -1 });
  assert.deepEqual(v3, Buffer.from([0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0x6d, 0, 0, 0, 0, 0, 0, 0, 3]));
  assert.deepEqual(rec.decodeOffsetValue(v3), { offset: 1, leaderEpoch: 2, metadata: 'm', commitTimestamp: 3, expireTimestamp: -1 });
  const v1 = rec.encodeOffsetValue({ offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 3, expireTimestamp: 9 });
  assert.deepEqual(rec.decodeOffsetValue(v1), { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 3, expireTimestamp: 9 });
  const group = { protocolType: 'consumer', generationId: 4, protocolName: 'range', leaderId: 'm1', currentStateTimestamp: 5, members: [
    { memberId: 'm1', groupInstanceId: 'i', clientId: 'c', clientHost: '/h', rebalanceTimeoutMs: 6, sessionTimeoutMs: 7, subscription: Buffer.from('s'), assignment: Buffer.from('a') },
  ] };
  assert.deepEqual(rec.decodeGroupValue(rec.encodeGroupValue(group)), group);
  assert.deepEqual(rec.decodeKey(rec.encodeOffsetKey('g', 't', 5)), { kind: 'offset', group: 'g', topic: 't', partition: 5 });
  assert.equal(rec.decodeKey(Buffer.from([0, 9])), null, 'unknown key versions are skipped');
  assert.deepEqual(rec.subscribedTopics(consumerSubscription(['a', 'b'])), ['a', 'b']);
  assert.equal(rec.subscribedTopics(Buffer.from([1])), null);
});

test('unreadable records in the log are skipped on replay, not fatal', (t) => {
  const log = new MemoryKeyValueLog();
  void log.append([{ key: Buffer.from([0, 1, 0]), value: Buffer.from('junk') }, { key: Buffer.from([0, 2, 0, 1, 0x67]), value: Buffer.from([0, 3]) }]);
  const { gc } = setup(t, { log });
  assert.deepEqual(gc.listGroups(), []);
});

test('close answers waiting joins NOT_COORDINATOR', async (t) => {
  const { gc } = setup(t);
  const [a] = await stableGroupOf(gc, 1);
  const waiting = gc.joinGroup(params({ clientId: 'b' }));
  gc.close();
  assert.equal((await waiting).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(gc.heartbeat({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null }), ErrorCode.NOT_COORDINATOR);
});

test('a crash mid-rebalance: the restarted coordinator has the last settled generation, its members and assignments', async (t) => {
  const log = new MemoryKeyValueLog();
  const { gc, clock } = setup(t, { log });
  const [a, b] = await stableGroupOf(gc, 2);
  const settled = gc.describeGroup(G);
  // C joins, A and B rejoin: generation 3 is between join and sync when the broker dies (no close: a kill -9).
  const joins = [gc.joinGroup(params({ clientId: 'c' })), gc.joinGroup(params({ memberId: a.memberId })), gc.joinGroup(params({ memberId: b.memberId }))];
  const [c] = await Promise.all(joins);
  assert.equal(gc.stateOf(G), 'CompletingRebalance');
  assert.equal(gc.generationOf(G), a.generationId + 1);

  const restarted = setup(t, { log, clock }).gc;
  assert.equal(restarted.stateOf(G), 'Stable');
  assert.equal(restarted.generationOf(G), a.generationId, 'the generation the leader\'s assignment was stored for');
  assert.deepEqual(restarted.describeGroup(G), settled, 'its members, protocol and assignments');
  const beat = (memberId: string, generationId: number) => restarted.heartbeat({ groupId: G, generationId, memberId, groupInstanceId: null });
  assert.equal(beat(a.memberId, a.generationId), ErrorCode.NONE, 'a member of the settled generation carries on');
  assert.equal(beat(b.memberId, a.generationId + 1), ErrorCode.ILLEGAL_GENERATION, 'the lost generation is refused: the member rejoins');
  assert.equal(beat(c.memberId, a.generationId + 1), ErrorCode.UNKNOWN_MEMBER_ID, 'C never was in a settled generation');
  // B rejoins with its id (a follower, same metadata): the settled generation and its stored assignment.
  const again = await restarted.joinGroup(params({ memberId: b.memberId }));
  assert.equal(again.generationId, a.generationId);
  const sync = await restarted.syncGroup({ groupId: G, generationId: again.generationId, memberId: b.memberId, groupInstanceId: null, assignments: [] });
  assert.equal(sync.assignment.toString(), `a-${b.memberId}`);
});

test('answers wait for their records: a commit, the leader\'s sync and the last leave are answered once written', async (t) => {
  const log = new GatedLog();
  const { gc } = setup(t, { log });
  const first = await gc.joinGroup(params());
  log.close();
  const sync = gc.syncGroup({ groupId: G, generationId: first.generationId, memberId: first.memberId, groupInstanceId: null, assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }] });
  const commit = gc.offsetCommit({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 't1', partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  assert.equal(await peek(sync), 'pending');
  assert.equal(await peek(commit), 'pending');
  assert.equal(gc.stateOf(G), 'CompletingRebalance', 'Stable only once the assignment is written');
  assert.equal(gc.offsetFetch('simple', [{ name: 't1', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset, -1, 'not visible before it is written');
  log.open();
  assert.equal((await sync).assignment.toString(), 'mine');
  assert.equal((await commit)[0].partitions[0].errorCode, ErrorCode.NONE);
  assert.equal(gc.offsetFetch('simple', [{ name: 't1', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset, 3);
  log.close();
  const leave = gc.leaveGroup(G, first.memberId);
  assert.equal(await peek(leave), 'pending', 'the Empty group\'s record is not written yet');
  log.open();
  assert.equal(await leave, ErrorCode.NONE);
  assert.equal(gc.stateOf(G), 'Empty');
  assert.equal(gc.generationOf(G), first.generationId + 1);
});

test('replaying the log gives the live state: settled groups, offsets, deletions, in log order', async (t) => {
  const log = new MemoryKeyValueLog();
  const { gc, clock } = setup(t, { log });
  const [a, b] = await stableGroupOf(gc, 2);
  const part = (offset: number) => [{ name: 't1', partitions: [{ partitionIndex: 1, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }];
  await gc.offsetCommit({ groupId: G, generationId: a.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: part(5) });
  await gc.offsetCommit({ groupId: 'gone', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: part(1) });
  assert.equal(await gc.deleteGroup('gone'), ErrorCode.NONE);
  await gc.leaveGroup(G, b.memberId);
  const rejoined = await gc.joinGroup(params({ memberId: a.memberId }));
  await gc.syncGroup({ groupId: G, generationId: rejoined.generationId, memberId: a.memberId, groupInstanceId: null, assignments: [{ memberId: a.memberId, assignment: Buffer.from('all') }] });
  await gc.offsetCommit({ groupId: G, generationId: rejoined.generationId, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: part(9) });
  const replayed = setup(t, { log, clock }).gc;
  for (const id of [G, 'gone']) {
    assert.deepEqual(replayed.describeGroup(id), gc.describeGroup(id));
    assert.equal(replayed.generationOf(id), gc.generationOf(id));
    assert.deepEqual(replayed.offsetFetch(id, null), gc.offsetFetch(id, null));
  }
  assert.deepEqual(replayed.listGroups(), gc.listGroups());
});

/** A log whose appends wait while it is closed (to hold a write in flight). */
class GatedLog extends MemoryKeyValueLog {
  private gate: Promise<void> | null = null;
  private release: () => void = () => {};
  close(): void { this.gate = new Promise((r) => { this.release = r; }); }
  open(): void { this.gate = null; this.release(); }
  override async append(records: KeyValueRecord[]): Promise<void> {
    if (this.gate) await this.gate;
    return super.append(records);
  }
}

class FailingLog extends MemoryKeyValueLog {
  override async append(): Promise<void> { throw new Error('disk full'); }
}
