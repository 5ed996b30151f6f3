/** LeaveGroup 0-1: one member leaves and the group rebalances (v3+ batches of members are not served). */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { LeaveGroupApi } from '../protocol/generated/index.js';

export default handler(LeaveGroupApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: coordinates(ctx, req.groupId) ? await ctx.broker.groups.leaveGroup(req.groupId, req.memberId) : ErrorCode.NOT_COORDINATOR,
}));
