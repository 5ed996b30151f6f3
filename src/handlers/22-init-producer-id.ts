/**
 * InitProducerId 0-3: a fresh producer id (epoch 0) for idempotent producers; for a transactional id, its producer
 * id with the epoch bumped, fencing the previous incarnation (whose open transaction is aborted). v3 (KIP-360)
 * passes the current id/epoch so a producer can bump its own epoch after an error.
 * Authorization (Kafka 3's): a transactional id needs WRITE on it (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED); an
 * idempotent producer IDEMPOTENT_WRITE on the cluster or WRITE on some topic (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { InitProducerIdApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized, authorizedByResourceType } from '../security/authorizer.js';

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
  return { throttleTimeMs: 0, ...await ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch) };
});
