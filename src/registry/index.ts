/**
 * The built-in Confluent-compatible Schema Registry: REST API (server.ts), state over a KeyValueLog (state.ts),
 * formats (formats/), compatibility levels (compatibility.ts), broker-side record validation (validation.ts).
 */
export { startRegistry, type RegistryOptions, type RunningRegistry } from './server.js';
export { RegistryState, type Mode, type Reference, type SchemaVersion } from './state.js';
export {
  KEY_SCHEMA_VALIDATION, VALUE_SCHEMA_VALIDATION, readSchemaId, subjectFor, validateRecordSchema, type SchemaIdLookup,
} from './validation.js';
