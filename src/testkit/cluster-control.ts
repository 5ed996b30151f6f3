/**
 * Cluster operations for tests of a multi-node cluster (kfake's MoveTopicPartition, StopBroker...): move a partition's
 * leader or a coordinator, stop a node and start it again. A stopped node closes its listeners (connections are
 * refused, open ones closed), drops out of Metadata, and its partitions' leadership moves to live nodes with a new
 * leader epoch, its coordinators to the next live node, as a Kafka cluster fails over when a broker dies. Stored data
 * stays (one process stores each partition once), so nothing is lost: what changes is where clients must go.
 *
 * Every operation checks its input first and changes nothing when it throws a TestkitError.
 */
import type { Broker } from '../broker.js';
import type { Listener } from '../server/listener.js';
import { TestkitError } from './errors.js';

export interface NodeState {
  id: number;
  live: boolean;
}

export class ClusterControl {
  constructor(private readonly broker: Broker, private readonly listeners: ReadonlyMap<number, readonly Listener[]>) {}

  /** Every node, with whether it is live. */
  get nodes(): NodeState[] {
    return this.broker.placement.nodeIds.map((id) => ({ id, live: this.broker.placement.isLive(id) }));
  }

  /** Makes `node` the partition's leader with a new leader epoch; returns the epoch. */
  moveLeader(topic: string, partition: number, node: number): number {
    if (!this.broker.partition(topic, partition)) throw new TestkitError('SAMSA_UNKNOWN_PARTITION', `no partition ${partition} of topic ${JSON.stringify(topic)}`, 404);
    this.liveNode(node);
    // Already the leader: nothing moves, the epoch stays (as an election of the current leader on Kafka).
    if (this.broker.placement.leaderOf(topic, partition) === node) return this.broker.placement.leaderEpochOf(topic, partition);
    return this.broker.moveLeader(topic, partition, node);
  }

  /** Makes `node` the coordinator of a group or transactional id (while it is live). */
  moveCoordinator(key: string, node: number): void {
    if (typeof key !== 'string') throw new TestkitError('SAMSA_BAD_REQUEST', 'a coordinator key is a group or transactional id');
    this.liveNode(node);
    this.broker.placement.moveCoordinator(key, node);
    this.broker.logger.info({ key, node }, 'coordinator moved');
  }

  /**
   * Stops a node: it leads and coordinates nothing any more, leaves Metadata, and its listeners close. Stopping a
   * stopped node does nothing; the last live node cannot stop.
   */
  async stopNode(id: number): Promise<void> {
    const { placement } = this.broker;
    this.knownNode(id);
    if (!placement.isLive(id)) return;
    if (placement.liveNodeIds.length === 1) throw new TestkitError('SAMSA_LAST_LIVE_NODE', `node ${id} is the last live node of the cluster`, 409);
    const led: Array<[string, number]> = [];
    for (const topic of this.broker.topics.list()) {
      for (let p = 0; p < topic.partitions; p++) if (placement.leaderOf(topic.name, p) === id) led.push([topic.name, p]);
    }
    placement.setLive(id, false);
    for (const [topic, p] of led) this.broker.moveLeader(topic, p, placement.liveLeaderFor(topic, p));
    await Promise.all((this.listeners.get(id) ?? []).map((l) => l.close()));
    this.broker.logger.info({ node: id, partitionsMoved: led.length }, 'node stopped');
  }

  /** Starts a stopped node again on the ports it had; its partitions stay where they moved. */
  async startNode(id: number): Promise<void> {
    this.knownNode(id);
    if (this.broker.placement.isLive(id)) return;
    const listeners = this.listeners.get(id) ?? [];
    try {
      for (const l of listeners) await l.listen(l.host, l.port);
    } catch (err) {
      await Promise.all(listeners.map((l) => l.close()));
      throw new TestkitError('SAMSA_LISTEN_FAILED', `node ${id} cannot listen again: ${(err as Error).message}`, 409);
    }
    this.broker.placement.setLive(id, true);
    this.broker.logger.info({ node: id }, 'node started');
  }

  private knownNode(id: number): void {
    if (!this.broker.placement.nodeIds.includes(id)) {
      throw new TestkitError('SAMSA_UNKNOWN_NODE', `no node ${JSON.stringify(id)} in this cluster (nodes: ${this.broker.placement.nodeIds.join(', ')})`);
    }
  }

  private liveNode(id: number): void {
    this.knownNode(id);
    if (!this.broker.placement.isLive(id)) throw new TestkitError('SAMSA_NODE_STOPPED', `node ${id} is stopped`, 409);
  }
}
