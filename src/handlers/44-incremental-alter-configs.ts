/**
 * IncrementalAlterConfigs 0-1 (v1 flexible): SET / DELETE / APPEND / SUBTRACT on individual configs, validated as Kafka's
 * ConfigDef does; read-only broker settings are refused (see config-changes.ts). Needs ALTER_CONFIGS on the topic
 * (else TOPIC_AUTHORIZATION_FAILED) or the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { handler } from './handler.js';
import { IncrementalAlterConfigsApi } from '../protocol/generated/index.js';
import { alterResources } from '../metadata/config-changes.js';
import { AclOperation } from '../security/acl.js';
import { configRefusal } from '../security/authorizer.js';

export default handler(IncrementalAlterConfigsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  responses: alterResources(ctx.broker, req.resources,
    (r) => r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })), false, req.validateOnly,
    (r) => configRefusal(ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName)),
}));
