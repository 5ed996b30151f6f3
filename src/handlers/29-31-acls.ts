/**
 * DescribeAcls, CreateAcls, DeleteAcls 0-3 (v1 pattern types, v2 flexible, v3 the USER resource type).
 *
 * Without an authorizer (`authorizer.enabled=false`, Kafka's default too) every ACL request is answered
 * SECURITY_DISABLED: admin clients then report "No Authorizer is configured", as against such a Kafka.
 * With one: DescribeAcls needs DESCRIBE on the cluster, Create/DeleteAcls ALTER (else CLUSTER_AUTHORIZATION_FAILED,
 * for every creation or filter). A malformed binding or filter (unknown resource type, MATCH/ANY pattern in a
 * creation, empty principal or name, a CLUSTER not named kafka-cluster) gets INVALID_REQUEST alone; the others are
 * still applied. Bindings are stored in `__samsa_acls` before the answer (see security/authorizer.ts).
 */
import { handler, type RequestContext } from './handler.js';
import { DescribeAclsApi, CreateAclsApi, DeleteAclsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclOperation, ResourceType, CLUSTER_NAME, filterProblem, groupByResource, type AclBinding } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

interface Refusal { errorCode: number; errorMessage: string }

const disabled: Refusal = { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker' };
const clusterDenied: Refusal = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' };

/** null when the request may go on, else the error every part of it answers. */
function refusal(ctx: RequestContext, operation: number): Refusal | null {
  if (ctx.broker.acls === null) return disabled;
  return authorized(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME) ? null : clusterDenied;
}

export const describeAcls = handler(DescribeAclsApi, (req, ctx) => {
  const refused = refusal(ctx, AclOperation.DESCRIBE);
  if (refused) return { throttleTimeMs: 0, ...refused, resources: [] };
  const filter = {
    resourceType: req.resourceTypeFilter, resourceName: req.resourceNameFilter, patternType: req.patternTypeFilter,
    principal: req.principalFilter, host: req.hostFilter, operation: req.operation, permissionType: req.permissionType,
  };
  const problem = filterProblem(filter);
  if (problem) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, resources: [] };
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: groupByResource(ctx.broker.acls!.describe(filter)) };
});

export const createAcls = handler(CreateAclsApi, async (req, ctx) => {
  const refused = refusal(ctx, AclOperation.ALTER);
  if (refused) return { throttleTimeMs: 0, results: req.creations.map(() => refused) };
  const bindings: AclBinding[] = req.creations.map((c) => ({
    resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType,
    principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType,
  }));
  return { throttleTimeMs: 0, results: await ctx.broker.acls!.create(bindings) };
});

export const deleteAcls = handler(DeleteAclsApi, async (req, ctx) => {
  const refused = refusal(ctx, AclOperation.ALTER);
  if (refused) return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ ...refused, matchingAcls: [] })) };
  const results = await ctx.broker.acls!.delete(req.filters.map((f) => ({
    resourceType: f.resourceTypeFilter, resourceName: f.resourceNameFilter, patternType: f.patternTypeFilter,
    principal: f.principalFilter, host: f.hostFilter, operation: f.operation, permissionType: f.permissionType,
  })));
  return {
    throttleTimeMs: 0,
    filterResults: results.map((r) => ({
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      matchingAcls: r.deleted.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...b })),
    })),
  };
});
