/**
 * CreateTopics 2-4: validates names, counts, replication (one broker: only 1, or -1 for the default) and configs,
 * then creates (unless validate_only). -1 partitions means `num.partitions`.
 */
import { handler } from './handler.js';
import { CreateTopicsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { invalidTopicName } from '../metadata/topics.js';
import { validateTopicConfig } from '../metadata/configs.js';
import { clientInput } from '../protocol/client-input.js';

export default handler(CreateTopicsApi, (req, { broker }) => {
  const seen = new Set<string>();
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => {
      const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage });
      if (seen.has(t.name)) return fail(ErrorCode.INVALID_REQUEST, `Create topics request from client contains a duplicate topic ${clientInput(t.name)}`);
      seen.add(t.name);
      const badName = invalidTopicName(t.name);
      if (badName) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, badName);
      if (broker.topics.get(t.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${clientInput(t.name)}' already exists.`);
      const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? broker.config.int('num.partitions') : t.numPartitions;
      if (partitions < 1) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1 && t.assignments.length === 0) {
        const message = t.replicationFactor < 1 ? 'Replication factor must be larger than 0.'
          : `Unable to replicate the partition ${t.replicationFactor} time(s): The target replication factor of ${t.replicationFactor} cannot be reached because only 1 broker(s) are registered.`;
        return fail(ErrorCode.INVALID_REPLICATION_FACTOR, message);
      }
      if (t.assignments.some((a) => a.brokerIds.some((id) => id !== broker.config.nodeId))) {
        return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Replica assignment names a broker other than ${broker.config.nodeId}.`);
      }
      const configs: Record<string, string> = {};
      for (const c of t.configs) {
        const problem = validateTopicConfig(c.name, c.value);
        if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
        if (c.value !== null) configs[c.name] = c.value;
      }
      if (!req.validateOnly) broker.createTopic(t.name, partitions, configs);
      return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
    }),
  };
});
