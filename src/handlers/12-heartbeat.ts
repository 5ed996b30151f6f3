/**
 * Heartbeat 0-4: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. v3 adds the group instance id;
 * v4 is flexible.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { HeartbeatApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(HeartbeatApi, (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : coordinates(ctx, req.groupId) ? ctx.broker.groups.heartbeat(req) : ErrorCode.NOT_COORDINATOR,
}));
