/**
 * ShareGroupDescribe 1 (KIP-932): a share group's state, epochs, assignor and members with their subscriptions and
 * assignments. An unknown group (or one of another type) is GROUP_ID_NOT_FOUND. Needs DESCRIBE on the group.
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ShareGroupDescribeApi, type ShareGroupDescribeResponseGroups } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, authorizedOperations, deniedNames, GROUP_USES_HIDDEN_TOPICS } from '../security/authorizer.js';

const NO_OPERATIONS = -2147483648;

export default handler(ShareGroupDescribeApi, (req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groupIds.map((groupId): ShareGroupDescribeResponseGroups => {
    const empty = { errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: NO_OPERATIONS };
    if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return { ...empty, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    if (!coordinates(ctx, groupId)) return { ...empty, errorCode: ErrorCode.NOT_COORDINATOR };
    if (groupId === '') return { ...empty, errorCode: ErrorCode.INVALID_GROUP_ID };
    const shares = ctx.broker.shares;
    if (!shares.has(groupId)) return { ...empty, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.` };
    // A group known only by its share-partition state (members are not persisted) is Empty.
    const group = shares.groups.get(groupId);
    // Members subscribed to or assigned a topic the caller may not DESCRIBE: none shown (Kafka 4.1's KafkaApis).
    const named = [...(group?.members.values() ?? [])].flatMap((m) => [...m.subscribedTopics, ...shares.assignmentOf(m).map((t) => t.topicName)]);
    if (deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, named).size > 0) {
      return { ...empty, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: GROUP_USES_HIDDEN_TOPICS };
    }
    return {
      errorCode: ErrorCode.NONE, errorMessage: null, groupId, groupState: shares.stateOf(groupId), groupEpoch: group?.groupEpoch ?? 0,
      assignmentEpoch: group?.assignmentEpoch ?? 0, assignorName: 'simple',
      members: [...(group?.members.values() ?? [])].map((m) => ({
        memberId: m.memberId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopics, assignment: { topicPartitions: shares.assignmentOf(m) },
      })),
      authorizedOperations: req.includeAuthorizedOperations ? authorizedOperations(ctx, ResourceType.GROUP, groupId) : NO_OPERATIONS,
    };
  }),
}));
