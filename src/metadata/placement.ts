/**
 * Where things live in a cluster of nodes: which node leads each partition (and with which leader epoch), which
 * nodes are its replicas, and which node coordinates each group and transactional id. One process runs every node
 * and stores each partition once, so replicas and ISR are what clients see, not copies; what is real is routing:
 * a node that does not lead a partition, or does not coordinate a key, refuses it as a multi-broker Kafka does.
 *
 * Leaders are spread round robin from a per-topic start (Kafka's assignment without racks); coordinators by the
 * key's Java hashCode, as Kafka maps a group id to its `__consumer_offsets` partition. A leader move bumps the
 * partition's leader epoch (the test kit moves leaders and stops nodes through `moveLeader`).
 */

export interface PartitionPlacement {
  leader: number;
  leaderEpoch: number;
  /** Leader first. */
  replicas: number[];
  isr: number[];
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

  constructor(readonly nodeIds: readonly number[]) {
    if (nodeIds.length === 0) throw new Error('a cluster needs at least one node');
  }

  get size(): number {
    return this.nodeIds.length;
  }

  /** The partition's replicas (replicationFactor of them, at most every node), leader and epoch. */
  partition(topic: string, partition: number, replicationFactor = 1): PartitionPlacement {
    const n = this.nodeIds.length;
    const start = (positive(javaHashCode(topic)) + partition) % n;
    const replicas = Array.from({ length: Math.min(Math.max(1, replicationFactor), n) }, (_, i) => this.nodeIds[(start + i) % n]);
    const move = this.moved.get(`${topic}\0${partition}`);
    if (!move) return { leader: replicas[0], leaderEpoch: 0, replicas, isr: replicas };
    const withLeader = replicas.includes(move.leader) ? replicas : [move.leader, ...replicas.slice(0, -1)];
    return { leader: move.leader, leaderEpoch: move.epochStarts.length - 1, replicas: withLeader, isr: withLeader };
  }

  leaderOf(topic: string, partition: number): number {
    return this.moved.get(`${topic}\0${partition}`)?.leader ?? this.partition(topic, partition).leader;
  }

  leaderEpochOf(topic: string, partition: number): number {
    return (this.moved.get(`${topic}\0${partition}`)?.epochStarts.length ?? 1) - 1;
  }

  /**
   * Makes `nodeId` the partition's leader with a new leader epoch starting at `logEndOffset` (where the new
   * leader's first write will go); returns that epoch.
   */
  moveLeader(topic: string, partition: number, nodeId: number, logEndOffset: number): number {
    if (!this.nodeIds.includes(nodeId)) throw new Error(`no node ${nodeId} in this cluster`);
    const key = `${topic}\0${partition}`;
    const epochStarts = [...(this.moved.get(key)?.epochStarts ?? [0]), logEndOffset];
    this.moved.set(key, { leader: nodeId, epochStarts });
    return epochStarts.length - 1;
  }

  /**
   * OffsetForLeaderEpoch as Kafka's leader-epoch cache answers it: the largest epoch <= `epoch` and the offset where
   * the next epoch began (the log end for the current one); (-1, -1) for an epoch newer than the current one.
   */
  epochEndOffset(topic: string, partition: number, epoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } {
    const starts = this.moved.get(`${topic}\0${partition}`)?.epochStarts ?? [0];
    const current = starts.length - 1;
    if (epoch > current || epoch < 0) return { leaderEpoch: -1, endOffset: -1 };
    return { leaderEpoch: epoch, endOffset: epoch === current ? logEndOffset : starts[epoch + 1] };
  }

  /** Forgets a deleted topic's leader moves. */
  forgetTopic(topic: string): void {
    for (const key of this.moved.keys()) if (key.startsWith(`${topic}\0`)) this.moved.delete(key);
  }

  /** The node coordinating a group id or transactional id. */
  coordinatorOf(key: string): number {
    return this.nodeIds[positive(javaHashCode(key)) % this.nodeIds.length];
  }
}
