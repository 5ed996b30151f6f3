/**
 * DescribeCluster 0-2 (KIP-700): the cluster id, the controller (the node Metadata names) and the live nodes at their
 * address on the listener asked on; the cluster's authorized operations when asked for (0 without DESCRIBE on it).
 * Endpoint type (v1+): this is a broker endpoint, so asking for controllers is MISMATCHED_ENDPOINT_TYPE and an
 * unknown type UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at v0, which has no such field), as Kafka answers.
 * v2's fenced brokers: stopped nodes are gone, not fenced, so none is listed.
 */
import { handler } from './handler.js';
import { DescribeClusterApi, type DescribeClusterResponse } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { endpointOf } from '../broker.js';
import { AclOperation, ResourceType, CLUSTER_NAME } from '../security/acl.js';
import { authorized, authorizedOperations } from '../security/authorizer.js';

const BROKER = 1;
const CONTROLLER = 2;
const UNSET = -2147483648;

export default handler(DescribeClusterApi, (req, ctx): DescribeClusterResponse => {
  const { broker, session, version } = ctx;
  const answer = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null as string | null, endpointType: BROKER, clusterId: broker.clusterId,
    controllerId: -1, brokers: [] as DescribeClusterResponse['brokers'], clusterAuthorizedOperations: UNSET };
  if (req.endpointType !== BROKER) {
    const known = req.endpointType === CONTROLLER;
    return { ...answer, errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : known ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: known ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER' : `Unsupported endpoint type ${req.endpointType}` };
  }
  const clusterAuthorizedOperations = !req.includeClusterAuthorizedOperations ? UNSET
    : authorized(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME) ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : 0;
  return {
    ...answer,
    controllerId: broker.placement.liveNodeIds[0],
    brokers: broker.liveNodes().map((n) => {
      const { host, port } = endpointOf(n, session.listener);
      return { brokerId: n.id, host, port, rack: null, isFenced: false };
    }),
    clusterAuthorizedOperations,
  };
});
