/**
 * FindCoordinator 0-2: this broker coordinates every group (key type 0) and every transactional id (key type 1).
 * v0 has no key type (always a group). Other key types get INVALID_REQUEST.
 */
import { handler } from './handler.js';
import { FindCoordinatorApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

export default handler(FindCoordinatorApi, (req, { broker }) => {
  if (req.keyType !== 0 && req.keyType !== 1) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator key type ${req.keyType}`, nodeId: -1, host: '', port: -1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.config.nodeId, host: broker.config.advertisedHost, port: broker.port };
});
