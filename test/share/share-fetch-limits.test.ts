/**
 * ShareFetch's limits (Kafka 4.1): min_bytes holds the answer until that much can be acquired or max_wait_ms passes
 * (on a ManualClock), max_records is exceeded only to end on a log batch boundary, batch_size cuts the acquired ranges
 * at batch boundaries, and a parked share fetch whose connection closed acquires nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, kafkaClient, openRequest, startTestBroker, tempDir } from '../helpers.js';
import { kcatRead } from '../durability/support.js';
import { ManualClock } from '../../src/clock.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { IncrementalAlterConfigsApi, ShareFetchApi } from '../../src/protocol/generated/index.js';
import type { RunningBroker } from '../../src/index.js';
import { ACCEPT, ShareConsumer, produce } from './share-consumer.js';

async function setup(): Promise<{ broker: RunningBroker; clock: ManualClock; topicId: Buffer; member: () => Promise<ShareConsumer> }> {
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock });
  const meta = broker.broker.createTopic('work', 1);
  const member = async (): Promise<ShareConsumer> => {
    const c = new ShareConsumer(broker.port, 'g', meta.id, 'work');
    assert.equal((await c.heartbeat(0)).errorCode, ErrorCode.NONE);
    await c.heartbeat();
    await c.fetch(); // opens the session; the share-partition starts at the (empty) end
    return c;
  };
  return { broker, clock, topicId: meta.id, member };
}

const turn = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('min_bytes: a share fetch waits until that many bytes can be acquired, or answers what there is at max_wait_ms', async () => {
  const { broker, clock, member } = await setup();
  try {
    const a = await member();
    let answered = false;
    const waiting = a.fetch([], { maxWaitMs: 60_000, minBytes: 4000 }).then((got) => { answered = true; return got; });
    await turn();
    await produce(broker, 'work', ['small']);
    await turn();
    assert.equal(answered, false, 'one small batch is less than min_bytes');
    await produce(broker, 'work', ['x'.repeat(5000)]);
    assert.deepEqual((await waiting).map((r) => r.offset), [0, 1], 'answered once min_bytes are there, with all of them');

    const timed = a.fetch([{ offset: 0, type: ACCEPT }, { offset: 1, type: ACCEPT }], { maxWaitMs: 60_000, minBytes: 4000 }).then((got) => { answered = true; return got; });
    answered = false;
    await turn();
    await produce(broker, 'work', ['tiny']);
    await turn();
    assert.equal(answered, false);
    await clock.advance(60_000); // past the lock duration too: nothing was held
    assert.deepEqual((await timed).map((r) => r.value), ['tiny'], 'max_wait_ms passed: what can be acquired');
  } finally {
    await broker.close();
  }
});

test('max_records is exceeded only to end on a batch boundary; batch_size cuts the acquired ranges at batch boundaries', async () => {
  const { broker, member } = await setup();
  try {
    const a = await member();
    for (let i = 0; i < 4; i++) await produce(broker, 'work', [`a${i}`, `b${i}`]); // 4 batches of 2: offsets 0-7
    await a.fetch([], { maxRecords: 3, batchSize: 2 });
    const ranges = (): number[][] => a.last!.responses[0].partitions[0].acquiredRecords.map((r) => [r.firstOffset, r.lastOffset]);
    assert.deepEqual(ranges(), [[0, 1], [2, 3]], '3 records asked: 2 whole batches, listed in batches of 2');
    await a.fetch([], { maxRecords: 100, batchSize: 3 });
    assert.deepEqual(ranges(), [[4, 7]], 'a range is cut only at a batch boundary once it holds batch_size records');
    await produce(broker, 'work', ['c0', 'c1', 'c2', 'c3', 'c4']);
    await produce(broker, 'work', ['d0']);
    await a.fetch([], { maxRecords: 100, batchSize: 2 });
    assert.deepEqual(ranges(), [[8, 12], [13, 13]], 'a batch of 5 stays whole');
  } finally {
    await broker.close();
  }
});

test('a parked share fetch whose connection closed is dropped: it acquires nothing for the member', async () => {
  const { broker, topicId, member } = await setup();
  try {
    const a = await member();
    const sock = await openRequest(broker.port, ShareFetchApi, 1, {
      groupId: 'g', memberId: a.memberId, shareSessionEpoch: a.sessionEpoch, maxWaitMs: 60_000, minBytes: 1, maxBytes: 1 << 20, maxRecords: 10, batchSize: 10,
      topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }], forgottenTopicsData: [],
    });
    a.sessionEpoch++;
    await turn();
    sock.destroy();
    await turn();
    await produce(broker, 'work', ['kept']);
    await turn();
    assert.deepEqual((await a.fetch()).map((r) => [r.value, r.deliveryCount]), [['kept', 1]], 'the dropped request took nothing');
  } finally {
    await broker.close();
  }
});

test('group.share.max.share.sessions caps open share sessions: one more is SHARE_SESSION_LIMIT_REACHED until one closes', async () => {
  const broker = await startTestBroker({ config: { 'group.share.max.share.sessions': 2 } });
  try {
    const meta = broker.broker.createTopic('work', 1);
    const members = [];
    for (let i = 0; i < 3; i++) {
      const c = new ShareConsumer(broker.port, i === 2 ? 'other-group' : 'g', meta.id, 'work');
      assert.equal((await c.heartbeat(0)).errorCode, ErrorCode.NONE);
      members.push(c);
    }
    const [a, b, c] = members;
    await a.fetch();
    await b.fetch();
    assert.deepEqual([a.last!.errorCode, b.last!.errorCode], [ErrorCode.NONE, ErrorCode.NONE]);
    await c.fetch();
    assert.equal(c.last!.errorCode, ErrorCode.SHARE_SESSION_LIMIT_REACHED, 'the cap counts sessions across groups');
    assert.equal(c.sessionEpoch, 0, 'no session was opened');
    a.sessionEpoch = 0;
    await a.fetch();
    assert.equal(a.last!.errorCode, ErrorCode.NONE, 'reopening its own session (epoch 0) is not one more');
    assert.equal((await b.acknowledge([], true)).errorCode, ErrorCode.NONE); // closes b's session
    await c.fetch();
    assert.equal(c.last!.errorCode, ErrorCode.NONE, 'room again once a session closed');
  } finally {
    await broker.close();
  }
});

test('a share session its member left open is closed once stale when the cap is reached, so gone clients cannot lock others out', async () => {
  const clock = new ManualClock();
  const broker = await startTestBroker({ clock, config: { 'group.share.max.share.sessions': 1, 'group.share.session.timeout.ms': 45_000 } });
  try {
    const meta = broker.broker.createTopic('work', 1);
    const gone = new ShareConsumer(broker.port, 'g', meta.id, 'work');
    assert.equal((await gone.heartbeat(0)).errorCode, ErrorCode.NONE);
    await gone.fetch();
    assert.equal(gone.last!.errorCode, ErrorCode.NONE);
    assert.equal((await gone.heartbeat(-1)).errorCode, ErrorCode.NONE, 'leaves without closing its session');
    const stranger = new ShareConsumer(broker.port, 'g', meta.id, 'work'); // never joins
    await stranger.fetch();
    assert.equal(stranger.last!.errorCode, ErrorCode.SHARE_SESSION_LIMIT_REACHED, 'a session used just now is kept');
    await clock.advance(45_001);
    await stranger.fetch();
    assert.equal(stranger.last!.errorCode, ErrorCode.NONE, 'the stale one made room');
    await gone.fetch();
    assert.equal(gone.last!.errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND, 'and is closed');

    // A member's session is kept however long it idles, while the member heartbeats; a stranger's gives way to it.
    const member = new ShareConsumer(broker.port, 'g', meta.id, 'work');
    assert.equal((await member.heartbeat(0)).errorCode, ErrorCode.NONE);
    const idle = async () => { // 50 s without a share request, heartbeating every 25 s
      for (let i = 0; i < 2; i++) {
        await clock.advance(25_000);
        assert.equal((await member.heartbeat()).errorCode, ErrorCode.NONE);
      }
    };
    await idle();
    await member.fetch();
    assert.equal(member.last!.errorCode, ErrorCode.NONE, "the stranger's stale session made room");
    await idle();
    const another = new ShareConsumer(broker.port, 'g', meta.id, 'work');
    await another.fetch();
    assert.equal(another.last!.errorCode, ErrorCode.SHARE_SESSION_LIMIT_REACHED, "an idle member's session stays");
  } finally {
    await broker.close();
  }
});

test('a compacted topic\'s gaps are passed over: a share group reads the records around them, and the broker keeps answering', async () => {
  const clock = new ManualClock(Date.now());
  const tmp = tempDir();
  const broker = await startTestBroker({ clock, dataDir: tmp.dir });
  try {
    const meta = broker.broker.createTopic('compacted', 1, { 'cleanup.policy': 'compact', 'segment.bytes': '200', 'min.cleanable.dirty.ratio': '0.01', 'min.compaction.lag.ms': '0' });
    const producer = kafkaClient(broker).producer();
    await producer.connect();
    // B at offset 1 is superseded at 3: compaction leaves 0, 2, 3, ... (a batch each, so offset 1 is a gap).
    for (const [key, value] of [['A', 'a0'], ['B', 'b1'], ['C', 'c2'], ['B', 'b3'], ['D', 'd4'], ['E', 'e5'], ['F', 'f6']]) await producer.send({ topic: 'compacted', messages: [{ key, value }] });
    await producer.disconnect();
    await clock.advance(15_000); // log.cleaner.backoff.ms
    await broker.broker.logs.cleaned();
    assert.ok(!(await kcatRead(broker.bootstrap, 'compacted')).some((r) => r.offset === 1), 'offset 1 compacted away');

    await callApi(broker.port, IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 32, resourceName: 'g', configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }] }], validateOnly: false });
    const member = new ShareConsumer(broker.port, 'g', meta.id, 'compacted');
    assert.equal((await member.heartbeat(0)).errorCode, ErrorCode.NONE);
    await member.heartbeat();
    const got = await member.fetch([], { maxWaitMs: 500 });
    assert.deepEqual(got.map((r) => r.value), ['a0', 'c2', 'b3', 'd4', 'e5', 'f6']);
    const accepted = await member.fetch(got.map((r) => ({ offset: r.offset, type: ACCEPT })));
    assert.deepEqual(accepted, []);
    assert.deepEqual(member.lastErrors(), [ErrorCode.NONE, ErrorCode.NONE]);
  } finally {
    await broker.close();
    tmp.remove();
  }
});

test('partitions that do not exist are answered with their error and kept out of the share session', async () => {
  const { broker, member } = await setup();
  try {
    const a = await member();
    const madeUp = Array.from({ length: 1000 }, (_, i) => ({ topicId: Buffer.from(`${String(i).padStart(16, '0')}deadbeefdeadbeef`, 'hex'), partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }));
    const fetch = (topics: typeof madeUp) => callApi(broker.port, ShareFetchApi, 1, {
      groupId: 'g', memberId: a.memberId, shareSessionEpoch: a.sessionEpoch, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 500, batchSize: 500,
      topics, forgottenTopicsData: [],
    }).then((res) => { a.sessionEpoch++; return res; });
    const named = await fetch(madeUp);
    assert.equal(named.errorCode, ErrorCode.NONE);
    assert.equal(named.responses.length, 1000);
    assert.ok(named.responses.every((t) => t.partitions[0]!.errorCode === ErrorCode.UNKNOWN_TOPIC_ID));
    const empty = await fetch([]);
    assert.deepEqual(empty.responses, [], 'the session holds none of them');
  } finally {
    await broker.close();
  }
});
