/**
 * DeleteGroups 0-2 (v2 flexible): Empty groups only (NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND if
 * none); a share group's share-partition state goes with it. A group the principal may not DELETE answers
 * GROUP_AUTHORIZATION_FAILED.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { DeleteGroupsApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DeleteGroupsApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  results: await Promise.all(req.groupsNames.map(async (groupId) => ({
    groupId,
    errorCode: !authorized(ctx, AclOperation.DELETE, ResourceType.GROUP, groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : groupId === '' ? ErrorCode.INVALID_GROUP_ID // (Kafka's GroupCoordinatorService)
        : !coordinates(ctx, groupId) ? ErrorCode.NOT_COORDINATOR
        : ctx.broker.shares.has(groupId) ? await ctx.broker.shares.deleteGroup(groupId) : await ctx.broker.groups.deleteGroup(groupId),
  }))),
}));
