/**
 * KIP-951: a Produce (v10+) or Fetch (v16+) partition refused with NOT_LEADER_OR_FOLLOWER (or, for Fetch,
 * FENCED_LEADER_EPOCH) names the partition's current leader and epoch, and the response carries that node's address
 * on the client's listener, so the client can go there without a Metadata round trip.
 */
import type { RequestContext } from './handler.js';
import { endpointOf } from '../broker.js';

export interface CurrentLeader { leaderId: number; leaderEpoch: number }
export interface NodeEndpoint { nodeId: number; host: string; port: number; rack: string | null }

export function currentLeader({ broker }: RequestContext, topic: string, partition: number): CurrentLeader {
  return { leaderId: broker.placement.leaderOf(topic, partition), leaderEpoch: broker.placement.leaderEpochOf(topic, partition) };
}

/** The addresses of the leaders named in a response (live nodes only, each once). */
export function leaderEndpoints({ broker, session }: RequestContext, leaders: ReadonlyArray<CurrentLeader | null>): NodeEndpoint[] {
  const ids = new Set(leaders.flatMap((l) => (l ? [l.leaderId] : [])));
  return broker.liveNodes().filter((n) => ids.has(n.id)).map((n) => {
    const { host, port } = endpointOf(n, session.listener);
    return { nodeId: n.id, host, port, rack: null };
  });
}
