/**
 * The share coordinator (KIP-932): share groups, their members and assignments, the members' share sessions, and
 * the share-partitions' in-flight state (share-partition.ts), persisted to `__share_group_state` and replayed on start.
 *
 * Membership (ShareGroupHeartbeat): a member joins with epoch 0 and its own member id, heartbeats with its epoch,
 * leaves with -1. Any change of members or subscriptions bumps the group epoch and assigns again at once (share
 * groups revoke nothing: several members may consume one partition). The assignor is Kafka's "simple" one in spirit:
 * each topic's partitions go round the members subscribed to it, and with more members than partitions each
 * partition is shared by several members. The membership (epochs, members and their subscriptions) is a record too,
 * written before the heartbeat is answered; after a restart members keep their epochs (their sessions start again),
 * and the assignment is computed again from them.
 *
 * Share sessions (ShareFetch/ShareAcknowledge): epoch 0 opens one for (group, member), then each request carries the
 * next epoch; -1 closes it and releases the records the member holds. A member expiring drops its session.
 *
 * Time: locks and member sessions run on the broker's clock (a ManualClock in tests).
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.js';
import type { KeyValueLog, KeyValueRecord } from '../../log/key-value-log.js';
import type { PartitionLog } from '../../log/index.js';
import type { TopicMeta } from '../../metadata/topics.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import { BATCH_HEADER_SIZE, readBatchHeader, lastOffsetOf } from '../../protocol/record-batch.js';
import type { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../protocol/generated/index.js';
import { GroupRuntime } from '../group/runtime.js';
import { SharePartition, type AcquiredRange, type Acknowledgement, type LogBatch, type RecordState } from './share-partition.js';
import * as rec from './records.js';
import { SETTABLE_GROUP_CONFIGS } from './configs.js';

export interface ShareSettings {
  lockDurationMs: number;
  deliveryCountLimit: number;
  maxInFlight: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxGroupSize: number;
  /** group.share.max.share.sessions: beyond it, opening a session is SHARE_SESSION_LIMIT_REACHED. */
  maxSessions: number;
}

export interface ShareDependencies {
  log: KeyValueLog;
  logger: Logger;
  clock: Clock;
  settings: () => ShareSettings;
  topics: { get(name: string): TopicMeta | undefined; getById(id: Buffer): TopicMeta | undefined };
  partitionLog: (topic: string, partition: number) => PartitionLog | undefined;
  /** Whether a classic or consumer group already has this id (a share group may not take it). */
  otherGroupExists: (groupId: string) => boolean;
}

export class ShareMember {
  memberEpoch = 0;
  /** Topic name → partitions assigned. */
  assignment = new Map<string, number[]>();
  timer: TimerHandle | null = null;
  constructor(readonly memberId: string, public clientId: string, public clientHost: string, public rackId: string | null, public subscribedTopics: string[]) {}
}

export class ShareGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ShareMember>();
  configs = new Map<string, string>();
  /** The subscribed topics' ids and partition counts at the last assignment: a change (topic created, grown) reassigns. */
  topology = '';
  constructor(readonly groupId: string) {}
  /**
   * A share group once a member has joined. Configs alone are not a group: any group id may have them (Kafka keeps
   * group configs apart from groups), and a consumer group's are stored here too.
   */
  get exists(): boolean {
    return this.groupEpoch > 0 || this.members.size > 0;
  }
  get state(): 'Empty' | 'Stable' {
    return this.members.size === 0 ? 'Empty' : 'Stable';
  }
}

interface Session {
  groupId: string;
  memberId: string;
  epoch: number;
  partitions: Map<string, { topicId: Buffer; partition: number }>;
  /** Broker clock time of its last request. */
  usedAt: number;
}

export interface AcquireResult { records: Buffer[]; acquired: AcquiredRange[] }

/** How much of a partition's log one acquisition step reads. */
const READ_CHUNK_BYTES = 1 << 20;

/** The batches of a read, with where each sits in `data`; `aborted`: read_committed's aborted transactions. */
function logBatches(data: Buffer, aborted: ReadonlyArray<{ producerId: number; firstOffset: number; lastOffset: number }>): Array<LogBatch & { start: number; end: number }> {
  const batches: Array<LogBatch & { start: number; end: number }> = [];
  for (let pos = 0; pos + BATCH_HEADER_SIZE <= data.length;) {
    const h = readBatchHeader(data, pos);
    if (h.size < BATCH_HEADER_SIZE || pos + h.size > data.length) break;
    const isAborted = h.isTransactional && aborted.some((t) => t.producerId === h.producerId && t.firstOffset <= h.baseOffset && h.baseOffset <= t.lastOffset);
    batches.push({ baseOffset: h.baseOffset, lastOffset: lastOffsetOf(h), isControl: h.isControl, isAborted, start: pos, end: pos + h.size });
    pos += h.size;
  }
  return batches;
}

const partitionKey = (group: string, topicId: Buffer, partition: number) => `${group}\0${topicId.toString('hex')}\0${partition}`;
const sessionKey = (group: string, member: string) => `${group}\0${member}`;

export class ShareCoordinator {
  readonly groups = new Map<string, ShareGroup>();
  private readonly partitions = new Map<string, { group: string; topicId: Buffer; partition: number; state: SharePartition }>();
  private readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<() => void>();
  private readonly changeListeners = new Set<(groupId: string) => void>();
  private readonly runtime: GroupRuntime;
  private readonly lockTimers = new Set<TimerHandle>();
  private snapshotEpoch = 0;

  constructor(private readonly deps: ShareDependencies) {
    this.runtime = new GroupRuntime(deps.clock, deps.log, deps.logger, () => {});
    for (const r of deps.log.replay()) this.replay(r);
    // Replayed members must heartbeat again within a session timeout, as after a coordinator move in Kafka.
    for (const group of this.groups.values()) for (const m of group.members.values()) this.scheduleSession(group, m);
  }

  private get settings(): ShareSettings {
    return this.deps.settings();
  }

  // ---- membership ----

  async heartbeat(req: ShareGroupHeartbeatRequest, clientId: string, clientHost: string): Promise<ShareGroupHeartbeatResponse> {
    const fail = (errorCode: number, errorMessage: string | null = null): ShareGroupHeartbeatResponse => ({
      throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null,
    });
    if (req.groupId === '') return fail(ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.');
    if (req.memberId === '') return fail(ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.');
    if (req.rackId === '') return fail(ErrorCode.INVALID_REQUEST, 'RackId can\'t be empty.');
    if (req.memberEpoch < -1) return fail(ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.');
    if (req.memberEpoch === 0 && !req.subscribedTopicNames?.length) return fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames must be set in first request.');
    if (this.deps.otherGroupExists(req.groupId)) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a share group.`);
    let group = this.groups.get(req.groupId);
    if (req.memberEpoch === -1) {
      const member = group?.members.get(req.memberId);
      if (!group || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      this.removeMember(group, member);
      if (!(await this.persistMembers(group))) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return { ...fail(ErrorCode.NONE), memberId: req.memberId, memberEpoch: -1 };
    }
    let member = group?.members.get(req.memberId);
    if (req.memberEpoch === 0) {
      group ??= this.groupOf(req.groupId);
      if (!member) {
        if (group.members.size >= this.settings.maxGroupSize) return fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The share group has reached its maximum capacity of ${this.settings.maxGroupSize} members.`);
        member = new ShareMember(req.memberId, clientId, clientHost, req.rackId, req.subscribedTopicNames ?? []);
        group.members.set(member.memberId, member);
        this.assign(group);
      }
    } else {
      if (!group || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      if (req.memberEpoch !== member.memberEpoch) return fail(ErrorCode.FENCED_MEMBER_EPOCH, `The share group member has a stale member epoch ${req.memberEpoch}, current ${member.memberEpoch}.`);
    }
    if (req.rackId !== null) member.rackId = req.rackId;
    if (req.subscribedTopicNames !== null && !sameTopics(req.subscribedTopicNames, member.subscribedTopics)) {
      member.subscribedTopics = [...req.subscribedTopicNames];
      this.assign(group);
    } else if (this.topologyOf(group) !== group.topology) {
      this.assign(group);
    }
    const epochBefore = member.memberEpoch;
    member.memberEpoch = group.assignmentEpoch;
    this.scheduleSession(group, member);
    if ((req.memberEpoch === 0 || epochBefore !== member.memberEpoch) && !(await this.persistMembers(group))) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return {
      throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.groupMs(group.groupId, 'share.heartbeat.interval.ms', this.settings.heartbeatIntervalMs), assignment: { topicPartitions: this.assignmentOf(member) },
    };
  }

  /** The member's assignment by topic id; topics deleted since are left out. */
  assignmentOf(member: ShareMember): Array<{ topicId: Buffer; topicName: string; partitions: number[] }> {
    const out = [];
    for (const [topic, partitions] of member.assignment) {
      const meta = this.deps.topics.get(topic);
      if (meta) out.push({ topicId: meta.id, topicName: topic, partitions });
    }
    return out;
  }

  /** Assigns every subscribed topic's partitions round the members subscribed to it; all members take the new epoch. */
  private assign(group: ShareGroup): void {
    this.changed(group.groupId);
    group.groupEpoch++;
    this.computeAssignment(group);
    // Members take the new epoch with the assignment, on their next heartbeat.
    group.assignmentEpoch = group.groupEpoch;
  }

  /** Each subscribed topic's partitions round the members subscribed to it (several per partition when more members). */
  private computeAssignment(group: ShareGroup): void {
    group.topology = this.topologyOf(group);
    const members = [...group.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
    for (const m of members) m.assignment = new Map();
    const topics = new Set(members.flatMap((m) => m.subscribedTopics));
    for (const topic of [...topics].sort()) {
      const meta = this.deps.topics.get(topic);
      if (!meta) continue;
      const subscribers = members.filter((m) => m.subscribedTopics.includes(topic));
      const slots = Math.max(meta.partitions, subscribers.length);
      for (let i = 0; i < slots; i++) {
        const m = subscribers[i % subscribers.length];
        const p = i % meta.partitions;
        const list = m.assignment.get(topic) ?? [];
        if (!list.includes(p)) list.push(p);
        m.assignment.set(topic, list);
      }
    }
  }

  private topologyOf(group: ShareGroup): string {
    const topics = new Set([...group.members.values()].flatMap((m) => m.subscribedTopics));
    return [...topics].sort().map((t) => {
      const meta = this.deps.topics.get(t);
      return meta ? `${t}:${meta.id.toString('hex')}:${meta.partitions}` : '';
    }).join(',');
  }

  private scheduleSession(group: ShareGroup, member: ShareMember): void {
    member.timer?.cancel();
    member.timer = this.deps.clock.setTimeout(() => {
      if (group.members.get(member.memberId) !== member) return;
      this.removeMember(group, member);
      this.sessions.delete(sessionKey(group.groupId, member.memberId));
      void this.persistMembers(group);
    }, this.groupMs(group.groupId, 'share.session.timeout.ms', this.settings.sessionTimeoutMs));
  }

  /**
   * A member leaves or expires: the group is assigned again. The records it holds stay locked until their lock runs
   * out or its share session closes: a leaving client sends its last acknowledgements (epoch -1) alongside the
   * leave heartbeat, so a leave keeps the session; an expiry drops it.
   */
  private removeMember(group: ShareGroup, member: ShareMember): void {
    member.timer?.cancel();
    group.members.delete(member.memberId);
    this.assign(group);
  }

  // ---- share sessions ----

  /**
   * Checks a request's session epoch and, for ShareFetch, updates the session's partitions. Returns the error code
   * (SHARE_SESSION_NOT_FOUND, INVALID_SHARE_SESSION_EPOCH, SHARE_SESSION_LIMIT_REACHED) or the session (null once
   * closed with -1).
   */
  session(groupId: string, memberId: string, epoch: number, add: Array<{ topicId: Buffer; partition: number }>, forget: Array<{ topicId: Buffer; partition: number }>): number | Session | null {
    const key = sessionKey(groupId, memberId);
    let session = this.sessions.get(key);
    if (epoch === 0) {
      // A member reopening its session replaces it; a new one counts against group.share.max.share.sessions.
      if (!session && this.sessions.size >= this.settings.maxSessions) this.evictStaleSessions();
      if (!session && this.sessions.size >= this.settings.maxSessions) return ErrorCode.SHARE_SESSION_LIMIT_REACHED;
      session = { groupId, memberId, epoch: 1, partitions: new Map(), usedAt: 0 };
      this.sessions.set(key, session);
    } else if (!session) {
      return ErrorCode.SHARE_SESSION_NOT_FOUND;
    } else if (epoch === -1) {
      this.sessions.delete(key);
      return null;
    } else if (epoch !== session.epoch) {
      return ErrorCode.INVALID_SHARE_SESSION_EPOCH;
    } else {
      session.epoch = epoch === 0x7fffffff ? 1 : epoch + 1;
    }
    session.usedAt = this.deps.clock.now();
    for (const p of add) session.partitions.set(`${p.topicId.toString('hex')}\0${p.partition}`, p);
    for (const p of forget) session.partitions.delete(`${p.topicId.toString('hex')}\0${p.partition}`);
    return session;
  }

  /**
   * At the cap: sessions whose member is no longer in its group (it left without closing the session, or never
   * joined) and that were not used for a member session timeout are closed, as if with epoch -1. Without this, clients
   * that go away with a session open would lock every share consumer out once there are enough of them.
   */
  private evictStaleSessions(): void {
    const before = this.deps.clock.now() - this.settings.sessionTimeoutMs;
    for (const [key, s] of this.sessions) {
      if (s.usedAt > before || this.groups.get(s.groupId)?.members.has(s.memberId)) continue;
      this.sessions.delete(key);
      this.releaseMember(s.groupId, s.memberId).catch((err: unknown) => this.deps.logger.error({ err, group: s.groupId }, 'releasing a stale share session failed'));
    }
  }

  /** The session closed (-1): every record the member holds in the group is available again. */
  async releaseMember(groupId: string, memberId: string): Promise<void> {
    const writes: Promise<boolean>[] = [];
    for (const entry of this.partitions.values()) {
      if (entry.group === groupId && entry.state.releaseMember(memberId)) writes.push(this.persist(entry));
    }
    await Promise.all(writes);
    if (writes.length > 0) {
      this.notify();
      this.changed(groupId);
    }
  }

  // ---- share-partitions ----

  /** The group's state of a partition, started where share.auto.offset.reset says the first time it is read. */
  sharePartition(groupId: string, topic: TopicMeta, partition: number, log: PartitionLog): SharePartition {
    const key = partitionKey(groupId, topic.id, partition);
    let entry = this.partitions.get(key);
    if (!entry) {
      const reset = this.groupConfig(groupId, 'share.auto.offset.reset');
      const start = reset === 'earliest' ? log.logStartOffset : log.highWatermark;
      entry = { group: groupId, topicId: topic.id, partition, state: new SharePartition(start, this.limits) };
      this.partitions.set(key, entry);
    }
    if (entry.state.skipTo(log.logStartOffset)) void this.persist(entry);
    return entry.state;
  }

  private readonly limits = {
    deliveryCountLimit: () => this.settings.deliveryCountLimit,
    maxInFlight: () => this.settings.maxInFlight,
  };

  /** The share-partition if the group has read it (describe, CLI). */
  peek(groupId: string, topicId: Buffer, partition: number): SharePartition | undefined {
    return this.partitions.get(partitionKey(groupId, topicId, partition))?.state;
  }

  /** The group's share.record.lock.duration.ms, else the broker's group.share.record.lock.duration.ms. */
  lockDurationMs(groupId: string): number {
    const own = Number(this.groups.get(groupId)?.configs.get('share.record.lock.duration.ms'));
    return own > 0 ? own : this.settings.lockDurationMs;
  }

  readCommitted(groupId: string): boolean {
    return this.groupConfig(groupId, 'share.isolation.level') === 'read_committed';
  }

  /**
   * The bytes of the partition's log a member could acquire from now on (0: nothing to acquire), counted in whole
   * batches until `minBytes` are reached, within `maxBytes`: what ShareFetch's min_bytes is measured against (Kafka
   * counts from the share-partition's next fetch offset). A batch is at most max.message.bytes, so counting up to
   * min_bytes plus that much reaches min_bytes whenever the log holds it.
   */
  acquirableBytes(groupId: string, topic: TopicMeta, partition: number, log: PartitionLog, minBytes: number, maxBytes: number): number {
    const sp = this.sharePartition(groupId, topic, partition, log);
    const upTo = this.readCommitted(groupId) ? log.lastStableOffset : log.highWatermark;
    if (!sp.hasAcquirable(upTo)) return 0;
    if (minBytes <= 1) return 1; // what clients send by default: anything will do, no need to read the log
    const budget = Math.max(1, Math.min(maxBytes, Math.max(0, minBytes) + log.config.maxMessageBytes));
    return Math.max(1, log.bytesAvailable(sp.nextAcquirable(), budget, upTo));
  }

  /**
   * Acquires up to `maxRecords` (whole batches) for a member from a partition, reading at most `maxBytes` of its log:
   * the stored batches that hold them, and the acquired offset ranges. The records are locked for the group's lock
   * duration; when it runs out those still held are released (and persisted).
   */
  acquire(groupId: string, memberId: string, topic: TopicMeta, partition: number, log: PartitionLog, maxRecords: number, maxBytes: number, batchSize = 0): AcquireResult {
    const sp = this.sharePartition(groupId, topic, partition, log);
    const readCommitted = this.readCommitted(groupId);
    const upTo = readCommitted ? log.lastStableOffset : log.highWatermark;
    const entry = this.partitions.get(partitionKey(groupId, topic.id, partition))!;
    const lock: { timer: TimerHandle | null } = { timer: null };
    const before = { start: sp.startOffset, end: sp.endOffset };
    const records: Buffer[] = [];
    const acquired: AcquiredRange[] = [];
    let count = 0;
    let bytes = 0;
    // Read a chunk at a time, so a fetch allowed 50 MB that needs 500 small records reads about what it sends.
    while (count < maxRecords && bytes < maxBytes) {
      const from = sp.nextAcquirable();
      if (from >= upTo || !sp.hasAcquirable(upTo)) break;
      const data = Buffer.concat(log.read(from, Math.min(maxBytes - bytes, READ_CHUNK_BYTES), upTo, bytes === 0));
      const batches = logBatches(data, readCommitted ? log.abortedTransactions(from, upTo) : []);
      if (batches.length === 0) break;
      const got = sp.acquire(memberId, batches, maxRecords - count, lock, batchSize, from);
      // Nothing acquired and nothing passed (a gap too wide to pass yet): reading again would find the same.
      if (got.firstBatch < 0 && sp.nextAcquirable() <= from) break;
      if (got.firstBatch >= 0) {
        const slice = data.subarray(batches[got.firstBatch].start, batches[got.lastBatch].end);
        records.push(slice);
        bytes += slice.length;
        acquired.push(...got.ranges);
        for (const r of got.ranges) count += r.lastOffset - r.firstOffset + 1;
      }
      if (sp.endOffset <= batches[batches.length - 1].lastOffset) break; // stopped inside these batches (a limit)
    }
    if (acquired.length > 0) {
      const timer = this.deps.clock.setTimeout(() => this.runtime.guard(() => {
        this.lockTimers.delete(timer);
        if (sp.expire(lock)) {
          void this.persist(entry);
          this.notify();
          this.changed(groupId);
        }
      }), this.lockDurationMs(groupId));
      lock.timer = timer;
      this.lockTimers.add(timer);
      this.changed(groupId);
    } else if (sp.startOffset !== before.start || sp.endOffset !== before.end) {
      void this.persist(entry); // control or aborted records only: archived, the start offset moved
    }
    return { records, acquired };
  }

  /**
   * Applies a member's acknowledgements to a partition, all or none: INVALID_REQUEST for a malformed batch or an
   * acknowledge type out of range, INVALID_RECORD_STATE for an offset the member does not hold; NONE once persisted.
   */
  async acknowledge(groupId: string, memberId: string, topicId: Buffer, partition: number, acks: Acknowledgement[]): Promise<number> {
    if (acks.length === 0) return ErrorCode.NONE;
    const entry = this.partitions.get(partitionKey(groupId, topicId, partition));
    if (!entry) return ErrorCode.INVALID_RECORD_STATE;
    const problem = entry.state.checkAcknowledgements(memberId, acks);
    if (problem === 'invalid-request') return ErrorCode.INVALID_REQUEST;
    if (problem === 'invalid-state') return ErrorCode.INVALID_RECORD_STATE;
    entry.state.acknowledge(acks);
    const ok = await this.persist(entry);
    this.notify();
    this.changed(groupId);
    return ok ? ErrorCode.NONE : ErrorCode.KAFKA_STORAGE_ERROR;
  }

  /** Calls `fn` whenever records become available again (released, lock expired): parked share fetches re-check. */
  watch(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  /** Calls `fn` with the group's id after any change to a share group: members, acquisitions, acknowledgements (test kit). */
  watchChanges(fn: (groupId: string) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  private changed(groupId: string): void {
    for (const fn of [...this.changeListeners]) fn(groupId);
  }

  // ---- persistence ----

  /** The group's membership record (written before a heartbeat that changed it is answered). */
  private persistMembers(group: ShareGroup): Promise<boolean> {
    return this.runtime.write([{
      key: rec.encodeMembersKey(group.groupId),
      value: rec.encodeMembersValue({
        groupEpoch: group.groupEpoch, assignmentEpoch: group.assignmentEpoch,
        members: [...group.members.values()].map((m) => ({ memberId: m.memberId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost, rackId: m.rackId, subscribedTopics: m.subscribedTopics })),
      }),
    }]);
  }

  /**
   * Writes a share-partition's snapshot, unless the entry is no longer the current one: a lock that runs out on state
   * AlterShareGroupOffsets replaced (or DeleteGroups removed) must not write the old state back over the new.
   */
  private persist(entry: { group: string; topicId: Buffer; partition: number; state: SharePartition }): Promise<boolean> {
    if (this.partitions.get(partitionKey(entry.group, entry.topicId, entry.partition)) !== entry) return Promise.resolve(true);
    return this.runtime.write([snapshotRecord(entry.group, entry.topicId, entry.partition, entry.state, ++this.snapshotEpoch)]);
  }

  private replay(record: KeyValueRecord): void {
    try {
      const key = rec.decodeKey(record.key);
      if (key === null) return;
      if (key.kind === 'members') {
        if (record.value === null) {
          // Written only by DeleteGroups: the group is gone (its configs, if any, are tombstoned next).
          const g = this.groups.get(key.group);
          if (g) {
            g.members.clear();
            g.groupEpoch = 0;
            g.assignmentEpoch = 0;
            if (g.configs.size === 0) this.groups.delete(key.group);
          }
          return;
        }
        const v = rec.decodeMembersValue(record.value);
        const group = this.groupOf(key.group);
        group.groupEpoch = v.groupEpoch;
        group.assignmentEpoch = v.assignmentEpoch;
        group.members.clear();
        for (const m of v.members) {
          const member = new ShareMember(m.memberId, m.clientId, m.clientHost, m.rackId, m.subscribedTopics);
          member.memberEpoch = m.memberEpoch;
          group.members.set(m.memberId, member);
        }
        this.computeAssignment(group);
        return;
      }
      if (key.kind === 'config') {
        const configs = record.value === null ? new Map<string, string>() : rec.decodeGroupConfigValue(record.value);
        if (configs.size === 0) this.groups.delete(key.group);
        else this.groupOf(key.group).configs = configs;
        return;
      }
      const k = partitionKey(key.group, key.topicId, key.partition);
      if (record.value === null) {
        this.partitions.delete(k);
        return;
      }
      const v = rec.decodeSnapshotValue(record.value);
      this.snapshotEpoch = Math.max(this.snapshotEpoch, v.snapshotEpoch);
      this.partitions.set(k, { group: key.group, topicId: key.topicId, partition: key.partition, state: SharePartition.fromSnapshot(v.startOffset, v.batches, this.limits) });
    } catch (err) {
      this.deps.logger.warn({ err }, 'unreadable record in the share-group state log skipped');
    }
  }

  private groupOf(groupId: string): ShareGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ShareGroup(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  // ---- describe, list, configs ----

  /** A group's own value of a timeout or interval config, else the broker's setting. */
  private groupMs(groupId: string, name: string, brokerSetting: number): number {
    const own = this.groups.get(groupId)?.configs.get(name);
    return own === undefined ? brokerSetting : Number(own);
  }

  groupConfig(groupId: string, name: string): string {
    return this.groups.get(groupId)?.configs.get(name) ?? SETTABLE_GROUP_CONFIGS[name]?.defaultValue ?? '';
  }

  /**
   * Sets (or, with null, removes) a group's configs (SETTABLE_GROUP_CONFIGS: the share group ones, and the consumer
   * group timeouts the group coordinator asks for), persisted; the values are the caller's to validate.
   */
  setGroupConfigs(groupId: string, changes: Readonly<Record<string, string | null>>): Promise<boolean> {
    const group = this.groupOf(groupId);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) group.configs.delete(name);
      else group.configs.set(name, value);
    }
    return this.runtime.write([{ key: rec.encodeGroupConfigKey(groupId), value: rec.encodeGroupConfigValue(group.configs) }]);
  }

  /** One config (the test kit, scripts): see setGroupConfigs. */
  setGroupConfig(groupId: string, name: string, value: string): Promise<boolean> {
    return this.setGroupConfigs(groupId, { [name]: value });
  }

  /** The group's own configs (not the defaults). */
  groupConfigs(groupId: string): ReadonlyMap<string, string> {
    return this.groups.get(groupId)?.configs ?? new Map();
  }

  /** In-flight counts of a group's share-partitions (describe, CLI). */
  inFlight(groupId: string): Array<{ topic: string; partition: number; startOffset: number; endOffset: number; counts: Record<RecordState, number> }> {
    const out = [];
    for (const e of this.partitions.values()) {
      if (e.group !== groupId) continue;
      const topic = this.deps.topics.getById(e.topicId);
      if (topic) out.push({ topic: topic.name, partition: e.partition, startOffset: e.state.startOffset, endOffset: e.state.endOffset, counts: e.state.counts() });
    }
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** Share groups as ListGroups lists them (protocol type and type "share"). */
  listGroups(): Array<{ groupId: string; protocolType: string; groupState: string; groupType: string }> {
    return this.groupIds().map((groupId) => ({ groupId, protocolType: 'share', groupState: this.stateOf(groupId), groupType: 'share' }));
  }

  /** Whether this id names a share group (one a member joined, or with share-partition state). */
  has(groupId: string): boolean {
    if (this.groups.get(groupId)?.exists) return true;
    for (const e of this.partitions.values()) if (e.group === groupId) return true;
    return false;
  }

  /**
   * DeleteGroups for a share group: only an empty one (NON_EMPTY_GROUP), its share-partition state tombstoned;
   * GROUP_ID_NOT_FOUND if there is none.
   */
  async deleteGroup(groupId: string): Promise<number> {
    if (!this.has(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if ((this.groups.get(groupId)?.members.size ?? 0) > 0) return ErrorCode.NON_EMPTY_GROUP;
    const hadConfigs = (this.groups.get(groupId)?.configs.size ?? 0) > 0;
    this.groups.delete(groupId);
    for (const key of [...this.sessions.keys()]) if (key.startsWith(`${groupId}\0`)) this.sessions.delete(key);
    const configsGone = await this.runtime.write([
      { key: rec.encodeMembersKey(groupId), value: null },
      ...(hadConfigs ? [{ key: rec.encodeGroupConfigKey(groupId), value: null }] : []),
    ]);
    return (await this.forget((e) => e.group === groupId)) && configsGone ? ErrorCode.NONE : ErrorCode.KAFKA_STORAGE_ERROR;
  }

  /** AlterShareGroupOffsets: the share-partition starts over at `startOffset`, nothing in flight (the group is empty). */
  async alterStartOffset(groupId: string, topicId: Buffer, partition: number, startOffset: number): Promise<boolean> {
    this.groupOf(groupId);
    const entry = { group: groupId, topicId, partition, state: new SharePartition(startOffset, this.limits) };
    this.partitions.set(partitionKey(groupId, topicId, partition), entry);
    this.changed(groupId);
    return this.persist(entry);
  }

  /**
   * Forgets a topic's share-partition state: one group's (DeleteShareGroupOffsets) or, without `groupId`, every
   * group's (the topic was deleted).
   */
  deleteTopicState(topicId: Buffer, groupId?: string): Promise<boolean> {
    return this.forget((e) => e.topicId.equals(topicId) && (groupId === undefined || e.group === groupId));
  }

  /** Drops the share-partitions that `match`, writing their tombstones. */
  private forget(match: (e: { group: string; topicId: Buffer; partition: number }) => boolean): Promise<boolean> {
    const tombstones: KeyValueRecord[] = [];
    const groups = new Set<string>();
    for (const [key, e] of this.partitions) {
      if (!match(e)) continue;
      tombstones.push({ key: rec.encodeSnapshotKey({ group: e.group, topicId: e.topicId, partition: e.partition }), value: null });
      this.partitions.delete(key);
      groups.add(e.group);
    }
    for (const g of groups) this.changed(g);
    return this.runtime.write(tombstones);
  }

  groupIds(): string[] {
    const ids = new Set([...this.groups.values()].filter((g) => g.exists).map((g) => g.groupId));
    for (const e of this.partitions.values()) ids.add(e.group);
    return [...ids];
  }

  stateOf(groupId: string): string {
    const group = this.groups.get(groupId);
    return group?.exists ? group.state : this.has(groupId) ? 'Empty' : 'Dead';
  }

  /** Forgets every share group and share-partition, and empties the state log (the test kit's reset). */
  async reset(): Promise<void> {
    await this.runtime.settled();
    this.deps.log.clear?.();
    for (const g of this.groups.values()) for (const m of g.members.values()) m.timer?.cancel();
    for (const t of this.lockTimers) t.cancel();
    this.lockTimers.clear();
    const ids = this.groupIds();
    this.groups.clear();
    this.partitions.clear();
    this.sessions.clear();
    for (const id of ids) this.changed(id);
  }

  /** Settles once every write issued so far is stored. */
  settled(): Promise<void> {
    return this.runtime.settled();
  }

  close(): void {
    for (const g of this.groups.values()) for (const m of g.members.values()) m.timer?.cancel();
    for (const t of this.lockTimers) t.cancel();
    this.runtime.close();
  }
}

function snapshotRecord(group: string, topicId: Buffer, partition: number, state: SharePartition, snapshotEpoch: number): KeyValueRecord {
  return {
    key: rec.encodeSnapshotKey({ group, topicId, partition }),
    value: rec.encodeSnapshotValue({ snapshotEpoch, stateEpoch: 0, leaderEpoch: -1, startOffset: state.startOffset, batches: state.stateBatches() }),
  };
}

function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}
