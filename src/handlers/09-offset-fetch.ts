/**
 * OffsetFetch 1-9: committed offsets, -1 (and metadata "") where none. v2+: null topics = every committed
 * partition of the group, and a top-level error code. v5+ the committed leader epoch. v8+ several groups per request,
 * each answered as one v2-7 request; v9 names the consumer-protocol member asking (unknown: UNKNOWN_MEMBER_ID,
 * another epoch: STALE_MEMBER_EPOCH, as Kafka).
 * Authorization (Kafka's): DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED); topics the principal may not
 * DESCRIBE answer TOPIC_AUTHORIZATION_FAILED when named and are left out of "every committed partition".
 */
import { coordinates, handler, type RequestContext } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetFetchApi, type OffsetFetchRequestTopics } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';

/** v1 has no top-level error code: each partition carries it. */
const failed = (topics: OffsetFetchRequestTopics[] | null, errorCode: number) => ({
  throttleTimeMs: 0,
  errorCode,
  topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode })) })),
  groups: [],
});

function fetchGroup(ctx: RequestContext, groupId: string, topics: OffsetFetchRequestTopics[] | null, member: { memberId: string | null; memberEpoch: number } | null) {
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return failed(topics, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (!coordinates(ctx, groupId)) return failed(topics, ErrorCode.NOT_COORDINATOR);
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topics?.map((t) => t.name) ?? []);
  const result = ctx.broker.groups.offsetFetch(groupId, topics && topics.filter((t) => !denied.has(t.name)), member);
  if (topics === null) {
    const hidden = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, result.topics.map((t) => t.name));
    return { throttleTimeMs: 0, ...result, topics: result.topics.filter((t) => !hidden.has(t.name)), groups: [] };
  }
  const refused = failed(topics.filter((t) => denied.has(t.name)), ErrorCode.TOPIC_AUTHORIZATION_FAILED).topics;
  return { throttleTimeMs: 0, ...result, topics: [...result.topics, ...refused], groups: [] };
}

export default handler(OffsetFetchApi, (req, ctx) => {
  if (ctx.version < 8) return fetchGroup(ctx, req.groupId, req.topics, null);
  return {
    throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [],
    groups: req.groups.map((g) => {
      const r = fetchGroup(ctx, g.groupId, g.topics, ctx.version >= 9 ? g : null);
      return { groupId: g.groupId, topics: r.topics, errorCode: r.errorCode };
    }),
  };
});
