/**
 * InitProducerId 0-5: a fresh producer id (epoch 0) for idempotent producers; for a transactional id, its producer
 * id with the epoch bumped, fencing the previous incarnation (whose open transaction is aborted). v2 flexible; v3
 * (KIP-360) passes the current id/epoch so a producer can bump its own epoch after an error; v4 answers a stale
 * one PRODUCER_FENCED; v5 may answer TRANSACTION_ABORTABLE (KIP-890; never needed here).
 * Authorization (Kafka 3's): a transactional id needs WRITE on it (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED); an
 * idempotent producer IDEMPOTENT_WRITE on the cluster or WRITE on some topic (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { coordinates, handler, unwritable } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { InitProducerIdApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized, authorizedByResourceType } from '../security/authorizer.js';

/**
 * The transaction coordinator answers a fenced producer (a stale id or epoch) INVALID_PRODUCER_EPOCH, what versions
 * before KIP-588's PRODUCER_FENCED read; from `since` on (InitProducerId 4, AddPartitionsToTxn/AddOffsetsToTxn/
 * EndTxn 2) the answer is PRODUCER_FENCED, as Kafka's.
 */
export function fencedAs(errorCode: number, version: number, since: number): number {
  return errorCode === ErrorCode.INVALID_PRODUCER_EPOCH && version >= since ? ErrorCode.PRODUCER_FENCED : errorCode;
}

export default handler(InitProducerIdApi, async (req, ctx) => {
  const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
  if (req.transactionalId !== null && !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
    return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  }
  if (req.transactionalId === null && !authorized(ctx, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME)
    && !authorizedByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
    return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  }
  if (req.transactionalId !== null && !coordinates(ctx, req.transactionalId)) {
    return fail(ErrorCode.NOT_COORDINATOR);
  }
  const result = await ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch)
    .catch(unwritable({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 }));
  return { throttleTimeMs: 0, ...result, errorCode: fencedAs(result.errorCode, ctx.version, 4) };
});
