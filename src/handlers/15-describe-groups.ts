/**
 * DescribeGroups 0-6: state, protocol type and members (client id, host; metadata and assignment once Stable). v3
 * the principal's authorized operations on the group when asked; v4 each member's group instance id; v5 flexible.
 * An unknown group is described as Dead with no error, as Kafka does, except in v6 (KIP-1043): GROUP_ID_NOT_FOUND
 * with a message. A group the principal may not DESCRIBE answers GROUP_AUTHORIZATION_FAILED.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { DescribeGroupsApi } from '../protocol/generated/index.js';
import { UNSET_OPERATIONS } from '../coordinator/group/coordinator.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, authorizedOperations } from '../security/authorizer.js';

export default handler(DescribeGroupsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((g) => {
    const refused = !authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : g === '' ? ErrorCode.INVALID_GROUP_ID // (Kafka's GroupCoordinatorService)
        : !coordinates(ctx, g) ? ErrorCode.NOT_COORDINATOR : null;
    if (refused !== null) {
      return { errorCode: refused, errorMessage: null, groupId: g, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: UNSET_OPERATIONS };
    }
    const described = ctx.broker.groups.describeGroup(g);
    if (ctx.version >= 6 && described.errorCode === ErrorCode.NONE && ctx.broker.groups.inspect(g) === undefined) {
      Object.assign(described, { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${g} not found.` });
    }
    if (req.includeAuthorizedOperations) described.authorizedOperations = authorizedOperations(ctx, ResourceType.GROUP, g);
    return described;
  }),
}));
