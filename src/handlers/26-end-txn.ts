/** EndTxn 0-1: commit or abort, writing COMMIT/ABORT control batches to every partition of the transaction. */
import { handler } from './handler.js';
import { EndTxnApi } from '../protocol/generated/index.js';

export default handler(EndTxnApi, async (req, { broker }) => ({
  throttleTimeMs: 0,
  errorCode: await broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed),
}));
