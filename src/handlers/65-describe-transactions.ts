/**
 * DescribeTransactions 0 (KIP-664): for each transactional id its state, producer id and epoch, timeout, the start
 * of its open transaction (-1 when none) and the partitions it wrote to. An id the coordinator does not know is
 * TRANSACTIONAL_ID_NOT_FOUND, an empty one INVALID_REQUEST, one another node coordinates NOT_COORDINATOR.
 * Authorization (Kafka's): DESCRIBE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED); topics the
 * principal may not DESCRIBE are left out of the partitions.
 */
import { coordinates, handler } from './handler.js';
import { DescribeTransactionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';

export default handler(DescribeTransactionsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  transactionStates: req.transactionalIds.map((transactionalId) => {
    // Kafka's error entries keep the fields' defaults (0, "").
    const fail = (errorCode: number) => ({ errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: 0, producerId: 0, producerEpoch: 0, topics: [] });
    if (!authorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (!coordinates(ctx, transactionalId)) return fail(ErrorCode.NOT_COORDINATOR);
    const txn = ctx.broker.transactions.describe(transactionalId);
    if (!txn) return fail(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    const topics = new Map<string, number[]>();
    for (const { topic, partition } of txn.partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
    const denied = deniedNames(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topics.keys());
    return {
      errorCode: ErrorCode.NONE,
      transactionalId,
      transactionState: txn.state,
      transactionTimeoutMs: txn.timeoutMs,
      transactionStartTimeMs: txn.startedAt,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      topics: [...topics].filter(([topic]) => !denied.has(topic)).map(([topic, partitions]) => ({ topic, partitions })),
    };
  }),
}));
