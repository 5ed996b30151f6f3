/**
 * The classic group coordinator (JoinGroup/SyncGroup/Heartbeat/LeaveGroup, offsets, group admin), independent of
 * the wire: plain methods whose promises settle when Kafka would answer (a JoinGroup waits for the rebalance).
 *
 * Durability follows Kafka's `__consumer_offsets`: committed offsets and a snapshot of each group (generation,
 * protocol, leader, members with their assignments) are records in a KeyValueLog (see records.ts). Offsets change
 * only by applying records after the log accepted them, and on start the whole state is rebuilt by replaying the log,
 * so a restart — clean or kill -9 — restores every committed offset and every group. Groups are snapshotted when
 * the leader's assignment arrives, when a group becomes Empty and when a static member is replaced; the transient
 * parts (who is mid-join, timers) live only in memory, as in Kafka. A group loaded with members starts Stable and
 * its members' sessions start at load time, so members that do not come back expire.
 *
 * Timers: a session timer per member (reset by every heartbeat, join, sync and commit; a member blocked in a
 * JoinGroup or SyncGroup is alive), a join timer per rebalancing group (the largest member rebalance timeout, or the
 * `group.initial.rebalance.delay.ms` windows of a group rebalancing from Empty) and a periodic offsets-expiry check.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyValueLog, KeyValueRecord } from '../../log/key-value-log.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import type { OffsetCommitRequestTopics, OffsetCommitResponseTopics } from '../../protocol/generated/08-offset-commit.js';
import type { OffsetFetchRequestTopics, OffsetFetchResponseTopics } from '../../protocol/generated/09-offset-fetch.js';
import type { OffsetDeleteRequestTopics, OffsetDeleteResponseTopics } from '../../protocol/generated/47-offset-delete.js';
import type { DescribeGroupsResponseGroups } from '../../protocol/generated/15-describe-groups.js';
import { EMPTY, Group, Member, type JoinResult, type Protocol, type SyncResult } from './group.js';
import * as rec from './records.js';

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
}

export const DEFAULT_GROUP_SETTINGS: GroupSettings = {
  initialRebalanceDelayMs: 0,
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 1_800_000,
  offsetsRetentionMs: 7 * 24 * 3600_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
};

export interface GroupDependencies {
  log: KeyValueLog;
  logger: Logger;
  settings?: Partial<GroupSettings>;
  /** Whether a partition exists: commits to any other get UNKNOWN_TOPIC_OR_PARTITION. */
  partitionExists(topic: string, partition: number): boolean;
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
}

export interface MemberRef {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface SyncGroupParams extends MemberRef {
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface OffsetCommitParams extends MemberRef {
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
export interface OffsetDeleteResult { errorCode: number; topics: OffsetDeleteResponseTopics[] }

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function joinError(memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

/** A second JoinGroup/SyncGroup from the same member while one waits: both get the final answer. */
function chain<T>(first: ((r: T) => void) | null, next: (r: T) => void): (r: T) => void {
  return first === null ? next : (r) => { first(r); next(r); };
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly settings: GroupSettings;
  private readonly logger: Logger;
  private readonly retentionTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly deps: GroupDependencies) {
    this.settings = { ...DEFAULT_GROUP_SETTINGS, ...deps.settings };
    this.logger = deps.logger.child({ component: 'groups' });
    let count = 0;
    for (const record of deps.log.replay()) {
      this.replay(record);
      count++;
    }
    for (const group of this.groups.values()) for (const m of group.members.values()) this.scheduleSession(group, m);
    if (count > 0) this.logger.info({ records: count, groups: this.groups.size }, 'group state loaded');
    this.retentionTimer = setInterval(() => this.guard(() => void this.expireOffsets()), this.settings.offsetsRetentionCheckIntervalMs);
    this.retentionTimer.unref();
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
    let group = this.groups.get(p.groupId);
    if (!group) {
      if (p.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      if (p.protocolType === '' || names.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group = this.createGroup(p.groupId);
    }
    if (!group.supportsProtocols(p.protocolType, names)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
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
    const pending = group.pendingMembers.get(p.memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(p.memberId);
      this.addMember(group, p, p.memberId, resolve);
      return;
    }
    if (p.memberId === '') {
      const memberId = `${p.groupInstanceId ?? p.clientId}-${randomUUID()}`;
      const staticId = p.groupInstanceId === null ? undefined : group.staticMembers.get(p.groupInstanceId);
      if (staticId !== undefined) this.replaceStaticMember(group, staticId, memberId, p, resolve);
      else if (p.groupInstanceId === null && p.requireKnownMemberId) {
        // KIP-394: the member must come back with this id, so ids of clients that time out are not left behind.
        group.pendingMembers.set(memberId, this.timer(p.sessionTimeoutMs, () => {
          group.pendingMembers.delete(memberId);
          this.tryCompleteJoin(group);
        }));
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
   * the old one (whose pending requests are fenced) and, if the group is Stable and the selected protocol would
   * not change, no rebalance happens: the member gets the current generation and its old assignment on SyncGroup.
   */
  private replaceStaticMember(group: Group, oldId: string, newId: string, p: JoinGroupParams, resolve: (r: JoinResult) => void): void {
    const old = group.members.get(oldId)!;
    const previousLeader = group.leaderId;
    old.awaitingJoin?.(joinError(oldId, ErrorCode.FENCED_INSTANCE_ID));
    old.awaitingSync?.({ errorCode: ErrorCode.FENCED_INSTANCE_ID, assignment: EMPTY });
    this.clearSession(old);
    const member = new Member(newId, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs, p.rebalanceTimeoutMs, p.protocols);
    member.assignment = old.assignment;
    group.remove(oldId);
    group.add(member, p.protocolType);
    if (previousLeader === oldId) group.leaderId = newId;
    this.scheduleSession(group, member);
    this.logger.debug({ group: group.groupId, instance: p.groupInstanceId, oldId, newId }, 'static member replaced');
    if (group.state === 'Stable' && group.selectProtocol() === group.protocolName) {
      const { generationId, protocolName } = group;
      void this.storeGroup(group).then((ok) => resolve(ok
        // The leader id from before the replacement: a restarted leader must not redo the assignment.
        ? { errorCode: ErrorCode.NONE, generationId, protocolName: protocolName!, leader: previousLeader ?? '', memberId: newId, members: [] }
        : joinError(newId, ErrorCode.UNKNOWN_SERVER_ERROR)));
      return;
    }
    member.awaitingJoin = resolve;
    this.rebalance(group, `static member ${p.groupInstanceId} rejoined`);
  }

  syncGroup(p: SyncGroupParams): Promise<SyncResult> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: EMPTY });
    if (this.closed) return fail(ErrorCode.NOT_COORDINATOR);
    if (p.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
    const group = this.groups.get(p.groupId);
    if (!group) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const problem = this.checkMember(group, p.memberId, p.groupInstanceId);
    if (problem !== ErrorCode.NONE) return fail(problem);
    if (p.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
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

  /** The leader's assignment: stored with the group, then handed to every member waiting in SyncGroup. */
  private acceptAssignment(group: Group, assignments: SyncGroupParams['assignments']): void {
    const byMember = new Map<string, Buffer>();
    for (const a of assignments) if (group.members.has(a.memberId)) byMember.set(a.memberId, a.assignment);
    const generation = group.generationId;
    void this.storeGroup(group, byMember).then((ok) => {
      // A join or leave while the record was written started another rebalance: this assignment is stale.
      if (group.state !== 'CompletingRebalance' || group.generationId !== generation) return;
      if (!ok) {
        this.propagateSyncError(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
        this.rebalance(group, 'group metadata could not be stored');
        return;
      }
      group.transitionTo('Stable', Date.now());
      for (const m of group.members.values()) {
        m.assignment = byMember.get(m.memberId) ?? EMPTY;
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
    const group = this.groups.get(p.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const problem = this.checkMember(group, p.memberId, p.groupInstanceId);
    if (problem !== ErrorCode.NONE) return problem;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSession(group, group.members.get(p.memberId)!);
    // Heartbeats are how members of a Stable group learn that they must rejoin.
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leaveGroup(groupId: string, memberId: string): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(memberId);
      this.tryCompleteJoin(group);
      return ErrorCode.NONE;
    }
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member, 'left the group');
    return ErrorCode.NONE;
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
    group.transitionTo('PreparingRebalance', Date.now());
    this.clearJoinTimer(group);
    this.logger.debug({ group: group.groupId, generation: group.generationId, reason }, 'rebalance');
    const delay = this.settings.initialRebalanceDelayMs;
    if (fromEmpty && delay > 0) {
      group.initialDelay = true;
      group.newMemberAdded = false;
      this.scheduleInitialDelay(group, delay, Math.max(group.rebalanceTimeoutMs - delay, 0));
    } else {
      group.joinTimer = this.timer(group.rebalanceTimeoutMs, () => this.completeJoin(group));
      this.tryCompleteJoin(group);
    }
  }

  /** Kafka's InitialDelayedJoin: wait `delay`; while new members keep arriving, wait again, up to the rebalance timeout. */
  private scheduleInitialDelay(group: Group, delay: number, remaining: number): void {
    group.joinTimer = this.timer(delay, () => {
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

  /** Ends the join phase: drops members that did not rejoin, starts the next generation, answers the joins. */
  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    this.clearJoinTimer(group);
    group.initialDelay = false;
    for (const m of [...group.members.values()]) {
      if (!m.awaitingJoin && m.groupInstanceId === null) this.dropMember(group, m);
    }
    if (group.members.size > 0 && !group.members.get(group.leaderId!)?.awaitingJoin) {
      // The leader computes the assignment, so it must be a member that rejoined.
      const joined = [...group.members.values()].find((m) => m.awaitingJoin);
      if (!joined) {
        // Only static members that have not rejoined: wait for them, or for their sessions to expire.
        group.joinTimer = this.timer(group.rebalanceTimeoutMs, () => this.completeJoin(group));
        return;
      }
      group.leaderId = joined.memberId;
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.leaderId = null;
      group.transitionTo('Empty', Date.now());
      this.logger.debug({ group: group.groupId, generation: group.generationId }, 'group empty');
      void this.storeGroup(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', Date.now());
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
  private checkMember(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current !== undefined && current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Removes a member without touching the group's state; its waiting requests get UNKNOWN_MEMBER_ID. */
  private dropMember(group: Group, member: Member): void {
    this.clearSession(member);
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
    this.clearSession(member);
    member.sessionTimer = this.timer(member.sessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // A member blocked in JoinGroup or SyncGroup cannot heartbeat; the rebalance's own timeouts bound the wait.
      if (member.awaitingJoin || member.awaitingSync) this.scheduleSession(group, member);
      else this.removeMember(group, member, 'session timed out');
    });
  }

  private clearSession(member: Member): void {
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
  }

  private clearJoinTimer(group: Group): void {
    if (group.joinTimer) clearTimeout(group.joinTimer);
    group.joinTimer = null;
  }

  private timer(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => this.guard(fn), ms);
    t.unref();
    return t;
  }

  /** Timer callbacks must not throw into the event loop: a bug here is logged, never a broker crash. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, 'group coordinator error');
    }
  }

  // ───────────────────────────── offsets ─────────────────────────────

  async offsetCommit(p: OffsetCommitParams): Promise<OffsetCommitResponseTopics[]> {
    const groupError = this.validateCommit(p);
    const now = Date.now();
    const entries: Array<{ topic: string; partition: number; value: rec.OffsetValue }> = [];
    const results = p.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((part) => {
        let errorCode: number = ErrorCode.NONE;
        if (!this.deps.partitionExists(t.name, part.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (groupError !== ErrorCode.NONE) errorCode = groupError;
        else if (part.committedMetadata !== null && Buffer.byteLength(part.committedMetadata) > this.settings.offsetMetadataMaxBytes) {
          errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        } else {
          entries.push({
            topic: t.name,
            partition: part.partitionIndex,
            value: {
              offset: part.committedOffset,
              leaderEpoch: part.committedLeaderEpoch,
              metadata: part.committedMetadata ?? '', // Kafka stores a null metadata as ""
              commitTimestamp: now,
              expireTimestamp: p.retentionTimeMs > 0 ? now + p.retentionTimeMs : -1,
            },
          });
        }
        return { partitionIndex: part.partitionIndex, errorCode };
      }),
    }));
    if (entries.length > 0 && !(await this.writeOffsets(p.groupId, entries))) {
      for (const t of results) for (const part of t.partitions) if (part.errorCode === ErrorCode.NONE) part.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return results;
  }

  /** Kafka's checks, in Kafka's order; a commit with generation -1 to a group without members needs none. */
  private validateCommit(p: MemberRef): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    const group = this.groups.get(p.groupId);
    if (!group) return p.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (p.groupInstanceId !== null) {
      const current = group.staticMembers.get(p.groupInstanceId);
      if (current !== undefined && current !== p.memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (p.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    const member = group.members.get(p.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    this.scheduleSession(group, member);
    return ErrorCode.NONE;
  }

  /**
   * Makes offsets visible to a group without any membership check: for the transaction coordinator, when a
   * transaction that sent offsets (TxnOffsetCommit) commits. Rejects if the log does not accept the records.
   */
  async commitOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    const now = Date.now();
    const ok = await this.writeOffsets(groupId, offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now, expireTimestamp: -1 },
    })));
    if (!ok) throw new Error(`offsets of group ${groupId} could not be stored`);
  }

  private async writeOffsets(groupId: string, entries: Array<{ topic: string; partition: number; value: rec.OffsetValue }>): Promise<boolean> {
    const records = entries.map((e) => ({ key: rec.encodeOffsetKey(groupId, e.topic, e.partition), value: rec.encodeOffsetValue(e.value) }));
    if (!(await this.append(records))) return false;
    for (const e of entries) this.applyOffset(groupId, e.topic, e.partition, e.value);
    return true;
  }

  /** Committed offsets; null topics = every partition the group committed (v2+); -1 where none is committed. */
  offsetFetch(groupId: string, topics: OffsetFetchRequestTopics[] | null): OffsetFetchResult {
    if (this.closed) {
      const errorCode = ErrorCode.NOT_COORDINATOR;
      return { errorCode, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((i) => ({ partitionIndex: i, committedOffset: -1, metadata: '', errorCode })) })) };
    }
    const group = this.groups.get(groupId);
    if (topics === null) {
      const byTopic = new Map<string, OffsetFetchResponseTopics>();
      for (const o of group?.offsets.values() ?? []) {
        let t = byTopic.get(o.topic);
        if (!t) byTopic.set(o.topic, t = { name: o.topic, partitions: [] });
        t.partitions.push({ partitionIndex: o.partition, committedOffset: o.offset, metadata: o.metadata, errorCode: ErrorCode.NONE });
      }
      return { errorCode: ErrorCode.NONE, topics: [...byTopic.values()] };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const o = group?.offsets.get(partitionKey(t.name, partitionIndex));
          return { partitionIndex, committedOffset: o?.offset ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  /** OffsetDelete: any partition of an Empty group; of an active consumer group only topics it does not subscribe to. */
  async offsetDelete(groupId: string, topics: OffsetDeleteRequestTopics[]): Promise<OffsetDeleteResult> {
    const fail = (errorCode: number) => ({ errorCode, topics: [] });
    if (this.closed) return fail(ErrorCode.NOT_COORDINATOR);
    const group = this.groups.get(groupId);
    if (!group) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
    let subscribed: Set<string> | null = null;
    if (group.state !== 'Empty') {
      if (group.protocolType !== 'consumer') return fail(ErrorCode.NON_EMPTY_GROUP);
      subscribed = group.subscribedTopics(rec.subscribedTopics) ?? new Set(topics.map((t) => t.name));
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
    for (const group of [...this.groups.values()]) {
      const gone = [...group.offsets.values()].filter((o) => o.topic === topic);
      if (gone.length > 0) await this.deleteOffsets(group, gone);
    }
  }

  /** Writes offset tombstones, then forgets those offsets; an Empty group left without offsets is deleted. */
  private async deleteOffsets(group: Group, partitions: Array<{ topic: string; partition: number }>): Promise<boolean> {
    const ok = await this.append(partitions.map((x) => ({ key: rec.encodeOffsetKey(group.groupId, x.topic, x.partition), value: null })));
    if (!ok) return false;
    for (const x of partitions) this.applyOffset(group.groupId, x.topic, x.partition, null);
    if (group.state === 'Empty' && group.offsets.size === 0 && group.pendingMembers.size === 0 && this.groups.get(group.groupId) === group) {
      await this.removeGroup(group);
    }
    return true;
  }

  /**
   * Periodic: offsets of Empty groups expire `offsets.retention.minutes` after the group became empty (of groups
   * that never had members, after the commit; a v2-4 commit's own retention wins). Groups left Empty without
   * offsets are deleted. Offsets of groups with members never expire here.
   */
  async expireOffsets(now = Date.now()): Promise<void> {
    if (this.closed) return;
    for (const group of [...this.groups.values()]) {
      if (group.state !== 'Empty') continue;
      const expired = [...group.offsets.values()].filter((o) => o.expireTimestamp >= 0
        ? now >= o.expireTimestamp
        : now - (group.protocolType ? group.currentStateTimestamp : o.commitTimestamp) >= this.settings.offsetsRetentionMs);
      if (expired.length > 0) {
        this.logger.info({ group: group.groupId, partitions: expired.length }, 'committed offsets expired');
        await this.deleteOffsets(group, expired);
      } else if (group.offsets.size === 0 && group.pendingMembers.size === 0 && this.groups.get(group.groupId) === group) {
        await this.removeGroup(group);
      }
    }
  }

  // ───────────────────────────── admin ─────────────────────────────

  describeGroup(groupId: string): DescribeGroupsResponseGroups {
    if (this.closed) return { errorCode: ErrorCode.NOT_COORDINATOR, groupId, groupState: '', protocolType: '', protocolData: '', members: [] };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    // As Kafka: member metadata and assignments only once the group is Stable.
    const stable = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName ?? '' : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName!) : EMPTY,
        memberAssignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  listGroups(): Array<{ groupId: string; protocolType: string }> {
    return [...this.groups.values()].filter((g) => g.state !== 'Dead').map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '' }));
  }

  async deleteGroup(groupId: string): Promise<number> {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    return (await this.removeGroup(group)) ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  /** The group is Dead at once (a join right after starts a new one); its offsets and metadata get tombstones. */
  private async removeGroup(group: Group): Promise<boolean> {
    group.transitionTo('Dead', Date.now());
    this.groups.delete(group.groupId);
    this.clearJoinTimer(group);
    for (const t of group.pendingMembers.values()) clearTimeout(t);
    group.pendingMembers.clear();
    this.logger.debug({ group: group.groupId }, 'group deleted');
    return this.append([
      ...[...group.offsets.values()].map((o) => ({ key: rec.encodeOffsetKey(group.groupId, o.topic, o.partition), value: null })),
      { key: rec.encodeGroupKey(group.groupId), value: null },
    ]);
  }

  // ───────────────────────────── log ─────────────────────────────

  /** Snapshots the group (members with `assignments`, or their current assignments) into the log. */
  private storeGroup(group: Group, assignments?: Map<string, Buffer>): Promise<boolean> {
    const protocol = group.protocolName;
    const value = rec.encodeGroupValue({
      protocolType: group.protocolType ?? '',
      generationId: group.generationId,
      protocolName: protocol,
      leaderId: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY : m.metadataFor(protocol),
        assignment: assignments ? assignments.get(m.memberId) ?? EMPTY : m.assignment,
      })),
    });
    return this.append([{ key: rec.encodeGroupKey(group.groupId), value }]);
  }

  private async append(records: KeyValueRecord[]): Promise<boolean> {
    try {
      await this.deps.log.append(records);
      return true;
    } catch (err) {
      this.logger.error({ err }, 'could not write to the group log');
      return false;
    }
  }

  private replay(record: KeyValueRecord): void {
    try {
      const key = rec.decodeKey(record.key);
      if (key === null) return;
      if (key.kind === 'offset') {
        this.applyOffset(key.group, key.topic, key.partition, record.value && rec.decodeOffsetValue(record.value));
      } else if (record.value === null) {
        this.groups.delete(key.group);
      } else {
        this.loadGroup(key.group, rec.decodeGroupValue(record.value));
      }
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
    const group = this.groups.get(groupId) ?? this.createGroup(groupId);
    group.offsets.set(key, { ...value, topic, partition });
  }

  /** A snapshot replaces the group's membership; its offsets (separate records) stay. */
  private loadGroup(groupId: string, v: rec.GroupValue): void {
    const old = this.groups.get(groupId);
    const group = new Group(groupId, v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : Date.now());
    if (old) for (const [k, o] of old.offsets) group.offsets.set(k, o);
    group.protocolType = v.protocolType === '' ? null : v.protocolType;
    group.generationId = v.generationId;
    // Loading is not a transition: a snapshot is taken when a group becomes Stable (with members) or Empty.
    if (v.members.length > 0 && v.protocolName !== null) {
      group.protocolName = v.protocolName;
      for (const m of v.members) {
        const member = new Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.sessionTimeoutMs, m.rebalanceTimeoutMs,
          [{ name: v.protocolName, metadata: m.subscription }]);
        member.assignment = m.assignment;
        group.add(member, v.protocolType);
      }
      if (v.leaderId !== null && group.members.has(v.leaderId)) group.leaderId = v.leaderId;
      group.state = 'Stable';
    }
    this.groups.set(groupId, group);
  }

  private createGroup(groupId: string): Group {
    const group = new Group(groupId, Date.now());
    this.groups.set(groupId, group);
    return group;
  }

  /** Stops every timer; requests still waiting are answered NOT_COORDINATOR (clients look for the coordinator again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    for (const group of this.groups.values()) {
      this.clearJoinTimer(group);
      for (const t of group.pendingMembers.values()) clearTimeout(t);
      for (const m of group.members.values()) {
        this.clearSession(m);
        m.awaitingJoin?.(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        m.awaitingSync?.({ errorCode: ErrorCode.NOT_COORDINATOR, assignment: EMPTY });
        m.awaitingJoin = m.awaitingSync = null;
      }
    }
  }

  /** For tests and metrics: a group's state, or 'Dead' when there is none. */
  stateOf(groupId: string): string {
    return this.groups.get(groupId)?.state ?? 'Dead';
  }
}
