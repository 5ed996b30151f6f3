/**
 * EndTxn 0-1: commit or abort, writing COMMIT/ABORT control batches to every partition of the transaction. Needs
 * WRITE on the transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { coordinates, handler } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { EndTxnApi } from '../protocol/generated/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

export default handler(EndTxnApi, async (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: !authorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : coordinates(ctx, req.transactionalId)
    ? await ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed)
    : ErrorCode.NOT_COORDINATOR,
}));
