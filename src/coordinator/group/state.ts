/**
 * The groups' durable state and the one function that changes it: `apply(record)`, used both to replay
 * `__consumer_offsets` on start and, live, for each record once the log has accepted it (runtime.ts). So a restart
 * (clean or kill -9) rebuilds exactly the groups the log describes: committed offsets, and per group its last
 * GroupMetadata record — generation, protocol, leader, members with their assignments.
 *
 * As in Kafka, a GroupMetadata record is written when a generation settles: the leader's assignment (→ Stable),
 * a join phase that ends with no member (→ Empty), a static member replaced (Stable stays Stable). The join round
 * in between (PreparingRebalance, CompletingRebalance: who has rejoined, who waits) is not in Kafka's record
 * layout; the coordinator keeps it in memory and it is lost on a crash, so a restarted group resumes its last
 * settled generation. Live, a record applies only if the group is still where its write left it (a join or
 * leave during the write moved the round on: then the record only counts for a restart, as in Kafka).
 */
import type { Logger } from 'pino';
import type { KeyValueRecord } from '../../log/key-value-log.js';
import { EMPTY, Group, Member } from './group.js';
import * as rec from './records.js';
import type { ConsumerKey } from './consumer-records.js';
import { type ConsumerValue, RecordType, decodeConsumerValue } from './consumer-records.js';
import { ConsumerGroup, ConsumerMember, MemberState } from './consumer-group.js';

export const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class GroupStore {
  readonly groups = new Map<string, Group>();

  /** `changed` hears of every change to a group: its records applied, its state and members (see Group). */
  constructor(private readonly logger: Logger, private readonly now: () => number, private readonly changed: (groupId: string) => void = () => {}) {}

  get(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  /** A new Empty group (not a record: Kafka creates it on the first join or commit too). */
  create(groupId: string): Group {
    const group = new Group(groupId, this.now(), this.changed);
    this.groups.set(groupId, group);
    return group;
  }

  apply(record: KeyValueRecord): void {
    try {
      const key = rec.decodeKey(record.key);
      if (key === null) return;
      if (key.kind === 'offset') this.applyOffset(key.group, key.topic, key.partition, record.value && rec.decodeOffsetValue(record.value));
      else if (key.kind === 'consumer') this.applyConsumer(key, record.value && decodeConsumerValue(key.type, record.value));
      else this.applyGroup(key.group, record.value && rec.decodeGroupValue(record.value));
      this.changed(key.group);
    } catch (err) {
      // A record we cannot read must not keep the broker from starting; skip it, loudly.
      this.logger.warn({ err }, 'unreadable record in the group log skipped');
    }
  }

  private applyOffset(groupId: string, topic: string, partition: number, value: rec.OffsetValue | null): void {
    const key = partitionKey(topic, partition);
    if (value === null) {
      this.groups.get(groupId)?.offsets.delete(key);
      return;
    }
    const group = this.groups.get(groupId) ?? this.create(groupId);
    group.offsets.set(key, { ...value, topic, partition });
  }

  private applyGroup(groupId: string, v: rec.GroupValue | null): void {
    const group = this.groups.get(groupId);
    if (v === null) {
      // Written only for an Empty group; one that got members during the write lives on.
      if (group && group.members.size === 0 && group.pendingMembers.size === 0) {
        group.state = 'Dead';
        this.groups.delete(groupId);
      }
      return;
    }
    if (!group) return this.load(this.create(groupId), v);
    if (group.type === 'consumer') {
      // A classic group took the id of an empty consumer group.
      group.type = 'classic';
      group.consumer = null;
      return this.load(group, v);
    }
    switch (group.state) {
      case 'Empty':
      case 'Stable':
        // Replay, or a static member replaced in a Stable group (any other change would have started a round).
        return this.load(group, v);
      case 'CompletingRebalance':
        // The leader's assignment for this generation: the group is Stable.
        if (v.generationId === group.generationId && v.members.length > 0) this.load(group, v);
        return;
      case 'PreparingRebalance':
        // The join phase ended with nobody: the group is Empty.
        if (v.generationId === group.generationId && v.members.length === 0 && group.members.size === 0) this.load(group, v);
        return;
      default:
    }
  }

  private applyConsumer(key: ConsumerKey, v: ConsumerValue | null): void {
    if (v?.type === 0) return;
    let group = this.groups.get(key.group);
    if (v === null) {
      const cg = group?.consumer;
      if (!group || !cg) return;
      if (key.type === RecordType.GROUP) {
        // Written only for an empty group.
        if (cg.members.size === 0) {
          group.state = 'Dead';
          this.groups.delete(key.group);
        }
        return;
      }
      if (key.member === null) return;
      if (key.type === RecordType.MEMBER) cg.removeMember(key.member);
      else if (key.type === RecordType.TARGET_MEMBER) cg.targetAssignment.delete(key.member);
      else if (key.type === RecordType.CURRENT_MEMBER) {
        const m = cg.members.get(key.member);
        if (m) Object.assign(m, { memberEpoch: 0, previousMemberEpoch: 0, state: MemberState.STABLE, assigned: new Map(), pendingRevocation: new Map() });
      }
      this.settleConsumerState(group);
      return;
    }
    group ??= this.create(key.group);
    if (group.type !== 'consumer' || !group.consumer) {
      group.type = 'consumer';
      group.consumer = new ConsumerGroup();
      group.protocolType = 'consumer';
      group.protocolName = null;
      group.generationId = 0;
    }
    const cg = group.consumer;
    switch (v.type) {
      case 3:
        cg.groupEpoch = v.epoch;
        cg.metadataHash = v.metadataHash;
        break;
      case 5: {
        const existing = cg.members.get(key.member!);
        const m = existing ?? new ConsumerMember(key.member!);
        if (existing && existing.instanceId !== null && existing.instanceId !== v.member.instanceId) cg.staticMembers.delete(existing.instanceId);
        Object.assign(m, v.member);
        cg.addMember(m);
        break;
      }
      case 6:
        cg.assignmentEpoch = v.epoch;
        break;
      case 7:
        cg.targetAssignment.set(key.member!, v.assignment);
        break;
      case 8: {
        const m = cg.members.get(key.member!);
        if (m) Object.assign(m, { memberEpoch: v.memberEpoch, previousMemberEpoch: v.previousMemberEpoch, state: v.state, assigned: v.assigned, pendingRevocation: v.pendingRevocation });
        break;
      }
      default:
    }
    this.settleConsumerState(group);
  }

  /** A consumer group's classic-side state: Stable with members, Empty without (see Group.type). */
  private settleConsumerState(group: Group): void {
    const state = group.consumer!.members.size > 0 ? 'Stable' : 'Empty';
    if (group.state !== state) {
      group.state = state;
      group.currentStateTimestamp = this.now();
    }
  }

  /**
   * The group becomes what the record says: Stable with its members, or Empty. Members it already knows keep what
   * only memory holds (every protocol they offered, requests they are waiting on); the others are loaded with the
   * selected protocol only, as Kafka loads them.
   */
  private load(group: Group, v: rec.GroupValue): void {
    const known = new Map(group.members);
    group.members.clear();
    group.staticMembers.clear();
    group.leaderId = null;
    group.protocolType = v.protocolType === '' ? null : v.protocolType;
    group.generationId = v.generationId;
    group.protocolName = v.members.length > 0 ? v.protocolName : null;
    for (const m of v.members) {
      const member = known.get(m.memberId)
        ?? new Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.sessionTimeoutMs, m.rebalanceTimeoutMs,
          [{ name: v.protocolName ?? '', metadata: m.subscription }]);
      member.assignment = m.assignment;
      group.add(member, v.protocolType);
    }
    if (v.leaderId !== null && group.members.has(v.leaderId)) group.leaderId = v.leaderId;
    group.state = group.members.size > 0 ? 'Stable' : 'Empty';
    group.currentStateTimestamp = v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : this.now();
  }
}

/**
 * The GroupMetadata record of a group as it is, or with other `members`/`leaderId` (a static member replaced) or
 * the leader's `assignments`.
 */
export function groupRecord(group: Group, now: number, over: { members?: Member[]; leaderId?: string | null; assignments?: Map<string, Buffer> } = {}): KeyValueRecord {
  const protocol = group.protocolName;
  const value = rec.encodeGroupValue({
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: protocol,
    leaderId: over.leaderId !== undefined ? over.leaderId : group.leaderId,
    currentStateTimestamp: now,
    members: (over.members ?? [...group.members.values()]).map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: protocol === null ? EMPTY : m.metadataFor(protocol),
      assignment: over.assignments ? over.assignments.get(m.memberId) ?? EMPTY : m.assignment,
    })),
  });
  return { key: rec.encodeGroupKey(group.groupId), value };
}

export function offsetRecord(groupId: string, topic: string, partition: number, value: rec.OffsetValue | null): KeyValueRecord {
  return { key: rec.encodeOffsetKey(groupId, topic, partition), value: value && rec.encodeOffsetValue(value) };
}

export const groupTombstone = (groupId: string): KeyValueRecord => ({ key: rec.encodeGroupKey(groupId), value: null });
