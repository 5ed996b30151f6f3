/**
 * LeaveGroup 0-5: members leave and the group rebalances. v0-2 name one member; v3+ (KIP-345) a batch, each member
 * by member id, or by group instance id with an empty member id (an admin removing a static member), each answered
 * on its own (kafkajs reads the per-member answers); v4 flexible; v5 a reason per member (logged). A v0-2 answer
 * carries the first error, the group's or a member's (Kafka's LeaveGroupResponse).
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { LeaveGroupApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(LeaveGroupApi, async (req, ctx) => {
  const refused = !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : !coordinates(ctx, req.groupId) ? ErrorCode.NOT_COORDINATOR : null;
  if (refused !== null) return { throttleTimeMs: 0, errorCode: refused, members: [] };
  if (ctx.version < 3) return { throttleTimeMs: 0, errorCode: await ctx.broker.groups.leaveGroup(req.groupId, req.memberId), members: [] };
  return { throttleTimeMs: 0, ...await ctx.broker.groups.leaveGroupMembers(req.groupId, req.members) };
});
