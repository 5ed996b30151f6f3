/** IncrementalAlterConfigs 0: SET / DELETE / APPEND / SUBTRACT on individual configs. */
import { handler } from './handler.js';
import { IncrementalAlterConfigsApi } from '../protocol/generated/index.js';
import { applyConfigChanges } from '../metadata/config-changes.js';

export default handler(IncrementalAlterConfigsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  responses: req.resources.map((r) => ({
    ...applyConfigChanges(broker, r.resourceType, r.resourceName,
      r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })), false, req.validateOnly),
    resourceType: r.resourceType,
    resourceName: r.resourceName,
  })),
}));
