/**
 * DescribeGroups 0-2: state, protocol type and members (client id, host; metadata and assignment once Stable).
 * An unknown group is described as Dead with no error, as Kafka does.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { DescribeGroupsApi } from '../protocol/generated/index.js';

export default handler(DescribeGroupsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((g) => (coordinates(ctx, g)
    ? ctx.broker.groups.describeGroup(g)
    : { errorCode: ErrorCode.NOT_COORDINATOR, groupId: g, groupState: '', protocolType: '', protocolData: '', members: [] })),
}));
