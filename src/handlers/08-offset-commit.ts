/**
 * OffsetCommit 2-9: generation and member checks as Kafka (generation -1 to a group without members is a
 * "standalone" commit), UNKNOWN_TOPIC_OR_PARTITION and OFFSET_METADATA_TOO_LARGE per partition. v2-4 carry a
 * retention time; v6 the leader epoch; v7 the group instance id; v8 flexible; v9 (KIP-848) the same request, its
 * generation id being the member epoch for consumer groups (the version is passed on; a classic group reads a
 * generation, as Kafka's).
 * Authorization (Kafka's): READ on the group (else GROUP_AUTHORIZATION_FAILED everywhere), then READ on each topic
 * (else TOPIC_AUTHORIZATION_FAILED for its partitions; the others are committed). A share group's id answers
 * GROUP_ID_NOT_FOUND everywhere (as OffsetDelete and TxnOffsetCommit do); OffsetFetch finds no offsets for it.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetCommitApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';

/** Every partition of the topics answering one error (the shape of OffsetCommit and TxnOffsetCommit responses). */
export function partitionErrors(topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>, errorCode: number) {
  return topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
}

export default handler(OffsetCommitApi, async (req, ctx) => {
  if (!authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, topics: partitionErrors(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
  if (!coordinates(ctx, req.groupId)) return { throttleTimeMs: 0, topics: partitionErrors(req.topics, ErrorCode.NOT_COORDINATOR) };
  // A share group commits no offsets (Kafka: "Group <id> is not a consumer group").
  if (ctx.broker.shares.has(req.groupId)) return { throttleTimeMs: 0, topics: partitionErrors(req.topics, ErrorCode.GROUP_ID_NOT_FOUND) };
  const denied = deniedNames(ctx, AclOperation.READ, ResourceType.TOPIC, req.topics.map((t) => t.name));
  const committed = await ctx.broker.groups.offsetCommit({ ...req, topics: req.topics.filter((t) => !denied.has(t.name)), apiVersion: ctx.version });
  return { throttleTimeMs: 0, topics: [...committed, ...partitionErrors(req.topics.filter((t) => denied.has(t.name)), ErrorCode.TOPIC_AUTHORIZATION_FAILED)] };
});
