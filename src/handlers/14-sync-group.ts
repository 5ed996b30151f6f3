/**
 * SyncGroup 0-3: the leader sends every member's assignment; each member's answer (its own assignment) waits until
 * the leader's has been stored. Assignments are opaque bytes. v3 adds the group instance id.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { SyncGroupApi } from '../protocol/generated/index.js';

export default handler(SyncGroupApi, async (req, ctx) => (coordinates(ctx, req.groupId)
  ? { throttleTimeMs: 0, ...await ctx.broker.groups.syncGroup(req) }
  : { throttleTimeMs: 0, errorCode: ErrorCode.NOT_COORDINATOR, assignment: Buffer.alloc(0) }));
