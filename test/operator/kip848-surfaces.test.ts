/**
 * A KIP-848 consumer group (librdkafka 2.15.1 through @confluentinc/kafka-javascript, `group.protocol: 'consumer'`)
 * as the operator surfaces show it: the `samsa group` commands (a child process), REST v3 `/consumer-groups`, the
 * Prometheus metrics and the test kit. Live: type consumer, member epochs, assignment and target assignment, lag 0;
 * stopped: Empty with lag, then seek and delete work on it. Then two @platformatic/kafka members (`groupProtocol:
 * 'consumer'`) splitting the partitions, each shown with its own.
 */
import '../../compat-suite/clients/node22-shim.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Consumer, MessagesStreamModes, stringDeserializers, type Message } from '@platformatic/kafka';
import { kafkaClient, run, startTestBroker } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { repositoryRoot } from '../../protocol/generate.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/* eslint-disable @typescript-eslint/no-explicit-any -- the client is loaded from the compat-suite's own install */
const { Kafka, logLevel } = createRequire(`${ROOT}compat-suite/clients/confluent-js/package.json`)('@confluentinc/kafka-javascript').KafkaJS as any;
const cli = join(repositoryRoot(), 'dist', 'bundle', 'main.js');

const TOPIC = 'k848';
const GROUP = 'k848-readers';
let broker: RunningBroker;
let b: string[];
let v3: string;

before(async () => {
  broker = await startTestBroker({ adminPort: -1, registryPort: -1, config: { 'group.consumer.min.heartbeat.interval.ms': 200, 'group.consumer.heartbeat.interval.ms': 200 } });
  b = ['-b', broker.bootstrap];
  v3 = `${broker.adminUrl}/v3/clusters/samsa-cluster`;
  broker.broker.createTopic(TOPIC, 3);
  await produce('a');
});

after(() => broker.close());

/** Three records per partition. */
async function produce(tag: string): Promise<void> {
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 9 }, (_, i) => ({ value: `${tag}-${i}`, partition: i % 3 })) });
  await producer.disconnect();
}

async function samsa(args: string[]): Promise<string> {
  const r = await run(process.execPath, [cli, ...args, ...b], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `samsa ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const json = async (args: string[]) => JSON.parse(await samsa([...args, '--format', 'json']));
const get = async (path: string) => {
  const res = await fetch(`${v3}${path}`);
  return { status: res.status, body: await res.json() as any };
};

test('a live consumer group: CLI, REST, metrics and test kit show type consumer, epochs, assignments and lag', async () => {
  const kafka = new Kafka({ kafkaJS: { brokers: [broker.bootstrap], logLevel: logLevel.NOTHING } });
  const consumer = kafka.consumer({ kafkaJS: { groupId: GROUP, fromBeginning: true, autoCommit: false }, 'group.protocol': 'consumer', 'client.id': 'k848-client' });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  await consumer.run({
    eachMessage: async ({ partition, message }: any) => {
      await consumer.commitOffsets([{ topic: TOPIC, partition, offset: String(Number(message.offset) + 1) }]);
    },
  });
  try {
    // Test kit: the group's own states and what the broker assigned.
    const kit = await broker.waitForGroup(GROUP, { state: 'Stable', members: 1, lag: 0, topic: TOPIC });
    assert.equal(kit.type, 'consumer');
    const member = kit.members[0]!;
    assert.equal(member.clientId, 'k848-client');
    assert.ok(member.memberEpoch! > 0);
    assert.deepEqual(member.assignment, { [TOPIC]: [0, 1, 2] });
    assert.deepEqual(member.targetAssignment, { [TOPIC]: [0, 1, 2] });
    assert.equal(kit.generationId, member.memberEpoch, 'a stable member is at the group epoch');
    assert.equal(kit.assignmentEpoch, kit.generationId);
    assert.ok(kit.assignor);
    assert.deepEqual(broker.groups().filter((g) => g.groupId === GROUP).map((g) => [g.type, g.state]), [['consumer', 'Stable']]);

    // CLI: list (ListGroups v5) and describe (ConsumerGroupDescribe + OffsetFetch + ListOffsets).
    const listed = (await json(['group', 'list'])).find((g: { group: string }) => g.group === GROUP);
    assert.deepEqual({ ...listed, coordinator: undefined }, { group: GROUP, type: 'consumer', state: 'Stable', protocolType: 'consumer', members: 1, coordinator: undefined });
    assert.match(await samsa(['group', 'list']), new RegExp(`^${GROUP}\\s+consumer\\s+Stable\\s+consumer\\s+1\\s`, 'm'));
    // Filters (ListGroups v5 types, v4 states) beside a classic group that only holds offsets.
    await broker.broker.groups.commitOffsets('classic-offsets', [{ topic: TOPIC, partition: 0, offset: 1, leaderEpoch: -1, metadata: '' }]);
    const names = async (...filter: string[]) => (await json(['group', 'list', ...filter])).map((g: { group: string; type: string }) => `${g.group}:${g.type}`);
    assert.deepEqual(await names(), ['classic-offsets:classic', `${GROUP}:consumer`]);
    assert.deepEqual(await names('--type', 'consumer'), [`${GROUP}:consumer`]);
    assert.deepEqual(await names('--type', 'classic,share'), ['classic-offsets:classic']);
    assert.deepEqual(await names('--state', 'Stable'), [`${GROUP}:consumer`]);
    const described = await json(['group', 'describe', GROUP]);
    assert.equal(described.type, 'consumer');
    assert.equal(described.state, 'Stable');
    assert.equal(described.groupEpoch, kit.generationId);
    assert.equal(described.assignmentEpoch, kit.assignmentEpoch);
    assert.equal(described.assignor, kit.assignor);
    assert.deepEqual(described.members.map((m: any) => [m.memberId, m.clientId, m.memberEpoch, m.assignment, m.targetAssignment, m.subscribedTopics]),
      [[member.memberId, 'k848-client', member.memberEpoch, { [TOPIC]: [0, 1, 2] }, { [TOPIC]: [0, 1, 2] }, [TOPIC]]]);
    assert.deepEqual(described.partitions.map((p: any) => [p.partition, p.committedOffset, p.endOffset, p.lag, p.memberId]),
      [0, 1, 2].map((p) => [p, 3, 3, 0, member.memberId]));
    const text = await samsa(['group', 'describe', GROUP]);
    assert.match(text, new RegExp(`^${GROUP}\\s+consumer\\s+Stable\\s+${kit.generationId}\\s+${kit.assignmentEpoch}\\s+${kit.assignor}\\s+1$`, 'm'));
    assert.match(text, new RegExp(`^\\S+\\s+k848-client\\s+\\S+\\s+${member.memberEpoch}\\s+${TOPIC}:0,1,2\\s+${TOPIC}:0,1,2$`, 'm'));
    // A group with a member refuses a seek, as Kafka refuses a commit from outside a live group.
    const refused = await run(process.execPath, [cli, 'group', 'seek', GROUP, '--to', 'start', ...b], { timeoutMs: 30_000 });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`group '${GROUP}' is Stable with 1 member: stop its consumers before seeking`));
    const kept = await run(process.execPath, [cli, 'group', 'delete', GROUP, ...b], { timeoutMs: 30_000 });
    assert.equal(kept.code, 1);
    assert.match(kept.stderr, new RegExp(`cannot delete group '${GROUP}': NON_EMPTY_GROUP`));

    // REST v3: Confluent's shapes, type CONSUMER.
    const groups = await get('/consumer-groups');
    const listedRest = groups.body.data.find((g: any) => g.consumer_group_id === GROUP);
    assert.deepEqual([listedRest.type, listedRest.state, listedRest.is_simple, listedRest.partition_assignor], ['CONSUMER', 'STABLE', false, kit.assignor]);
    const consumers = await get(`/consumer-groups/${GROUP}/consumers`);
    assert.equal(consumers.status, 200);
    assert.deepEqual(consumers.body.data.map((c: any) => [c.consumer_id, c.client_id, c.partitions.map((p: any) => `${p.topic_name}/${p.partition_id}`)]),
      [[member.memberId, 'k848-client', [`${TOPIC}/0`, `${TOPIC}/1`, `${TOPIC}/2`]]]);
    assert.equal((await get(`/consumer-groups/${GROUP}/consumers/${encodeURIComponent(member.memberId)}`)).body.consumer_id, member.memberId);
    const lags = await get(`/consumer-groups/${GROUP}/lags`);
    assert.deepEqual(lags.body.data.map((l: any) => [l.partition_id, l.current_offset, l.log_end_offset, l.lag, l.consumer_id]), [0, 1, 2].map((p) => [p, 3, 3, 0, member.memberId]));

    // Metrics: members and lag of the consumer group.
    const metrics = await (await fetch(`${broker.adminUrl}/metrics`)).text();
    assert.match(metrics, new RegExp(`^samsa_consumer_group_members\\{group="${GROUP}"\\} 1$`, 'm'));
    assert.match(metrics, new RegExp(`^samsa_consumer_group_lag\\{group="${GROUP}",topic="${TOPIC}",partition="0"\\} 0$`, 'm'));
  } finally {
    await consumer.disconnect();
  }
});

test('the stopped consumer group: Empty with lag everywhere, then seek and delete work on it', async () => {
  const empty = await broker.waitForGroup(GROUP, { state: 'Empty', members: 0 });
  assert.equal(empty.type, 'consumer');
  await produce('b');
  assert.deepEqual(broker.committedOffsets(GROUP).map((o) => [o.partition, o.offset, o.lag]), [[0, 3, 3], [1, 3, 3], [2, 3, 3]]);

  const described = await json(['group', 'describe', GROUP]);
  assert.deepEqual([described.type, described.state, described.members], ['consumer', 'Empty', []]);
  assert.deepEqual(described.partitions.map((p: any) => [p.partition, p.committedOffset, p.endOffset, p.lag, p.memberId]), [0, 1, 2].map((p) => [p, 3, 6, 3, null]));
  const summary = await get(`/consumer-groups/${GROUP}/lag-summary`);
  assert.deepEqual([summary.body.total_lag, summary.body.max_lag, summary.body.max_lag_consumer_id], [9, 3, '']);
  assert.equal((await get(`/consumer-groups/${GROUP}`)).body.state, 'EMPTY');

  const seeked = await json(['group', 'seek', GROUP, '--to', 'start']);
  assert.deepEqual(seeked.partitions.map((p: any) => [p.partition, p.previousOffset, p.offset]), [[0, 3, 0], [1, 3, 0], [2, 3, 0]]);
  await broker.waitForCommitted(GROUP, TOPIC, { lag: 6 });
  assert.equal((await broker.waitForGroup(GROUP, { state: 'Empty', lag: 6, topic: TOPIC })).type, 'consumer');

  await samsa(['group', 'delete', GROUP]);
  assert.equal(broker.group(GROUP), undefined);
  assert.equal((await get(`/consumer-groups/${GROUP}`)).status, 404);
  assert.deepEqual((await json(['group', 'list'])).map((g: { group: string }) => g.group), ['classic-offsets']);
});

test('two @platformatic/kafka members: each shown with the partitions the broker gave it, in the CLI, REST and test kit', async () => {
  const group = 'k848-pair';
  const members = await Promise.all(['pair-a', 'pair-b'].map(async (clientId) => {
    const consumer = new Consumer({ clientId, bootstrapBrokers: [broker.bootstrap], groupId: group, groupProtocol: 'consumer', deserializers: stringDeserializers, maxWaitTime: 100 });
    const stream = await consumer.consume({ topics: [TOPIC], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });
    stream.on('data', (m: Message<string, string, string, string>) => { void m.commit(); });
    return consumer;
  }));
  try {
    // Two members, the three partitions split between them, every record committed.
    const kit = await broker.waitForGroup(group, { state: 'Stable', members: 2, lag: 0, topic: TOPIC, timeoutMs: 20_000 });
    const owned = kit.members.map((m) => [m.clientId, m.assignment![TOPIC] ?? []] as const).sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(owned.flatMap(([, ps]) => ps).sort(), [0, 1, 2]);
    assert.ok(owned.every(([, ps]) => ps.length > 0), 'both members hold partitions');
    for (const m of kit.members) assert.deepEqual(m.targetAssignment, m.assignment, 'a stable group is at its target');

    const described = await json(['group', 'describe', group]);
    assert.deepEqual([described.type, described.state, described.groupEpoch], ['consumer', 'Stable', kit.generationId]);
    const ownerOf = new Map(described.members.flatMap((m: any) => m.assignment[TOPIC].map((p: number) => [p, m.clientId])));
    assert.deepEqual(described.partitions.map((p: any) => [p.partition, p.clientId, p.lag]), [0, 1, 2].map((p) => [p, ownerOf.get(p), 0]));
    assert.deepEqual([...ownerOf.values()].sort(), owned.flatMap(([id, ps]) => ps.map(() => id)).sort());

    const consumers = await get(`/consumer-groups/${group}/consumers`);
    assert.deepEqual(consumers.body.data.map((c: any) => [c.client_id, c.partitions.map((p: any) => p.partition_id).sort()]).sort(),
      owned.map(([id, ps]) => [id, [...ps]]));
    assert.equal((await get(`/consumer-groups/${group}/lag-summary`)).body.total_lag, 0);
  } finally {
    await Promise.all(members.map((c) => c.close(true)));
  }
  await broker.waitForGroup(group, { state: 'Empty', members: 0 });
});
