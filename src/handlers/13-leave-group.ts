/**
 * LeaveGroup 0-1: one member leaves and the group rebalances (v3+ batches of members are not served).
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { LeaveGroupApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(LeaveGroupApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : coordinates(ctx, req.groupId) ? await ctx.broker.groups.leaveGroup(req.groupId, req.memberId) : ErrorCode.NOT_COORDINATOR,
}));
