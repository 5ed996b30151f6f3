/**
 * DescribeShareGroupOffsets 0 (KIP-932): each share-partition's start offset (SPSO), -1 where the group has not read
 * the partition; null topics lists every partition the group has state for. Needs DESCRIBE on the group
 * (GROUP_AUTHORIZATION_FAILED) and on each topic (TOPIC_AUTHORIZATION_FAILED); an unknown topic or partition is
 * UNKNOWN_TOPIC_OR_PARTITION, an unknown group GROUP_ID_NOT_FOUND.
 */
import { coordinates, handler, type RequestContext } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { DescribeShareGroupOffsetsApi, type DescribeShareGroupOffsetsRequestGroupsTopics, type DescribeShareGroupOffsetsResponseGroups } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

const NO_ID = Buffer.alloc(16);

export default handler(DescribeShareGroupOffsetsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((g) => describe(ctx, g.groupId, g.topics)),
}));

function describe(ctx: RequestContext, groupId: string, topics: DescribeShareGroupOffsetsRequestGroupsTopics[] | null): DescribeShareGroupOffsetsResponseGroups {
  const failed = (errorCode: number, errorMessage: string | null = null) => ({ groupId, topics: [], errorCode, errorMessage });
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (!coordinates(ctx, groupId)) return failed(ErrorCode.NOT_COORDINATOR);
  const shares = ctx.broker.shares;
  if (!shares.has(groupId)) return failed(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a share group.`);
  const wanted = topics ?? groupTopics(ctx, groupId);
  return {
    groupId, errorCode: ErrorCode.NONE, errorMessage: null,
    topics: wanted.map((t) => {
      const meta = ctx.broker.topics.get(t.topicName);
      const denied = !authorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topicName);
      return {
        topicName: t.topicName, topicId: !denied && meta ? meta.id : NO_ID, // no id of a topic the principal may not see
        partitions: t.partitions.map((partitionIndex) => {
          const errorCode = denied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
            : !meta || partitionIndex < 0 || partitionIndex >= meta.partitions ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE;
          if (errorCode !== ErrorCode.NONE || !meta) return { partitionIndex, startOffset: -1, leaderEpoch: -1, errorCode, errorMessage: null };
          return {
            partitionIndex, startOffset: shares.peek(groupId, meta.id, partitionIndex)?.startOffset ?? -1,
            leaderEpoch: ctx.broker.placement.leaderEpochOf(t.topicName, partitionIndex), errorCode, errorMessage: null,
          };
        }),
      };
    }),
  };
}

/** Every topic-partition the group has share-partition state for. */
function groupTopics(ctx: RequestContext, groupId: string): DescribeShareGroupOffsetsRequestGroupsTopics[] {
  const byTopic = new Map<string, number[]>();
  for (const p of ctx.broker.shares.inFlight(groupId)) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions }));
}
