/** ListGroups 0-2: every live group, including groups that only hold committed offsets (protocol type ""). */
import { coordinates, handler } from './handler.js';
import { ListGroupsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

// Each node lists the groups it coordinates (admin clients ask every node and merge the answers).
export default handler(ListGroupsApi, (_req, ctx) => ({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: ctx.broker.groups.listGroups().filter((g) => coordinates(ctx, g.groupId)) }));
