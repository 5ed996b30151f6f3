/**
 * The key and value of a REST v3 produce request (Confluent's ProduceRequestData) turned into record bytes:
 *
 *   BINARY      `data` is base64
 *   STRING      `data` is a string, stored as UTF-8
 *   JSON        `data` is any JSON, stored as its text (schemaless)
 *   AVRO, JSONSCHEMA, PROTOBUF
 *               `data` is checked against a schema of the built-in registry and framed as Confluent's serializers
 *               frame it: magic byte 0, the 4-byte schema id, (Protobuf: the message index, 0 for the first
 *               message), then the Avro binary / JSON text / Protobuf binary. The schema is `schema_id`, or
 *               `schema_version` (or the latest) of `subject` (default TopicNameStrategy: `<topic>-key|value`), or
 *               `schema` registered under the subject first. Without a type the schema decides (the subject's
 *               latest when none is named).
 *
 * Problems with the data are RestErrors (400); nothing is appended unless both key and value encode.
 */
import type { RunningRegistry, SchemaVersion } from '../registry/index.js';
import { HttpError } from '../http/index.js';
import { ajvFor, forAjv } from '../registry/formats/json.js';
import { parseJsonText } from '../json-text.js';

export interface EncodedPart {
  bytes: Buffer | null;
  /** As Confluent's produce response describes each part. */
  summary: { type: string; size: number; subject?: string; schema_id?: number; schema_version?: number } | null;
}

const SCHEMA_TYPES: Record<string, string> = { AVRO: 'AVRO', JSONSCHEMA: 'JSON', PROTOBUF: 'PROTOBUF' };
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const badRequest = (message: string) => new HttpError(400, 40002, message);

/** The record key or value a produce request describes (`part` absent or null: no key / a null value). */
export async function encodePart(part: unknown, topic: string, isKey: boolean, registry: RunningRegistry | null): Promise<EncodedPart> {
  if (part === undefined || part === null) return { bytes: null, summary: null };
  if (typeof part !== 'object' || Array.isArray(part)) throw badRequest(`${isKey ? 'key' : 'value'} must be an object with type and data`);
  const p = part as Record<string, unknown>;
  const what = isKey ? 'key' : 'value';
  const type = p.type === undefined ? undefined : String(p.type).toUpperCase();
  const namesSchema = p.schema_id !== undefined || p.schema_version !== undefined || p.schema !== undefined || p.subject !== undefined;
  if ([p.schema_id, p.schema_version, p.schema].filter((x) => x !== undefined).length > 1) {
    throw badRequest(`${what}: only one of 'schema_id', 'schema_version' or 'schema' can be used`);
  }
  if (p.subject_name_strategy !== undefined && p.subject_name_strategy !== 'TOPIC_NAME') {
    throw badRequest(`${what}: subject_name_strategy ${String(p.subject_name_strategy)} is not supported (TOPIC_NAME, or name the subject)`);
  }
  const data = p.data;
  if (type === 'BINARY' || type === 'STRING' || type === 'JSON') {
    if (namesSchema) throw badRequest(`${what}: type ${type} takes no schema`);
    const bytes = plainBytes(type, data, what);
    return { bytes, summary: { type, size: bytes?.length ?? 0 } };
  }
  if (type !== undefined && !(type in SCHEMA_TYPES)) throw badRequest(`${what}: unknown type ${String(p.type)}`);
  // No type: the schema decides (by id, version or the subject's latest), as Confluent's REST Proxy does.
  if (!registry) throw badRequest(`${what}: ${type ? `type ${type}` : 'a record without a type'} needs the Schema Registry, which is disabled (registry.port); or use BINARY, STRING or JSON`);
  const schema = await findSchema(p, topic, isKey, type ? SCHEMA_TYPES[type] : undefined, registry);
  const body = await serialize(schema, data, what);
  const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
  bytes.writeInt32BE(schema.id, 1);
  const typeName = Object.keys(SCHEMA_TYPES).find((k) => SCHEMA_TYPES[k] === schema.schemaType)!;
  return { bytes, summary: { type: typeName, size: bytes.length, subject: schema.subject, schema_id: schema.id, schema_version: schema.version } };
}

function plainBytes(type: string, data: unknown, what: string): Buffer | null {
  if (data === null || data === undefined) return null;
  if (type === 'JSON') return Buffer.from(JSON.stringify(data), 'utf8');
  if (typeof data !== 'string') throw badRequest(`${what}: data of type ${type} must be a string`);
  if (type === 'STRING') return Buffer.from(data, 'utf8');
  if (data.length % 4 !== 0 || !BASE64.test(data)) throw badRequest(`${what}: data of type BINARY must be base64`);
  return Buffer.from(data, 'base64');
}

async function findSchema(p: Record<string, unknown>, topic: string, isKey: boolean, wantedType: string | undefined, registry: RunningRegistry): Promise<SchemaVersion> {
  const { state } = registry;
  const subject = p.subject === undefined ? `${topic}-${isKey ? 'key' : 'value'}` : p.subject;
  if (typeof subject !== 'string' || subject === '') throw badRequest('subject must be a non-empty string');
  // The registry's own errors (40401 subject not found, 40403 schema not found, 42201 invalid schema) pass as they are.
  let found: SchemaVersion;
  if (p.schema_id !== undefined) {
    if (!Number.isInteger(p.schema_id)) throw badRequest('schema_id must be an integer');
    found = state.getSchemaById(p.schema_id as number);
  } else if (p.schema !== undefined) {
    if (typeof p.schema !== 'string') throw badRequest('schema must be a string');
    if (!wantedType) throw badRequest('type is required with an inline schema');
    const { version } = await state.register(subject, { schema: p.schema, schemaType: wantedType, references: [] });
    found = state.getVersion(subject, version, false);
  } else {
    if (p.schema_version !== undefined && !Number.isInteger(p.schema_version)) throw badRequest('schema_version must be an integer');
    found = state.getVersion(subject, (p.schema_version as number | undefined) ?? 'latest', false);
  }
  if (wantedType && found.schemaType !== wantedType) throw badRequest(`schema ${found.id} is ${found.schemaType}, not ${wantedType}`);
  if (found.references.length > 0) throw badRequest(`schema ${found.id} has references, which REST produce does not resolve`);
  return found;
}

async function serialize(schema: SchemaVersion, data: unknown, what: string): Promise<Buffer> {
  try {
    return (await serializerFor(schema))(data);
  } catch (err) {
    throw badRequest(`${what}: data does not match schema ${schema.id}: ${(err as Error).message}`);
  }
}

/** Checks data against one schema and encodes it (throws what does not match). */
type Serializer = (data: unknown) => Buffer;

/**
 * The serializers of the schemas produced with last, by type and text (what a schema id stands for never changes):
 * compiling one (ajv's code generation, avsc's type, protobufjs' parse) cost a JSON schema's produce ~7 ms of CPU.
 */
const serializers = new Map<string, Serializer>();
const SERIALIZERS_KEPT = 32;

async function serializerFor(schema: SchemaVersion): Promise<Serializer> {
  const key = `${schema.schemaType}\u0000${schema.schema}`;
  let serializer = serializers.get(key);
  if (serializer) serializers.delete(key); // (put back last: the least recently used go first)
  else serializer = await makeSerializer(schema);
  serializers.set(key, serializer);
  if (serializers.size > SERIALIZERS_KEPT) serializers.delete(serializers.keys().next().value!);
  return serializer;
}

async function makeSerializer(schema: SchemaVersion): Promise<Serializer> {
  switch (schema.schemaType) {
    case 'AVRO': {
      const { default: avro } = await import('avsc');
      const type = avro.Type.forSchema(parseJsonText(schema.schema) as Parameters<typeof avro.Type.forSchema>[0], { registry: Object.create(null) });
      // Avro's JSON encoding (unions wrapped as {"type": value}), as Confluent's REST Proxy reads it.
      return (data) => type.toBuffer(type.fromString(JSON.stringify(data ?? null)));
    }
    case 'JSON': {
      const root = parseJsonText(schema.schema) as Parameters<typeof ajvFor>[0];
      const validate = ajvFor(root).compile(forAjv(root));
      return (data) => {
        if (!validate(data)) throw new Error(validate.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
        return Buffer.from(JSON.stringify(data), 'utf8');
      };
    }
    case 'PROTOBUF': {
      const { default: protobuf } = await import('protobufjs');
      const parsed = protobuf.parse(schema.schema, { keepCase: true });
      const scope = parsed.package ? parsed.root.lookup(parsed.package) as protobuf.Namespace : parsed.root;
      const message = scope.nestedArray.find((n): n is protobuf.Type => n instanceof protobuf.Type);
      if (!message) throw new Error('the schema defines no message');
      return (data) => {
        const problem = message.verify(data as Record<string, unknown>);
        if (problem) throw new Error(problem);
        // Message index [0] (the first message of the file) is written as a single 0 byte.
        return Buffer.concat([Buffer.from([0]), Buffer.from(message.encode(message.fromObject(data as Record<string, unknown>)).finish())]);
      };
    }
    default:
      throw new Error(`unsupported schema type ${schema.schemaType}`);
  }
}
