/**
 * FindCoordinator 0-2: the node that coordinates the group (key type 0) or transactional id (key type 1), spread
 * over the cluster by the key's hash (see metadata/placement.ts); any node answers.
 * v0 has no key type (always a group). Other key types get INVALID_REQUEST.
 */
import { handler } from './handler.js';
import { FindCoordinatorApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { endpointOf } from '../broker.js';

export default handler(FindCoordinatorApi, (req, { broker, session }) => {
  if (req.keyType !== 0 && req.keyType !== 1) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator key type ${req.keyType}`, nodeId: -1, host: '', port: -1 };
  }
  const node = broker.coordinatorNode(req.key)!;
  const { host, port } = endpointOf(node, session.listener);
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: node.id, host, port };
});
