/**
 * One consumer-protocol group (KIP-848) as its records describe it: the group epoch, the target assignment and its
 * epoch, and per member its subscription and current assignment. Plain data; consumer-records.ts reads and writes
 * the records, consumer-coordinator.ts drives the heartbeats.
 *
 * Assignments name topics by id (hex of the 16-byte topic id) and list partitions in ascending order. Member states
 * and their numbers are Kafka's (MemberState): a member whose target takes partitions away stays in its epoch,
 * UNREVOKED_PARTITIONS, until it reports them gone; it gets partitions another member still holds only once they
 * are released (UNRELEASED_PARTITIONS). So a partition is never owned by two members.
 */
export type Assignment = Map<string, number[]>;

export const MemberState = { STABLE: 0, UNREVOKED_PARTITIONS: 1, UNRELEASED_PARTITIONS: 2, UNKNOWN: 127 } as const;

/** Member epochs with a meaning of their own. */
export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

export class ConsumerMember {
  instanceId: string | null = null;
  rackId: string | null = null;
  clientId = '';
  clientHost = '';
  subscribedTopicNames: string[] = [];
  subscribedTopicRegex: string | null = null;
  serverAssignor: string | null = null;
  rebalanceTimeoutMs = -1;
  memberEpoch = 0;
  previousMemberEpoch = 0;
  state: number = MemberState.STABLE;
  assigned: Assignment = new Map();
  pendingRevocation: Assignment = new Map();

  constructor(readonly memberId: string) {}

  copy(memberId = this.memberId): ConsumerMember {
    const m = Object.assign(new ConsumerMember(memberId), this);
    (m as { memberId: string }).memberId = memberId;
    m.subscribedTopicNames = [...this.subscribedTopicNames];
    m.assigned = copyAssignment(this.assigned);
    m.pendingRevocation = copyAssignment(this.pendingRevocation);
    return m;
  }

  sameMetadata(o: ConsumerMember): boolean {
    return this.instanceId === o.instanceId && this.rackId === o.rackId && this.clientId === o.clientId && this.clientHost === o.clientHost
      && sameStrings(this.subscribedTopicNames, o.subscribedTopicNames) && this.subscribedTopicRegex === o.subscribedTopicRegex
      && this.serverAssignor === o.serverAssignor && this.rebalanceTimeoutMs === o.rebalanceTimeoutMs;
  }

  sameSubscription(o: ConsumerMember): boolean {
    return sameStrings([...this.subscribedTopicNames].sort(), [...o.subscribedTopicNames].sort()) && (this.subscribedTopicRegex ?? '') === (o.subscribedTopicRegex ?? '');
  }

  sameCurrentAssignment(o: ConsumerMember): boolean {
    return this.memberEpoch === o.memberEpoch && this.previousMemberEpoch === o.previousMemberEpoch && this.state === o.state
      && sameAssignment(this.assigned, o.assigned) && sameAssignment(this.pendingRevocation, o.pendingRevocation);
  }
}

export class ConsumerGroup {
  groupEpoch = 0;
  /** Our hash of the subscribed topics' names, ids and partition counts (Kafka 4.1 keeps one too). */
  metadataHash = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  readonly targetAssignment = new Map<string, Assignment>();
  /** instance id → member id of the static members. */
  readonly staticMembers = new Map<string, string>();

  addMember(m: ConsumerMember): void {
    this.members.set(m.memberId, m);
    if (m.instanceId !== null) this.staticMembers.set(m.instanceId, m.memberId);
  }

  removeMember(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    if (m.instanceId !== null && this.staticMembers.get(m.instanceId) === memberId) this.staticMembers.delete(m.instanceId);
  }

  /** Kafka's consumer group states. */
  get state(): 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) {
      if (m.state !== MemberState.STABLE || m.memberEpoch !== this.assignmentEpoch) return 'Reconciling';
    }
    return 'Stable';
  }

  /** The member (other than `except`) holding a partition, as assigned or still to revoke; undefined when free. */
  ownerOf(topicId: string, partition: number, except: ReadonlySet<string>): string | undefined {
    for (const m of this.members.values()) {
      if (except.has(m.memberId)) continue;
      if (m.assigned.get(topicId)?.includes(partition) || m.pendingRevocation.get(topicId)?.includes(partition)) return m.memberId;
    }
    return undefined;
  }
}

export function copyAssignment(a: Assignment): Assignment {
  return new Map([...a].map(([t, ps]) => [t, [...ps]]));
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  const ka = [...a.keys()].filter((k) => a.get(k)!.length > 0);
  const kb = [...b.keys()].filter((k) => b.get(k)!.length > 0);
  return ka.length === kb.length && ka.every((k) => sameNumbers(a.get(k)!, b.get(k) ?? []));
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An assignment from (topic id, partitions) pairs, dropping empty topics and sorting partitions. */
export function toAssignment(entries: Iterable<[string, Iterable<number>]>): Assignment {
  const out: Assignment = new Map();
  for (const [t, ps] of entries) {
    const list = [...new Set([...ps, ...(out.get(t) ?? [])])].sort((x, y) => x - y);
    if (list.length > 0) out.set(t, list);
  }
  return out;
}

/**
 * Kafka's CurrentAssignmentBuilder: where a member goes from its current assignment towards its target. `owned` is
 * what the member reported owning (null: not reported, so it is assumed to still own what it was given);
 * `ownerOf` tells whether another member still holds a partition.
 */
export function reconcile(member: ConsumerMember, targetEpoch: number, target: Assignment, owned: Assignment | null,
  ownerOf: (topicId: string, partition: number) => string | undefined): ConsumerMember {
  const ownsAnyOf = (revoking: Assignment) => owned === null
    || [...revoking].some(([t, ps]) => ps.some((p) => owned.get(t)?.includes(p)));
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch === targetEpoch ? member : next(member, member.memberEpoch, targetEpoch, target, ownsAnyOf, ownerOf);
    case MemberState.UNREVOKED_PARTITIONS:
      if (ownsAnyOf(member.pendingRevocation)) return member;
      return next(member, Math.min(member.memberEpoch + 1, targetEpoch), targetEpoch, target, ownsAnyOf, ownerOf);
    default:
      return next(member, member.memberEpoch, targetEpoch, target, ownsAnyOf, ownerOf);
  }
}

function next(member: ConsumerMember, memberEpoch: number, targetEpoch: number, target: Assignment,
  ownsAnyOf: (a: Assignment) => boolean, ownerOf: (topicId: string, partition: number) => string | undefined): ConsumerMember {
  const kept: Array<[string, number[]]> = [];
  const revoking: Array<[string, number[]]> = [];
  const adding: Array<[string, number[]]> = [];
  let unreleased = false;
  for (const t of new Set([...member.assigned.keys(), ...target.keys()])) {
    const current = member.assigned.get(t) ?? [];
    const wanted = target.get(t) ?? [];
    kept.push([t, current.filter((p) => wanted.includes(p))]);
    revoking.push([t, current.filter((p) => !wanted.includes(p))]);
    const add = wanted.filter((p) => !current.includes(p));
    const free = add.filter((p) => ownerOf(t, p) === undefined);
    if (free.length < add.length) unreleased = true;
    adding.push([t, free]);
  }
  const out = member.copy();
  const pending = toAssignment(revoking);
  if (pending.size > 0 && ownsAnyOf(pending)) {
    // Revoke first: the member keeps its epoch until it reports the partitions gone.
    out.state = MemberState.UNREVOKED_PARTITIONS;
    setEpoch(out, memberEpoch);
    out.assigned = toAssignment(kept);
    out.pendingRevocation = pending;
    return out;
  }
  out.state = unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE;
  setEpoch(out, targetEpoch);
  out.assigned = toAssignment([...kept, ...adding]);
  out.pendingRevocation = new Map();
  return out;
}

function setEpoch(m: ConsumerMember, epoch: number): void {
  if (m.memberEpoch !== epoch) {
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = epoch;
  }
}
