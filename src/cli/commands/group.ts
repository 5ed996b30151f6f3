/**
 * `samsa group list | describe | seek | delete`: ListGroups (asked of every broker: each lists the groups it
 * coordinates), DescribeGroups, OffsetFetch, ListOffsets (for lag), OffsetCommit and DeleteGroups.
 *
 * A consumer group (KIP-848, group.protocol=consumer) is described with ConsumerGroupDescribe: the group and
 * assignment epochs, the server-side assignor, and per member its epoch, current and target assignment; its committed
 * offsets and lag as for a classic group. `list` shows each group's type (classic, consumer, share) and state from
 * ListGroups v5.
 *
 * A share group (KIP-932) is described with ShareGroupDescribe and DescribeShareGroupOffsets: members with their
 * assignments, and per partition the share-partition start offset (SPSO), the end offset and the lag (end − start:
 * in-flight records count as lag; their per-state counts are not in Kafka's APIs — the test kit's shareGroup() and
 * the console have them).
 *
 * `seek` moves an inactive group's committed offsets (like kafka-consumer-groups --reset-offsets) with a
 * member-less commit (generation -1); a group with live members refuses it, so it is checked first. --to takes
 * `start`, `end`, an offset (a whole number, kept within the log), or a time: an ISO-8601 date-time or @<ms>.
 */
import type { Command } from 'commander';
import {
  ConsumerGroupDescribeApi, DeleteGroupsApi, DescribeGroupsApi, DescribeShareGroupOffsetsApi, ListGroupsApi, OffsetFetchApi, ShareGroupDescribeApi,
  type ConsumerGroupDescribeResponseGroups, type DescribeGroupsResponseGroups, type ShareGroupDescribeResponseGroups,
} from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import type { ApiCodec } from '../../protocol/api.js';
import { Reader } from '../../protocol/reader.js';
import type { BrokerConnection, KafkaClient } from '../kafka-client.js';
import { check, CliError, emit, table } from '../output.js';
import { connectionOptions, formatOption, parseTime, Session } from '../session.js';
import { commitOffsets } from './consume.js';
import { act } from './act.js';

/** A consumer-protocol assignment (version, [topic, [partition]], user data) as topic → partitions; empty when unreadable. */
function readAssignment(bytes: Buffer): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (bytes.length < 2) return out;
  try {
    const r = new Reader(bytes);
    r.int16();
    for (const t of r.array(false, () => ({ topic: r.string(false), partitions: r.array(false, () => r.int32()) }))) out.set(t.topic, t.partitions);
  } catch {
    out.clear(); // another protocol's bytes
  }
  return out;
}

async function describeGroup(client: KafkaClient, group: string): Promise<DescribeGroupsResponseGroups> {
  return client.retrying(async () => {
    const res = await (await client.coordinator(group)).request(DescribeGroupsApi, { groups: [group], includeAuthorizedOperations: false });
    const g = res.groups[0]!;
    // DescribeGroups v6 answers GROUP_ID_NOT_FOUND where older versions said Dead: the caller looks further (offsets,
    // share groups) before calling the group unknown.
    if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return { ...g, errorCode: ErrorCode.NONE, groupState: 'Dead' };
    check(g.errorCode, `group '${group}'`);
    return g;
  });
}

/** Committed offsets of every topic the group has any for: topic → partition → offset. */
async function committed(client: KafkaClient, group: string): Promise<Map<string, Map<number, number>>> {
  return client.retrying(async () => {
    const sent = await (await client.coordinator(group)).request(OffsetFetchApi, { groupId: group, topics: null, groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
    const res = sent.groups[0] ?? sent; // v8+ answer per group
    check(res.errorCode, `offsets of group '${group}'`);
    const out = new Map<string, Map<number, number>>();
    for (const t of res.topics) {
      for (const p of t.partitions) {
        check(p.errorCode, `offset of group '${group}' on ${t.name}/${p.partitionIndex}`);
        if (p.committedOffset < 0) continue;
        if (!out.has(t.name)) out.set(t.name, new Map());
        out.get(t.name)!.set(p.partitionIndex, p.committedOffset);
      }
    }
    return out;
  });
}

/** Members of the listed groups of one node, asked with the Describe API of each group type the node serves. */
async function memberCounts(conn: BrokerConnection, listed: Array<{ groupId: string; groupType: string }>): Promise<Map<string, number>> {
  const ids = (type: string) => listed.filter((g) => (g.groupType || 'classic').toLowerCase() === type).map((g) => g.groupId);
  const counts = new Map<string, number>();
  const [classic, consumer, share] = [ids('classic'), ids('consumer'), ids('share')];
  if (classic.length > 0) {
    for (const g of (await conn.request(DescribeGroupsApi, { groups: classic, includeAuthorizedOperations: false })).groups) counts.set(g.groupId, g.members.length);
  }
  if (consumer.length > 0 && conn.versions.has(ConsumerGroupDescribeApi.key)) {
    for (const g of (await conn.request(ConsumerGroupDescribeApi, { groupIds: consumer, includeAuthorizedOperations: false })).groups) counts.set(g.groupId, g.members.length);
  }
  if (share.length > 0 && conn.versions.has(ShareGroupDescribeApi.key)) {
    for (const g of (await conn.request(ShareGroupDescribeApi, { groupIds: share, includeAuthorizedOperations: false })).groups) counts.set(g.groupId, g.members.length);
  }
  return counts;
}

const commaList = (text: string | undefined) => text?.split(',').map((x) => x.trim()).filter(Boolean) ?? [];

/** Group types and states as Kafka names them (classic, consumer and share groups' states). */
const GROUP_TYPES = ['classic', 'consumer', 'share', 'streams'];
const GROUP_STATES = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Assigning', 'Reconciling', 'NotReady'];

/** A --type or --state list, each name as Kafka spells it (matched without case); an unknown name is a usage error. */
function namesIn(text: string | undefined, known: string[], option: string): string[] {
  return commaList(text).map((name) => {
    const found = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!found) throw new CliError(`${option} expects names among ${known.join(', ')}, got '${name}'`, 2);
    return found;
  });
}

async function list(s: Session, o: { type?: string; state?: string }): Promise<void> {
  const client = s.kafka();
  const meta = await client.metadata([]);
  const [typesFilter, statesFilter] = [namesIn(o.type, GROUP_TYPES, '--type'), namesIn(o.state, GROUP_STATES, '--state')];
  const groups = (await Promise.all(meta.brokers.map(async (b) => {
    const conn = await client.node(b.nodeId);
    // ListGroups v4+ carries the state and v5+ the type (before: classic groups only, their state from DescribeGroups).
    const version = conn.versionOf(ListGroupsApi);
    if (typesFilter.length > 0 && version < 5) throw new CliError(`the broker at ${conn.label} cannot filter groups by type (ListGroups v5; it serves v${version})`);
    if (statesFilter.length > 0 && version < 4) throw new CliError(`the broker at ${conn.label} cannot filter groups by state (ListGroups v4; it serves v${version})`);
    const listed = await conn.request(ListGroupsApi, { statesFilter, typesFilter });
    check(listed.errorCode, `groups of node ${b.nodeId}`);
    if (listed.groups.length === 0) return [];
    const members = await memberCounts(conn, listed.groups);
    const states = listed.groups.some((g) => !g.groupState)
      ? new Map((await conn.request(DescribeGroupsApi, { groups: listed.groups.map((g) => g.groupId), includeAuthorizedOperations: false })).groups.map((g) => [g.groupId, g.groupState]))
      : new Map<string, string>();
    return listed.groups.map((g) => ({
      group: g.groupId, type: (g.groupType || 'classic').toLowerCase(), state: g.groupState || states.get(g.groupId) || 'Unknown', protocolType: g.protocolType,
      members: members.get(g.groupId) ?? 0, coordinator: b.nodeId,
    }));
  }))).flat().sort((a, b) => a.group.localeCompare(b.group));
  emit(s.format, groups, (gs) => table(['GROUP', 'TYPE', 'STATE', 'PROTOCOL', 'MEMBERS', 'COORDINATOR'], gs.map((g) => [g.group, g.type, g.state, g.protocolType || '-', g.members, g.coordinator])));
}

/**
 * The group as a typed Describe API (ConsumerGroupDescribe, ShareGroupDescribe) tells it, or null when the broker does
 * not serve that API or the group is not of that type.
 */
async function describeTyped<G extends { errorCode: number; errorMessage: string | null }>(client: KafkaClient,
  api: ApiCodec<{ groupIds: string[]; includeAuthorizedOperations: boolean }, { groups: G[] }>, group: string, what: string): Promise<G | null> {
  return client.retrying(async () => {
    const conn = await client.coordinator(group);
    if (!conn.versions.has(api.key)) return null;
    const g = (await conn.request(api, { groupIds: [group], includeAuthorizedOperations: false })).groups[0]!;
    if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return null;
    check(g.errorCode, `${what} '${group}'`, g.errorMessage);
    return g;
  });
}

const describeConsumerGroup = (client: KafkaClient, group: string): Promise<ConsumerGroupDescribeResponseGroups | null> =>
  describeTyped(client, ConsumerGroupDescribeApi, group, 'consumer group');

const describeShareGroup = (client: KafkaClient, group: string): Promise<ShareGroupDescribeResponseGroups | null> =>
  describeTyped(client, ShareGroupDescribeApi, group, 'share group');

async function describeShare(s: Session, client: KafkaClient, g: ShareGroupDescribeResponseGroups): Promise<void> {
  const group = g.groupId;
  const res = await client.retrying(async () => (await client.coordinator(group)).request(DescribeShareGroupOffsetsApi, { groups: [{ groupId: group, topics: null }] }));
  const described = res.groups[0]!;
  check(described.errorCode, `share group '${group}' offsets`);
  const partitions = [];
  for (const t of [...described.topics].sort((a, b) => a.topicName.localeCompare(b.topicName))) {
    const ends = await client.offsetsAt(t.topicName, -1).catch(() => new Map<number, number>());
    for (const p of [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
      const end = ends.get(p.partitionIndex) ?? null;
      const members = g.members.filter((m) => m.assignment.topicPartitions.some((a) => a.topicName === t.topicName && a.partitions.includes(p.partitionIndex)));
      partitions.push({
        topic: t.topicName, partition: p.partitionIndex, startOffset: p.startOffset, endOffset: end,
        lag: end !== null && p.startOffset >= 0 ? Math.max(0, end - p.startOffset) : null, members: members.length,
      });
    }
  }
  const out = {
    group, type: 'share', state: g.groupState, groupEpoch: g.groupEpoch, assignor: g.assignorName,
    members: g.members.map((m) => ({
      memberId: m.memberId, clientId: m.clientId, host: m.clientHost, memberEpoch: m.memberEpoch,
      assignment: Object.fromEntries(m.assignment.topicPartitions.map((a) => [a.topicName, [...a.partitions].sort((x, y) => x - y)])),
    })),
    partitions,
  };
  emit(s.format, out, (d) => [
    table(['GROUP', 'TYPE', 'STATE', 'EPOCH', 'MEMBERS'], [[d.group, d.type, d.state, d.groupEpoch, d.members.length]]),
    ...(d.members.length ? ['', table(['MEMBER-ID', 'CLIENT-ID', 'HOST', 'EPOCH', 'ASSIGNMENT'], d.members.map((m) => [m.memberId, m.clientId, m.host, m.memberEpoch,
      Object.entries(m.assignment).map(([t, ps]) => `${t}:${ps.join(',')}`).join(' ') || '-']))] : []),
    '',
    table(['TOPIC', 'PARTITION', 'START', 'END', 'LAG', 'MEMBERS'], d.partitions.map((p) => [p.topic, p.partition, p.startOffset, p.endOffset, p.lag, p.members])),
  ].join('\n'));
}

interface Owner { memberId: string; clientId: string; clientHost: string }

/**
 * Per partition the group has an offset for or a member owns: committed offset, end offset, lag and owner, by topic
 * then partition.
 */
async function partitionRows(client: KafkaClient, offsets: Map<string, Map<number, number>>, owner: Map<string, Owner>) {
  const topics = new Set([...offsets.keys(), ...[...owner.keys()].map((k) => k.slice(0, k.lastIndexOf('/')))]);
  const partitions = [];
  for (const topic of [...topics].sort()) {
    const ends = await client.offsetsAt(topic, -1).catch(() => new Map<number, number>()); // a deleted topic keeps its offsets a while
    const indexes = new Set([...(offsets.get(topic)?.keys() ?? []), ...[...owner.keys()].filter((k) => k.startsWith(`${topic}/`)).map((k) => Number(k.slice(topic.length + 1)))]);
    for (const partition of [...indexes].sort((a, b) => a - b)) {
      const current = offsets.get(topic)?.get(partition) ?? null;
      const end = ends.get(partition) ?? null;
      const m = owner.get(`${topic}/${partition}`);
      partitions.push({
        topic, partition, committedOffset: current, endOffset: end, lag: current !== null && end !== null ? Math.max(0, end - current) : null,
        memberId: m?.memberId ?? null, clientId: m?.clientId ?? null, host: m?.clientHost ?? null,
      });
    }
  }
  return partitions;
}

const PARTITION_COLUMNS = ['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'MEMBER-ID', 'CLIENT-ID', 'HOST'];
type PartitionRow = Awaited<ReturnType<typeof partitionRows>>[number];
const partitionCells = (ps: PartitionRow[]) => ps.map((p) => [p.topic, p.partition, p.committedOffset, p.endOffset, p.lag, p.memberId, p.clientId, p.host]);
const assignmentText = (a: Record<string, number[]>) => Object.entries(a).map(([t, ps]) => `${t}:${ps.join(',')}`).join(' ') || '-';

/** topic → sorted partitions, by topic name. */
function byTopic(topicPartitions: Array<{ topicName: string; partitions: number[] }>): Record<string, number[]> {
  return Object.fromEntries([...topicPartitions].sort((a, b) => a.topicName.localeCompare(b.topicName)).map((t) => [t.topicName, [...t.partitions].sort((x, y) => x - y)]));
}

async function describeConsumer(s: Session, client: KafkaClient, g: ConsumerGroupDescribeResponseGroups): Promise<void> {
  const group = g.groupId;
  const offsets = await committed(client, group);
  const owner = new Map<string, Owner>();
  for (const m of g.members) for (const t of m.assignment.topicPartitions) for (const p of t.partitions) owner.set(`${t.topicName}/${p}`, m);
  const out = {
    group, type: 'consumer', state: g.groupState, groupEpoch: g.groupEpoch, assignmentEpoch: g.assignmentEpoch, assignor: g.assignorName,
    members: g.members.map((m) => ({
      memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId, host: m.clientHost, memberEpoch: m.memberEpoch,
      subscribedTopics: [...m.subscribedTopicNames].sort(), subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: byTopic(m.assignment.topicPartitions), targetAssignment: byTopic(m.targetAssignment.topicPartitions),
    })),
    partitions: await partitionRows(client, offsets, owner),
  };
  emit(s.format, out, (d) => [
    table(['GROUP', 'TYPE', 'STATE', 'EPOCH', 'ASSIGNMENT-EPOCH', 'ASSIGNOR', 'MEMBERS'], [[d.group, d.type, d.state, d.groupEpoch, d.assignmentEpoch, d.assignor || '-', d.members.length]]),
    ...(d.members.length ? ['', table(['MEMBER-ID', 'CLIENT-ID', 'HOST', 'EPOCH', 'ASSIGNMENT', 'TARGET-ASSIGNMENT'], d.members.map((m) => [m.memberId, m.clientId, m.host, m.memberEpoch,
      assignmentText(m.assignment), assignmentText(m.targetAssignment)]))] : []),
    '',
    table(PARTITION_COLUMNS, partitionCells(d.partitions)),
  ].join('\n'));
}

async function describe(s: Session, group: string): Promise<void> {
  const client = s.kafka();
  // DescribeGroups does not see a consumer (KIP-848) group, so ConsumerGroupDescribe is asked first.
  const consumer = await describeConsumerGroup(client, group);
  if (consumer) return describeConsumer(s, client, consumer);
  const [g, offsets] = await Promise.all([describeGroup(client, group), committed(client, group)]);
  if (g.groupState === 'Dead' && offsets.size === 0) {
    const share = await describeShareGroup(client, group);
    if (share) return describeShare(s, client, share);
    throw new CliError(`unknown group '${group}'`);
  }
  const owner = new Map<string, Owner>();
  for (const m of g.members) {
    for (const [topic, partitions] of readAssignment(m.memberAssignment)) for (const p of partitions) owner.set(`${topic}/${p}`, m);
  }
  const out = {
    group, type: 'classic', state: g.groupState, protocolType: g.protocolType, protocol: g.protocolData,
    members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: Object.fromEntries(readAssignment(m.memberAssignment)) })),
    partitions: await partitionRows(client, offsets, owner),
  };
  emit(s.format, out, (d) => [
    table(['GROUP', 'STATE', 'PROTOCOL', 'MEMBERS'], [[d.group, d.state, [d.protocolType, d.protocol].filter(Boolean).join('/') || '-', d.members.length]]),
    ...(d.members.length ? ['', table(['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'], d.members.map((m) => [m.memberId, m.clientId, m.host, assignmentText(m.assignment)]))] : []),
    '',
    table(PARTITION_COLUMNS, partitionCells(d.partitions)),
  ].join('\n'));
}

async function seek(s: Session, group: string, o: { to: string; topic?: string; dryRun?: boolean }): Promise<void> {
  const client = s.kafka();
  const g = await describeConsumerGroup(client, group) ?? await describeGroup(client, group);
  if (g.groupState !== 'Empty' && g.groupState !== 'Dead') {
    throw new CliError(`group '${group}' is ${g.groupState} with ${g.members.length} member${g.members.length === 1 ? '' : 's'}: stop its consumers before seeking`);
  }
  const before = await committed(client, group);
  const topics = o.topic !== undefined ? [o.topic] : [...before.keys()].sort();
  if (topics.length === 0) throw new CliError(`group '${group}' has no committed offsets: name the topic with --topic`);
  // start and end are ListOffsets' -2 and -1; a time is looked up per partition; an offset is kept within the log.
  const to = o.to;
  const offset = /^\d+$/.test(to) ? Number(to) : null;
  const at = to === 'start' ? -2 : to === 'end' ? -1 : offset === null ? parseTime(to.startsWith('@') ? to.slice(1) : to, '--to') : null;
  const moved = [];
  for (const topic of topics) {
    const previous = before.get(topic);
    // Without --topic, only the partitions the group has offsets for; with it, every partition of the topic.
    const partitions = o.topic === undefined && previous ? [...previous.keys()] : undefined;
    const [starts, ends] = await Promise.all([client.offsetsAt(topic, -2, partitions), client.offsetsAt(topic, -1, partitions)]);
    const found = at !== null && at >= 0 ? await client.offsetsAt(topic, at, partitions) : null;
    const next = new Map<number, number>();
    for (const [partition, start] of starts) {
      const end = ends.get(partition)!;
      const atTime = found?.get(partition);
      const target = offset !== null ? Math.min(Math.max(offset, start), end)
        : atTime !== undefined ? (atTime < 0 ? end : atTime)
          : at === -2 ? start : end;
      next.set(partition, target);
      moved.push({ topic, partition, previousOffset: previous?.get(partition) ?? null, offset: target });
    }
    if (!o.dryRun) await commitOffsets(client, group, topic, next);
  }
  moved.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  emit(s.format, { group, dryRun: o.dryRun === true, partitions: moved }, (d) => [
    ...(d.dryRun ? ['Nothing committed (--dry-run): the offsets seek would commit.'] : []),
    table(['TOPIC', 'PARTITION', 'PREVIOUS', 'NEW'], d.partitions.map((p) => [p.topic, p.partition, p.previousOffset, p.offset])),
  ].join('\n'));
}

async function remove(s: Session, group: string): Promise<void> {
  const client = s.kafka();
  await client.retrying(async () => {
    const res = await (await client.coordinator(group)).request(DeleteGroupsApi, { groupsNames: [group] });
    for (const r of res.results) {
      if (r.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) throw new CliError(`unknown group '${group}'`);
      check(r.errorCode, `cannot delete group '${group}'`);
    }
  });
  emit(s.format, { group, deleted: true }, () => `Deleted group '${group}'.`);
}

export function groupCommand(program: Command): void {
  const group = program.command('group').description('list, describe, seek and delete groups (classic, consumer and share)');
  const kafka = (cmd: Command) => formatOption(connectionOptions(cmd, { kafka: true }));
  kafka(group.command('list').alias('ls').description('list groups with their type and state')
    .option('--type <types>', 'only groups of these types, comma-separated: classic, consumer, share')
    .option('--state <states>', 'only groups in these states, comma-separated (e.g. Stable,Empty)'))
    .action(act(list));
  kafka(group.command('describe').description('state, members, and per partition the committed offset, end offset and lag').argument('<group>')).action(act(describe));
  kafka(group.command('seek').description('move an inactive group\'s committed offsets').argument('<group>')
    .requiredOption('--to <position>', 'start, end, an offset, or a time (ISO-8601 date-time, or @<ms since the epoch>)')
    .option('-t, --topic <topic>', 'seek on this topic (every partition); default: the topics the group has offsets for')
    .option('--dry-run', 'show the offsets it would commit, commit nothing (kafka-consumer-groups --reset-offsets without --execute)'))
    .action(act(seek));
  kafka(group.command('delete').description('delete an inactive group and its offsets').argument('<group>')).action(act(remove));
}
