/**
 * The Schema Registry side of the CLI: a REST client (Confluent's API, so any compatible registry works) and the
 * Confluent wire format — magic byte 0, the schema id as a 4-byte big-endian int, then for Protobuf the message
 * indexes (zigzag varints: a count, then the path of the message in the file; [0] is the single byte 0), then the
 * encoded value.
 *
 * Values are read and written as JSON text: Avro in Avro's JSON encoding (unions as {"type": value}, as Confluent's
 * console tools print them; plain JSON is accepted on input too), JSON Schema as the document itself, Protobuf in
 * protobufjs's JSON mapping of the message. Parsing uses the registry's own formats (src/registry/formats).
 */
import type protobuf from 'protobufjs';
import { FORMATS, type Dependency, type SchemaType } from '../registry/formats/index.js';
import { AvroSchema } from '../registry/formats/avro.js';
import type avro from 'avsc';
import { JsonSchema } from '../registry/formats/json.js';
import { ProtobufSchema, protobufjs } from '../registry/formats/protobuf.js';
import { readSchemaId } from '../registry/validation.js';
import { Reader } from '../protocol/reader.js';
import { CliError } from './output.js';
import { nameErrorClasses } from '../error-names.js';

type AvroType = avro.Type;

export interface Reference { name: string; subject: string; version: number }

/** A schema as the registry serves it (GET /schemas/ids/{id}, GET /subjects/{s}/versions/{v}). */
export interface RegistrySchema {
  subject?: string;
  version?: number;
  id?: number;
  schema: string;
  schemaType?: SchemaType;
  references?: Reference[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** An error the registry answered, with its Confluent error code (40401 subject not found, 42201 invalid schema…). */
export class RegistryAnswerError extends CliError {
  constructor(readonly status: number, readonly errorCode: number | undefined, message: string) {
    super(`schema registry: ${message}${errorCode ? ` (error ${errorCode})` : ''}`);
  }
}

/** Confluent's REST API over fetch; errors become one-line CliErrors with the registry's own message. */
export class RegistryClient {
  /** The URL without its credentials: what messages show. */
  readonly baseUrl: string;
  /** HTTP Basic credentials given in the URL (http://user:password@host:port), as Confluent's clients take them. */
  private readonly authorization: string | null = null;

  constructor(url: string, private readonly timeoutMs: number) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(`--registry-url expects a URL such as http://localhost:8081, got '${url.replace(/\/\/[^@/]*@/, '//***@')}'`, 2);
    }
    if (parsed.username || parsed.password) {
      this.authorization = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    this.baseUrl = parsed.href.replace(/\/$/, '');
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), `${this.baseUrl}/`);
    const headers: Record<string, string> = body === undefined ? { accept: CONTENT_TYPE } : { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
    if (this.authorization) headers.authorization = this.authorization;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(`cannot reach the schema registry at ${this.baseUrl}: ${why}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(`schema registry ${method} ${url.pathname}: HTTP ${res.status}, not JSON`);
    }
    if (!res.ok) {
      const e = json as { error_code?: number; message?: string } | null;
      throw new RegistryAnswerError(res.status, e?.error_code, e?.message ?? `HTTP ${res.status}`);
    }
    return json as T;
  }

  schemaById(id: number): Promise<RegistrySchema> {
    return this.call('GET', `/schemas/ids/${id}`);
  }

  version(subject: string, version: number | 'latest' = 'latest'): Promise<RegistrySchema> {
    return this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`);
  }

  /** The schemas `refs` name, their own references first, as the formats' parsers want them. */
  async dependencies(refs: Reference[] | undefined, out: Dependency[] = [], seen = new Set<string>()): Promise<Dependency[]> {
    for (const ref of refs ?? []) {
      const key = `${ref.subject}/${ref.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const s = await this.version(ref.subject, ref.version);
      await this.dependencies(s.references, out, seen);
      out.push({ name: ref.name, type: s.schemaType ?? 'AVRO', schema: s.schema });
    }
    return out;
  }
}

/** Encodes JSON text to the wire format of one schema and decodes wire-format bytes back to a JSON value. */
export interface ValueCodec {
  readonly id: number;
  readonly type: SchemaType;
  /** Throws CliError when the value does not match the schema. */
  encode(json: string): Buffer;
  /** The payload after the 5-byte header. */
  decode(payload: Buffer): unknown;
}

function header(id: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeInt32BE(id, 1);
  return b;
}

function parseJsonInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`not JSON: ${(err as Error).message}`);
  }
}

/**
 * Whether some array or map of the Avro type has items written in no bytes (null, a fixed of size 0, a record of such
 * fields). avsc believes a block's count: 11 bytes can claim 2*10^9 nulls, whose decoding runs the process out of
 * memory. Every other item takes at least a byte, so the data's length bounds the count.
 */
function repeatsZeroWidth(type: AvroType): boolean {
  const zeroWidth = (t: AvroType, seen: Set<AvroType>): boolean => {
    const any = t as AvroType & { size?: number; fields?: Array<{ type: AvroType }>; underlyingType?: AvroType };
    if (t.typeName === 'null' || (t.typeName === 'fixed' && any.size === 0)) return true;
    if (any.underlyingType) return zeroWidth(any.underlyingType, seen);
    if (t.typeName !== 'record' && t.typeName !== 'error') return false;
    if (seen.has(t)) return false; // recursive: never empty
    seen.add(t);
    return (any.fields ?? []).every((f) => zeroWidth(f.type, seen));
  };
  const visited = new Set<AvroType>();
  const walk = (t: AvroType): boolean => {
    if (visited.has(t)) return false;
    visited.add(t);
    const any = t as AvroType & { itemsType?: AvroType; valuesType?: AvroType; types?: AvroType[]; fields?: Array<{ type: AvroType }>; underlyingType?: AvroType };
    const repeated = any.itemsType ?? any.valuesType;
    if (repeated && zeroWidth(repeated, new Set())) return true;
    return [repeated, any.underlyingType, ...(any.types ?? []), ...(any.fields ?? []).map((f) => f.type)].some((c) => c !== undefined && walk(c));
  };
  return walk(type);
}

function avroCodec(id: number, schema: AvroSchema): ValueCodec {
  const type = schema.avroType;
  const unbounded = repeatsZeroWidth(type);
  return {
    id, type: 'AVRO',
    encode(text) {
      let value: unknown;
      try {
        value = type.fromString(text); // Avro's JSON encoding (wrapped unions)
      } catch {
        value = parseJsonInput(text); // else plain JSON, checked field by field for a useful message
        const problems: string[] = [];
        type.isValid(value, { errorHook: (path, v, t) => problems.push(`${path.join('.') || 'value'}: ${JSON.stringify(v) ?? 'missing'} is not ${JSON.stringify(t.schema())}`) });
        if (problems.length > 0) throw new CliError(`does not match Avro schema ${id}: ${problems.join('; ')}`);
      }
      return Buffer.concat([header(id), type.toBuffer(value)]);
    },
    decode(payload) {
      if (unbounded) throw new Error(`schema ${id} has arrays or maps of items written in no bytes, whose counts nothing bounds`);
      return JSON.parse(type.toString(type.fromBuffer(payload)));
    },
  };
}

function jsonCodec(id: number, schema: JsonSchema): ValueCodec {
  return {
    id, type: 'JSON',
    encode(text) {
      const value = parseJsonInput(text);
      if (!schema.validate(value)) {
        const problems = (schema.validate.errors ?? []).map((e) => `${e.instancePath || 'value'} ${e.message}`);
        throw new CliError(`does not match JSON schema ${id}: ${problems.join('; ')}`);
      }
      return Buffer.concat([header(id), Buffer.from(JSON.stringify(value))]);
    },
    decode: (payload) => JSON.parse(payload.toString('utf8')),
  };
}

/** The file's top-level messages in order, and the nested messages of a message in order: the message-index paths. */
function messageAt(schema: ProtobufSchema, indexes: number[]): protobuf.Type | undefined {
  const topLevel = [...schema.model.messages].filter(([name]) => !name.includes('.')).map(([, t]) => t);
  let t = topLevel[indexes[0] ?? 0];
  for (const i of indexes.slice(1)) t = t?.nestedArray.filter((n): n is protobuf.Type => n instanceof protobufjs().Type)[i];
  return t;
}

function protobufCodec(id: number, schema: ProtobufSchema): ValueCodec {
  // Producing writes the file's first message, as Confluent's serializer does by default.
  const first = messageAt(schema, [0]);
  return {
    id, type: 'PROTOBUF',
    encode(text) {
      if (!first) throw new CliError(`Protobuf schema ${id} defines no message`);
      const value = parseJsonInput(text);
      const problem = typeof value === 'object' && value !== null && !Array.isArray(value) ? first.verify(value as Record<string, unknown>) : 'not a JSON object';
      if (problem) throw new CliError(`does not match Protobuf schema ${id} (${first.name}): ${problem}`);
      const body = first.encode(first.fromObject(value as Record<string, unknown>)).finish();
      return Buffer.concat([header(id), Buffer.from([0]), body]);
    },
    decode(payload) {
      const r = new Reader(payload);
      const count = r.varint();
      const indexes = count === 0 ? [0] : Array.from({ length: count }, () => r.varint());
      const type = messageAt(schema, indexes);
      if (!type) throw new CliError(`Protobuf schema ${id} has no message at index [${indexes.join(', ')}]`);
      return type.toObject(type.decode(payload.subarray(r.offset)), { longs: String, enums: String, bytes: String });
    },
  };
}

/** A codec for a schema the registry served (its references fetched as well). */
export async function codecFor(registry: RegistryClient, id: number, s: RegistrySchema): Promise<ValueCodec> {
  const type = s.schemaType ?? 'AVRO';
  const format = FORMATS[type];
  if (!format) throw new CliError(`schema ${id} has an unknown type ${type}`);
  let parsed;
  try {
    parsed = format.parse(s.schema, await registry.dependencies(s.references));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`schema ${id} does not parse: ${(err as Error).message}`);
  }
  if (parsed instanceof AvroSchema) return avroCodec(id, parsed);
  if (parsed instanceof JsonSchema) return jsonCodec(id, parsed);
  return protobufCodec(id, parsed as ProtobufSchema);
}

/** Decodes record keys and values that carry a schema id; schemas are fetched once per id. */
export class WireDecoder {
  private readonly codecs = new Map<number, Promise<ValueCodec>>();
  constructor(private readonly registry: RegistryClient) {}

  /** The decoded value when `data` starts with the wire header, else null. */
  async decode(data: Buffer | null): Promise<{ value: unknown } | null> {
    const id = readSchemaId(data);
    if (id === null) return null;
    let codec = this.codecs.get(id);
    if (!codec) {
      codec = this.registry.schemaById(id).then((s) => codecFor(this.registry, id, s));
      this.codecs.set(id, codec);
    }
    try {
      return { value: (await codec).decode(data!.subarray(5)) };
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`cannot decode with schema ${id}: ${(err as Error).message}`);
    }
  }
}

nameErrorClasses({ RegistryAnswerError });
