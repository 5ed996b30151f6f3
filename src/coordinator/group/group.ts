/**
 * One classic-protocol consumer group: its members, generation, selected protocol and committed offsets.
 * Plain data plus the rules that need no I/O (state transitions, protocol selection, leader choice); the
 * coordinator drives it, state.ts applies its records, runtime.ts owns its timers (keyed by group and member).
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance ──leader sync──▶ Stable
 *     ▲                 │    ▲                                                   │                               │
 *     └─ no members ────┘    └──────────── join, leave, member expiry ───────────┴───────────────────────────────┘
 *   Any state ──delete / offsets expired──▶ Dead (the group object is dropped; a new one may take its id)
 */
import type { OffsetValue } from './records.js';
import type { ConsumerGroup } from './consumer-group.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface Protocol { name: string; metadata: Buffer }

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  /** Every member and its metadata for the selected protocol: only in the leader's answer. */
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
  /** KIP-814: the leader keeps the current assignment (a static leader that rejoined a Stable group). */
  skipAssignment?: boolean;
}

export interface SyncResult { errorCode: number; assignment: Buffer }

export const EMPTY = Buffer.alloc(0);

export class Member {
  assignment: Buffer = EMPTY;
  /** Resolves the member's pending JoinGroup (set while it waits for the rebalance to complete). */
  awaitingJoin: ((r: JoinResult) => void) | null = null;
  /** Resolves the member's pending SyncGroup (set while it waits for the leader's assignment). */
  awaitingSync: ((r: SyncResult) => void) | null = null;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocols: Protocol[],
  ) {}

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  /** Same protocols, in the same order, with the same metadata: a rejoin that changes nothing. */
  matches(protocols: Protocol[]): boolean {
    return protocols.length === this.protocols.length
      && protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }
}

export class Group {
  state: GroupState = 'Empty';
  /**
   * 'consumer': a KIP-848 group, its membership in `consumer` (its `state` here is Empty or Stable, by whether it has
   * members, which is what offsets expiry and DeleteGroups ask).
   */
  type: 'classic' | 'consumer' = 'classic';
  consumer: ConsumerGroup | null = null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  /** When the group last changed state (ms); offsets of an Empty group expire counting from here. */
  currentStateTimestamp: number;
  readonly members = new Map<string, Member>();
  /** group.instance.id → member id of the static members. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED and not yet used. */
  readonly pendingMembers = new Set<string>();
  /** Committed offsets by "topic\u0000partition". */
  readonly offsets = new Map<string, OffsetValue & { topic: string; partition: number }>();
  /** True during `group.initial.rebalance.delay.ms`: the join waits for more members even if all have joined. */
  initialDelay = false;
  newMemberAdded = false;

  /** `changed` hears of every state and membership change (synchronously, mid-operation: it should only take note). */
  constructor(readonly groupId: string, now: number, private readonly changed: (groupId: string) => void = () => {}) {
    this.currentStateTimestamp = now;
  }

  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new Error(`group ${this.groupId}: illegal transition ${this.state} → ${state}`);
    }
    this.state = state;
    this.currentStateTimestamp = now;
    this.changed(this.groupId);
  }

  /** Adds a member; the first member of an empty group sets its protocol type. */
  add(member: Member, protocolType: string): void {
    if (this.members.size === 0) this.protocolType = protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.changed(this.groupId);
  }

  /** Drops a member (its timers are the caller's); a departing leader is replaced by the next member. */
  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.changed(this.groupId);
  }

  get awaitingJoinCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin) n++;
    return n;
  }

  /** Every member has rejoined and no member id handed out with MEMBER_ID_REQUIRED is still outstanding. */
  get allMembersJoined(): boolean {
    return this.awaitingJoinCount === this.members.size && this.pendingMembers.size === 0;
  }

  /** The largest rebalance timeout of the members: how long the join phase may wait. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Protocol names every one of `members` supports. */
  private candidates(members: Member[]): Set<string> {
    const [first, ...rest] = members;
    if (!first) return new Set();
    return new Set(first.protocols.map((p) => p.name).filter((n) => rest.every((m) => m.protocols.some((p) => p.name === n))));
  }

  /** Whether a member with this protocol type and these protocols may join (INCONSISTENT_GROUP_PROTOCOL if not). */
  supportsProtocols(protocolType: string, names: string[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && names.length > 0;
    if (protocolType !== this.protocolType) return false;
    const common = this.candidates([...this.members.values()]);
    return names.some((n) => common.has(n));
  }

  /**
   * Kafka's vote: each member votes for the first protocol, in its own preference order, that all members support;
   * the most votes win, ties going to the earlier candidate in the first member's order.
   */
  selectProtocol(members: Member[] = [...this.members.values()]): string {
    const common = this.candidates(members);
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => common.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, count] of votes) if (best === null || count > votes.get(best)!) best = name;
    if (best === null) throw new Error(`group ${this.groupId}: no protocol supported by all members`);
    return best;
  }

  /** The topics the members subscribe to, for consumer groups; null when unknown (then every topic counts). */
  subscribedTopics(parse: (subscription: Buffer) => string[] | null): Set<string> | null {
    if (this.protocolType !== 'consumer' || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const list = parse(m.metadataFor(this.protocolName));
      if (list === null) return null;
      for (const t of list) topics.add(t);
    }
    return topics;
  }
}
