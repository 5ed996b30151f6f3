/**
 * AddPartitionsToTxn 0-3: partitions a transaction writes to, so EndTxn knows where to put markers. v2 answers a
 * fenced producer PRODUCER_FENCED; v3 flexible. Never 4+: those are the brokers' own (batched, verify-only).
 * Authorization (Kafka's): WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere),
 * WRITE on each topic: one refused topic fails the request, its partitions TOPIC_AUTHORIZATION_FAILED and the
 * others OPERATION_NOT_ATTEMPTED.
 */
import { coordinates, handler, unwritable } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AddPartitionsToTxnApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized, deniedNames } from '../security/authorizer.js';
import { fencedAs } from './22-init-producer-id.js';

export default handler(AddPartitionsToTxnApi, async (req, ctx) => {
  const wanted = req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const denied = deniedNames(ctx, AclOperation.WRITE, ResourceType.TOPIC, req.topics.map((t) => t.name));
  const refused = !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId) ? () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : denied.size > 0 ? (topic: string) => (denied.has(topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED) : null;
  const results = refused ? wanted.map((w) => ({ ...w, errorCode: refused(w.topic) }))
    : coordinates(ctx, req.transactionalId) ? await ctx.broker.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, wanted)
      .catch(unwritable(wanted.map((w) => ({ ...w, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE as number }))))
    : wanted.map((w) => ({ ...w, errorCode: ErrorCode.NOT_COORDINATOR }));
  return {
    throttleTimeMs: 0,
    results: req.topics.map((t) => ({
      name: t.name,
      results: results.filter((r) => r.topic === t.name).map((r) => ({ partitionIndex: r.partition, errorCode: fencedAs(r.errorCode, ctx.version, 2) })),
    })),
  };
});
