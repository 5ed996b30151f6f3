/** LeaveGroup 0-1: one member leaves and the group rebalances (v3+ batches of members are not served). */
import { handler } from './handler.js';
import { LeaveGroupApi } from '../protocol/generated/index.js';

export default handler(LeaveGroupApi, (req, { broker }) => ({ throttleTimeMs: 0, errorCode: broker.groups.leaveGroup(req.groupId, req.memberId) }));
