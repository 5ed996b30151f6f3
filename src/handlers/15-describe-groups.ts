/**
 * DescribeGroups 0-2: state, protocol type and members (client id, host; metadata and assignment once Stable).
 * An unknown group is described as Dead with no error, as Kafka does. A group the principal may not DESCRIBE answers
 * GROUP_AUTHORIZATION_FAILED.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { DescribeGroupsApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DescribeGroupsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((g) => {
    const refused = !authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : !coordinates(ctx, g) ? ErrorCode.NOT_COORDINATOR : null;
    return refused === null ? ctx.broker.groups.describeGroup(g) : { errorCode: refused, groupId: g, groupState: '', protocolType: '', protocolData: '', members: [] };
  }),
}));
