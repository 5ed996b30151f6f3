/** DeleteGroups 0-1: Empty groups only (NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND if none). */
import { handler } from './handler.js';
import { DeleteGroupsApi } from '../protocol/generated/index.js';

export default handler(DeleteGroupsApi, async (req, { broker }) => ({
  throttleTimeMs: 0,
  results: await Promise.all(req.groupsNames.map(async (groupId) => ({ groupId, errorCode: await broker.groups.deleteGroup(groupId) }))),
}));
