/** LeaveGroup 0-1: one member leaves and the group rebalances (v3+ batches of members are not served). */
import { handler } from './handler.js';
import { LeaveGroupApi } from '../protocol/generated/index.js';

export default handler(LeaveGroupApi, async (req, { broker }) => ({ throttleTimeMs: 0, errorCode: await broker.groups.leaveGroup(req.groupId, req.memberId) }));
