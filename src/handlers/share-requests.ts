/**
 * What ShareFetch (78) and ShareAcknowledge (79) have in common: the request's checks (group and member ids, READ on
 * the group), finding a partition named by topic id, and applying a partition's acknowledgements.
 */
import { leaderLog, type RequestContext } from './handler.js';
import { endpointOf } from '../broker.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import type { PartitionLog } from '../log/index.js';
import type { TopicMeta } from '../metadata/topics.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

/** The error code refusing the whole request, or null. */
export function refuseShareRequest(ctx: RequestContext, groupId: string | null, memberId: string | null): number | null {
  if (groupId === null || groupId === '' || memberId === null || memberId === '') return ErrorCode.INVALID_REQUEST;
  if (!authorized(ctx, AclOperation.READ, ResourceType.GROUP, groupId)) return ErrorCode.GROUP_AUTHORIZATION_FAILED;
  // One id, one group type: a classic or consumer group's id is no share group (as ShareGroupHeartbeat answers).
  return ctx.broker.groups.groupType(groupId) === null ? null : ErrorCode.GROUP_ID_NOT_FOUND;
}

/** A partition by topic id, or its error: UNKNOWN_TOPIC_ID, TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER. */
export function sharePartitionLog(ctx: RequestContext, topicId: Buffer, partition: number): { topic: TopicMeta; log: PartitionLog } | number {
  const topic = ctx.broker.topics.getById(topicId);
  if (!topic) return ErrorCode.UNKNOWN_TOPIC_ID;
  if (!authorized(ctx, AclOperation.READ, ResourceType.TOPIC, topic.name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  const log = leaderLog(ctx, topic.name, partition);
  return typeof log === 'number' ? log : { topic, log };
}

/** The partition's leader as ShareFetch and ShareAcknowledge report it. */
export function currentLeader(ctx: RequestContext, topicId: Buffer, partition: number): { leaderId: number; leaderEpoch: number } {
  const topic = ctx.broker.topics.getById(topicId);
  if (!topic || partition < 0 || partition >= topic.partitions) return { leaderId: -1, leaderEpoch: -1 };
  return { leaderId: ctx.broker.placement.leaderOf(topic.name, partition), leaderEpoch: ctx.broker.placement.leaderEpochOf(topic.name, partition) };
}

/** Applies one partition's acknowledgements: the partition's error code (its lookup or the acknowledgement's). */
export async function acknowledgePartition(ctx: RequestContext, groupId: string, memberId: string, topicId: Buffer, partition: number,
  batches: Array<{ firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }>): Promise<number> {
  const found = sharePartitionLog(ctx, topicId, partition);
  if (typeof found === 'number') return found;
  return ctx.broker.shares.acknowledge(groupId, memberId, topicId, partition, batches.map((b) => ({ firstOffset: b.firstOffset, lastOffset: b.lastOffset, types: b.acknowledgeTypes })));
}

/**
 * The node endpoints a response lists: the current leaders of the partitions it answers NOT_LEADER_OR_FOLLOWER, on
 * the listener the client used, so it can go there without asking for metadata first.
 */
export function leaderEndpoints(ctx: RequestContext, leaders: Iterable<number>): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
  const wanted = new Set(leaders);
  return ctx.broker.liveNodes().filter((n) => wanted.has(n.id)).map((n) => {
    const { host, port } = endpointOf(n, ctx.session.listener);
    return { nodeId: n.id, host, port, rack: null };
  });
}

/** Leaders of the answered partitions whose error is NOT_LEADER_OR_FOLLOWER. */
export function movedLeaders(partitions: Iterable<{ errorCode: number; currentLeader: { leaderId: number } }>): number[] {
  return [...partitions].filter((p) => p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER && p.currentLeader.leaderId >= 0).map((p) => p.currentLeader.leaderId);
}
