/**
 * The consumer-group (KIP-848) coordinator without sockets: a seeded random run of joins, heartbeats (reporting
 * what the member was told, or lagging), leaves and expiries never has a partition held by two members; the
 * assignors balance; the records have Kafka's byte layout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { GroupCoordinator } from '../../src/coordinator/group/coordinator.js';
import { ASSIGNORS } from '../../src/coordinator/group/assignors.js';
import { MemoryKeyValueLog } from '../../src/log/key-value-log.js';
import { ManualClock } from '../../src/clock.js';
import { BrokerConfig } from '../../src/config.js';
import { consumerGroupSettings } from '../../src/coordinator/group/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { compileRegex, type ConsumerHeartbeatParams } from '../../src/coordinator/group/consumer-coordinator.js';

const TOPICS = [
  { name: 'a', id: Buffer.alloc(16, 1), partitions: 5 },
  { name: 'b', id: Buffer.alloc(16, 2), partitions: 3 },
];

function coordinator(log = new MemoryKeyValueLog(), clock = new ManualClock(1_000)) {
  const gc = new GroupCoordinator({
    log, logger: pino({ level: 'silent' }), clock, partitionExists: () => true,
    topics: { byName: (n) => TOPICS.find((t) => t.name === n), byId: (id) => TOPICS.find((t) => t.id.equals(id)), all: () => TOPICS },
  });
  return { gc, log, clock };
}

const base = (memberId: string, memberEpoch: number, over: Partial<ConsumerHeartbeatParams> = {}): ConsumerHeartbeatParams => ({
  version: 1, clientId: 'c', clientHost: '/127.0.0.1', groupId: 'g', memberId, memberEpoch, instanceId: null, rackId: null,
  rebalanceTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null, ...over,
});

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`seed ${seed}: no partition is ever held by two members, and a quiet group converges to a full split`, async () => {
    const random = rng(seed);
    const { gc, clock } = coordinator();
    /** What each client believes: its epoch and the partitions it was told it owns. */
    const clients = new Map<string, { epoch: number; owned: Map<string, number[]> }>();
    const assignor = seed % 2 === 0 ? 'range' : 'uniform';
    const checkExclusive = (step: string) => {
      const cg = gc.inspect('g')?.consumer;
      if (!cg) return;
      const seen = new Map<string, string>();
      for (const m of cg.members.values()) {
        for (const a of [m.assigned, m.pendingRevocation]) {
          for (const [t, ps] of a) for (const p of ps) {
            const key = `${t}:${p}`;
            assert.ok(!seen.has(key) || seen.get(key) === m.memberId, `${step}: ${key} held by ${seen.get(key)} and ${m.memberId}`);
            seen.set(key, m.memberId);
          }
        }
      }
    };
    const beat = async (id: string, join = false) => {
      const c = clients.get(id);
      const owned = c ? [...c.owned].map(([t, partitions]) => ({ topicId: Buffer.from(t, 'hex'), partitions })) : [];
      const r = await gc.consumerGroupHeartbeat(join
        ? base(id, 0, { rebalanceTimeoutMs: 60_000, subscribedTopicNames: random() < 0.7 ? ['a', 'b'] : ['a'], topicPartitions: [], serverAssignor: assignor })
        : base(id, c!.epoch, { topicPartitions: owned }));
      if (r.errorCode !== ErrorCode.NONE) {
        clients.delete(id); // fenced or unknown: the client drops everything and may join again
        return;
      }
      const next = { epoch: r.memberEpoch, owned: c?.owned ?? new Map<string, number[]>() };
      if (r.assignment) next.owned = new Map(r.assignment.topicPartitions.map((t) => [t.topicId.toString('hex'), t.partitions]));
      clients.set(id, next);
    };
    for (let step = 0; step < 300; step++) {
      const ids = [...clients.keys()];
      const roll = random();
      if (roll < 0.15 || ids.length === 0) await beat(`m${Math.floor(random() * 6)}`, true);
      else if (roll < 0.2) {
        const id = ids[Math.floor(random() * ids.length)];
        await gc.consumerGroupHeartbeat(base(id, -1));
        clients.delete(id);
      } else if (roll < 0.23) {
        await clock.advance(46_000); // everyone who did not heartbeat in between is fenced
      } else await beat(ids[Math.floor(random() * ids.length)]);
      checkExclusive(`seed ${seed} step ${step}`);
    }
    // Quiet: after every session ran out (members the clients forgot hold partitions until then), three members join
    // and heartbeat until nothing changes: the group is Stable and holds every partition, once.
    await clock.advance(46_000);
    clients.clear();
    for (const id of ['q1', 'q2', 'q3']) await beat(id, true);
    for (let round = 0; round < 10; round++) for (const id of [...clients.keys()]) await beat(id);
    const d = gc.consumerGroupDescribe('g');
    assert.equal(clients.size, 3);
    {
      assert.equal(d.groupState, 'Stable');
      const held = d.members.flatMap((m) => m.assignment.topicPartitions.flatMap((t) => t.partitions.map((p) => `${t.topicName}:${p}`)));
      const subscribed = new Set(d.members.flatMap((m) => m.subscribedTopicNames));
      const expected = TOPICS.filter((t) => subscribed.has(t.name)).flatMap((t) => Array.from({ length: t.partitions }, (_, p) => `${t.name}:${p}`));
      assert.deepEqual(held.sort(), expected.sort());
    }
    gc.close();
  });
}

test('uniform: balanced within one and sticky; range: contiguous per topic', () => {
  const topics = new Map(TOPICS.map((t) => [t.id.toString('hex'), { id: t.id.toString('hex'), partitions: t.partitions }]));
  const [a, b] = [...topics.keys()];
  const members = ['x', 'y', 'z'].map((memberId) => ({ memberId, topics: [a, b] }));
  const uniform = ASSIGNORS.get('uniform')!(members, topics, new Map());
  const loads = [...uniform.values()].map((m) => [...m.values()].reduce((n, ps) => n + ps.length, 0));
  assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `loads ${loads}`);
  // A fourth member: the three keep most of what they had.
  const again = ASSIGNORS.get('uniform')!([...members, { memberId: 'w', topics: [a, b] }], topics, uniform);
  let moved = 0;
  for (const m of ['x', 'y', 'z']) for (const [t, ps] of uniform.get(m)!) moved += ps.filter((p) => !again.get(m)!.get(t)?.includes(p)).length;
  assert.ok(moved <= 2, `moved ${moved}`);
  const range = ASSIGNORS.get('range')!(members, topics, new Map());
  assert.deepEqual([...['x', 'y', 'z'].map((m) => range.get(m)!.get(a))], [[0, 1], [2, 3], [4]]);
});

test('records have Kafka\'s layout: key version = record type; value version 0, flexible, tagged fields', async () => {
  const { gc, log } = coordinator();
  const r = await gc.consumerGroupHeartbeat(base('m1', 0, { rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['b'], topicPartitions: [] }));
  assert.equal(r.memberEpoch, 1);
  const records = [...log.replay()];
  assert.deepEqual(records.map((x) => x.key.readInt16BE(0)), [5, 3, 7, 6, 8]);
  const group = records[1];
  // ConsumerGroupMetadataKey v3: int16 3, string "g"
  assert.deepEqual(group.key, Buffer.from([0, 3, 0, 1, 0x67]));
  // ConsumerGroupMetadataValue v0: epoch 1, one tagged field (0: the metadata hash, 8 bytes)
  assert.deepEqual(group.value!.subarray(0, 9), Buffer.from([0, 0, 0, 0, 0, 1, 1, 0, 8]));
  const current = records[4];
  // ConsumerGroupCurrentMemberAssignmentKey v8: group, member; value: epoch 1, previous 0, state 0, [b: 0,1,2], [], tags
  assert.deepEqual(current.key, Buffer.from([0, 8, 0, 1, 0x67, 0, 2, 0x6d, 0x31]));
  assert.deepEqual(current.value, Buffer.concat([
    Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2]), Buffer.alloc(16, 2), Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0]),
  ]));
  gc.close();
});

test('subscription regexes run in linear time, as RE2: a pattern that backtracks exponentially in JS cannot stall the broker', () => {
  const evil = compileRegex('(a+)+b');
  assert.ok(evil);
  const started = performance.now();
  assert.equal(evil.test('a'.repeat(249)), false);
  assert.ok(performance.now() - started < 100, `took ${performance.now() - started} ms`);
  assert.equal(compileRegex('(x)\\1'), null, 'backreferences are not RE2');
  assert.equal(compileRegex('(?=x)x'), null, 'nor lookaround');
  assert.ok(compileRegex('orders-[0-9]+')!.test('orders-12'));
  assert.equal(compileRegex('orders')!.test('orders-12'), false, 'the whole name must match');
});

test('subscription regexes in RE2 syntax the linear engine cannot take as written: \\Q..\\E, \\A, \\z, \\pL, POSIX classes, (?P<..>), counts up to 1000', () => {
  const matches: Array<[string, string, string]> = [
    ['\\Qa.b\\E', 'a.b', 'axb'], ['\\At\\z', 't', 'tt'], ['[[:alpha:]]+-[[:digit:]]', 'ab-1', 'ab-x'], ['[^[:digit:]]+', 'abc', 'a1'],
    ['\\pL+', 'topic', 'topic-1'], ['\\p{Greek}+', '\u03b1\u03b2', 'ab'], ['(?P<kind>orders|payments)-.*', 'orders-eu', 'refunds-eu'],
    ['events-[0-9a-f]{32}', `events-${'0af'.repeat(10)}12`, `events-${'0'.repeat(31)}`], ['x{100}', 'x'.repeat(100), 'x'.repeat(99)],
    ['(?:ab){2,20}', 'ababab', 'aba'], ['t{3,}', 'tttt', 'tt'], ['a{,3}', 'a{,3}', 'aaa'], ['t.*?', 'topic', 'x'],
  ];
  for (const [re2, yes, no] of matches) {
    const compiled = compileRegex(re2);
    assert.ok(compiled, re2);
    assert.ok(compiled.test(yes), `${re2} matches ${yes}`);
    assert.equal(compiled.test(no), false, `${re2} does not match ${no}`);
  }
  for (const refused of ['(?i)t', '[[:^alpha:]]', 'a**', 'x{1001}', 'x{5,2}', '\\C', '(?:(?:x{1000}){1000})']) assert.equal(compileRegex(refused), null, refused);
});

test('group.consumer.* settings: Kafka\'s defaults, timeouts kept within their bounds, assignor class names understood', () => {
  assert.deepEqual(consumerGroupSettings(new BrokerConfig(new Map())), { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, assignors: ['uniform', 'range'], maxSize: 2_147_483_647 });
  const set = consumerGroupSettings(new BrokerConfig(new Map([
    ['group.consumer.session.timeout.ms', '1000'], ['group.consumer.heartbeat.interval.ms', '99999'],
    ['group.consumer.assignors', 'org.apache.kafka.coordinator.group.assignor.RangeAssignor, uniform'], ['group.consumer.max.size', '2'],
  ])));
  assert.deepEqual(set, { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 15_000, assignors: ['range', 'uniform'], maxSize: 2 });
  assert.throws(() => new BrokerConfig(new Map([['group.consumer.max.size', '0']])), /group\.consumer\.max\.size/);
});

test('group.consumer.max.size: one member more is GROUP_MAX_SIZE_REACHED, and the group is left as it was', async () => {
  const log = new MemoryKeyValueLog();
  const gc = new GroupCoordinator({
    log, logger: pino({ level: 'silent' }), clock: new ManualClock(1_000), partitionExists: () => true,
    settings: { consumer: { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, assignors: ['range'], maxSize: 2 } },
    topics: { byName: (n) => TOPICS.find((t) => t.name === n), byId: (id) => TOPICS.find((t) => t.id.equals(id)), all: () => TOPICS },
  });
  for (const id of ['one', 'two']) assert.equal((await gc.consumerGroupHeartbeat(base(id, 0, { rebalanceTimeoutMs: 1000, subscribedTopicNames: ['a'], topicPartitions: [] }))).errorCode, ErrorCode.NONE);
  const records = [...log.replay()].length;
  const third = await gc.consumerGroupHeartbeat(base('three', 0, { rebalanceTimeoutMs: 1000, subscribedTopicNames: ['a'], topicPartitions: [] }));
  assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal([...log.replay()].length, records, 'nothing written');
  assert.equal(gc.consumerGroupDescribe('g').assignorName, 'range', 'the configured default assignor');
  gc.close();
});
