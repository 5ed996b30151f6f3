/**
 * AlterConfigs 0-2 (v2 flexible): replaces a topic's (or the broker's dynamic) configs; unnamed ones return to defaults. Every
 * value is validated as Kafka's ConfigDef does; read-only broker settings are refused (see config-changes.ts).
 * Needs ALTER_CONFIGS on the topic (else TOPIC_AUTHORIZATION_FAILED) or the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { handler } from './handler.js';
import { AlterConfigsApi } from '../protocol/generated/index.js';
import { alterResources, AlterOp } from '../metadata/config-changes.js';
import { AclOperation } from '../security/acl.js';
import { configRefusal } from '../security/authorizer.js';

export default handler(AlterConfigsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  responses: alterResources(ctx.broker, req.resources, (r) => r.configs.map((c) => ({ ...c, op: AlterOp.SET })), true, req.validateOnly,
    (r) => configRefusal(ctx, AclOperation.ALTER_CONFIGS, r.resourceType, r.resourceName)),
}));
