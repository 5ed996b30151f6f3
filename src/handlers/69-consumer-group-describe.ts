/**
 * ConsumerGroupDescribe 0-1 (KIP-848): a consumer-protocol group's state, epochs, assignor and members with their
 * current and target assignments (topics by id and name). A group that does not exist, or is a classic group, is
 * GROUP_ID_NOT_FOUND with Kafka's message. v1 adds each member's type. Needs DESCRIBE on the group. The caller's
 * operations on the group only when includeAuthorizedOperations asks (else Integer.MIN_VALUE, as Kafka). A group whose
 * members subscribe to or are assigned a topic the caller may not DESCRIBE answers TOPIC_AUTHORIZATION_FAILED with no
 * members (Kafka 4.1's KafkaApis).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ConsumerGroupDescribeApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, authorizedOperations, deniedNames, GROUP_USES_HIDDEN_TOPICS } from '../security/authorizer.js';

export default handler(ConsumerGroupDescribeApi, (req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groupIds.map((groupId) => {
    const error = !authorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : !coordinates(ctx, groupId) ? ErrorCode.NOT_COORDINATOR : groupId === '' ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE;
    if (error === ErrorCode.NONE) {
      const described = ctx.broker.groups.consumerGroupDescribe(groupId);
      const named = described.members.flatMap((m) => [...m.subscribedTopicNames, ...[...m.assignment.topicPartitions, ...m.targetAssignment.topicPartitions].map((t) => t.topicName)]);
      if (deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, named).size > 0) {
        return { ...described, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: GROUP_USES_HIDDEN_TOPICS, members: [], authorizedOperations: -2147483648 };
      }
      if (req.includeAuthorizedOperations && described.errorCode === ErrorCode.NONE) described.authorizedOperations = authorizedOperations(ctx, ResourceType.GROUP, groupId);
      return described;
    }
    return { errorCode: error, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 };
  }),
}));
