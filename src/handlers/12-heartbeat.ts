/** Heartbeat 0-3: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. v3 adds the group instance id. */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { HeartbeatApi } from '../protocol/generated/index.js';

export default handler(HeartbeatApi, (req, ctx) => ({ throttleTimeMs: 0, errorCode: coordinates(ctx, req.groupId) ? ctx.broker.groups.heartbeat(req) : ErrorCode.NOT_COORDINATOR }));
