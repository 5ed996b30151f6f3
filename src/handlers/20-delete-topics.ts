/** DeleteTopics 1-3: removes topics and their logs. Internal topics cannot be deleted. */
import { handler } from './handler.js';
import { DeleteTopicsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(DeleteTopicsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  responses: req.topicNames.map((name) => {
    const topic = broker.topics.get(name);
    let errorCode: number = ErrorCode.NONE;
    if (!broker.config.bool('delete.topic.enable')) errorCode = ErrorCode.TOPIC_DELETION_DISABLED;
    else if (!topic) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    else if (topic.internal) errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    else broker.deleteTopic(name);
    return { name, errorCode };
  }),
}));
