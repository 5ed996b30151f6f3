/** Heartbeat 0-3: keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin. v3 adds the group instance id. */
import { handler } from './handler.js';
import { HeartbeatApi } from '../protocol/generated/index.js';

export default handler(HeartbeatApi, (req, { broker }) => ({ throttleTimeMs: 0, errorCode: broker.groups.heartbeat(req) }));
