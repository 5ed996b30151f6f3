/**
 * SyncGroup 0-5: the leader sends every member's assignment; each member's answer (its own assignment) waits until
 * the leader's has been stored. Assignments are opaque bytes. v3 adds the group instance id; v4 is flexible; v5
 * (KIP-559) carries the protocol type and name, INCONSISTENT_GROUP_PROTOCOL when they are not the group's, and
 * answers them (null in error answers). Needs READ on the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { SyncGroupApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(SyncGroupApi, async (req, ctx) => {
  const refused = !authorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
    : !coordinates(ctx, req.groupId) ? ErrorCode.NOT_COORDINATOR : null;
  if (refused !== null) return { throttleTimeMs: 0, errorCode: refused, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  const result = await ctx.broker.groups.syncGroup(req);
  const group = result.errorCode === ErrorCode.NONE ? ctx.broker.groups.inspect(req.groupId) : undefined;
  return { throttleTimeMs: 0, ...result, protocolType: group?.protocolType ?? null, protocolName: group?.protocolName ?? null };
});
