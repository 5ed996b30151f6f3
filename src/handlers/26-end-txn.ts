/**
 * EndTxn 0-4: commit or abort, writing COMMIT/ABORT control batches to every partition of the transaction. v2
 * answers a fenced producer PRODUCER_FENCED; v3 flexible; v4 may answer TRANSACTION_ABORTABLE (never needed here).
 * Not v5: Kafka reads it as transactions V2 (KIP-890 part 2), bumping the epoch at every end. Needs WRITE on the
 * transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { coordinates, handler, unwritable } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { EndTxnApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { fencedAs } from './22-init-producer-id.js';

export default handler(EndTxnApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : coordinates(ctx, req.transactionalId)
    ? fencedAs(await ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed).catch(unwritable<number>(ErrorCode.COORDINATOR_NOT_AVAILABLE)), ctx.version, 2)
    : ErrorCode.NOT_COORDINATOR,
}));
