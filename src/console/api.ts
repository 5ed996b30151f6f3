/**
 * The console's JSON API, under `/console/api` on the admin host: what the pages show that REST v3 does not
 * answer in one call (sizes and offsets per partition, records decoded through the registry, a group's members,
 * assignment and lag together) and the one write REST v3 lacks, resetting an empty group's offsets. Produce goes
 * through REST v3 (`POST /v3/clusters/{c}/topics/{t}/records`).
 *
 *   GET  /overview                               nodes, topics (records, bytes, bytes in/out), groups, subjects
 *   GET  /topics/{t}                             partitions (leader, log start, high watermark, bytes), configs
 *   GET  /topics/{t}/records?partition=&offset=|timestamp=&limit=
 *                                                records from `offset`, or the newest `limit` without it; keys,
 *                                                values and headers as text (base64 when not UTF-8); a key or
 *                                                value carrying a schema id decoded through the registry
 *   GET  /groups/{g}                             state, members with assignment, committed offsets with lag
 *                                                (type classic or consumer — KIP-848: group and assignment epochs,
 *                                                assignor, member epochs and target assignments; a share group:
 *                                                type "share", share-partitions with in-flight counts)
 *   POST /groups/{g}/reset {"to": "earliest"|"latest"}
 *                                                commits every partition the group committed to its log start
 *                                                or end; 409 (40901) unless the group has no members
 *   GET  /schemas                                subjects, their versions and compatibility levels
 *   GET  /schemas/{subject}                      every version's schema text
 *
 * Errors have Confluent's shape: 404 (40403 topic, 40410 group, 40401 subject), 400 for bad parameters.
 *
 * ACLs: as for REST v3 (rest.ts), a caller is User:ANONYMOUS from its address (or the user of admin.auth=basic); lists leave out what it may not
 * DESCRIBE, records need READ on the topic, a group page DESCRIBE on the group, a reset READ on the group and its
 * topics (as OffsetCommit does): 403 (40301) otherwise. With `registry.auth=basic` the schema pages are refused
 * (the registry's own port asks for credentials) and values are not decoded; otherwise values are decoded with the
 * broker's own registry, asked in-process (under --tls auto too).
 */
import type { Broker } from '../broker.js';
import { HttpError, HttpErrors, Router, type HttpRequest } from '../http/index.js';
import { resolveTopicConfigs, ConfigSource } from '../metadata/configs.js';
import { consumerGroupLags } from '../operator/lag.js';
import { groupInfo, listGroups, listTopics, readRecords, shareGroupInfo, topicInfo, type InspectedRecord } from '../testkit/inspect.js';
import { RegistryClient, WireDecoder, type RegistrySchema } from '../cli/schemas.js';
import type { RegistryState, SchemaVersion } from '../registry/index.js';
import { restContext } from '../operator/rest.js';
import { intParam } from '../testkit/http-state.js';
import { HANDLERS } from '../handlers/index.js';
import { Router as ApiRouter } from '../server/router.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';

const MAX_LIMIT = 500;
/** The most text one page of records carries, and the most headers a record shows (`headerCount` then says all). */
const MAX_ANSWER_CHARS = 4 * 1024 * 1024;
const MAX_SHOWN_HEADERS = 100;
const DEFAULT_LIMIT = 50;
const SOURCE_NAMES = Object.fromEntries(Object.entries(ConfigSource).map(([name, code]) => [code, name]));

const unknownTopic = (t: string) => new HttpError(404, 40403, `Topic '${t}' does not exist.`);
const unknownGroup = (g: string) => new HttpError(404, 40410, `Consumer group '${g}' does not exist.`);

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Whether the caller may do an operation on a resource (always, without `authorizer.enabled`). */
type May = (operation: number, resourceType: number, name: string) => boolean;

export function consoleApiRouter(broker: Broker): Router {
  const apis = new ApiRouter(HANDLERS);
  const mayFor = (req: HttpRequest): May => {
    const ctx = restContext(broker, apis, req);
    return (operation, resourceType, name) => authorized(ctx, operation, resourceType, name);
  };
  /** A handler run only when the caller may do `operation` on the resource the path parameter `param` names. */
  const guarded = (operation: number, resourceType: number, param: string, handle: (req: HttpRequest, may: May) => unknown) => (req: HttpRequest) => {
    const may = mayFor(req);
    if (!may(operation, resourceType, req.params[param]!)) throw forbidden();
    return handle(req, may);
  };
  const { DESCRIBE, READ } = AclOperation;
  const { TOPIC, GROUP } = ResourceType;
  return new Router({ maxBodyBytes: 64 * 1024 })
    .route('/overview', { GET: (req) => overview(broker, mayFor(req)) })
    .route('/topics/:topic', { GET: guarded(DESCRIBE, TOPIC, 'topic', (req, may) => topicPage(broker, req.params.topic!, may)) })
    .route('/topics/:topic/records', { GET: guarded(READ, TOPIC, 'topic', (req) => records(broker, req)) })
    .route('/groups/:group', { GET: guarded(DESCRIBE, GROUP, 'group', (req, may) => groupPage(broker, req.params.group!, may)) })
    .route('/groups/:group/reset', { POST: guarded(READ, GROUP, 'group', (req, may) => resetGroup(broker, req, may)) })
    .route('/schemas', { GET: () => schemas(broker) })
    .route('/schemas/:subject', { GET: (req) => subject(broker, req.params.subject!) });
}

const forbidden = () => new HttpError(403, 40301, 'Authorization failed.');

/**
 * The broker's own Schema Registry, asked in-process for the schemas that decode records: over its HTTP port it may
 * want the TLS CA or credentials the console does not have (values stayed undecoded under --tls auto).
 */
class InProcessRegistry extends RegistryClient {
  constructor(private readonly state: RegistryState) {
    super('samsa:in-process', 0);
  }

  override async schemaById(id: number): Promise<RegistrySchema> {
    return this.answer(this.state.getSchemaById(id));
  }

  override async version(subject: string, version: number | 'latest' = 'latest'): Promise<RegistrySchema> {
    return this.answer(this.state.getVersion(subject, version, false));
  }

  private answer(v: SchemaVersion): RegistrySchema {
    return { subject: v.subject, version: v.version, id: v.id, schema: v.schema, schemaType: v.schemaType, references: v.references };
  }
}

function overview(broker: Broker, may: May) {
  const bytesOf = (name: string, partitions: number) => sum(Array.from({ length: partitions }, (_, p) => broker.logs.figures(name, p)?.size ?? 0));
  return {
    clusterId: broker.clusterId,
    nodes: broker.nodes.map((n) => ({ id: n.id, endpoints: n.endpoints.map((e) => `${e.host}:${e.port}`) })),
    topics: listTopics(broker, true).filter((t) => may(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)).map((t) => ({
      name: t.name, internal: t.internal, partitions: t.partitions.length,
      records: sum(t.partitions.map((p) => p.highWatermark - p.logStartOffset)),
      bytes: bytesOf(t.name, t.partitions.length),
      bytesIn: broker.traffic.bytesIn.get(t.name) ?? 0, bytesOut: broker.traffic.bytesOut.get(t.name) ?? 0,
    })),
    groups: listGroups(broker).filter((g) => may(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId)).map((g) => ({
      groupId: g.groupId, type: g.type, state: g.state, members: g.members.length,
      // A share group's lag: records not yet acknowledged or archived. Only over topics the principal may DESCRIBE.
      lag: g.protocolType === 'share'
        ? sum(shareGroupInfo(broker, g.groupId)?.partitions.filter((p) => may(AclOperation.DESCRIBE, ResourceType.TOPIC, p.topic)).map((p) => p.lag) ?? [])
        : sum(g.committed.filter((c) => may(AclOperation.DESCRIBE, ResourceType.TOPIC, c.topic)).map((c) => c.lag ?? 0)),
    })),
    subjects: broker.registry && !registryLocked(broker) ? broker.registry.state.listSubjects(false).length : null,
  };
}

function topicPage(broker: Broker, name: string, may: May) {
  const info = topicInfo(broker, name);
  const meta = broker.clientTopic(name);
  if (!info || !meta) throw unknownTopic(name);
  const configs = resolveTopicConfigs(meta.configs, broker.config);
  return {
    name, internal: info.internal,
    partitions: info.partitions.map((p) => ({ ...p, bytes: broker.logs.figures(name, p.partition)?.size ?? 0 })),
    configs: !may(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, name) ? [] : configs.map((c) => ({ name: c.name, value: c.value, source: SOURCE_NAMES[c.source] ?? 'UNKNOWN', isDefault: c.source === ConfigSource.DEFAULT_CONFIG })),
  };
}

const isUtf8 = (b: Buffer): boolean => Buffer.from(b.toString('utf8'), 'utf8').equals(b);

/** Longest key, value or header text a record shows (the page is for looking, not for exporting). */
const MAX_SHOWN_CHARS = 64 * 1024;

type Shown = { text: string | null; encoding: string; schemaId?: number; error?: string; truncated?: number };

/** A header's key or value as the page shows it: cut at MAX_SHOWN_CHARS, marked with an ellipsis. */
const cut = (text: string) => (text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}\u2026` : text);

/** Longest compact JSON that is indented for the page: indentation grows with depth (1,500 levels made 603 KB 453 MB). */
const MAX_PRETTY_CHARS = 4096;

/** A decoded value as JSON text, indented when small. */
function pretty(value: unknown): string {
  const compact = JSON.stringify(value);
  return compact.length <= MAX_PRETTY_CHARS ? JSON.stringify(value, null, 1) : compact;
}

/** A string cut to its first `n` characters, copied: a slice would keep the whole string alive in V8. */
const copyOfStart = (text: string, n: number) => Buffer.from(text.slice(0, n), 'utf16le').toString('utf16le');

/** Bytes as the page shows them, cut at MAX_SHOWN_CHARS (`truncated`: the full length). */
async function shown(decoder: WireDecoder | null, data: Buffer | null): Promise<Shown> {
  const s = await decoded(decoder, data);
  return s.text !== null && s.text.length > MAX_SHOWN_CHARS ? { ...s, text: copyOfStart(s.text, MAX_SHOWN_CHARS), truncated: s.text.length } : s;
}

/** Decoded through the registry when the bytes carry a schema id, else text or base64. */
async function decoded(decoder: WireDecoder | null, data: Buffer | null): Promise<Shown> {
  if (data === null) return { text: null, encoding: 'null' };
  if (decoder && data.length >= 5 && data[0] === 0) {
    try {
      const decoded = await decoder.decode(data);
      if (decoded) return { text: pretty(decoded.value), encoding: 'schema', schemaId: data.readInt32BE(1) };
    } catch (err) {
      return { text: data.toString('base64'), encoding: 'base64', schemaId: data.readInt32BE(1), error: (err as Error).message };
    }
  }
  return isUtf8(data) ? { text: data.toString('utf8'), encoding: 'utf8' } : { text: data.toString('base64'), encoding: 'base64' };
}

async function records(broker: Broker, req: HttpRequest) {
  const topic = req.params.topic!;
  const meta = broker.clientTopic(topic);
  if (!meta) throw unknownTopic(topic);
  const partition = intParam(req.query, 'partition', 0) ?? 0;
  if (partition >= meta.partitions) throw new HttpError(404, 40403, `Topic '${topic}' has no partition ${partition}.`);
  const limit = Math.min(intParam(req.query, 'limit', 1) ?? DEFAULT_LIMIT, MAX_LIMIT);
  const log = broker.logs.get(topic, partition);
  // From an offset; else from the first record at or after a timestamp (the time index, as ListOffsets); else the
  // newest `limit` records (offsets, so markers and gaps may make it fewer).
  const timestamp = intParam(req.query, 'timestamp', 0);
  const offset = intParam(req.query, 'offset', 0)
    ?? (timestamp !== undefined ? log?.offsetForTimestamp(timestamp)?.offset ?? log?.highWatermark ?? 0 : undefined)
    ?? Math.max(log?.logStartOffset ?? 0, (log?.highWatermark ?? 0) - limit);
  const decoder = broker.registry && !registryLocked(broker) ? new WireDecoder(new InProcessRegistry(broker.registry.state)) : null;
  const found = readRecords(broker, topic, { partition, offset, limit }).filter((r: InspectedRecord) => r.control === null);
  // Records until the answer holds MAX_ANSWER_CHARS of text (500 records of 1 MB had made a 33 MB answer): the page
  // asks again from the next offset.
  const records = [];
  let chars = 0;
  for (const r of found) {
    if (chars > MAX_ANSWER_CHARS) break;
    const record = {
      offset: r.offset, timestamp: r.timestamp, key: await shown(decoder, r.key), value: await shown(decoder, r.value),
      headers: r.headers.slice(0, MAX_SHOWN_HEADERS).map((h) => ({ key: cut(h.key), value: h.value === null ? null : cut(isUtf8(h.value) ? h.value.toString('utf8') : h.value.toString('base64')) })),
      ...(r.headers.length > MAX_SHOWN_HEADERS ? { headerCount: r.headers.length } : {}),
    };
    chars += (record.key.text?.length ?? 0) + (record.value.text?.length ?? 0) + record.headers.reduce((n, h) => n + h.key.length + (h.value?.length ?? 0), 0);
    records.push(record);
  }
  return { topic, partition, offset, logStartOffset: log?.logStartOffset ?? 0, highWatermark: log?.highWatermark ?? 0, records };
}

/** A group's page: its committed offsets and lags only on topics the principal may DESCRIBE (as OffsetFetch). */
function groupPage(broker: Broker, group: string, may: May) {
  const info = groupInfo(broker, group);
  const share = info ? undefined : shareGroupInfo(broker, group);
  if (share) return { ...share, type: 'share' };
  if (!info || info.state === 'Dead') throw unknownGroup(group);
  const visible = (topic: string) => may(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
  return { ...info, committed: info.committed.filter((c) => visible(c.topic)), lags: consumerGroupLags(broker, group).filter((l) => visible(l.topic)) };
}

/**
 * Like `kafka-consumer-groups --reset-offsets --to-earliest|--to-latest --execute`: only for a group without
 * members (Kafka refuses an active group), over every partition the group has committed an offset for.
 */
async function resetGroup(broker: Broker, req: HttpRequest, may: May) {
  const group = req.params.group!;
  const body = await req.body() as { to?: unknown } | null;
  const to = body?.to;
  if (to !== 'earliest' && to !== 'latest') throw HttpErrors.badRequest("Field 'to' must be 'earliest' or 'latest'");
  const info = groupInfo(broker, group);
  if (!info || info.state === 'Dead') throw unknownGroup(group);
  if (info.members.length > 0) {
    throw new HttpError(409, 40901, `Consumer group '${group}' has ${info.members.length} active member(s); stop them before resetting offsets (state ${info.state}).`);
  }
  if (info.committed.some((c) => !may(AclOperation.READ, ResourceType.TOPIC, c.topic))) throw forbidden();
  const offsets = info.committed.flatMap((c) => {
    const log = broker.logs.get(c.topic, c.partition);
    return log ? [{ topic: c.topic, partition: c.partition, offset: to === 'earliest' ? log.logStartOffset : log.highWatermark, leaderEpoch: -1, metadata: '' }] : [];
  });
  await broker.groups.commitOffsets(group, offsets);
  return { group, to, offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })) };
}

/** The registry asks for credentials on its own port; the console does not hand its contents out without them. */
const registryLocked = (broker: Broker) => broker.config.get('registry.auth') === 'basic';

function registryState(broker: Broker) {
  const state = broker.registry?.state;
  if (!state) throw new HttpError(404, 40401, 'The Schema Registry is disabled (registry.port).');
  if (registryLocked(broker)) throw new HttpError(403, 40301, 'The Schema Registry requires authentication (registry.auth): use its own port.');
  return state;
}

function schemas(broker: Broker) {
  const state = registryState(broker);
  return {
    compatibility: state.configOf(null) ?? 'BACKWARD',
    subjects: state.listSubjects(false).sort().map((s) => ({ subject: s, versions: state.listVersions(s, false), compatibility: state.effectiveConfig(s) })),
  };
}

function subject(broker: Broker, name: string) {
  const state = registryState(broker);
  const versions = state.listVersions(name, false);
  if (versions.length === 0) throw new HttpError(404, 40401, `Subject '${name}' not found.`);
  return {
    subject: name, compatibility: state.effectiveConfig(name),
    versions: versions.map((v) => {
      const s = state.getVersion(name, v, false);
      return { version: s.version, id: s.id, schemaType: s.schemaType, schema: s.schema, references: s.references };
    }),
  };
}
