/**
 * Produce 3-11: validates each partition's record batches (magic 2, lengths, CRC32C, record framing; never decoding
 * records on this path), checks max.message.bytes, then appends the bytes as they came with offsets assigned by the log.
 * Transactional batches must belong to a transaction the coordinator has open on the partition (KIP-890 part 1).
 * acks=0 gets no response at all, and when a partition failed the connection closes instead, as Kafka does, so that
 * the client refreshes its metadata (a leader moved) rather than keep sending into the void; acks=1 and -1 are answered
 * after the append (-1 after fsync in durable mode).
 * Only the partition's leader node takes its records (others answer NOT_LEADER_OR_FOLLOWER; unknown partitions are
 * left to auto-creation in appendRecords; from v10 they name the current leader, KIP-951). Errors are per partition; one bad partition never fails the others.
 * Authorization (Kafka's): transactional records need WRITE on the transactional id (else every partition answers
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED), each topic WRITE (else TOPIC_AUTHORIZATION_FAILED, before its existence is
 * checked). Idempotence is authorized at InitProducerId, as in Kafka 3.
 */
import { handler, leaderLog } from './handler.js';
import { currentLeader, leaderEndpoints } from './current-leader.js';
import { ProduceApi, type ProduceResponse } from '../protocol/generated/index.js';
import { ErrorCode, errorInfo } from '../protocol/generated/errors.js';
import { clientInput } from '../protocol/client-input.js';
import { ConnectionRefusal } from '../server/pipeline.js';
import { parseBatches } from '../protocol/record-batch.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';

/**
 * Kafka's RequestUtils.hasTransactionalRecords. Kafka takes one batch per partition and asks the first; here every
 * batch is asked, or a transactional batch behind a plain one would join a transaction its sender may not write to.
 */
const transactional = (records: Buffer | null) => {
  const batches = records === null ? [] : parseBatches(records);
  return Array.isArray(batches) && batches.some((b) => b.isTransactional);
};

export default handler(ProduceApi, async (req, ctx) => {
  const { broker } = ctx;
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  const waitForSync = req.acks === -1;
  // Without an authorizer everything is allowed as before (a transactional batch without an id is the log's to refuse).
  const txnDenied = broker.acls !== null && req.topicData.some((t) => t.partitionData.some((p) => transactional(p.records as Buffer | null)))
    && (req.transactionalId === null || !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId));
  const denied = deniedNames(ctx, AclOperation.WRITE, ResourceType.TOPIC, req.topicData.map((t) => t.name));
  const responses: ProduceResponse['responses'] = await Promise.all(req.topicData.map(async (t) => ({
    name: t.name,
    partitionResponses: await Promise.all(t.partitionData.map(async (p) => {
      const base = { index: p.index, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null, currentLeader: null };
      if (txnDenied) return { ...base, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
      if (denied.has(t.name)) return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      if (!validAcks) return { ...base, errorCode: ErrorCode.INVALID_REQUIRED_ACKS };
      const led = leaderLog(ctx, t.name, p.index);
      if (led === ErrorCode.NOT_LEADER_OR_FOLLOWER) return { ...base, errorCode: led, currentLeader: ctx.version >= 10 ? currentLeader(ctx, t.name, p.index) : null };
      const result = await broker.appendRecords(t.name, p.index, p.records as Buffer | null, waitForSync, req.transactionalId);
      if (result.errorCode === ErrorCode.NONE) broker.traffic.produced(t.name, (p.records as Buffer).length);
      return { ...base, ...result, errorMessage: result.errorMessage ?? null };
    })),
  })));
  const nodeEndpoints = leaderEndpoints(ctx, responses.flatMap((t) => t.partitionResponses.map((p) => p.currentLeader)));
  if (req.acks !== 0) return { responses, throttleTimeMs: 0, nodeEndpoints };
  const failed = responses.flatMap((t) => t.partitionResponses.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${t.name}-${p.index}: ${errorInfo.get(p.errorCode)?.[0] ?? p.errorCode}`));
  if (failed.length > 0) throw new ConnectionRefusal(`an acks=0 Produce failed (${clientInput(failed.join(', '))})`);
  return null;
});
