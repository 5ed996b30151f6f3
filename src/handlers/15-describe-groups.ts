/**
 * DescribeGroups 0-2: state, protocol type and members (client id, host; metadata and assignment once Stable).
 * An unknown group is described as Dead with no error, as Kafka does.
 */
import { handler } from './handler.js';
import { DescribeGroupsApi } from '../protocol/generated/index.js';

export default handler(DescribeGroupsApi, (req, { broker }) => ({ throttleTimeMs: 0, groups: req.groups.map((g) => broker.groups.describeGroup(g)) }));
