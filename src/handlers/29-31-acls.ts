/**
 * DescribeAcls, CreateAcls, DeleteAcls 0-1. Samsa has no authorizer, and a Kafka broker without one (its default)
 * answers every ACL request with SECURITY_DISABLED: admin clients then report "No Authorizer is configured", as
 * they would against such a Kafka.
 */
import { handler } from './handler.js';
import { DescribeAclsApi, CreateAclsApi, DeleteAclsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';

const errorCode = ErrorCode.SECURITY_DISABLED;
const errorMessage = 'No Authorizer is configured on the broker';

export const describeAcls = handler(DescribeAclsApi, () => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] }));

export const createAcls = handler(CreateAclsApi, (req) => ({
  throttleTimeMs: 0,
  results: req.creations.map(() => ({ errorCode, errorMessage })),
}));

export const deleteAcls = handler(DeleteAclsApi, (req) => ({
  throttleTimeMs: 0,
  filterResults: req.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
}));
