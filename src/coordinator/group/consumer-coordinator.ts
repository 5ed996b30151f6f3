/**
 * Consumer groups (KIP-848): ConsumerGroupHeartbeat and ConsumerGroupDescribe, next to the classic groups and over
 * the same store, runtime and log (coordinator.ts owns those).
 *
 * A heartbeat is Kafka's three steps, each turned into records that are written, then applied, before the answer:
 *   1. the member joins or updates its subscription → member metadata record; a new member, a changed subscription
 *      or changed metadata of the subscribed topics (created, deleted, more partitions) bumps the group epoch;
 *   2. a group epoch above the assignment epoch → the assignor computes a new target assignment (records for the
 *      members whose target changed, then the new assignment epoch);
 *   3. the member moves towards its target (consumer-group.ts `reconcile`) → its current assignment record.
 * Heartbeats of one group are handled one at a time, each on the state the previous one left, so two members are
 * never handed the same partition.
 *
 * Timers (broker clock): a session per member (`group.consumer.session.timeout.ms`, re-armed by every heartbeat) and
 * a revocation deadline (the member's rebalance timeout) while it holds partitions it must give up; either fences
 * the member: its records are deleted and the group epoch bumped, so the others take its partitions.
 */
import type { Logger } from 'pino';
import { useLinearRegexps } from '../../regexps.js';
import { re2ToJavaScript } from './re2.js';
import type { KeyValueRecord } from '../../log/key-value-log.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../protocol/generated/68-consumer-group-heartbeat.js';
import type { ConsumerGroupDescribeResponseGroups } from '../../protocol/generated/69-consumer-group-describe.js';
import { ASSIGNORS, type AssignorTopic } from './assignors.js';
import { type Assignment, ConsumerGroup, ConsumerMember, LEAVE_EPOCH, MemberState, STATIC_LEAVE_EPOCH, reconcile, sameAssignment, toAssignment } from './consumer-group.js';
import * as crec from './consumer-records.js';
import type { Group } from './group.js';
import type { GroupRuntime } from './runtime.js';
import type { GroupStore } from './state.js';

export interface ConsumerGroupSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Assignor names; the first is the default. */
  assignors: string[];
  maxSize: number;
}

export const DEFAULT_CONSUMER_GROUP_SETTINGS: ConsumerGroupSettings = {
  sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, assignors: ['uniform', 'range'], maxSize: 2_147_483_647,
};

export interface CatalogueTopic { name: string; id: Buffer; partitions: number; internal?: boolean }

/** The topics the assignors see. */
export interface TopicCatalogue {
  byName(name: string): CatalogueTopic | undefined;
  byId(id: Buffer): CatalogueTopic | undefined;
  all(): CatalogueTopic[];
}

export interface ConsumerHeartbeatParams extends ConsumerGroupHeartbeatRequest {
  version: number;
  clientId: string;
  clientHost: string;
  /** With ACLs on: the topics the member's principal may DESCRIBE, which alone its regex may match (KAFKA-18813). */
  visibleTopic?: (name: string) => boolean;
}

export type ConsumerHeartbeatResult = Omit<ConsumerGroupHeartbeatResponse, 'throttleTimeMs'>;

interface Host {
  store(): GroupStore;
  runtime(): GroupRuntime;
  closed(): boolean;
  logger: Logger;
  settings: ConsumerGroupSettings;
  topics: TopicCatalogue;
  /** A group's own config (consumer.session.timeout.ms, consumer.heartbeat.interval.ms), if it has one. */
  groupConfig(groupId: string, name: string): string | undefined;
}

const fail = (errorCode: number, errorMessage: string | null = null): ConsumerHeartbeatResult =>
  ({ errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });

const sessionKey = (groupId: string, memberId: string) => `csession\u0000${groupId}\u0000${memberId}`;
const revokeKey = (groupId: string, memberId: string) => `crevoke\u0000${groupId}\u0000${memberId}`;


/**
 * A subscription regex as Kafka reads it (RE2: the whole name must match); null when it does not compile. Written in
 * JavaScript's syntax (re2.ts) for the linear engine (src/regexps.ts): what needs backtracking (backreferences,
 * lookaround) is refused, as RE2 does.
 */
export function compileRegex(source: string): RegExp | null {
  const linear = useLinearRegexps();
  const pattern = re2ToJavaScript(source);
  // Without the linear engine, at least what RE2 refuses and what backtracks worst is refused.
  if (pattern === null || (!linear && /\\[1-9]|\(\?[=!<]|\)[*+?{]/.test(pattern))) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, linear ? 'l' : '');
  } catch {
    return null;
  }
}

export class ConsumerGroups {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** How often each member's session was armed: an expiry queued behind a heartbeat that re-armed it is void. */
  private readonly armed = new Map<string, number>();
  /**
   * Each member's ACL filter of regex matches, from its latest heartbeat (kept in memory: after a restart a member's
   * regex matches every topic until its next heartbeat, seconds later).
   */
  private readonly regexVisibility = new Map<string, (name: string) => boolean>();

  constructor(private readonly host: Host) {}

  private get store(): GroupStore { return this.host.store(); }
  private get runtime(): GroupRuntime { return this.host.runtime(); }

  /** One operation of a group at a time, each after the writes of the previous ones are applied. */
  private serial<T>(groupId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(groupId) ?? Promise.resolve();
    const run = prev.then(async () => { await this.runtime.settled(); return fn(); });
    const tail = run.catch(() => {});
    this.queues.set(groupId, tail);
    void tail.then(() => { if (this.queues.get(groupId) === tail) this.queues.delete(groupId); });
    return run;
  }

  /** Kafka's request checks (INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION), before any state. */
  private validate(p: ConsumerHeartbeatParams): ConsumerHeartbeatResult | null {
    const invalid = (message: string) => fail(ErrorCode.INVALID_REQUEST, message);
    if (p.groupId === '') return invalid("GroupId can't be empty.");
    if (p.instanceId === '') return invalid("InstanceId can't be empty.");
    if (p.rackId === '') return invalid("RackId can't be empty.");
    if (p.memberId === '' && (p.version >= 1 || p.memberEpoch !== 0)) return invalid("MemberId can't be empty.");
    if (p.memberEpoch === 0) {
      if (p.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
      if (p.topicPartitions === null || p.topicPartitions.length > 0) return invalid('TopicPartitions must be empty when (re-)joining.');
      if (!p.subscribedTopicNames?.length && !p.subscribedTopicRegex) return invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
    } else if (p.memberEpoch === STATIC_LEAVE_EPOCH) {
      if (p.instanceId === null) return invalid("InstanceId can't be null.");
    } else if (p.memberEpoch < STATIC_LEAVE_EPOCH) return invalid('MemberEpoch is invalid.');
    if (p.serverAssignor !== null && !this.host.settings.assignors.includes(p.serverAssignor)) {
      return fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${p.serverAssignor} is not supported. Supported assignors: ${this.host.settings.assignors.join(', ')}.`);
    }
    if (p.subscribedTopicRegex && compileRegex(p.subscribedTopicRegex) === null) {
      return fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${p.subscribedTopicRegex}\` is not a valid regular expression.`);
    }
    return null;
  }

  heartbeat(p: ConsumerHeartbeatParams): Promise<ConsumerHeartbeatResult> {
    if (this.host.closed()) return Promise.resolve(fail(ErrorCode.NOT_COORDINATOR));
    const invalid = this.validate(p);
    if (invalid) return Promise.resolve(invalid);
    return this.serial(p.groupId, async () => {
      try {
        return p.memberEpoch === LEAVE_EPOCH || p.memberEpoch === STATIC_LEAVE_EPOCH ? await this.leave(p) : await this.join(p);
      } catch (err) {
        this.host.logger.error({ err, group: p.groupId }, 'consumer group heartbeat failed');
        return fail(ErrorCode.UNKNOWN_SERVER_ERROR);
      }
    });
  }

  private async join(p: ConsumerHeartbeatParams): Promise<ConsumerHeartbeatResult> {
    const group = this.store.get(p.groupId);
    let cg: ConsumerGroup;
    if (!group || (group.type === 'classic' && group.members.size === 0 && group.pendingMembers.size === 0)) {
      if (p.memberEpoch !== 0) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${p.groupId} not found.`);
      cg = new ConsumerGroup(); // the records create it (an empty classic group keeps its offsets)
    } else if (group.type !== 'consumer' || !group.consumer) {
      return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${p.groupId} is not a consumer group.`);
    } else cg = group.consumer;
    const memberId = p.memberId === '' ? process.getBuiltinModule('node:crypto').randomUUID() : p.memberId;
    const owned = p.topicPartitions && toAssignment(p.topicPartitions.map((t) => [t.topicId.toString('hex'), t.partitions]));
    const records: KeyValueRecord[] = [];

    // Which member this is: a new one, a static member replacing its previous incarnation, or a known one.
    let member: ConsumerMember;
    let replaced: ConsumerMember | null = null;
    const staticId = p.instanceId === null ? undefined : cg.staticMembers.get(p.instanceId);
    if (p.memberEpoch === 0 && staticId !== undefined && staticId !== memberId) {
      const previous = cg.members.get(staticId)!;
      if (previous.memberEpoch !== STATIC_LEAVE_EPOCH) {
        return fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${staticId} with instance id ${p.instanceId} cannot be replaced because it has not left the group.`);
      }
      replaced = previous;
      member = previous.copy(memberId);
      member.memberEpoch = 0;
      member.previousMemberEpoch = 0;
      records.push(...crec.memberTombstones(p.groupId, previous.memberId));
    } else {
      const known = cg.members.get(memberId);
      if (!known) {
        if (p.memberEpoch !== 0) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${p.groupId}.`);
        if (cg.members.size >= this.host.settings.maxSize) {
          return fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.host.settings.maxSize} members.`);
        }
        member = new ConsumerMember(memberId);
      } else {
        if (p.instanceId !== null && staticId !== memberId) {
          return staticId === undefined ? fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${p.instanceId} is unknown.`)
            : fail(ErrorCode.FENCED_INSTANCE_ID, `Instance id ${p.instanceId} belongs to another member.`);
        }
        const fenced = epochProblem(known, p.memberEpoch, owned);
        if (fenced) return fail(ErrorCode.FENCED_MEMBER_EPOCH, fenced);
        member = known;
      }
    }
    const isNew = replaced !== null || !cg.members.has(memberId);
    if (p.visibleTopic) this.regexVisibility.set(sessionKey(p.groupId, memberId), p.visibleTopic);

    // 1. The member's metadata and subscription; the group epoch.
    const updated = member.copy();
    if (p.instanceId !== null) updated.instanceId = p.instanceId;
    if (p.rackId !== null) updated.rackId = p.rackId;
    if (p.rebalanceTimeoutMs !== -1) updated.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    if (p.serverAssignor !== null) updated.serverAssignor = p.serverAssignor;
    if (p.subscribedTopicNames !== null) updated.subscribedTopicNames = p.subscribedTopicNames;
    if (p.subscribedTopicRegex !== null) updated.subscribedTopicRegex = p.subscribedTopicRegex === '' ? null : p.subscribedTopicRegex;
    updated.clientId = p.clientId;
    updated.clientHost = p.clientHost;
    if (isNew || !updated.sameMetadata(member)) records.push(crec.memberMetadataRecord(p.groupId, updated));

    const members = new Map(cg.members);
    if (replaced) members.delete(replaced.memberId);
    members.set(memberId, updated);
    const { hash, topics } = this.subscriptionMetadata(p.groupId, members.values());
    let groupEpoch = cg.groupEpoch;
    if ((isNew && !replaced) || !updated.sameSubscription(member) || hash !== cg.metadataHash) {
      groupEpoch++;
      records.push(crec.groupMetadataRecord(p.groupId, groupEpoch, hash));
    }

    // 2. The target assignment.
    let targetEpoch = cg.assignmentEpoch;
    let targets: ReadonlyMap<string, Assignment> = new Map(cg.targetAssignment);
    if (replaced) {
      const t = cg.targetAssignment.get(replaced.memberId) ?? new Map();
      (targets as Map<string, Assignment>).set(memberId, t);
      (targets as Map<string, Assignment>).delete(replaced.memberId);
      records.push(crec.targetMemberRecord(p.groupId, memberId, t));
    }
    if (groupEpoch > cg.assignmentEpoch) {
      targets = this.assign(p.groupId, cg, members, topics);
      for (const [id, a] of targets) {
        if (!sameAssignment(a, cg.targetAssignment.get(id) ?? new Map()) || id === memberId) records.push(crec.targetMemberRecord(p.groupId, id, a));
      }
      targetEpoch = groupEpoch;
      records.push(crec.targetEpochRecord(p.groupId, targetEpoch));
    }

    // 3. The member towards its target.
    const except = new Set([memberId, ...(replaced ? [replaced.memberId] : [])]);
    const reconciled = reconcile(updated, targetEpoch, targets.get(memberId) ?? new Map(), owned, (t, partition) => cg.ownerOf(t, partition, except));
    if (isNew || !reconciled.sameCurrentAssignment(member)) records.push(crec.currentMemberRecord(p.groupId, reconciled));

    // `member` is the live object: applying the records changes it, so compare first.
    const assignmentChanged = !sameAssignment(reconciled.assigned, member.assigned);
    const startsRevoking = reconciled.state === MemberState.UNREVOKED_PARTITIONS && member.state !== MemberState.UNREVOKED_PARTITIONS;
    if (!(await this.runtime.write(records))) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (replaced) this.cancelTimers(p.groupId, replaced.memberId);
    this.scheduleSession(p.groupId, memberId);
    if (startsRevoking) this.scheduleRevocation(p.groupId, memberId, reconciled.rebalanceTimeoutMs);
    else if (reconciled.state !== MemberState.UNREVOKED_PARTITIONS) this.runtime.cancel(revokeKey(p.groupId, memberId));

    const full = p.memberEpoch === 0 || (p.rebalanceTimeoutMs !== -1 && p.subscribedTopicNames !== null && p.topicPartitions !== null);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: this.groupMs(p.groupId, 'consumer.heartbeat.interval.ms', this.host.settings.heartbeatIntervalMs),
      assignment: full || assignmentChanged ? { topicPartitions: wire(reconciled.assigned) } : null,
    };
  }

  /** Epoch -1: the member leaves (its partitions are free at once); -2: a static member leaves for now, keeping them. */
  private async leave(p: ConsumerHeartbeatParams): Promise<ConsumerHeartbeatResult> {
    const group = this.store.get(p.groupId);
    const cg = group?.consumer;
    if (!group || !cg) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${p.groupId} not found.`);
    const memberId = p.instanceId !== null ? cg.staticMembers.get(p.instanceId) : p.memberId;
    const member = memberId === undefined ? undefined : cg.members.get(memberId);
    if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${p.memberId} is not a member of group ${p.groupId}.`);
    if (member.memberId !== p.memberId) return fail(ErrorCode.FENCED_INSTANCE_ID, `Instance id ${p.instanceId} belongs to another member.`);
    let ok: boolean;
    if (p.memberEpoch === STATIC_LEAVE_EPOCH) {
      const left = member.copy();
      left.memberEpoch = STATIC_LEAVE_EPOCH;
      ok = await this.runtime.write([crec.currentMemberRecord(p.groupId, left)]);
      // It keeps its partitions for a session: a restart within it takes them over without a rebalance.
    } else ok = await this.fence(group, member, 'left the group');
    if (!ok) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: p.memberId, memberEpoch: p.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  /** Removes a member: its records are deleted and the group epoch bumped (the next heartbeat reassigns). */
  private fence(group: Group, member: ConsumerMember, reason: string): Promise<boolean> {
    const cg = group.consumer!;
    this.cancelTimers(group.groupId, member.memberId);
    const rest = [...cg.members.values()].filter((m) => m.memberId !== member.memberId);
    const { hash } = this.subscriptionMetadata(group.groupId, rest);
    this.host.logger.info({ group: group.groupId, member: member.memberId, reason }, 'consumer group member removed');
    const epoch = cg.groupEpoch + 1;
    // The last member gone: the (empty) assignment is at the group epoch at once (KAFKA-20442).
    const emptied = rest.length === 0 ? [crec.targetEpochRecord(group.groupId, epoch)] : [];
    return this.runtime.write([...crec.memberTombstones(group.groupId, member.memberId), crec.groupMetadataRecord(group.groupId, epoch, hash), ...emptied]);
  }

  private cancelTimers(groupId: string, memberId: string): void {
    this.armed.delete(sessionKey(groupId, memberId));
    this.regexVisibility.delete(sessionKey(groupId, memberId));
    this.runtime.cancel(sessionKey(groupId, memberId));
    this.runtime.cancel(revokeKey(groupId, memberId));
  }

  /** A group's own value of a timeout or interval config, else the broker's setting. */
  private groupMs(groupId: string, name: string, brokerSetting: number): number {
    const own = this.host.groupConfig(groupId, name);
    return own === undefined ? brokerSetting : Number(own);
  }

  /** (Re)arms a member's session; when it runs out, the member is fenced. */
  scheduleSession(groupId: string, memberId: string): void {
    const key = sessionKey(groupId, memberId);
    const arming = (this.armed.get(key) ?? 0) + 1;
    this.armed.set(key, arming);
    this.runtime.schedule(key, this.groupMs(groupId, 'consumer.session.timeout.ms', this.host.settings.sessionTimeoutMs),
      () => this.expire(groupId, memberId, 'session timed out', () => this.armed.get(key) === arming));
  }

  private scheduleRevocation(groupId: string, memberId: string, timeoutMs: number): void {
    this.runtime.schedule(revokeKey(groupId, memberId), Math.max(0, timeoutMs), () => this.expire(groupId, memberId,
      'did not revoke its partitions within its rebalance timeout', (m) => m.state === MemberState.UNREVOKED_PARTITIONS));
  }

  /** Fences the member in its turn, unless `still` says a heartbeat queued before it made the reason go away. */
  private expire(groupId: string, memberId: string, reason: string, still: (m: ConsumerMember) => boolean): void {
    void this.serial(groupId, async () => {
      const group = this.store.get(groupId);
      const member = group?.consumer?.members.get(memberId);
      if (group && member && still(member)) await this.fence(group, member, reason);
    }).catch((err: unknown) => this.host.logger.error({ err, group: groupId }, 'consumer group member expiry failed'));
  }

  /** After replay: every loaded member gets a session, so members that do not come back are fenced. */
  scheduleLoaded(): void {
    for (const group of this.store.groups.values()) for (const id of group.consumer?.members.keys() ?? []) this.scheduleSession(group.groupId, id);
  }

  /** The topics the members subscribe to (names and regexes, existing topics only) and our hash of them. */
  private subscriptionMetadata(groupId: string, members: Iterable<ConsumerMember>): { hash: number; topics: Map<string, CatalogueTopic> } {
    const topics = new Map<string, CatalogueTopic>();
    const all = this.host.topics.all().filter((t) => !t.internal);
    for (const m of members) {
      for (const name of m.subscribedTopicNames) {
        const t = this.host.topics.byName(name);
        if (t) topics.set(t.id.toString('hex'), t);
      }
      const re = m.subscribedTopicRegex ? compileRegex(m.subscribedTopicRegex) : null;
      const visible = this.regexVisibility.get(sessionKey(groupId, m.memberId));
      if (re) for (const t of all) if (re.test(t.name) && (!visible || visible(t.name))) topics.set(t.id.toString('hex'), t);
    }
    const text = [...topics].map(([id, t]) => `${id}:${t.name}:${t.partitions}`).sort().join(',');
    const hash = topics.size === 0 ? 0 : process.getBuiltinModule('node:crypto').createHash('sha256').update(text).digest().readUIntBE(0, 6);
    return { hash, topics };
  }

  private memberTopicIds(groupId: string, m: ConsumerMember): string[] {
    return [...this.subscriptionMetadata(groupId, [m]).topics.keys()];
  }

  /** The group's assignor: the one most members ask for, else the first configured. */
  private assignorName(members: Iterable<ConsumerMember>): string {
    const votes = new Map<string, number>();
    for (const m of members) if (m.serverAssignor) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
    return best ?? this.host.settings.assignors[0];
  }

  private assign(groupId: string, cg: ConsumerGroup, members: ReadonlyMap<string, ConsumerMember>, topics: Map<string, CatalogueTopic>): Map<string, Assignment> {
    const assignor = ASSIGNORS.get(this.assignorName(members.values())) ?? ASSIGNORS.get('uniform')!;
    const byId = new Map<string, AssignorTopic>([...topics].map(([id, t]) => [id, { id, partitions: t.partitions }]));
    return assignor([...members.values()].map((m) => ({ memberId: m.memberId, topics: this.memberTopicIds(groupId, m) })), byId, cg.targetAssignment);
  }

  describe(groupId: string): ConsumerGroupDescribeResponseGroups {
    const none = (errorCode: number, errorMessage: string | null) => ({ errorCode, errorMessage, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 });
    if (this.host.closed()) return none(ErrorCode.NOT_COORDINATOR, null);
    const group = this.store.get(groupId);
    if (!group) return none(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    const cg = group.consumer;
    if (!cg) return none(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    const named = (a: Assignment) => ({
      topicPartitions: [...a].map(([id, partitions]) => ({ topicId: Buffer.from(id, 'hex'), topicName: this.host.topics.byId(Buffer.from(id, 'hex'))?.name ?? '', partitions })),
    });
    return {
      errorCode: ErrorCode.NONE, errorMessage: null, groupId, groupState: cg.state, groupEpoch: cg.groupEpoch, assignmentEpoch: cg.assignmentEpoch,
      assignorName: this.assignorName(cg.members.values()),
      members: [...cg.members.values()].map((m) => ({
        memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames, subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: named(m.assigned), targetAssignment: named(cg.targetAssignment.get(m.memberId) ?? new Map()),
        memberType: 1, // a consumer-protocol member (0 would be a classic member of a consumer group)
      })),
      authorizedOperations: -2147483648,
    };
  }

  /**
   * OffsetCommit/OffsetFetch v9 of a consumer group: the member must exist and carry its current epoch (Kafka's
   * STALE_MEMBER_EPOCH otherwise). Epoch < 0 without members: a commit from outside the group (admin, manual).
   */
  checkMember(group: Group, memberId: string | null, memberEpoch: number, fetch = false, commitVersion = 9): number {
    const cg = group.consumer;
    if (!cg) return ErrorCode.NONE;
    if (memberEpoch < 0 && (fetch ? memberId === null : cg.members.size === 0)) return ErrorCode.NONE;
    const m = memberId === null ? undefined : cg.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    // Kafka: a consumer-protocol member commits with OffsetCommit v9+.
    if (!fetch && commitVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    return m.memberEpoch === memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** The records that delete an empty consumer group's own state (its offsets are the caller's). */
  deletionRecords(group: Group): KeyValueRecord[] {
    return group.consumer ? crec.groupTombstones(group.groupId) : [];
  }

  /** Topics a consumer group's members subscribe to (OffsetDelete refuses them). */
  subscribedTopicNames(group: Group): Set<string> {
    const names = new Set<string>();
    for (const t of this.subscriptionMetadata(group.groupId, group.consumer?.members.values() ?? []).topics.values()) names.add(t.name);
    return names;
  }
}

/**
 * Kafka's epoch check: a newer epoch, or an older one that is not the previous with a subset of the partitions, is
 * fenced. Epoch 0 is a member rejoining after it was fenced, as KIP-848 specifies (KAFKA-19233; before, Kafka fenced
 * it again, and a client that keeps its member id, as librdkafka does, would never get back in).
 */
function epochProblem(m: ConsumerMember, received: number, owned: Assignment | null): string | null {
  if (received === 0) return null;
  if (received > m.memberEpoch) {
    return `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`;
  }
  if (received < m.memberEpoch) {
    const subset = owned === null || [...owned].every(([t, ps]) => ps.every((p) => m.assigned.get(t)?.includes(p)));
    if (received !== m.previousMemberEpoch || !subset) {
      return `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`;
    }
  }
  return null;
}

function wire(a: Assignment): Array<{ topicId: Buffer; partitions: number[] }> {
  return [...a].map(([id, partitions]) => ({ topicId: Buffer.from(id, 'hex'), partitions }));
}
