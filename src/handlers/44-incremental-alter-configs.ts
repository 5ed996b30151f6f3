/**
 * IncrementalAlterConfigs 0: SET / DELETE / APPEND / SUBTRACT on individual configs, validated as Kafka's
 * ConfigDef does; read-only broker settings are refused (see config-changes.ts).
 */
import { handler } from './handler.js';
import { IncrementalAlterConfigsApi } from '../protocol/generated/index.js';
import { alterResources } from '../metadata/config-changes.js';

export default handler(IncrementalAlterConfigsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  responses: alterResources(broker, req.resources,
    (r) => r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })), false, req.validateOnly),
}));
