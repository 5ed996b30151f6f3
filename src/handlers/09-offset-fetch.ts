/**
 * OffsetFetch 1-9: committed offsets, -1 (and metadata "") where none. v2+: null topics = every committed
 * partition of the group, and a top-level error code; v5 the committed leader epoch; v7 requireStable: a partition
 * whose offset an open transaction holds (TxnOffsetCommit not yet ended) answers UNSTABLE_OFFSET_COMMIT, the client
 * retries; v8 several groups, each answered with its own error code; v9 (KIP-848) a member id and epoch per group,
 * passed to the coordinator (classic groups do not check them, as Kafka's).
 * Authorization (Kafka's): DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED); topics the principal may not
 * DESCRIBE answer TOPIC_AUTHORIZATION_FAILED when named and are left out of "every committed partition".
 */
import { coordinates, handler, type RequestContext } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetFetchApi, type OffsetFetchRequestTopics, type OffsetFetchResponseTopics } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';

interface GroupOffsets { errorCode: number; topics: OffsetFetchResponseTopics[] }

/** Every named partition answering one error (v0-1 have no top-level error code: each partition carries it). */
const failed = (topics: OffsetFetchRequestTopics[] | null, errorCode: number): GroupOffsets => ({
  errorCode,
  topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode })) })),
});

/** One group's offsets: the top-level answer of v1-7, one entry of the `groups` of v8+. */
function fetchGroup(ctx: RequestContext, groupId: string, topics: OffsetFetchRequestTopics[] | null, requireStable: boolean, member: { memberId: string | null; memberEpoch: number } | null): GroupOffsets {
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return failed(topics, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (!coordinates(ctx, groupId)) return failed(topics, ErrorCode.NOT_COORDINATOR);
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topics?.map((t) => t.name) ?? []);
  const result = ctx.broker.groups.offsetFetch(groupId, topics && topics.filter((t) => !denied.has(t.name)), member);
  if (requireStable && result.errorCode === ErrorCode.NONE) {
    const pending = ctx.broker.transactions.pendingOffsets(groupId);
    for (const t of result.topics) {
      for (const p of t.partitions) {
        if (pending(t.name, p.partitionIndex)) Object.assign(p, { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
      }
    }
  }
  if (topics === null) {
    const hidden = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, result.topics.map((t) => t.name));
    return { ...result, topics: result.topics.filter((t) => !hidden.has(t.name)) };
  }
  return { ...result, topics: [...result.topics, ...failed(topics.filter((t) => denied.has(t.name)), ErrorCode.TOPIC_AUTHORIZATION_FAILED).topics] };
}

export default handler(OffsetFetchApi, (req, ctx) => {
  if (ctx.version < 8) return { throttleTimeMs: 0, ...fetchGroup(ctx, req.groupId, req.topics, req.requireStable, null), groups: [] };
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: [],
    groups: req.groups.map((g) => {
      const { errorCode, topics } = fetchGroup(ctx, g.groupId, g.topics, req.requireStable, { memberId: g.memberId, memberEpoch: g.memberEpoch });
      // A group-level error leaves the group's topics out (Kafka's groupError).
      return { groupId: g.groupId, errorCode, topics: errorCode === ErrorCode.NONE ? topics : [] };
    }),
  };
});
