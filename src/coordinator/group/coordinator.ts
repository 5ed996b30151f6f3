/**
 * The classic group coordinator (JoinGroup/SyncGroup/Heartbeat/LeaveGroup, offsets, group admin), independent of
 * the wire: plain methods whose promises settle when Kafka would answer (a JoinGroup waits for the rebalance).
 *
 * Three parts, after Kafka's group coordinator runtime:
 *   state.ts    the durable state (offsets, each group's settled generation) and `apply(record)`, the only way it
 *               changes — on start every record of the log is applied (recovery is replay), live each record is
 *               applied once the log accepted it;
 *   runtime.ts  timers on the broker's Clock and the ordered log writes;
 *   this file   the operations: each checks the request against the state, drives the join round (which lives in
 *               memory only, as in Kafka) and returns the records to write; its answer goes out after the write.
 *
 * Timers: a session timer per member (reset by every heartbeat, join, sync and commit; a member blocked in a
 * JoinGroup or SyncGroup is alive), a join timer per rebalancing group (the largest member rebalance timeout, or the
 * `group.initial.rebalance.delay.ms` windows of a group rebalancing from Empty), an expiry timer per member id handed
 * out with MEMBER_ID_REQUIRED, and a periodic offsets-expiry check. A loaded group's members get their sessions at
 * load, so members that do not come back after a restart expire.
 */
import type { Logger } from 'pino';
import { realClock, type Clock } from '../../clock.js';
import type { KeyValueLog, KeyValueRecord } from '../../log/key-value-log.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import type { OffsetCommitRequestTopics, OffsetCommitResponseTopics } from '../../protocol/generated/08-offset-commit.js';
import type { OffsetFetchRequestTopics, OffsetFetchResponseTopics } from '../../protocol/generated/09-offset-fetch.js';
import type { OffsetDeleteRequestTopics, OffsetDeleteResponseTopics } from '../../protocol/generated/47-offset-delete.js';
import type { DescribeGroupsResponseGroups } from '../../protocol/generated/15-describe-groups.js';
import { EMPTY, Group, Member, type JoinResult, type Protocol, type SyncResult } from './group.js';
import * as rec from './records.js';
import { GroupRuntime } from './runtime.js';
import { GroupStore, groupRecord, groupTombstone, offsetRecord, partitionKey } from './state.js';
import { ConsumerGroups, DEFAULT_CONSUMER_GROUP_SETTINGS, type ConsumerGroupSettings, type ConsumerHeartbeatParams, type ConsumerHeartbeatResult, type TopicCatalogue } from './consumer-coordinator.js';
import type { ConsumerGroupDescribeResponseGroups } from '../../protocol/generated/69-consumer-group-describe.js';

export interface GroupSettings {
  /** Wait this long for more members before the first rebalance of an empty group (Kafka: 3000; ours: 0). */
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** Offsets of an Empty group expire this long after it became empty (of a simple group: after the commit). */
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  /** Longest committed metadata string (OFFSET_METADATA_TOO_LARGE beyond). */
  offsetMetadataMaxBytes: number;
  /** Consumer-protocol (KIP-848) groups: `group.consumer.*`. */
  consumer: ConsumerGroupSettings;
}

export const DEFAULT_GROUP_SETTINGS: GroupSettings = {
  initialRebalanceDelayMs: 0,
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 7 * 24 * 3600_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  consumer: DEFAULT_CONSUMER_GROUP_SETTINGS,
};

export interface GroupDependencies {
  log: KeyValueLog;
  logger: Logger;
  /** Time for sessions, rebalances and retention (the broker's; realClock by default). */
  clock?: Clock;
  settings?: Partial<GroupSettings>;
  /** Whether a partition exists: commits to any other get UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists(topic: string, partition: number): boolean;
  /** The topics consumer groups subscribe to and are assigned (none when absent). */
  topics?: TopicCatalogue;
  /** A group's own config (GROUP resource; the share coordinator stores them), if it has one. */
  groupConfig?(groupId: string, name: string): string | undefined;
}

export interface JoinGroupParams {
  groupId: string;
  /** '' on a member's first join. */
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  /** JoinGroup v4+: a first join is answered MEMBER_ID_REQUIRED with the id to join with. */
  requireKnownMemberId: boolean;
  /**
   * JoinGroup v9+ (KIP-814): a static leader that rejoins a Stable group is told it leads, with the members, and to
   * skip the assignment; older versions are told the previous leader id, so they do not assign again.
   */
  supportsSkipAssignment?: boolean;
  /** JoinGroup v8+: why the member (re)joins, for the logs. */
  reason?: string | null;
}

export interface MemberRef {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface SyncGroupParams extends MemberRef {
  assignments: Array<{ memberId: string; assignment: Buffer }>;
  /** SyncGroup v5+: when set, must be the group's (else INCONSISTENT_GROUP_PROTOCOL). */
  protocolType?: string | null;
  protocolName?: string | null;
}

export interface OffsetCommitParams extends MemberRef {
  /** The request's version: from v9 generationId is a consumer-group member's epoch (KIP-848); classic groups read a generation. */
  apiVersion?: number;
  /** v2-4: -1 = the broker's retention, else how long this commit is kept. */
  retentionTimeMs: number;
  topics: OffsetCommitRequestTopics[];
}

/** One committed offset, as the transaction coordinator hands them over at commit. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export interface OffsetFetchResult { errorCode: number; topics: OffsetFetchResponseTopics[] }
export interface LeaveResult { errorCode: number; members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }> }
export interface OffsetDeleteResult { errorCode: number; topics: OffsetDeleteResponseTopics[] }

/** DescribeGroups' authorizedOperations when they were not asked for (Kafka's Integer.MIN_VALUE). */
export const UNSET_OPERATIONS = -2147483648;

function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

/** A second JoinGroup/SyncGroup from the same member while one waits: both get the final answer. */
function chain<T>(first: ((r: T) => void) | null, next: (r: T) => void): (r: T) => void {
  return first === null ? next : (r) => { first(r); next(r); };
}


/** Runtime timer keys, one timer per key. */
const sessionKey = (groupId: string, memberId: string) => `session\u0000${groupId}\u0000${memberId}`;
const pendingKey = (groupId: string, memberId: string) => `pending\u0000${groupId}\u0000${memberId}`;
const joinKey = (groupId: string) => `join\u0000${groupId}`;

export class GroupCoordinator {
  private readonly settings: GroupSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  /** Replaced, with the runtime, by `reset`. */
  private store: GroupStore;
  private runtime: GroupRuntime;
  private closed = false;
  /** Told of every change to a group (see `watch`). */
  private readonly watchers = new Set<(groupId: string) => void>();
  /** The consumer-protocol (KIP-848) groups, over the same store and runtime. */
  private readonly consumerGroups: ConsumerGroups;

  constructor(private readonly deps: GroupDependencies) {
    this.settings = { ...DEFAULT_GROUP_SETTINGS, ...deps.settings };
    this.logger = deps.logger.child({ component: 'groups' });
    this.clock = deps.clock ?? realClock;
    this.store = new GroupStore(this.logger, () => this.clock.now(), (id) => this.changed(id));
    this.runtime = this.startRuntime();
    let count = 0;
    for (const record of deps.log.replay()) {
      this.store.apply(record);
      count++;
    }
    for (const group of this.store.groups.values()) for (const m of group.members.values()) this.scheduleSession(group, m);
    this.consumerGroups = new ConsumerGroups({
      store: () => this.store, runtime: () => this.runtime, closed: () => this.closed, logger: this.logger,
      settings: this.settings.consumer, topics: deps.topics ?? { byName: () => undefined, byId: () => undefined, all: () => [] },
      groupConfig: (groupId, name) => deps.groupConfig?.(groupId, name),
    });
    this.consumerGroups.scheduleLoaded();
    if (count > 0) this.logger.info({ records: count, groups: this.store.groups.size }, 'group state loaded');
  }

  /** A runtime applying its writes to the current store (a write that ends after a reset changes the old one only). */
  private startRuntime(): GroupRuntime {
    const store = this.store;
    const runtime = new GroupRuntime(this.clock, this.deps.log, this.logger, (record) => store.apply(record));
    runtime.every(this.settings.offsetsRetentionCheckIntervalMs, () => {
      this.expireOffsets().catch((err: unknown) => this.logger.error({ err }, 'offsets expiry failed'));
    });
    return runtime;
  }

  /**
   * Calls `fn` with a group's id after each change to it (state, members, generation, committed offsets), synchronously
   * and possibly mid-operation: it should only take note. Returns the function that stops watching.
   */
  watch(fn: (groupId: string) => void): () => void {
    this.watchers.add(fn);
    return () => { this.watchers.delete(fn); };
  }

  private changed(groupId: string): void {
    for (const fn of this.watchers) fn(groupId);
  }

  // ───────────────────────────── membership ─────────────────────────────

  joinGroup(p: JoinGroupParams): Promise<JoinResult> {
    const fail = (errorCode: number) => Promise.resolve(joinError(p.memberId, errorCode));
    if (this.closed) return fail(ErrorCode.NOT_COORDINATOR);
    if (p.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    if (p.sessionTimeoutMs < this.settings.minSessionTimeoutMs || p.sessionTimeoutMs > this.settings.maxSessionTimeoutMs) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const names = p.protocols.map((x) => x.name);
    let group = this.store.get(p.groupId);
    if (!group) {
      if (p.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      if (p.protocolType === '' || names.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group = this.store.create(p.groupId);
    }
    if (group.consumer) {
      // A consumer-protocol group: a classic member may only take over its id once it is empty (no online migration).
      if (group.consumer.members.size > 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group.type = 'classic';
      group.consumer = null;
      group.protocolType = null;
    }
    if (!group.supportsProtocols(p.protocolType, names)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (p.reason) this.logger.debug({ group: p.groupId, member: p.memberId, reason: p.reason }, 'join');
    const g = group;
    return new Promise((resolve) => {
      try {
        this.doJoin(g, p, resolve);
      } catch (err) {
        this.logger.error({ err, group: p.groupId }, 'join failed');
        resolve(joinError(p.memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
      }
    });
  }

  private doJoin(group: Group, p: JoinGroupParams, resolve: (r: JoinResult) => void): void {
    if (group.pendingMembers.has(p.memberId)) {
      this.runtime.cancel(pendingKey(group.groupId, p.memberId));
      group.pendingMembers.delete(p.memberId);
      this.addMember(group, p, p.memberId, resolve);
      return;
    }
    if (p.memberId === '') {
      const memberId = `${p.groupInstanceId ?? p.clientId}-${process.getBuiltinModule('node:crypto').randomUUID()}`;
      const staticId = p.groupInstanceId === null ? undefined : group.staticMembers.get(p.groupInstanceId);
      if (staticId !== undefined) this.replaceStaticMember(group, staticId, memberId, p, resolve);
      else if (p.groupInstanceId === null && p.requireKnownMemberId) {
        // KIP-394: the member must come back with this id, so ids of clients that time out are not left behind.
        group.pendingMembers.add(memberId);
        this.runtime.schedule(pendingKey(group.groupId, memberId), p.sessionTimeoutMs, () => {
          group.pendingMembers.delete(memberId);
          this.tryCompleteJoin(group);
        });
        resolve(joinError(memberId, ErrorCode.MEMBER_ID_REQUIRED));
      } else this.addMember(group, p, memberId, resolve);
      return;
    }
    const problem = this.checkMember(group, p.memberId, p.groupInstanceId);
    if (problem !== ErrorCode.NONE) return resolve(joinError(p.memberId, problem));
    const member = group.members.get(p.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        this.updateMember(group, member, p, resolve);
        return;
      case 'CompletingRebalance':
        // A retried join of the generation being completed: the same answer again.
        if (member.matches(p.protocols)) resolve(this.joinResponse(group, member));
        else this.updateMember(group, member, p, resolve);
        return;
      case 'Stable':
        // Only the leader's rejoin or changed metadata (e.g. a new subscription) starts a rebalance.
        if (member.memberId === group.leaderId || !member.matches(p.protocols)) this.updateMember(group, member, p, resolve);
        else {
          this.scheduleSession(group, member);
          resolve({ ...this.joinResponse(group, member), members: [] });
        }
        return;
      default:
        resolve(joinError(p.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private addMember(group: Group, p: JoinGroupParams, memberId: string, resolve: (r: JoinResult) => void): void {
    const member = new Member(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs, p.rebalanceTimeoutMs, p.protocols);
    member.awaitingJoin = resolve;
    group.add(member, p.protocolType);
    if (group.initialDelay) group.newMemberAdded = true;
    this.scheduleSession(group, member);
    this.rebalance(group, `member ${memberId} joined`);
  }

  private updateMember(group: Group, member: Member, p: JoinGroupParams, resolve: (r: JoinResult) => void): void {
    member.protocols = p.protocols;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.awaitingJoin = chain(member.awaitingJoin, resolve);
    this.scheduleSession(group, member);
    this.rebalance(group, `member ${member.memberId} rejoined`);
  }

  /**
   * A static member (group.instance.id) came back with a new member id, e.g. after a restart. The new id replaces
   * the old one (whose pending requests are fenced). If the group is Stable and the selected protocol would not
   * change, no rebalance happens: the replacement is a GroupMetadata record, and once it is applied the member
   * gets the current generation (and its old assignment on SyncGroup).
   */
  private replaceStaticMember(group: Group, oldId: string, newId: string, p: JoinGroupParams, resolve: (r: JoinResult) => void): void {
    const old = group.members.get(oldId)!;
    const member = new Member(newId, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs, p.rebalanceTimeoutMs, p.protocols);
    member.assignment = old.assignment;
    const members = [...group.members.values()].map((m) => (m === old ? member : m));
    const previousLeader = group.leaderId;
    if (group.state === 'Stable' && group.selectProtocol(members) === group.protocolName) {
      const { generationId, protocolName } = group;
      const record = groupRecord(group, this.runtime.now(), { members, leaderId: previousLeader === oldId ? newId : previousLeader });
      void this.runtime.write([record]).then((ok) => {
        const replaced = group.members.get(newId);
        if (!ok) return resolve(joinError(newId, ErrorCode.UNKNOWN_SERVER_ERROR));
        // A join or leave during the write started a round without this member: it must join again.
        if (!replaced || this.store.get(group.groupId) !== group) return resolve(joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
        replaced.protocols = p.protocols; // the record keeps the selected protocol only
        this.runtime.cancel(sessionKey(group.groupId, oldId));
        this.scheduleSession(group, replaced);
        this.logger.debug({ group: group.groupId, instance: p.groupInstanceId, oldId, newId }, 'static member replaced');
        if (p.supportsSkipAssignment && previousLeader === oldId) {
          resolve({ ...this.joinResponse(group, replaced), skipAssignment: true });
          return;
        }
        // The leader id from before the replacement: a restarted leader must not redo the assignment.
        resolve({ errorCode: ErrorCode.NONE, generationId, protocolName: protocolName!, leader: previousLeader ?? '', memberId: newId, members: [] });
      });
      return;
    }
    old.awaitingJoin?.(joinError(oldId, ErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync?.({ errorCode: ErrorCode.FENCED_INSTANCE_ID, assignment: EMPTY });
    old.awaitingJoin = old.awaitingSync = null;
    this.runtime.cancel(sessionKey(group.groupId, oldId));
    group.remove(oldId);
    group.add(member, p.protocolType);
    if (previousLeader === oldId) group.leaderId = newId;
    this.scheduleSession(group, member);
    this.logger.debug({ group: group.groupId, instance: p.groupInstanceId, oldId, newId }, 'static member replaced');
    member.awaitingJoin = resolve;
    this.rebalance(group, `static member ${p.groupInstanceId} rejoined`);
  }

  syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: EMPTY });
    if (this.closed) return fail(ErrorCode.NOT_COORDINATOR);
    if (p.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const group = this.store.get(p.groupId);
    if (!group) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const problem = this.checkMember(group, p.memberId, p.groupInstanceId);
    if (problem !== ErrorCode.NONE) return fail(problem);
    if (p.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    const inconsistent = (sent: string | null | undefined, current: string | null) => sent != null && current !== null && sent !== current;
    if (inconsistent(p.protocolType, group.protocolType) || inconsistent(p.protocolName, group.protocolName)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const member = group.members.get(p.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.scheduleSession(group, member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      case 'CompletingRebalance':
        return new Promise((resolve) => {
          member.awaitingSync = chain(member.awaitingSync, resolve);
          this.scheduleSession(group, member);
          if (member.memberId === group.leaderId) this.acceptAssignment(group, p.assignments);
        });
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  /**
   * The leader's assignment: a GroupMetadata record whose application makes the group Stable with those
   * assignments; then every member waiting in SyncGroup gets its own.
   */
  private acceptAssignment(group: Group, assignments: SyncGroupParams['assignments']): void {
    const byMember = new Map<string, Buffer>();
    for (const a of assignments) if (group.members.has(a.memberId)) byMember.set(a.memberId, a.assignment);
    const generation = group.generationId;
    void this.runtime.write([groupRecord(group, this.runtime.now(), { assignments: byMember })]).then((ok) => {
      if (!ok) {
        if (group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
        this.propagateSyncError(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        this.rebalance(group, 'group metadata could not be stored');
        return;
      }
      // Not Stable: a join or leave during the write started another round (the waiting syncs were told so).
      if (group.state !== 'Stable' || group.generationId !== generation) return;
      for (const m of group.members.values()) {
        const reply = m.awaitingSync;
        m.awaitingSync = null;
        reply?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
        if (reply) this.scheduleSession(group, m);
      }
      this.logger.debug({ group: group.groupId, generation }, 'group stable');
    });
  }

  heartbeat(p: MemberRef): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    if (p.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.store.get(p.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const problem = this.checkMember(group, p.memberId, p.groupInstanceId);
    if (problem !== ErrorCode.NONE) return problem;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSession(group, group.members.get(p.memberId)!);
    // Heartbeats are how members of a Stable group learn that they must rejoin.
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** One member leaving (LeaveGroup v0-2): NONE, or the error of the member or group. */
  async leaveGroup(groupId: string, memberId: string): Promise<number> {
    const result = await this.leaveGroupMembers(groupId, [{ memberId, groupInstanceId: null }]);
    return result.errorCode !== ErrorCode.NONE ? result.errorCode : result.members[0].errorCode;
  }

  /**
   * LeaveGroup v3+: members leave by member id, or by group instance id with an empty member id (an admin removing a
   * static member); each gets its own answer, as Kafka's: UNKNOWN_MEMBER_ID for a stranger (or every member when the
   * group is unknown), FENCED_INSTANCE_ID when the instance id belongs to another member id. One rebalance for all.
   * Answers once the records the departures caused (an Empty group's) are written.
   */
  async leaveGroupMembers(groupId: string, leaving: Array<{ memberId: string; groupInstanceId: string | null; reason?: string | null }>): Promise<LeaveResult> {
    const answer = (errorCode: number) => leaving.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode }));
    if (this.closed) return { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.store.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, members: answer(ErrorCode.UNKNOWN_MEMBER_ID) };
    const departing: Member[] = [];
    const reasons = new Map<Member, string>();
    let pendingLeft = false;
    const members = leaving.map((m) => {
      const reply = (errorCode: number) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
      const leave = (member: Member | undefined) => {
        if (!member) return reply(ErrorCode.UNKNOWN_MEMBER_ID);
        if (!departing.includes(member)) departing.push(member);
        if (m.reason) reasons.set(member, m.reason);
        return reply(ErrorCode.NONE);
      };
      if (m.memberId === '') {
        const staticId = m.groupInstanceId === null ? undefined : group.staticMembers.get(m.groupInstanceId);
        return leave(staticId === undefined ? undefined : group.members.get(staticId));
      }
      if (group.pendingMembers.has(m.memberId)) {
        this.runtime.cancel(pendingKey(groupId, m.memberId));
        group.pendingMembers.delete(m.memberId);
        pendingLeft = true;
        return reply(ErrorCode.NONE);
      }
      if (m.groupInstanceId !== null) {
        const current = group.staticMembers.get(m.groupInstanceId);
        if (current === undefined) return reply(ErrorCode.UNKNOWN_MEMBER_ID);
        if (current !== m.memberId) return reply(ErrorCode.FENCED_INSTANCE_ID);
      }
      return leave(group.members.get(m.memberId));
    });
    for (const member of departing) {
      this.logger.debug({ group: groupId, member: member.memberId, reason: reasons.get(member) ?? 'left the group' }, 'member removed');
      this.dropMember(group, member);
    }
    if (departing.length > 0) this.rebalance(group, `${departing.map((m) => m.memberId).join(', ')} left the group`);
    else if (pendingLeft) this.tryCompleteJoin(group);
    await this.runtime.settled();
    return { errorCode: ErrorCode.NONE, members };
  }

  // ───────────────────────────── rebalancing ─────────────────────────────

  /** Something changed the membership: start a rebalance, or see whether the one under way can complete. */
  private rebalance(group: Group, reason: string): void {
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    else if (group.state !== 'Dead') this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: Group, reason: string): void {
    // Members waiting in SyncGroup for the old generation are told to rejoin.
    if (group.state === 'CompletingRebalance') this.propagateSyncError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const fromEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance', this.runtime.now());
    this.logger.debug({ group: group.groupId, generation: group.generationId, reason }, 'rebalance');
    const delay = this.settings.initialRebalanceDelayMs;
    if (fromEmpty && delay > 0) {
      group.initialDelay = true;
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      this.runtime.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs, () => this.completeJoin(group));
      this.tryCompleteJoin(group);
    }
  }

  /** Kafka's InitialDelayedJoin: wait `delay`; while new members keep arriving, wait again, up to the rebalance timeout. */
  private scheduleInitialDelay(group: Group, delay: number, remaining: number): void {
    this.runtime.schedule(joinKey(group.groupId), delay, () => {
      if (group.newMemberAdded && remaining > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.settings.initialRebalanceDelayMs, remaining);
        this.scheduleInitialDelay(group, next, remaining - next);
      } else {
        group.initialDelay = false;
        this.completeJoin(group);
      }
    });
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelay && group.allMembersJoined) this.completeJoin(group);
  }

  /**
   * Ends the join phase: drops members that did not rejoin, starts the next generation and answers the joins
   * (CompletingRebalance). With nobody left, the next generation is Empty: a record, applied once written.
   */
  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || this.store.get(group.groupId) !== group) return;
    this.runtime.cancel(joinKey(group.groupId));
    group.initialDelay = false;
    for (const m of [...group.members.values()]) {
      if (!m.awaitingJoin && m.groupInstanceId === null) this.dropMember(group, m);
    }
    if (group.members.size > 0 && !group.members.get(group.leaderId!)?.awaitingJoin) {
      // The leader computes the assignment, so it must be a member that rejoined.
      const joined = [...group.members.values()].find((m) => m.awaitingJoin);
      if (!joined) {
        // Only static members that have not rejoined: wait for them, or for their sessions to expire.
        this.runtime.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs, () => this.completeJoin(group));
        return;
      }
      group.leaderId = joined.memberId;
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      const generation = group.generationId;
      this.logger.debug({ group: group.groupId, generation }, 'group empty');
      void this.runtime.write([groupRecord(group, this.runtime.now())]).then((ok) => {
        // As Kafka: an empty generation has nobody to lose, so a failed write only costs the record on a restart.
        if (!ok && group.state === 'PreparingRebalance' && group.members.size === 0 && group.generationId === generation) {
          group.transitionTo('Empty', this.runtime.now());
        }
      });
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', this.runtime.now());
    this.logger.debug({ group: group.groupId, generation: group.generationId, members: group.members.size }, 'join complete');
    for (const m of group.members.values()) {
      const reply = m.awaitingJoin;
      if (!reply) continue;
      m.awaitingJoin = null;
      this.scheduleSession(group, m);
      reply(this.joinResponse(group, m));
    }
  }

  private joinResponse(group: Group, member: Member): JoinResult {
    const protocolName = group.protocolName!;
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName,
      leader: group.leaderId!,
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocolName) }))
        : [],
    };
  }

  private propagateSyncError(group: Group, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY;
      const reply = m.awaitingSync;
      if (!reply) continue;
      m.awaitingSync = null;
      // It was alive while it waited: its session restarts from this answer.
      this.scheduleSession(group, m);
      reply({ errorCode, assignment: EMPTY });
    }
  }

  /** FENCED_INSTANCE_ID for a stale static member, UNKNOWN_MEMBER_ID for a stranger, else NONE. */
  /** Kafka's ClassicGroup.validateMember: a static member by its instance id (unknown: UNKNOWN_MEMBER_ID), else by id. */
  private checkMember(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Removes a member without touching the group's state; its waiting requests get UNKNOWN_MEMBER_ID. */
  private dropMember(group: Group, member: Member): void {
    this.runtime.cancel(sessionKey(group.groupId, member.memberId));
    group.remove(member.memberId);
    member.awaitingJoin?.(joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    member.awaitingJoin = member.awaitingSync = null;
  }

  private removeMember(group: Group, member: Member, reason: string): void {
    this.logger.debug({ group: group.groupId, member: member.memberId, reason }, 'member removed');
    this.dropMember(group, member);
    this.rebalance(group, `member ${member.memberId} ${reason}`);
  }

  private scheduleSession(group: Group, member: Member): void {
    this.runtime.schedule(sessionKey(group.groupId, member.memberId), member.sessionTimeoutMs, () => {
      if (this.store.get(group.groupId) !== group || group.members.get(member.memberId) !== member) return;
      // A member blocked in JoinGroup or SyncGroup cannot heartbeat; the rebalance's own timeouts bound the wait.
      if (member.awaitingJoin || member.awaitingSync) this.scheduleSession(group, member);
      else this.removeMember(group, member, 'session timed out');
    });
  }

  // ───────────────────────────── offsets ─────────────────────────────

  /** Offsets are records: visible (applied) once written, and only then acknowledged. */
  async offsetCommit(p: OffsetCommitParams): Promise<OffsetCommitResponseTopics[]> {
    const groupError = this.validateCommit(p, p.apiVersion);
    const now = this.runtime.now();
    const records: KeyValueRecord[] = [];
    const results = p.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((part) => {
        let errorCode: number = ErrorCode.NONE;
        if (!this.deps.partitionExists(t.name, part.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (groupError !== ErrorCode.NONE) errorCode = groupError;
        else if (part.committedMetadata !== null && Buffer.byteLength(part.committedMetadata) > this.settings.offsetMetadataMaxBytes) {
          errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        } else {
          records.push(offsetRecord(p.groupId, t.name, part.partitionIndex, {
            offset: part.committedOffset,
            leaderEpoch: part.committedLeaderEpoch,
            metadata: part.committedMetadata ?? '', // Kafka stores a null metadata as ""
            commitTimestamp: now,
            expireTimestamp: p.retentionTimeMs > 0 ? now + p.retentionTimeMs : -1,
          }));
        }
        return { partitionIndex: part.partitionIndex, errorCode };
      }),
    }));
    if (!(await this.runtime.write(records))) {
      for (const t of results) for (const part of t.partitions) if (part.errorCode === ErrorCode.NONE) part.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return results;
  }

  /**
   * TxnOffsetCommit's member checks (KIP-447, v3+), before its offsets join the transaction: those of OffsetCommit,
   * except that a commit naming no member (no member id, generation or instance id, as v0-2 always are) skips them,
   * and a consumer group's stale member epoch is ILLEGAL_GENERATION (Kafka's validateTransactionalOffsetCommit).
   */
  validateTxnOffsetCommit(p: MemberRef): number {
    const problem = this.validateCommit(p, undefined, true);
    return problem === ErrorCode.STALE_MEMBER_EPOCH ? ErrorCode.ILLEGAL_GENERATION : problem;
  }

  /** Kafka's checks, in Kafka's order; a commit with generation -1 to a group without members needs none. */
  private validateCommit(p: MemberRef, apiVersion?: number, transactional = false): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    const group = this.store.get(p.groupId);
    if (!group) return p.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    const anonymous = transactional && p.generationId < 0 && p.memberId === '' && p.groupInstanceId === null;
    if (group.consumer) {
      if (anonymous) return ErrorCode.NONE;
      const problem = this.consumerGroups.checkMember(group, p.memberId, p.generationId, false, transactional ? undefined : apiVersion);
      if (problem === ErrorCode.NONE && group.consumer.members.has(p.memberId)) this.consumerGroups.scheduleSession(group.groupId, p.memberId);
      return problem;
    }
    if (p.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (p.groupInstanceId !== null) {
      const problem = this.checkMember(group, p.memberId, p.groupInstanceId);
      if (problem !== ErrorCode.NONE) return problem;
    }
    const member = group.members.get(p.memberId);
    if (!anonymous) {
      if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    }
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (member) this.scheduleSession(group, member);
    return ErrorCode.NONE;
  }

  /**
   * Makes offsets visible to a group without any membership check: for the transaction coordinator, when a
   * transaction that sent offsets (TxnOffsetCommit) commits. Rejects if the log does not accept the records.
   */
  async commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    const now = this.runtime.now();
    const ok = await this.runtime.write(offsets.map((o) => offsetRecord(groupId, o.topic, o.partition,
      { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now, expireTimestamp: -1 })));
    if (!ok) throw new Error(`offsets of group ${groupId} could not be stored`);
  }

  /**
   * Committed offsets; null topics = every partition the group committed (v2+); -1 where none is committed.
   * `member` is OffsetFetch v9's member id and epoch (KIP-848): a consumer group checks them (UNKNOWN_MEMBER_ID,
   * STALE_MEMBER_EPOCH, as Kafka), a classic group does not.
   */
  offsetFetch(groupId: string, topics: OffsetFetchRequestTopics[] | null, member: { memberId: string | null; memberEpoch: number } | null = null): OffsetFetchResult {
    if (this.closed) {
      const errorCode = ErrorCode.NOT_COORDINATOR;
      return { errorCode, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => ({ partitionIndex: i, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })) })) };
    }
    const group = this.store.get(groupId);
    const memberError = group && member ? this.consumerGroups.checkMember(group, member.memberId, member.memberEpoch, true) : ErrorCode.NONE;
    if (memberError !== ErrorCode.NONE) {
      return { errorCode: memberError, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => ({ partitionIndex: i, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: memberError })) })) };
    }
    if (topics === null) {
      const byTopic = new Map<string, OffsetFetchResponseTopics>();
      for (const o of group?.offsets.values() ?? []) {
        let t = byTopic.get(o.topic);
        if (!t) byTopic.set(o.topic, t = { name: o.topic, partitions: [] });
        t.partitions.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE });
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic.values()] };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const o = group?.offsets.get(partitionKey(t.name, partitionIndex));
          return { partitionIndex, committedOffset: o?.offset ?? -1, committedLeaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  /** OffsetDelete: any partition of an Empty group; of an active consumer group only topics it does not subscribe to. */
  async offsetDelete(groupId: string, topics: OffsetDeleteRequestTopics[]): Promise<OffsetDeleteResult> {
    const fail = (errorCode: number) => ({ errorCode, topics: [] });
    if (this.closed) return fail(ErrorCode.NOT_COORDINATOR);
    const group = this.store.get(groupId);
    if (!group) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
    let subscribed: Set<string> | null = null;
    if (group.state !== 'Empty') {
      if (group.protocolType !== 'consumer') return fail(ErrorCode.NON_EMPTY_GROUP);
      subscribed = group.consumer ? this.consumerGroups.subscribedTopicNames(group)
        : group.subscribedTopics(rec.subscribedTopics) ?? new Set(topics.map((t) => t.name));
    }
    const tombstones: Array<{ topic: string; partition: number }> = [];
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex }) => {
        let errorCode: number = ErrorCode.NONE;
        if (!this.deps.partitionExists(t.name, partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (subscribed?.has(t.name)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else if (group.offsets.has(partitionKey(t.name, partitionIndex))) tombstones.push({ topic: t.name, partition: partitionIndex });
        return { partitionIndex, errorCode };
      }),
    }));
    if (tombstones.length > 0 && !(await this.deleteOffsets(group, tombstones))) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return { errorCode: ErrorCode.NONE, topics: results };
  }

  /**
   * After DeleteTopics, as Kafka's offsets cleanup: every group's committed offsets of the topic get tombstones, so a
   * topic created again under the same name is not read from the old positions.
   */
  async deleteTopicOffsets(topic: string): Promise<void> {
    if (this.closed) return;
    for (const group of [...this.store.groups.values()]) {
      const gone = [...group.offsets.values()].filter((o) => o.topic === topic);
      if (gone.length > 0) await this.deleteOffsets(group, gone);
    }
  }

  /** Offset tombstones; an Empty group left without offsets gets its own tombstone in the same batch. */
  private deleteOffsets(group: Group, partitions: Array<{ topic: string; partition: number }>): Promise<boolean> {
    const records = partitions.map((x) => offsetRecord(group.groupId, x.topic, x.partition, null));
    const gone = new Set(partitions.map((x) => partitionKey(x.topic, x.partition)));
    const left = [...group.offsets.keys()].filter((k) => !gone.has(k)).length;
    if (group.state === 'Empty' && left === 0 && group.pendingMembers.size === 0) records.push(groupTombstone(group.groupId));
    return this.runtime.write(records);
  }

  /**
   * Periodic: offsets of Empty groups expire `offsets.retention.minutes` after the group became empty (of groups
   * that never had members, after the commit; a v2-4 commit's own retention wins). Groups left Empty without
   * offsets are deleted. Offsets of groups with members never expire here.
   */
  async expireOffsets(now = this.runtime.now()): Promise<void> {
    if (this.closed) return;
    for (const group of [...this.store.groups.values()]) {
      if (group.state !== 'Empty') continue;
      const expired = [...group.offsets.values()].filter((o) => o.expireTimestamp >= 0
        ? now >= o.expireTimestamp
        : now - (group.protocolType ? group.currentStateTimestamp : o.commitTimestamp) >= this.settings.offsetsRetentionMs);
      if (expired.length > 0) {
        this.logger.info({ group: group.groupId, partitions: expired.length }, 'committed offsets expired');
        await this.deleteOffsets(group, expired);
      } else if (group.offsets.size === 0 && group.pendingMembers.size === 0 && this.store.get(group.groupId) === group) {
        await this.removeGroup(group);
      }
    }
  }

  // ───────────────────────────── admin ─────────────────────────────

  describeGroup(groupId: string): DescribeGroupsResponseGroups {
    const described = { errorMessage: null, groupId, protocolType: '', protocolData: '', members: [], authorizedOperations: UNSET_OPERATIONS };
    if (this.closed) return { ...described, errorCode: ErrorCode.NOT_COORDINATOR, groupState: '' };
    const group = this.store.get(groupId);
    // As Kafka: a consumer-protocol group is not a classic group, so DescribeGroups sees none (ConsumerGroupDescribe does).
    if (!group || group.consumer) return { ...described, errorCode: ErrorCode.NONE, groupState: 'Dead' };
    // As Kafka: member metadata and assignments only once the group is Stable.
    const stable = group.state === 'Stable';
    return {
      ...described,
      errorCode: ErrorCode.NONE,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName ?? '' : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName!) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  /** Every live group with its type ('classic' | 'consumer') and state (a consumer group's: Empty, Assigning, ...). */
  listGroups(): Array<{ groupId: string; protocolType: string; groupState: string; groupType: 'classic' | 'consumer' }> {
    return [...this.store.groups.values()].filter((g) => g.state !== 'Dead').map((g) => ({
      groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.consumer?.state ?? g.state, groupType: g.type,
    }));
  }

  // ───────────────────────────── consumer groups (KIP-848) ─────────────────────────────

  consumerGroupHeartbeat(p: ConsumerHeartbeatParams): Promise<ConsumerHeartbeatResult> {
    return this.consumerGroups.heartbeat(p);
  }

  consumerGroupDescribe(groupId: string): ConsumerGroupDescribeResponseGroups {
    return this.consumerGroups.describe(groupId);
  }

  /** A group's type, or null when there is none. */
  groupType(groupId: string): 'classic' | 'consumer' | null {
    return this.store.get(groupId)?.type ?? null;
  }

  async deleteGroup(groupId: string): Promise<number> {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    const group = this.store.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    return (await this.removeGroup(group)) ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** Tombstones for the group's offsets and metadata; applied, they remove the group (Dead: a join starts a new one). */
  private removeGroup(group: Group): Promise<boolean> {
    this.logger.debug({ group: group.groupId }, 'group deleted');
    for (const id of group.pendingMembers) this.runtime.cancel(pendingKey(group.groupId, id));
    group.pendingMembers.clear();
    return this.runtime.write([
      ...[...group.offsets.values()].map((o) => offsetRecord(group.groupId, o.topic, o.partition, null)),
      ...this.consumerGroups.deletionRecords(group),
      groupTombstone(group.groupId),
    ]);
  }

  /** Stops every timer; requests still waiting are answered NOT_COORDINATOR (clients look for the coordinator again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.runtime.close();
    for (const group of this.store.groups.values()) {
      for (const m of group.members.values()) {
        m.awaitingJoin?.(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        m.awaitingSync?.({ errorCode: ErrorCode.NOT_COORDINATOR, assignment: EMPTY });
        m.awaitingJoin = m.awaitingSync = null;
      }
    }
  }

  /**
   * The test kit's reset: every group and committed offset is forgotten and the log emptied, as on a fresh broker.
   * Members waiting in JoinGroup or SyncGroup are answered UNKNOWN_MEMBER_ID (a fresh broker knows none of them), so
   * their clients join again from scratch; the next heartbeat of any other member gets the same answer.
   */
  async reset(): Promise<void> {
    await this.runtime.settled();
    if (this.closed) return;
    const old = this.store;
    this.runtime.close();
    this.store = new GroupStore(this.logger, () => this.clock.now(), (id) => this.changed(id));
    this.runtime = this.startRuntime();
    this.deps.log.clear?.();
    for (const group of old.groups.values()) {
      for (const m of group.members.values()) {
        m.awaitingJoin?.(joinError(m.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
        m.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
        m.awaitingJoin = m.awaitingSync = null;
      }
      this.changed(group.groupId);
    }
  }

  /** Every group's id (Dead ones are dropped at once). */
  groupIds(): string[] {
    return [...this.store.groups.keys()];
  }

  /** For tests and inspection: a group as the coordinator holds it, or undefined when there is none. */
  inspect(groupId: string): Readonly<Group> | undefined {
    return this.store.get(groupId);
  }

  /** For tests and metrics: a group's state, or 'Dead' when there is none. */
  stateOf(groupId: string): string {
    return this.store.get(groupId)?.state ?? 'Dead';
  }

  /** For tests: a group's generation (DescribeGroups does not carry it), or -1 when there is none. */
  generationOf(groupId: string): number {
    return this.store.get(groupId)?.generationId ?? -1;
  }
}
