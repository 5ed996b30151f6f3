/** AlterConfigs 0-1: replaces a topic's (or the broker's dynamic) configs; unnamed ones return to defaults. */
import { handler } from './handler.js';
import { AlterConfigsApi } from '../protocol/generated/index.js';
import { applyConfigChanges, AlterOp } from '../metadata/config-changes.js';

export default handler(AlterConfigsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  responses: req.resources.map((r) => ({
    ...applyConfigChanges(broker, r.resourceType, r.resourceName, r.configs.map((c) => ({ ...c, op: AlterOp.SET })), true, req.validateOnly),
    resourceType: r.resourceType,
    resourceName: r.resourceName,
  })),
}));
