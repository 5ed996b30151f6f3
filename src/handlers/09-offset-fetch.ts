/**
 * OffsetFetch 1-4: committed offsets, -1 (and metadata "") where none. v2+: null topics = every committed
 * partition of the group, and a top-level error code.
 * Authorization (Kafka's): DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED); topics the principal may not
 * DESCRIBE answer TOPIC_AUTHORIZATION_FAILED when named and are left out of "every committed partition".
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetFetchApi, type OffsetFetchRequestTopics } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';

/** v1 has no top-level error code: each partition carries it. */
const failed = (topics: OffsetFetchRequestTopics[] | null, errorCode: number) => ({
  throttleTimeMs: 0,
  errorCode,
  topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, metadata: null, errorCode })) })),
});

export default handler(OffsetFetchApi, (req, ctx) => {
  if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, req.groupId)) return failed(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (!coordinates(ctx, req.groupId)) return failed(req.topics, ErrorCode.NOT_COORDINATOR);
  const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, req.topics?.map((t) => t.name) ?? []);
  const result = ctx.broker.groups.offsetFetch(req.groupId, req.topics && req.topics.filter((t) => !denied.has(t.name)));
  if (req.topics === null) {
    const hidden = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, result.topics.map((t) => t.name));
    return { throttleTimeMs: 0, ...result, topics: result.topics.filter((t) => !hidden.has(t.name)) };
  }
  const refused = failed(req.topics.filter((t) => denied.has(t.name)), ErrorCode.TOPIC_AUTHORIZATION_FAILED).topics;
  return { throttleTimeMs: 0, ...result, topics: [...result.topics, ...refused] };
});
