/**
 * SyncGroup 0-3: the leader sends every member's assignment; each member's answer (its own assignment) waits until
 * the leader's has been stored. Assignments are opaque bytes. v3 adds the group instance id.
 * Needs READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { SyncGroupApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(SyncGroupApi, async (req, ctx) => {
  const refused = !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : !coordinates(ctx, req.groupId) ? ErrorCode.NOT_COORDINATOR : null;
  return refused === null ? { throttleTimeMs: 0, ...await ctx.broker.groups.syncGroup(req) } : { throttleTimeMs: 0, errorCode: refused, assignment: Buffer.alloc(0) };
});
