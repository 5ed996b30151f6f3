/**
 * OffsetDelete 0: removes committed offsets; of a consumer group with members only for topics it does not
 * subscribe to (GROUP_SUBSCRIBED_TO_TOPIC), of other non-empty groups none (NON_EMPTY_GROUP).
 * Authorization (Kafka's): DELETE on the group (else GROUP_AUTHORIZATION_FAILED), READ on each topic (else
 * TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { OffsetDeleteApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';
import { partitionErrors } from './08-offset-commit.js';

export default handler(OffsetDeleteApi, async (req, ctx) => {
  if (!authorized(ctx, AclOperation.DELETE, ResourceType.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
  if (!coordinates(ctx, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
  if (req.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
  if (ctx.broker.shares.has(req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] }; // a share group (Kafka's)
  const denied = deniedNames(ctx, AclOperation.READ, ResourceType.TOPIC, req.topics.map((t) => t.name));
  const result = await ctx.broker.groups.offsetDelete(req.groupId, req.topics.filter((t) => !denied.has(t.name)));
  if (result.errorCode !== ErrorCode.NONE) return { throttleTimeMs: 0, ...result };
  return { throttleTimeMs: 0, ...result, topics: [...result.topics, ...partitionErrors(req.topics.filter((t) => denied.has(t.name)), ErrorCode.TOPIC_AUTHORIZATION_FAILED)] };
});
