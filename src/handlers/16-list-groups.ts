/**
 * ListGroups 0-5: every live group, including groups that only hold committed offsets (protocol type "") and share
 * groups (KIP-932: protocol type and group type "share"). v3 flexible; v4 filters by state (case-insensitive, empty =
 * all) and answers each group's state; v5 filters by type (classic, consumer, share; case-insensitive, an unknown type
 * matches nothing) and answers each group's type.
 * Without DESCRIBE on the cluster, only the groups the principal may DESCRIBE are listed (Kafka's).
 */
import { coordinates, handler } from './handler.js';
import { ListGroupsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

// Each node lists the groups it coordinates (admin clients ask every node and merge the answers).
export default handler(ListGroupsApi, (req, ctx) => {
  const all = authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME);
  const states = new Set(req.statesFilter.map((s) => s.trim().toLowerCase()));
  const types = new Set(req.typesFilter.map((t) => t.trim().toLowerCase()));
  const groups = [];
  for (const { groupId, protocolType, groupState, groupType } of [...ctx.broker.groups.listGroups(), ...ctx.broker.shares.listGroups()]) {
    if (!coordinates(ctx, groupId) || !(all || authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId))) continue;
    if (states.size > 0 && !states.has(groupState.toLowerCase())) continue;
    if (types.size > 0 && !types.has(groupType)) continue;
    groups.push({ groupId, protocolType, groupState, groupType });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
});
