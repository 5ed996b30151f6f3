/**
 * Read-only views of the cluster for tests: topics with their offsets, groups with members and assignments, committed
 * offsets with their lag, and the records of a partition decoded (key, value, headers, producer id/epoch, whether
 * transactional, and transaction markers). Plain objects, computed on each call from the broker's live state.
 */
import type { Broker } from '../broker.js';
import type { PartitionLog } from '../log/index.js';
import { BATCH_HEADER_SIZE, controlType, decodeBatch, readBatchHeader, TimestampType, type BatchHeader } from '../protocol/record-batch.js';
import { Reader } from '../protocol/reader.js';
import { TestkitError } from './errors.js';

export interface InspectedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
  /** -1 for a producer that is neither idempotent nor transactional. */
  producerId: number;
  producerEpoch: number;
  /** Part of a transaction (its data, or its marker). */
  transactional: boolean;
  /** A transaction marker (control record): how that transaction ended; null for data records. */
  control: 'COMMIT' | 'ABORT' | 'UNKNOWN' | null;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  logStartOffset: number;
  highWatermark: number;
  lastStableOffset: number;
}

export interface TopicInfo {
  name: string;
  internal: boolean;
  configs: Record<string, string>;
  partitions: PartitionInfo[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
  leaderEpoch: number;
  /** High watermark minus the committed offset; null when the partition no longer exists. */
  lag: number | null;
}

export interface GroupMemberInfo {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** A consumer group member's assigned partitions by topic (once Stable); null for other protocols or none yet. */
  assignment: Record<string, number[]> | null;
  /** A consumer (KIP-848) group member's epoch; null in classic and share groups. */
  memberEpoch: number | null;
  /** A consumer (KIP-848) group member's target assignment (what it converges to); null in classic and share groups. */
  targetAssignment: Record<string, number[]> | null;
}

export interface GroupInfo {
  groupId: string;
  /** classic (JoinGroup/SyncGroup), consumer (KIP-848, ConsumerGroupHeartbeat) or share (KIP-932). */
  type: 'classic' | 'consumer' | 'share';
  /** A consumer group's states are Empty, Assigning, Reconciling, Stable (Dead: gone). */
  state: string;
  protocolType: string | null;
  protocol: string | null;
  /** A classic group's generation; a consumer or share group's group epoch. */
  generationId: number;
  leader: string | null;
  /** A consumer group's assignment epoch and (server-side) assignor; null for classic and share groups. */
  assignmentEpoch: number | null;
  assignor: string | null;
  members: GroupMemberInfo[];
  committed: CommittedOffset[];
}

export interface RecordsQuery {
  partition?: number;
  /** First offset (default: the log start offset). */
  offset?: number;
  /** Most records returned (default: all). */
  limit?: number;
}

export function topicInfo(broker: Broker, name: string): TopicInfo | undefined {
  const meta = broker.topics.get(name);
  if (!meta) return undefined;
  const partitions: PartitionInfo[] = [];
  for (let p = 0; p < meta.partitions; p++) {
    const log = broker.logs.figures(name, p);
    if (!log) continue;
    partitions.push({
      partition: p, leader: broker.placement.leaderOf(name, p), logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset,
    });
  }
  return { name, internal: meta.internal, configs: { ...meta.configs }, partitions };
}

/** Topics by name; internal ones (`__consumer_offsets`, ...) only when asked. */
export function listTopics(broker: Broker, includeInternal = false): TopicInfo[] {
  return broker.clientTopics().filter((t) => includeInternal || !t.internal).map((t) => topicInfo(broker, t.name)!)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function committedOffsets(broker: Broker, groupId: string): CommittedOffset[] {
  const group = broker.groups.inspect(groupId);
  if (!group) return [];
  return [...group.offsets.values()].map((o) => {
    const log = broker.partition(o.topic, o.partition);
    return { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata, leaderEpoch: o.leaderEpoch, lag: log ? Math.max(0, log.highWatermark - o.offset) : null };
  }).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function groupInfo(broker: Broker, groupId: string): GroupInfo | undefined {
  const group = broker.groups.inspect(groupId);
  if (!group) return undefined;
  if (group.type === 'consumer') return consumerGroupInfo(broker, groupId);
  const consumer = group.protocolType === 'consumer' && group.state === 'Stable';
  return {
    groupId,
    type: 'classic',
    state: group.state,
    protocolType: group.protocolType,
    protocol: group.protocolName,
    generationId: group.generationId,
    leader: group.leaderId,
    assignmentEpoch: null,
    assignor: null,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      assignment: consumer ? consumerAssignment(m.assignment) : null, memberEpoch: null, targetAssignment: null,
    })),
    committed: committedOffsets(broker, groupId),
  };
}

/** A consumer (KIP-848) group, as ConsumerGroupDescribe tells it: the broker holds the assignments, by topic name. */
function consumerGroupInfo(broker: Broker, groupId: string): GroupInfo {
  const d = broker.groups.consumerGroupDescribe(groupId);
  return {
    groupId, type: 'consumer', state: d.groupState, protocolType: 'consumer', protocol: null, generationId: d.groupEpoch, leader: null,
    assignmentEpoch: d.assignmentEpoch, assignor: d.assignorName || null,
    members: d.members.map((m) => ({
      memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost, memberEpoch: m.memberEpoch,
      assignment: namedAssignment(m.assignment.topicPartitions), targetAssignment: namedAssignment(m.targetAssignment.topicPartitions),
    })),
    committed: committedOffsets(broker, groupId),
  };
}

/** Topic name → sorted partitions. */
export function namedAssignment(topicPartitions: Array<{ topicName: string; partitions: number[] }>): Record<string, number[]> {
  return Object.fromEntries(topicPartitions.map((t) => [t.topicName, [...t.partitions].sort((a, b) => a - b)] as const).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every group: classic and consumer groups, then share groups (type and protocol type "share"; shareGroup() has the details). */
export function listGroups(broker: Broker): GroupInfo[] {
  const groups = broker.groups.groupIds().sort().map((id) => groupInfo(broker, id)!).filter(Boolean);
  const shares = listShareGroups(broker).map((g): GroupInfo => ({
    groupId: g.groupId, type: 'share', state: g.state, protocolType: 'share', protocol: null, generationId: g.groupEpoch, leader: null,
    assignmentEpoch: null, assignor: null,
    members: g.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, clientId: m.clientId, clientHost: m.clientHost, assignment: m.assignment, memberEpoch: null, targetAssignment: null })),
    committed: [],
  }));
  return [...groups, ...shares];
}

/** The consumer protocol's assignment: version, [topic, [partition]], user data. Null when it does not parse. */
function consumerAssignment(bytes: Buffer): Record<string, number[]> | null {
  if (bytes.length === 0) return {};
  try {
    const r = new Reader(bytes);
    r.int16();
    const out: Record<string, number[]> = {};
    for (const t of r.array(false, () => ({ topic: r.string(false), partitions: r.array(false, () => r.int32()) }))) {
      out[t.topic] = [...(out[t.topic] ?? []), ...t.partitions].sort((a, b) => a - b);
    }
    return out;
  } catch {
    return null;
  }
}

/** Calls `visit` with each whole batch stored in [from, high watermark), in offset order; stops when it returns false. */
export function eachBatch(log: PartitionLog, from: number, visit: (buf: Buffer, at: number, header: BatchHeader) => boolean | void): void {
  let offset = Math.max(from, log.logStartOffset);
  while (offset < log.highWatermark) {
    const chunks = log.read(offset, 1 << 20);
    if (chunks.length === 0) return;
    for (const buf of chunks) {
      for (let at = 0; at + BATCH_HEADER_SIZE <= buf.length;) {
        const header = readBatchHeader(buf, at);
        if (visit(buf, at, header) === false) return;
        at += header.size;
        offset = header.baseOffset + header.lastOffsetDelta + 1;
      }
    }
  }
}

/** A topic's records (every partition, or one), decoded, in partition then offset order. */
export function readRecords(broker: Broker, topic: string, query: RecordsQuery = {}): InspectedRecord[] {
  const meta = broker.clientTopic(topic);
  if (!meta) throw new TestkitError('SAMSA_UNKNOWN_TOPIC', `no topic '${topic}'`);
  const { partition, offset = 0, limit = Infinity } = query;
  if (partition !== undefined && (partition < 0 || partition >= meta.partitions)) {
    throw new TestkitError('SAMSA_UNKNOWN_PARTITION', `topic '${topic}' has no partition ${partition} (it has ${meta.partitions})`);
  }
  const out: InspectedRecord[] = [];
  for (let p = partition ?? 0; p < (partition ?? meta.partitions - 1) + 1 && out.length < limit; p++) {
    const log = broker.logs.get(topic, p);
    if (!log) continue;
    eachBatch(log, offset, (buf, at, h) => {
      const control = h.isControl ? controlName(controlType(buf, at)) : null;
      for (const r of decodeBatch(buf, at).records) {
        if (r.offset < offset || r.offset < log.logStartOffset) continue;
        if (out.length >= limit) return false;
        out.push({
          topic, partition: p, offset: r.offset, timestamp: r.timestamp,
          timestampType: h.timestampType === TimestampType.logAppendTime ? 'LogAppendTime' : 'CreateTime',
          // Views into the read buffer: copied, so a test may keep them.
          key: r.key && Buffer.from(r.key), value: r.value && Buffer.from(r.value),
          headers: r.headers.map((x) => ({ key: x.key, value: x.value && Buffer.from(x.value) })),
          producerId: h.producerId, producerEpoch: h.producerEpoch, transactional: h.isTransactional, control,
        });
      }
      return out.length < limit;
    });
  }
  return out;
}

function controlName(commit: boolean | null): InspectedRecord['control'] {
  return commit === true ? 'COMMIT' : commit === false ? 'ABORT' : 'UNKNOWN';
}

/** Data records (markers not counted) a partition holds in [from, high watermark), by batch headers only. */
export function countRecords(log: PartitionLog, from = 0): number {
  let n = 0;
  eachBatch(log, from, (_buf, _at, h) => { if (!h.isControl) n += h.recordCount; });
  return n;
}

export interface SharePartitionInfo {
  topic: string;
  partition: number;
  /** The share-partition start offset (SPSO): everything before is acknowledged or archived. */
  startOffset: number;
  /** One past the last offset ever acquired (SPEO). */
  endOffset: number;
  /** Records not yet acknowledged or archived up to the high watermark (in flight and never delivered). */
  lag: number;
  /** In-flight records between the start and end offsets, by state. */
  inFlight: { available: number; acquired: number; acknowledged: number; archived: number };
}

export interface ShareGroupInfo {
  groupId: string;
  /** Empty, Stable, or Dead (no such group). */
  state: string;
  groupEpoch: number;
  members: Array<{ memberId: string; memberEpoch: number; clientId: string; clientHost: string; assignment: Record<string, number[]> }>;
  partitions: SharePartitionInfo[];
}

/** A share group (KIP-932): members, assignments, and per share-partition its offsets, in-flight counts and lag. */
export function shareGroupInfo(broker: Broker, groupId: string): ShareGroupInfo | undefined {
  const shares = broker.shares;
  if (!shares.has(groupId)) return undefined;
  const group = shares.groups.get(groupId);
  return {
    groupId, state: shares.stateOf(groupId), groupEpoch: group?.groupEpoch ?? 0,
    members: [...(group?.members.values() ?? [])].map((m) => ({
      memberId: m.memberId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
      assignment: Object.fromEntries(shares.assignmentOf(m).map((t) => [t.topicName, [...t.partitions].sort((a, b) => a - b)])),
    })),
    partitions: shares.inFlight(groupId).map((p) => {
      const hw = broker.partition(p.topic, p.partition)?.highWatermark ?? p.endOffset;
      return {
        topic: p.topic, partition: p.partition, startOffset: p.startOffset, endOffset: p.endOffset, inFlight: p.counts,
        lag: Math.max(0, hw - p.startOffset - p.counts.acknowledged - p.counts.archived),
      };
    }),
  };
}

export function listShareGroups(broker: Broker): ShareGroupInfo[] {
  return broker.shares.groupIds().sort().map((id) => shareGroupInfo(broker, id)!).filter(Boolean);
}
