/** What AlterShareGroupOffsets (91) and DeleteShareGroupOffsets (92) check first: the group, and that it is empty. */
import { coordinates, type RequestContext } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

/** The top-level refusal (authorization, coordinator, a group of another type or with members), or null. */
export function refuseShareOffsetsChange(ctx: RequestContext, groupId: string, operation: number): { errorCode: number; errorMessage: string | null } | null {
  if (!authorized(ctx, operation, ResourceType.GROUP, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null };
  if (!coordinates(ctx, groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: null };
  if (ctx.broker.groups.groupIds().includes(groupId)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a share group.` };
  const members = ctx.broker.shares.groups.get(groupId)?.members.size ?? 0;
  if (members > 0) return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `The group has ${members} active member(s): offsets can only be changed for an empty share group.` };
  return null;
}

/** The error a topic named in the request answers: TOPIC_AUTHORIZATION_FAILED (READ), UNKNOWN_TOPIC_OR_PARTITION, or NONE. */
export function shareTopicError(ctx: RequestContext, topic: string): number {
  if (!authorized(ctx, AclOperation.READ, ResourceType.TOPIC, topic)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  return ctx.broker.topics.get(topic) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}
