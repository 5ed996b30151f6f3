/**
 * The Schema Registry's REST API as a router on the HTTP host (src/http/), with Confluent's paths, bodies, status
 * codes and error bodies ({"error_code":…, "message":…}). Subjects are URL-decoded path segments (they may contain
 * ':' or an encoded '/'); unknown query parameters and unknown body fields are ignored, as Confluent does.
 */
import type { Logger } from 'pino';
import { HttpError, HttpErrors, Router, startHttpHost, type HttpHost, type HttpRequest as Request, type Methods } from '../http/index.js';
import type { KeyValueLog } from '../log/key-value-log.js';
import { parseCompatibility } from './compatibility.js';
import { Errors, RegistryError } from './errors.js';
import { SCHEMA_TYPES } from './formats/index.js';
import { packageVersion } from '../version.js';
import { MODES, RegistryState, type LookupFilter, type RegistryConfig, type Mode, type Reference, type RegisterRequest, type SchemaVersion, type VersionSpec } from './state.js';

export interface RegistryOptions {
  /** The HTTP host to mount on (at `/`); without one the registry starts its own on `host`:`port`. */
  http?: HttpHost;
  /** Address of its own host; default: 127.0.0.1 and ::1. */
  host?: string;
  /** Port of its own host; 0 picks a free port. */
  port?: number;
  /** Where the registry keeps its records: the broker's `_schemas` topic, or a MemoryKeyValueLog. */
  store: KeyValueLog;
  logger?: Logger;
  /** The Kafka cluster id GET /v1/metadata/id names. */
  clusterId?: string;
  /** Largest request body accepted; default 16 MiB. */
  maxBodyBytes?: number;
}

export interface RunningRegistry {
  port: number;
  url: string;
  state: RegistryState;
  /** Broker-side validation: is `id` a live schema id of `subject`? */
  isRegistered(subject: string, id: number): boolean;
  /** Unmounts it from the host, and closes the host when the registry started it. */
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const DEFAULT_CONTEXT = '.';
/** Confluent's schema.registry.group.id default, which GET /v1/metadata/id reports as the registry's cluster. */
const SCHEMA_REGISTRY_GROUP_ID = 'schema-registry';
/** Confluent's schema.search.default.limit and schema.search.max.limit: GET /schemas answers at most this many. */
const SCHEMA_SEARCH_LIMIT = 1000;

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const state = new RegistryState(options.store, options.logger);
  const router = registryRouter(state, options.maxBodyBytes, options.clusterId);
  const http = options.http ?? await startHttpHost({ host: options.host, port: options.port ?? 0, logger: options.logger });
  http.mount('/', router);
  options.logger?.info({ url: http.url }, 'schema registry listening');
  return {
    port: http.port,
    url: http.url,
    state,
    isRegistered: (subject, id) => state.isRegistered(subject, id),
    close: async () => {
      http.unmount(router);
      if (!options.http) await http.close();
    },
  };
}

// ---- request parsing ----

const isTrue = (query: URLSearchParams, name: string) => query.get(name)?.toLowerCase() === 'true';

/** Confluent's VersionId: "latest" in any case, else a Java int (a sign allowed, surrounding blanks trimmed), -1 meaning latest. */
function parseVersion(text: string): VersionSpec {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'latest') return 'latest';
  const n = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n > 2 ** 31 - 1) throw Errors.invalidVersion(text);
  if (n === -1) return 'latest';
  if (n < 1) throw Errors.invalidVersion(String(n));
  return n;
}

/** The subjectPrefix parameter; Confluent's wildcard ":*:" (its default for /subjects) is every subject. */
function subjectPrefix(query: URLSearchParams): string {
  const prefix = query.get('subjectPrefix') ?? '';
  return prefix === ':*:' ? '' : prefix;
}

/** Which versions a listing shows: Confluent's LookupFilter from `deleted` and `deletedOnly` (which wins). */
function lookupFilter(query: URLSearchParams): LookupFilter {
  if (isTrue(query, 'deletedOnly')) return 'deletedOnly';
  return isTrue(query, 'deleted') ? 'includeDeleted' : 'live';
}

/** Confluent's pagination: skip `offset`, then at most `limit` (a limit outside 1..max means `fallback`). */
function page<T>(items: T[], query: URLSearchParams, fallback = Infinity, max = Infinity): T[] {
  const offset = javaInt(query, 'offset', 0);
  const asked = javaInt(query, 'limit', -1);
  const limit = asked > 0 && asked <= max ? asked : fallback;
  return items.slice(Math.max(offset, 0), limit === Infinity ? undefined : Math.max(offset, 0) + limit);
}

/** An int query parameter; a value that is not one answers 404 as Jersey does for an unparsable @QueryParam int. */
function javaInt(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n > 2 ** 31 - 1) throw HttpErrors.notFound();
  return n;
}

/** A path's schema id: what JAX-RS reads as an int, else its 404 (an id past 2^31-1 is no id, not an unknown one). */
function parseId(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw HttpErrors.notFound();
  return n;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw HttpErrors.badRequest('Expected a JSON object');
  return body as Record<string, unknown>;
}

const INT32_MAX = 0x7fffffff;

/** An int32 field (ids and versions are Java ints in Confluent's API), at least `min`, or -1 when `latest` allows it. */
function optionalInt(value: unknown, field: string, min: number, latest = false): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw HttpErrors.badRequest(`Field '${field}' must be an integer`);
  if ((value < min && !(latest && value === -1)) || value > INT32_MAX) {
    throw HttpErrors.badRequest(`Field '${field}' must be ${latest ? '-1 (the latest) or ' : ''}from ${min} to ${INT32_MAX}`);
  }
  return value;
}

function parseRegisterRequest(body: unknown, query: URLSearchParams): RegisterRequest {
  const o = objectBody(body);
  if (o.schema === undefined || o.schema === null || o.schema === '') throw Errors.invalidSchema('Empty schema');
  if (typeof o.schema !== 'string') throw HttpErrors.badRequest("Field 'schema' must be a string");
  if (o.schemaType !== undefined && o.schemaType !== null && typeof o.schemaType !== 'string') {
    throw HttpErrors.badRequest("Field 'schemaType' must be a string");
  }
  const refs = o.references ?? [];
  if (!Array.isArray(refs)) throw HttpErrors.badRequest("Field 'references' must be an array");
  const references: Reference[] = refs.map((r) => {
    const ref = objectBody(r);
    if (typeof ref.name !== 'string' || typeof ref.subject !== 'string') {
      throw HttpErrors.badRequest('A reference needs a string name and subject');
    }
    return { name: ref.name, subject: ref.subject, version: optionalInt(ref.version, 'version', 1, true) ?? -1 };
  });
  return {
    schema: o.schema,
    schemaType: typeof o.schemaType === 'string' ? o.schemaType.toUpperCase() : 'AVRO',
    references,
    id: optionalInt(o.id, 'id', 1),
    version: optionalInt(o.version, 'version', 1),
    normalize: isTrue(query, 'normalize'),
  };
}

/** A schema in Confluent's JSON shape: schemaType left out for AVRO, references when there are some. */
function schemaBody(v: SchemaVersion, withSubject: boolean): Record<string, unknown> {
  return {
    ...(withSubject ? { subject: v.subject, version: v.version, id: v.id } : {}),
    ...(v.schemaType === 'AVRO' ? {} : { schemaType: v.schemaType }),
    ...(v.references.length ? { references: v.references } : {}),
    schema: v.schema,
  };
}

const optional = <T>(name: string, value: T | undefined) => (value === undefined ? {} : { [name]: value });

/** Confluent's Config entity: unset settings left out, in its field order. */
function configBody(config: RegistryConfig): Record<string, unknown> {
  return { ...optional('normalize', config.normalize), ...optional('compatibilityLevel', config.compatibilityLevel) };
}

// ---- routes ----

/** Every registry route, on a router to mount at `/`. */
export function registryRouter(state: RegistryState, maxBodyBytes?: number, clusterId = ''): Router {
  const router = new Router({ contentType: CONTENT_TYPE, maxBodyBytes });
  const route = (path: string, methods: Methods) => router.route(path, methods);
  const register = async (req: Request) => {
    let body: unknown;
    try {
      body = await req.body();
    } catch (err) {
      // The limit protects the register path from huge schemas: answer as Confluent does for one.
      if (err instanceof HttpError && err.status === 413) throw Errors.schemaTooLarge();
      throw err;
    }
    // Confluent 5.x–7.x answer {"id": n} only (clients' tests pin it).
    const { id } = await state.register(req.params.subject!, parseRegisterRequest(body, req.query));
    return { id };
  };
  const compatibility = async (req: Request, against: VersionSpec | 'all') => {
    const verbose = isTrue(req.query, 'verbose');
    let messages: string[];
    try {
      messages = state.checkCompatibility(req.params.subject!, parseRegisterRequest(await req.body(), req.query), against);
    } catch (err) {
      if (!(verbose && err instanceof RegistryError && err.errorCode === 42201)) throw err;
      messages = [err.message];
    }
    return { is_compatible: messages.length === 0, ...(verbose ? { messages } : {}) };
  };
  // Confluent's ConfigUpdateRequest: absent settings are kept; the answer is the stored config under its own names.
  const setConfig = async (req: Request) => {
    const body = objectBody(await req.body());
    const update: Parameters<RegistryState['setConfig']>[1] = {};
    if ('compatibility' in body && body.compatibility !== null) {
      update.compatibilityLevel = parseCompatibility(body.compatibility);
      if (!update.compatibilityLevel) throw Errors.invalidCompatibility();
    }
    if ('normalize' in body) {
      if (body.normalize !== null && typeof body.normalize !== 'boolean') throw HttpErrors.badRequest("Field 'normalize' must be a boolean");
      update.normalize = body.normalize as boolean | null;
    }
    const stored = await state.setConfig(req.params.subject ?? null, update);
    return { ...optional('normalize', stored.normalize), ...optional('compatibility', stored.compatibilityLevel) };
  };
  const getConfig = (req: Request) => {
    const subject = req.params.subject ?? null;
    const defaultToGlobal = isTrue(req.query, 'defaultToGlobal');
    const config = subject === null ? state.configEntry(null) : defaultToGlobal ? state.configInScope(subject) : state.configEntry(subject);
    if (!config) throw Errors.subjectCompatibilityNotConfigured(subject!);
    return configBody(config);
  };
  const setMode = async (req: Request) => {
    const mode = objectBody(await req.body()).mode;
    const upper = typeof mode === 'string' ? mode.toUpperCase() : '';
    if (!(MODES as readonly string[]).includes(upper)) throw Errors.invalidMode();
    await state.setMode(req.params.subject ?? null, upper as Mode, isTrue(req.query, 'force'));
    return { mode: upper };
  };
  const getMode = (req: Request) => {
    const subject = req.params.subject ?? null;
    const mode = state.modeOf(subject) ?? (isTrue(req.query, 'defaultToGlobal') ? state.modeOf(null) : undefined);
    if (!mode) throw Errors.subjectModeNotConfigured(subject!);
    return { mode };
  };

  route('/', { GET: () => ({}) });
  // One context, the default: Samsa has no schema contexts.
  route('/contexts', {
    GET: (req) => page([DEFAULT_CONTEXT].filter((c) => c.startsWith(req.query.get('contextPrefix') ?? '')), req.query),
  });
  route('/v1/metadata/id', {
    GET: () => ({ scope: { path: [], clusters: { 'kafka-cluster': clusterId, 'schema-registry-cluster': SCHEMA_REGISTRY_GROUP_ID } } }),
  });
  // Confluent answers its build's version and commit ("unknown" when its jar has none); Samsa has no commit to name.
  route('/v1/metadata/version', { GET: () => ({ version: packageVersion(), commitId: 'unknown' }) });
  // schema.registry.metadata.deployment.attributes, unset: no attributes.
  route('/v1/metadata/deployment', { GET: () => ({ attributes: [] }) });
  route('/subjects', {
    // Confluent's default prefix ":*:" is its wildcard context: every subject.
    GET: (req) => page(state.listSubjects(lookupFilter(req.query), subjectPrefix(req.query)), req.query),
  });
  route('/subjects/:subject', {
    POST: async (req) => {
      const request = parseRegisterRequest(await req.body(), req.query);
      return schemaBody(state.lookup(req.params.subject!, request, isTrue(req.query, 'deleted')), true);
    },
    DELETE: (req) => state.deleteSubject(req.params.subject!, isTrue(req.query, 'permanent')),
  });
  // Confluent's latest version whose metadata properties hold the given key/value pairs. Samsa keeps no schema
  // metadata, so no version matches: 40401 without the subject, else 40403, as Confluent answers for such versions.
  route('/subjects/:subject/metadata', {
    GET: (req) => {
      state.getVersion(req.params.subject!, 'latest', isTrue(req.query, 'deleted'));
      throw Errors.schemaNotFound();
    },
  });
  // Confluent 8's schema GUIDs: Samsa assigns none, so every GUID is unknown (40403 "Schema <guid> not found").
  route('/schemas/guids/:guid', { GET: (req) => { throw Errors.schemaIdNotFound(req.params.guid!); } });
  route('/subjects/:subject/versions', {
    GET: (req) => page(state.listVersions(req.params.subject!, lookupFilter(req.query), isTrue(req.query, 'deletedAsNegative')), req.query),
    POST: register,
  });
  route('/subjects/:subject/versions/:version', {
    GET: (req) => schemaBody(state.getVersion(req.params.subject!, parseVersion(req.params.version!), isTrue(req.query, 'deleted')), true),
    DELETE: (req) => state.deleteVersion(req.params.subject!, parseVersion(req.params.version!), isTrue(req.query, 'permanent')),
  });
  route('/subjects/:subject/versions/:version/schema', {
    GET: (req) => state.getVersion(req.params.subject!, parseVersion(req.params.version!), isTrue(req.query, 'deleted')).schema,
  });
  route('/subjects/:subject/versions/:version/referencedby', {
    GET: (req) => {
      const v = state.getVersion(req.params.subject!, parseVersion(req.params.version!), true);
      return state.referencedBy(v.subject, v.version, isTrue(req.query, 'deleted'));
    },
  });
  route('/schemas', {
    GET: (req) => page(state.listSchemas(subjectPrefix(req.query), isTrue(req.query, 'deleted'), isTrue(req.query, 'latestOnly')),
      req.query, SCHEMA_SEARCH_LIMIT, SCHEMA_SEARCH_LIMIT).map((v) => schemaBody(v, true)),
  });
  route('/schemas/types', { GET: () => SCHEMA_TYPES });
  route('/schemas/ids/:id', { GET: (req) => schemaBody(state.getSchemaById(parseId(req.params.id!)), false) });
  route('/schemas/ids/:id/schema', { GET: (req) => state.getSchemaById(parseId(req.params.id!)).schema });
  route('/schemas/ids/:id/versions', {
    GET: (req) => state.usesOfId(parseId(req.params.id!), isTrue(req.query, 'deleted')).map((v) => ({ subject: v.subject, version: v.version })),
  });
  route('/schemas/ids/:id/subjects', {
    GET: (req) => [...new Set(state.usesOfId(parseId(req.params.id!), isTrue(req.query, 'deleted')).map((v) => v.subject))],
  });
  route('/compatibility/subjects/:subject/versions', { POST: (req) => compatibility(req, 'all') });
  route('/compatibility/subjects/:subject/versions/:version', {
    POST: (req) => compatibility(req, parseVersion(req.params.version!)),
  });
  route('/config', {
    GET: getConfig,
    PUT: setConfig,
    DELETE: async () => configBody(await state.deleteConfig(null)),
  });
  route('/config/:subject', {
    GET: getConfig,
    PUT: setConfig,
    DELETE: async (req) => configBody(await state.deleteConfig(req.params.subject!)),
  });
  route('/mode', { GET: getMode, PUT: setMode });
  route('/mode/:subject', {
    GET: getMode,
    PUT: setMode,
    DELETE: async (req) => ({ mode: await state.deleteMode(req.params.subject!) }),
  });
  return router;
}
