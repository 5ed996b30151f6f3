/**
 * DeleteTopics 1-6: removes topics and their logs. Internal topics cannot be deleted. A topic the principal may not
 * DELETE answers TOPIC_AUTHORIZATION_FAILED whether it exists or not. v5+ carries an error message (Kafka's default
 * text of the code when there is no other). v6 names each topic by name or by id (name null): an id no topic has is
 * UNKNOWN_TOPIC_ID; a topic named both ways, or neither, or twice, is INVALID_REQUEST (Kafka's ControllerApis); a
 * topic named by id the principal may not even DESCRIBE is answered without its name, so ids reveal no names.
 */
import { handler } from './handler.js';
import { DeleteTopicsApi } from '../protocol/generated/index.js';
import { ErrorCode, errorInfo } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { StorageError } from '../log/storage.js';
import { CATALOGUE_NOT_SAVED } from '../metadata/topics.js';

const ZERO_ID = Buffer.alloc(16);

export default handler(DeleteTopicsApi, (req, ctx) => {
  const { broker } = ctx;
  const asked = ctx.version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_ID }));
  const count = (key: (t: (typeof asked)[number]) => string) => asked.reduce((m, t) => m.set(key(t), (m.get(key(t)) ?? 0) + 1), new Map<string, number>());
  const names = count((t) => `n:${t.name}`);
  const ids = count((t) => `i:${t.topicId.toString('hex')}`);
  return {
    throttleTimeMs: 0,
    responses: asked.map(({ name: askedName, topicId }) => {
      const byId = askedName === null;
      const answer = (name: string | null, id: Buffer, errorCode: number, errorMessage: string | null = errorCode === ErrorCode.NONE ? null : errorInfo.get(errorCode)?.[2] ?? null) =>
        ({ name, topicId: id, errorCode, errorMessage });
      if (byId && topicId.equals(ZERO_ID)) return answer(null, ZERO_ID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
      if (!byId && !topicId.equals(ZERO_ID)) return answer(askedName, topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
      if (byId && ids.get(`i:${topicId.toString('hex')}`)! > 1) return answer(null, topicId, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.');
      if (!byId && names.get(`n:${askedName}`)! > 1) return answer(askedName, ZERO_ID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
      const topic = byId ? broker.topics.getById(topicId) : broker.topics.get(askedName);
      if (byId && !topic) return answer(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
      const name = topic?.name ?? askedName!;
      const id = topic?.id ?? ZERO_ID;
      if (!authorized(ctx, AclOperation.DELETE, ResourceType.TOPIC, name)) {
        const hidden = byId && !authorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
        return answer(hidden ? null : name, byId ? topicId : ZERO_ID, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      }
      if (!broker.config.bool('delete.topic.enable')) return answer(name, id, ErrorCode.TOPIC_DELETION_DISABLED);
      if (!topic) return answer(name, ZERO_ID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (topic.internal) return answer(name, id, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      try {
        broker.deleteTopic(name);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        return answer(name, id, ErrorCode.KAFKA_STORAGE_ERROR, CATALOGUE_NOT_SAVED);
      }
      return answer(name, id, ErrorCode.NONE);
    }),
  };
});
