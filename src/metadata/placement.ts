/**
 * Where things live in a cluster of nodes: which node leads each partition (and with which leader epoch), which
 * nodes are its replicas, and which node coordinates each group and transactional id. One process runs every node
 * and stores each partition once, so replicas and ISR are what clients see, not copies; what is real is routing:
 * a node that does not lead a partition, or does not coordinate a key, refuses it as a multi-broker Kafka does.
 *
 * Leaders are spread round robin from a per-topic start (Kafka's assignment without racks); coordinators by the
 * key's Java hashCode, as Kafka maps a group id to its `__consumer_offsets` partition. A leader move bumps the
 * partition's leader epoch (the test kit moves leaders and stops nodes through `moveLeader`).
 *
 * Stopped nodes (the test kit's stopNode) lead nothing and coordinate nothing: the test kit moves their partitions
 * away with a new epoch; a partition created while its first replica is stopped starts on the first live one; a
 * key's coordinator is the first live node from its hashed place (so it returns once the node starts again, as
 * Kafka's preferred leader election brings `__consumer_offsets` leadership back). ISRs leave stopped nodes out.
 */

export interface PartitionPlacement {
  leader: number;
  leaderEpoch: number;
  /** Leader first. */
  replicas: number[];
  isr: number[];
  /** Replicas on stopped nodes (Metadata's offline replicas). */
  offline: number[];
}

/**
 * Kafka's checks of a partition's manual replica list (ReplicationControlManager.validateManualPartitionAssignment),
 * for CreateTopics, CreatePartitions and AlterPartitionReassignments: not empty, only nodes the cluster has, none
 * twice, and `replicas` long when the topic's other partitions fix it. Null when it passes.
 */
export function manualAssignmentProblem(brokerIds: readonly number[], nodeIds: readonly number[], replicas?: number): string | null {
  if (brokerIds.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const sorted = [...brokerIds].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!nodeIds.includes(sorted[i])) return `The manual partition assignment includes broker ${sorted[i]}, but no such broker is registered.`;
    if (i > 0 && sorted[i] === sorted[i - 1]) return `The manual partition assignment includes the broker ${sorted[i]} more than once.`;
  }
  if (replicas !== undefined && brokerIds.length !== replicas) {
    return `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${replicas} replica(s).`;
  }
  return null;
}

/** Java's String.hashCode, as Kafka hashes group and transactional ids. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: the hash's absolute value, with MIN_VALUE mapped to 0 (its & 0x7fffffff). */
const positive = (n: number): number => n & 0x7fffffff;

export class Placement {
  /** Leader moves since start, by "topic\0partition": the node, and the offset each epoch began at (epoch 0: 0). */
  private readonly moved = new Map<string, { leader: number; epochStarts: number[] }>();
  private readonly stopped = new Set<number>();
  /** Coordinators the test kit moved, by key. */
  private readonly coordinatorMoves = new Map<string, number>();
  /** Replica lists given by AlterPartitionReassignments, by "topic\0partition" (each completes at once). */
  private readonly reassigned = new Map<string, number[]>();

  constructor(readonly nodeIds: readonly number[]) {
    if (nodeIds.length === 0) throw new Error('a cluster needs at least one node');
  }

  get size(): number {
    return this.nodeIds.length;
  }

  /** The partition's replicas (replicationFactor of them, at most every node), leader and epoch. */
  partition(topic: string, partition: number, replicationFactor = 1): PartitionPlacement {
    const n = this.nodeIds.length;
    const start = this.firstReplica(topic, partition);
    const replicas = this.reassigned.get(`${topic}\0${partition}`)
      ?? Array.from({ length: Math.min(Math.max(1, replicationFactor), n) }, (_, i) => this.nodeIds[(start + i) % n]);
    const move = this.move(topic, partition);
    const withLeader = !move || replicas.includes(move.leader) ? replicas : [move.leader, ...replicas.slice(0, -1)];
    const isr = withLeader.filter((id) => !this.stopped.has(id));
    const offline = withLeader.filter((id) => this.stopped.has(id));
    return { leader: move?.leader ?? replicas[0], leaderEpoch: move ? move.epochStarts.length - 1 : 0, replicas: withLeader, isr, offline };
  }

  /**
   * `partition` for partitions 0 to count-1 of a topic (Metadata's, for thousands of partitions): while no leader
   * moved, no replicas were reassigned and no node is stopped, the name is hashed once and the partitions sharing a
   * first replica share one answer (read-only).
   */
  partitions(topic: string, count: number, replicationFactor = 1): readonly PartitionPlacement[] {
    if (this.moved.size > 0 || this.reassigned.size > 0 || this.stopped.size > 0) {
      return Array.from({ length: count }, (_, p) => this.partition(topic, p, replicationFactor));
    }
    const n = this.nodeIds.length;
    const byFirst = this.nodeIds.map((_, first) => {
      const replicas = Array.from({ length: Math.min(Math.max(1, replicationFactor), n) }, (_, i) => this.nodeIds[(first + i) % n]);
      return { leader: replicas[0], leaderEpoch: 0, replicas, isr: replicas, offline: [] };
    });
    const first = this.firstReplica(topic, 0);
    return Array.from({ length: count }, (_, p) => byFirst[(first + p) % n]);
  }

  leaderOf(topic: string, partition: number): number {
    return this.move(topic, partition)?.leader ?? this.nodeIds[this.firstReplica(topic, partition)];
  }

  leaderEpochOf(topic: string, partition: number): number {
    return (this.move(topic, partition)?.epochStarts.length ?? 1) - 1;
  }

  /** Index in nodeIds of the partition's first replica (round robin from a per-topic start). */
  private firstReplica(topic: string, partition: number): number {
    return (positive(javaHashCode(topic)) + partition) % this.nodeIds.length;
  }

  /**
   * The partition's leader moves; a partition never moved whose first replica is stopped (created while it was)
   * is pinned here to the first live replica at epoch 0, so that node keeps it when the first one starts again.
   */
  private move(topic: string, partition: number): { leader: number; epochStarts: number[] } | undefined {
    const key = `${topic}\0${partition}`;
    const move = this.moved.get(key);
    if (move || this.stopped.size === 0) return move;
    const start = this.firstReplica(topic, partition);
    if (!this.stopped.has(this.nodeIds[start])) return undefined;
    const pinned = { leader: this.firstLiveFrom(start), epochStarts: [0] };
    this.moved.set(key, pinned);
    return pinned;
  }

  /** The first live node from index `start` of nodeIds on, wrapping around. */
  private firstLiveFrom(start: number): number {
    const n = this.nodeIds.length;
    for (let i = 0; i < n; i++) if (!this.stopped.has(this.nodeIds[(start + i) % n])) return this.nodeIds[(start + i) % n];
    throw new Error('no live node in the cluster');
  }

  /** The live node a partition's leadership goes to when its leader stops: its first live replica. */
  liveLeaderFor(topic: string, partition: number): number {
    const given = this.reassigned.get(`${topic}\0${partition}`)?.find((id) => !this.stopped.has(id));
    return given ?? this.firstLiveFrom(this.firstReplica(topic, partition));
  }

  isLive(nodeId: number): boolean {
    return this.nodeIds.includes(nodeId) && !this.stopped.has(nodeId);
  }

  get liveNodeIds(): number[] {
    return this.nodeIds.filter((id) => !this.stopped.has(id));
  }

  /** Marks a node stopped or live again (the test kit moves its partitions and closes its listeners). */
  setLive(nodeId: number, live: boolean): void {
    if (live) this.stopped.delete(nodeId);
    else this.stopped.add(nodeId);
  }

  /** Makes `nodeId` coordinate `key` (a group or transactional id) while it is live. */
  moveCoordinator(key: string, nodeId: number): void {
    this.coordinatorMoves.set(key, nodeId);
  }

  /**
   * Makes `nodeId` the partition's leader with a new leader epoch starting at `logEndOffset` (where the new
   * leader's first write will go); returns that epoch.
   */
  moveLeader(topic: string, partition: number, nodeId: number, logEndOffset: number): number {
    if (!this.nodeIds.includes(nodeId)) throw new Error(`no node ${nodeId} in this cluster`);
    const key = `${topic}\0${partition}`;
    const epochStarts = [...(this.move(topic, partition)?.epochStarts ?? [0]), logEndOffset];
    this.moved.set(key, { leader: nodeId, epochStarts });
    return epochStarts.length - 1;
  }

  /**
   * OffsetForLeaderEpoch as Kafka's leader-epoch cache answers it: the largest epoch <= `epoch` and the offset where
   * the next epoch began (the log end for the current one); (-1, -1) for an epoch newer than the current one.
   */
  epochEndOffset(topic: string, partition: number, epoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } {
    const starts = this.move(topic, partition)?.epochStarts ?? [0];
    const current = starts.length - 1;
    if (epoch > current || epoch < 0) return { leaderEpoch: -1, endOffset: -1 };
    return { leaderEpoch: epoch, endOffset: epoch === current ? logEndOffset : starts[epoch + 1] };
  }

  /**
   * A new partition's replicas as its creator listed them (CreateTopics, CreatePartitions): the first live one leads,
   * at epoch 0. Kept until restart, as reassignments and leader moves are.
   */
  assign(topic: string, partition: number, replicas: readonly number[]): void {
    const key = `${topic}\0${partition}`;
    this.reassigned.set(key, [...replicas]);
    this.moved.set(key, { leader: replicas.find((id) => !this.stopped.has(id)) ?? replicas[0], epochStarts: [0] });
  }

  /**
   * Gives the partition a new replica list (preferred leader first). Its leader stays where it is, at its epoch (a
   * partition never moved is pinned to its leader here), until the caller moves it: as on Kafka, a leader still among
   * the replicas keeps leading, and a preferred election moves it to the first.
   */
  reassign(topic: string, partition: number, replicas: readonly number[]): void {
    const key = `${topic}\0${partition}`;
    if (!this.moved.has(key)) this.moved.set(key, { leader: this.leaderOf(topic, partition), epochStarts: [0] });
    this.reassigned.set(key, [...replicas]);
  }

  /** Forgets a deleted topic's leader moves and reassignments. */
  forgetTopic(topic: string): void {
    for (const map of [this.moved, this.reassigned]) for (const key of map.keys()) if (key.startsWith(`${topic}\0`)) map.delete(key);
  }

  /** The node coordinating a group id or transactional id. */
  coordinatorOf(key: string): number {
    const moved = this.coordinatorMoves.get(key);
    if (moved !== undefined && !this.stopped.has(moved)) return moved;
    const home = positive(javaHashCode(key)) % this.nodeIds.length;
    return this.stopped.size === 0 ? this.nodeIds[home] : this.firstLiveFrom(home);
  }
}
