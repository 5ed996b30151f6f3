/**
 * Share groups (KIP-932) over raw sockets (test/share/share-consumer.ts), on a ManualClock: records shared by members
 * of one partition, release and lock-timeout redelivery with delivery counts, archiving at the delivery limit, a
 * restart keeping acknowledgements, and the errors of bad input with the state left as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { callApi, kafkaClient, startTestBroker, tempDir } from '../helpers.js';
import { ManualClock } from '../../src/clock.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { AlterShareGroupOffsetsApi, DeleteGroupsApi, IncrementalAlterConfigsApi, ShareAcknowledgeApi, DeleteShareGroupOffsetsApi, DescribeShareGroupOffsetsApi, ListGroupsApi, ShareFetchApi, ShareGroupDescribeApi, ShareGroupHeartbeatApi } from '../../src/protocol/generated/index.js';
import type { RunningBroker } from '../../src/index.js';
import { ACCEPT, REJECT, RELEASE, ShareConsumer, produce } from './share-consumer.js';

async function setup(options: Parameters<typeof startTestBroker>[0] = {}): Promise<{ broker: RunningBroker; clock: ManualClock; topicId: Buffer; member: (group?: string) => Promise<ShareConsumer> }> {
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock, ...options });
  const meta = broker.broker.topics.get('work') ?? broker.broker.createTopic('work', 1);
  const member = async (group = 'g'): Promise<ShareConsumer> => {
    const c = new ShareConsumer(broker.port, group, meta.id, 'work');
    const hb = await c.heartbeat(0);
    assert.equal(hb.errorCode, ErrorCode.NONE);
    return c;
  };
  return { broker, clock, topicId: meta.id, member };
}

const values = (n: number, prefix = 'r'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('three members share one partition and every record is processed exactly once when all accept', async () => {
  const { broker, member } = await setup();
  try {
    const members = [await member(), await member(), await member()];
    for (const m of members) {
      await m.heartbeat();
      const hb = await m.heartbeat();
      assert.deepEqual(hb.assignment?.topicPartitions.map((t) => t.partitions), [[0]], 'each member is assigned the one partition');
      await m.fetch(); // opens the session (and starts the share-partition at the end: empty)
    }
    for (let i = 0; i < 30; i++) await produce(broker, 'work', [`r${i}`]);
    const seen: string[] = [];
    const perMember = members.map(() => 0);
    const pending: Array<Array<{ offset: number; type: number }>> = members.map(() => []);
    for (let round = 0; round < 20; round++) {
      for (const [i, m] of members.entries()) {
        const got = await m.fetch(pending[i], { maxRecords: 4 });
        assert.deepEqual(m.lastErrors()[1], 0);
        pending[i] = got.map((r) => ({ offset: r.offset, type: ACCEPT }));
        for (const r of got) {
          assert.equal(r.deliveryCount, 1);
          seen.push(r.value);
        }
        perMember[i] += got.length;
      }
    }
    for (const [i, m] of members.entries()) await m.acknowledge(pending[i]);
    assert.deepEqual([...seen].sort(), values(30).sort(), 'each record exactly once');
    assert.ok(perMember.every((n) => n > 0), `every member got records: ${perMember}`);
    const state = broker.broker.shares.inFlight('g');
    assert.deepEqual(state.map((s) => [s.startOffset, s.counts.acquired]), [[30, 0]], 'the start offset moved past every accepted record');
  } finally {
    await broker.close();
  }
});

test('a released record is delivered again, to another member, with its delivery count raised', async () => {
  const { broker, member } = await setup();
  try {
    const a = await member();
    const b = await member();
    await a.fetch();
    await b.fetch();
    await produce(broker, 'work', ['only']);
    const first = await a.fetch();
    assert.deepEqual(first.map((r) => [r.value, r.deliveryCount]), [['only', 1]]);
    assert.deepEqual(await b.fetch(), [], 'locked to a');
    const ack = await a.acknowledge([{ offset: first[0].offset, type: RELEASE }]);
    assert.equal(ack.responses[0].partitions[0].errorCode, ErrorCode.NONE);
    const again = await b.fetch();
    assert.deepEqual(again.map((r) => [r.value, r.deliveryCount]), [['only', 2]]);
  } finally {
    await broker.close();
  }
});

test('records of a member that died are delivered again after the lock timeout, delivery count raised', async () => {
  const { broker, clock, member } = await setup({ config: { 'group.share.record.lock.duration.ms': 15000 } });
  try {
    const dead = await member();
    const alive = await member();
    await dead.fetch();
    await alive.fetch();
    await produce(broker, 'work', values(3));
    assert.equal((await dead.fetch()).length, 3);
    assert.equal(dead.last?.acquisitionLockTimeoutMs, 15000);
    assert.deepEqual(await alive.fetch(), []);
    await clock.advance(14999);
    assert.deepEqual(await alive.fetch(), [], 'still locked');
    await clock.advance(1);
    const got = await alive.fetch();
    assert.deepEqual(got.map((r) => [r.value, r.deliveryCount]), [['r0', 2], ['r1', 2], ['r2', 2]]);
    // The dead member's late acknowledgement is refused: it no longer holds them.
    const late = await dead.acknowledge([{ offset: got[0].offset, type: ACCEPT }]);
    assert.equal(late.responses[0].partitions[0].errorCode, ErrorCode.INVALID_RECORD_STATE);
  } finally {
    await broker.close();
  }
});

test('a record released at the delivery count limit is archived, never delivered again; a rejected one at once', async () => {
  const { broker, member } = await setup({ config: { 'group.share.delivery.count.limit': 2 } });
  try {
    const m = await member();
    await m.fetch();
    await produce(broker, 'work', ['poison', 'fine']);
    let got = await m.fetch();
    assert.deepEqual(got.map((r) => r.deliveryCount), [1, 1]);
    got = await m.fetch([{ offset: got[0].offset, type: RELEASE }, { offset: got[1].offset, type: REJECT }]);
    assert.deepEqual(got.map((r) => [r.value, r.deliveryCount]), [['poison', 2]]);
    got = await m.fetch([{ offset: got[0].offset, type: RELEASE }]);
    assert.deepEqual(got, [], 'archived at the limit');
    const [state] = broker.broker.shares.inFlight('g');
    assert.equal(state.startOffset, 2, 'archived records are done');
  } finally {
    await broker.close();
  }
});

test('a restart keeps acknowledged records acknowledged and delivers those in flight again', async () => {
  const dir = tempDir('samsa-share-');
  try {
    let { broker, member } = await setup({ dataDir: dir.dir });
    const m = await member();
    await m.fetch();
    await produce(broker, 'work', values(6));
    const got = await m.fetch([], { maxRecords: 6 });
    assert.equal(got.length, 6);
    // r0, r2 accepted; r4 rejected; r1 released; r3, r5 still held when the broker stops.
    const acked = await m.acknowledge([{ offset: 0, type: ACCEPT }, { offset: 1, type: RELEASE }, { offset: 2, type: ACCEPT }, { offset: 4, type: REJECT }]);
    assert.equal(acked.responses[0].partitions[0].errorCode, ErrorCode.NONE);
    await broker.broker.shares.settled();
    await broker.close();

    const { memberId, memberEpoch } = m;
    ({ broker, member } = await setup({ dataDir: dir.dir }));
    try {
      // The member is still known, at its epoch.
      const back = new ShareConsumer(broker.port, 'g', broker.broker.topics.get('work')!.id, 'work', memberId);
      assert.equal((await back.heartbeat(memberEpoch)).errorCode, ErrorCode.NONE);
      const after = await member();
      const again = await after.fetch([], { maxRecords: 10 });
      assert.deepEqual(again.map((r) => r.value).sort(), ['r1', 'r3', 'r5']);
      assert.equal(again.find((r) => r.value === 'r1')?.deliveryCount, 2, 'the released record kept its delivery count');
      const d = await callApi(broker.port, ShareGroupDescribeApi, 1, { groupIds: ['g'], includeAuthorizedOperations: false });
      assert.deepEqual([d.groups[0].errorCode, d.groups[0].groupState, d.groups[0].members.length], [0, 'Stable', 2]);
    } finally {
      await broker.close();
    }
  } finally {
    dir.remove();
  }
});

test('bad input answers Kafka error codes and leaves the state as it was', async () => {
  const { broker, member, topicId } = await setup();
  try {
    const a = await member();
    const b = await member();
    await a.fetch();
    await b.fetch();
    await produce(broker, 'work', ['r0']);
    await produce(broker, 'work', ['r1']);
    const got = await a.fetch([], { maxRecords: 1 });
    assert.deepEqual(got.map((r) => r.offset), [0]);

    // Acknowledging records the member did not acquire (held by a / never delivered): INVALID_RECORD_STATE.
    const held = await b.acknowledge([{ offset: 0, type: ACCEPT }]);
    assert.equal(held.responses[0].partitions[0].errorCode, ErrorCode.INVALID_RECORD_STATE);
    const badAck = await b.acknowledge([{ offset: 5, type: ACCEPT }]);
    assert.equal(badAck.responses[0].partitions[0].errorCode, ErrorCode.INVALID_RECORD_STATE);
    // A huge range is refused at once (never walked offset by offset).
    const huge = await callApi(broker.port, ShareAcknowledgeApi, 1, {
      groupId: 'g', memberId: b.memberId, shareSessionEpoch: b.sessionEpoch,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0, lastOffset: 2 ** 52, acknowledgeTypes: [ACCEPT] }] }] }],
    });
    assert.equal(huge.responses[0].partitions[0].errorCode, ErrorCode.INVALID_RECORD_STATE);
    b.sessionEpoch++;
    // Acknowledge types out of range: INVALID_REQUEST.
    const badType = await a.acknowledge([{ offset: 0, type: 7 }]);
    assert.equal(badType.responses[0].partitions[0].errorCode, ErrorCode.INVALID_REQUEST);
    // Batches out of offset order: INVALID_REQUEST (Kafka's validateAcknowledgementBatches). Two on the same offset
    // (Kafka lets a batch start on the previous one's end): the second finds it taken, INVALID_RECORD_STATE.
    const unordered = await a.acknowledge([{ offset: 1, type: ACCEPT }, { offset: 0, type: ACCEPT }]);
    assert.equal(unordered.responses[0].partitions[0].errorCode, ErrorCode.INVALID_REQUEST);
    const twice = await a.acknowledge([{ offset: 0, type: ACCEPT }, { offset: 0, type: RELEASE }]);
    assert.equal(twice.responses[0].partitions[0].errorCode, ErrorCode.INVALID_RECORD_STATE);
    // Unchanged: record 0 is still a's to accept, and nobody else gets it.
    const ok = await a.acknowledge([{ offset: 0, type: ACCEPT }]);
    assert.equal(ok.responses[0].partitions[0].errorCode, ErrorCode.NONE);

    // A stale member epoch, an unknown member.
    await a.heartbeat(); // takes the epoch b's join made
    assert.ok(a.memberEpoch > 1);
    const stale = await a.heartbeat(a.memberEpoch - 1);
    assert.equal(stale.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    const ghost = await new ShareConsumer(broker.port, 'g', topicId, 'work').heartbeat(3);
    assert.equal(ghost.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    // Kafka's request checks: a first heartbeat subscribing to nothing, an empty rack id.
    const join = (fields: { rackId: string | null; subscribedTopicNames: string[] | null }) => callApi(broker.port, ShareGroupHeartbeatApi, 1, { groupId: 'g', memberId: randomUUID(), memberEpoch: 0, ...fields });
    for (const fields of [{ rackId: null, subscribedTopicNames: [] }, { rackId: null, subscribedTopicNames: null }, { rackId: '', subscribedTopicNames: ['work'] }]) {
      const refused = await join(fields);
      assert.deepEqual([refused.errorCode, refused.memberEpoch], [ErrorCode.INVALID_REQUEST, 0], JSON.stringify(fields));
    }

    // Unknown topic id and unknown partition.
    const fetchOf = (id: Buffer, partitionIndex: number) => callApi(broker.port, ShareFetchApi, 1, {
      groupId: 'g', memberId: 'm-x', shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 10, batchSize: 10,
      topics: [{ topicId: id, partitions: [{ partitionIndex, acknowledgementBatches: [] }] }], forgottenTopicsData: [],
    });
    assert.equal((await fetchOf(Buffer.alloc(16, 7), 0)).responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
    assert.equal((await fetchOf(topicId, 9)).responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Session epochs: a wrong one, and one for no session.
    const wrong = await callApi(broker.port, ShareFetchApi, 1, {
      groupId: 'g', memberId: a.memberId, shareSessionEpoch: a.sessionEpoch + 5, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 10, batchSize: 10, topics: [], forgottenTopicsData: [],
    });
    assert.equal(wrong.errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    const none = await callApi(broker.port, ShareFetchApi, 1, {
      groupId: 'g', memberId: 'nobody', shareSessionEpoch: 3, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 10, batchSize: 10, topics: [], forgottenTopicsData: [],
    });
    assert.equal(none.errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND);

    // Record 1 is still there for b, first delivery.
    const rest = await b.fetch();
    assert.deepEqual(rest.map((r) => [r.offset, r.deliveryCount]), [[1, 1]]);
  } finally {
    await broker.close();
  }
});

test('ShareGroupDescribe lists the members and their assignments; a long poll wakes on a produce', async () => {
  const { broker, member, topicId } = await setup();
  try {
    const a = await member();
    await a.heartbeat();
    const d = await callApi(broker.port, ShareGroupDescribeApi, 1, { groupIds: ['g', 'nope'], includeAuthorizedOperations: false });
    assert.equal(d.groups[0].groupState, 'Stable');
    assert.deepEqual(d.groups[0].members.map((m) => [m.memberId, m.assignment.topicPartitions.map((t) => [t.topicId.equals(topicId), t.topicName, t.partitions])]),
      [[a.memberId, [[true, 'work', [0]]]]]);
    assert.equal(d.groups[1].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    await a.fetch();
    const parked = a.fetch([], { maxWaitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    await produce(broker, 'work', ['late']);
    assert.deepEqual((await parked).map((r) => r.value), ['late']);
    // A parked fetch wakes when another member releases a record, not before.
    const b = await member();
    await b.fetch();
    const waiting = b.fetch([], { maxWaitMs: 20_000 });
    let answered = false;
    void waiting.then(() => { answered = true; });
    await a.acknowledge([{ offset: 0, type: ACCEPT }]); // an acknowledgement that frees nothing for b
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(answered, false, 'still parked');
    await produce(broker, 'work', ['next']);
    assert.deepEqual((await waiting).map((r) => r.value), ['next']);
  } finally {
    await broker.close();
  }
});

test('share groups in ListGroups, DescribeShareGroupOffsets and DeleteGroups (only once empty)', async () => {
  const { broker, member } = await setup();
  try {
    const m = await member();
    await m.fetch();
    await produce(broker, 'work', ['a']);
    await produce(broker, 'work', ['b']);
    const got = await m.fetch([], { maxRecords: 1 });
    await m.acknowledge(got.map((r) => ({ offset: r.offset, type: ACCEPT })));
    const listed = await callApi(broker.port, ListGroupsApi, 2, { statesFilter: [], typesFilter: [] });
    assert.deepEqual(listed.groups.filter((g) => g.groupId === 'g').map((g) => [g.groupId, g.protocolType]), [['g', 'share']]);
    const typed = await callApi(broker.port, ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Share'] });
    assert.deepEqual(typed.groups.map((g) => [g.groupId, g.protocolType, g.groupType, g.groupState]), [['g', 'share', 'share', 'Stable']]);
    const offsets = await callApi(broker.port, DescribeShareGroupOffsetsApi, 0, { groups: [{ groupId: 'g', topics: null }, { groupId: 'none', topics: null }] });
    assert.deepEqual(offsets.groups[0].topics.map((t) => [t.topicName, t.partitions.map((p) => [p.partitionIndex, p.startOffset, p.errorCode])]), [['work', [[0, 1, 0]]]]);
    assert.equal(offsets.groups[1].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const asked = await callApi(broker.port, DescribeShareGroupOffsetsApi, 0, { groups: [{ groupId: 'g', topics: [{ topicName: 'work', partitions: [0, 5] }] }] });
    assert.deepEqual(asked.groups[0].topics[0].partitions.map((p) => [p.startOffset, p.errorCode]), [[1, 0], [-1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);

    const busy = await callApi(broker.port, DeleteGroupsApi, 1, { groupsNames: ['g'] });
    assert.equal(busy.results[0].errorCode, ErrorCode.NON_EMPTY_GROUP);
    assert.equal((await m.heartbeat(-1)).errorCode, ErrorCode.NONE);
    const deleted = await callApi(broker.port, DeleteGroupsApi, 1, { groupsNames: ['g'] });
    assert.equal(deleted.results[0].errorCode, ErrorCode.NONE);
    assert.deepEqual((await callApi(broker.port, ListGroupsApi, 2, { statesFilter: [], typesFilter: [] })).groups.filter((g) => g.groupId === 'g'), []);
    // A new member of the group starts over where share.auto.offset.reset says (latest: the end).
    const again = await member();
    assert.deepEqual(await again.fetch(), []);
  } finally {
    await broker.close();
  }
});

test('share.isolation.level=read_committed: open transactions wait, aborted records and markers are never delivered', async () => {
  const { broker, member } = await setup();
  try {
    broker.broker.shares.setGroupConfig('rc', 'share.isolation.level', 'read_committed');
    const committedReader = await member('rc');
    const uncommittedReader = await member('ru');
    await committedReader.fetch();
    await uncommittedReader.fetch();
    const producer = kafkaClient(broker).producer({ transactionalId: 'share-tx', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const open = await producer.transaction();
    await open.send({ topic: 'work', messages: [{ value: 'kept' }] });
    assert.deepEqual(await committedReader.fetch(), [], 'not before the commit');
    await open.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'work', messages: [{ value: 'dropped' }] });
    await aborted.abort();
    await producer.disconnect();
    await produce(broker, 'work', ['plain']);
    const rc = await committedReader.fetch([], { maxRecords: 100 });
    assert.deepEqual(rc.map((r) => r.value), ['kept', 'plain']);
    await committedReader.acknowledge(rc.map((r) => ({ offset: r.offset, type: ACCEPT })));
    const [state] = broker.broker.shares.inFlight('rc');
    assert.equal(state.startOffset, broker.broker.partition('work', 0)!.highWatermark, 'aborted records and markers archived');
    const ru = await uncommittedReader.fetch([], { maxRecords: 100 });
    assert.deepEqual(ru.map((r) => r.value), ['kept', 'dropped', 'plain']);
  } finally {
    await broker.close();
  }
});

test('test kit: waitForShareGroup waits for members and lag, groups() lists share groups, reset() forgets them', async () => {
  const { broker, member } = await setup();
  try {
    const joined = broker.waitForShareGroup('g', { state: 'Stable', members: 2 });
    const a = await member();
    const b = await member();
    assert.deepEqual((await joined).members.map((m) => m.memberId).sort(), [a.memberId, b.memberId].sort());
    await a.fetch();
    await b.fetch();
    for (let i = 0; i < 4; i++) await produce(broker, 'work', [`r${i}`]);
    const drained = broker.waitForShareGroup('g', { topic: 'work', lag: 0 });
    const first = await a.fetch([], { maxRecords: 2 });
    const second = await b.fetch([], { maxRecords: 2 });
    const mid = broker.shareGroup('g')!.partitions[0];
    assert.deepEqual([mid.startOffset, mid.endOffset, mid.inFlight.acquired, mid.lag], [0, 4, 4, 4]);
    await a.acknowledge(first.map((r) => ({ offset: r.offset, type: ACCEPT })));
    await b.acknowledge(second.map((r) => ({ offset: r.offset, type: ACCEPT })));
    assert.equal((await drained).partitions[0].startOffset, 4);
    assert.deepEqual(broker.groups().filter((g) => g.protocolType === 'share').map((g) => [g.groupId, g.members.length]), [['g', 2]]);
    await assert.rejects(broker.waitForShareGroup('g', { members: 5, timeoutMs: 30 }), /waitForShareGroup\('g', 5 member\(s\)\).*2 member/);
    await broker.reset();
    assert.equal(broker.shareGroup('g'), undefined);
  } finally {
    await broker.close();
  }
});

test('AlterShareGroupOffsets and DeleteShareGroupOffsets: only for an empty share group; reads start over where they say', async () => {
  const { broker, member } = await setup();
  try {
    const m = await member();
    await m.fetch();
    for (let i = 0; i < 5; i++) await produce(broker, 'work', [`r${i}`]);
    const alter = (startOffset: number, topicName = 'work') => callApi(broker.port, AlterShareGroupOffsetsApi, 0, { groupId: 'g', topics: [{ topicName, partitions: [{ partitionIndex: 0, startOffset }] }] });
    assert.equal((await alter(4)).errorCode, ErrorCode.NON_EMPTY_GROUP);
    assert.equal((await m.heartbeat(-1)).errorCode, ErrorCode.NONE);
    const altered = await alter(4);
    assert.deepEqual([altered.errorCode, altered.responses[0].partitions[0].errorCode], [0, 0]);
    assert.equal((await alter(1, 'nope')).responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal((await alter(-5)).responses[0].partitions[0].errorCode, ErrorCode.INVALID_REQUEST);
    const offsets = await callApi(broker.port, DescribeShareGroupOffsetsApi, 0, { groups: [{ groupId: 'g', topics: null }] });
    assert.equal(offsets.groups[0].topics[0].partitions[0].startOffset, 4);
    const next = await member();
    assert.deepEqual((await next.fetch()).map((r) => r.value), ['r4']);
    assert.equal((await next.heartbeat(-1)).errorCode, ErrorCode.NONE);

    const del = await callApi(broker.port, DeleteShareGroupOffsetsApi, 0, { groupId: 'g', topics: [{ topicName: 'work' }, { topicName: 'nope' }] });
    assert.deepEqual(del.responses.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const after = await callApi(broker.port, DescribeShareGroupOffsetsApi, 0, { groups: [{ groupId: 'g', topics: null }] });
    assert.deepEqual(after.groups[0].topics, []);
    const unknown = await callApi(broker.port, DeleteShareGroupOffsetsApi, 0, { groupId: 'other', topics: [{ topicName: 'work' }] });
    assert.equal(unknown.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

    // Deleting the topic forgets every group's state of it.
    const again = await member();
    await again.fetch();
    const id = broker.broker.topics.get('work')!.id;
    assert.ok(broker.broker.shares.peek('g', id, 0));
    broker.broker.deleteTopic('work');
    assert.equal(broker.broker.shares.peek('g', id, 0), undefined);
  } finally {
    await broker.close();
  }
});

test('console API: a share group page with in-flight counts and lag; the overview lists it', async () => {
  const { broker, member } = await setup({ adminPort: -1 });
  try {
    const m = await member();
    await m.fetch();
    for (let i = 0; i < 3; i++) await produce(broker, 'work', [`r${i}`]);
    await m.fetch([], { maxRecords: 2 });
    const page = await fetch(`${broker.adminUrl}/console/api/groups/g`).then((r) => r.json()) as { type: string; partitions: Array<{ inFlight: Record<string, number>; lag: number }> };
    assert.equal(page.type, 'share');
    assert.deepEqual([page.partitions[0].inFlight.acquired, page.partitions[0].lag], [2, 3]);
    const overview = await fetch(`${broker.adminUrl}/console/api/overview`).then((r) => r.json()) as { groups: Array<{ groupId: string; members: number; lag: number }> };
    assert.deepEqual(overview.groups.find((g) => g.groupId === 'g'), { groupId: 'g', type: 'share', state: 'Stable', members: 1, lag: 3 });
  } finally {
    await broker.close();
  }
});

test('group configs through IncrementalAlterConfigs (GROUP resource): validated, applied, and kept across a restart', async () => {
  const dir = tempDir('samsa-share-configs-');
  try {
    let { broker, member } = await setup({ dataDir: dir.dir });
    const alter = (name: string, value: string | null, configOperation = 0) => callApi(broker.port, IncrementalAlterConfigsApi, 0, {
      resources: [{ resourceType: 32, resourceName: 'g', configs: [{ name, configOperation, value }] }], validateOnly: false,
    }).then((r) => r.responses[0].errorCode);
    assert.equal(await alter('share.auto.offset.reset', 'sometimes'), ErrorCode.INVALID_CONFIG);
    assert.equal(await alter('share.record.lock.duration.ms', '1000'), ErrorCode.INVALID_CONFIG);
    assert.equal(await alter('no.such.config', '1'), ErrorCode.INVALID_CONFIG);
    assert.equal(await alter('share.auto.offset.reset', 'earliest'), ErrorCode.NONE);
    assert.equal(await alter('share.record.lock.duration.ms', '20000'), ErrorCode.NONE);
    await produce(broker, 'work', ['before']);
    await broker.broker.shares.settled();
    await broker.close();

    ({ broker, member } = await setup({ dataDir: dir.dir }));
    try {
      const d = await callApi(broker.port, ShareGroupDescribeApi, 1, { groupIds: ['g'], includeAuthorizedOperations: false });
      // Configs alone make no group (Kafka keeps them apart from groups): it is one once a member joins, with them.
      assert.equal(d.groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
      const m = await member();
      assert.deepEqual((await m.fetch()).map((r) => r.value), ['before'], 'earliest: records from before the group read');
      assert.equal(m.last?.acquisitionLockTimeoutMs, 20000);
    } finally {
      await broker.close();
    }
  } finally {
    dir.remove();
  }
});

test('two nodes: a share fetch on the wrong node answers NOT_LEADER_OR_FOLLOWER with the leader\'s endpoint', async () => {
  const broker = await startTestBroker({ nodes: 2 });
  try {
    const meta = broker.broker.createTopic('spread', 2);
    const leaders = [0, 1].map((p) => broker.broker.placement.leaderOf('spread', p));
    const wrong = leaders.findIndex((l) => l !== broker.nodes[0].id);
    assert.ok(wrong >= 0, `a partition led elsewhere: ${leaders}`);
    const res = await callApi(broker.nodes[0].port, ShareFetchApi, 1, {
      groupId: 'g', memberId: 'm', shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 10, batchSize: 10,
      topics: [{ topicId: meta.id, partitions: [{ partitionIndex: wrong, acknowledgementBatches: [] }] }], forgottenTopicsData: [],
    });
    const p = res.responses[0].partitions[0];
    assert.equal(p.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const leader = broker.nodes.find((n) => n.id === leaders[wrong])!;
    assert.deepEqual(res.nodeEndpoints.map((e) => [e.nodeId, e.port]), [[leader.id, leader.port]]);
    assert.equal(p.currentLeader.leaderId, leader.id);
  } finally {
    await broker.close();
  }
});

test('a deleted share group stays deleted after a restart', async () => {
  const tmp = tempDir();
  let broker = await startTestBroker({ dataDir: tmp.dir });
  try {
    const topic = broker.broker.createTopic('work', 1);
    const m = new ShareConsumer(broker.port, 'gone', topic.id, 'work');
    assert.equal((await m.heartbeat(0)).errorCode, ErrorCode.NONE);
    await m.heartbeat();
    assert.equal((await m.heartbeat(-1)).errorCode, ErrorCode.NONE);
    assert.equal((await callApi(broker.port, DeleteGroupsApi, 1, { groupsNames: ['gone'] })).results[0]!.errorCode, ErrorCode.NONE);
    await broker.close();
    broker = await startTestBroker({ dataDir: tmp.dir });
    const listed = await callApi(broker.port, ListGroupsApi, 5, { statesFilter: [], typesFilter: [] });
    assert.deepEqual(listed.groups.filter((g) => g.groupId === 'gone'), []);
    const described = await callApi(broker.port, ShareGroupDescribeApi, 1, { groupIds: ['gone'], includeAuthorizedOperations: false });
    assert.equal(described.groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  } finally {
    await broker.close();
    tmp.remove();
  }
});
