/**
 * DeleteTopics 1-3: removes topics and their logs. Internal topics cannot be deleted. A topic the principal may not
 * DELETE answers TOPIC_AUTHORIZATION_FAILED whether it exists or not.
 */
import { handler } from './handler.js';
import { DeleteTopicsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(DeleteTopicsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  responses: req.topicNames.map((name) => {
    const { broker } = ctx;
    const topic = broker.topics.get(name);
    let errorCode: number = ErrorCode.NONE;
    if (!authorized(ctx, AclOperation.DELETE, ResourceType.TOPIC, name)) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    else if (!broker.config.bool('delete.topic.enable')) errorCode = ErrorCode.TOPIC_DELETION_DISABLED;
    else if (!topic) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    else if (topic.internal) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    else broker.deleteTopic(name);
    return { name, errorCode };
  }),
}));
