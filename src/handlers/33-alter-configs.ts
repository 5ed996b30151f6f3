/**
 * AlterConfigs 0-1: replaces a topic's (or the broker's dynamic) configs; unnamed ones return to defaults. Every
 * value is validated as Kafka's ConfigDef does; read-only broker settings are refused (see config-changes.ts).
 */
import { handler } from './handler.js';
import { AlterConfigsApi } from '../protocol/generated/index.js';
import { alterResources, AlterOp } from '../metadata/config-changes.js';

export default handler(AlterConfigsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  responses: alterResources(broker, req.resources, (r) => r.configs.map((c) => ({ ...c, op: AlterOp.SET })), true, req.validateOnly),
}));
