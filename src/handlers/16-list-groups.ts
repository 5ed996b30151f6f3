/** ListGroups 0-2: every live group, including groups that only hold committed offsets (protocol type ""). */
import { handler } from './handler.js';
import { ListGroupsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(ListGroupsApi, (_req, { broker }) => ({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: broker.groups.listGroups() }));
