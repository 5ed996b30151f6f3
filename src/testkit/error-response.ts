/**
 * Error responses built from a decoded request, for any API, with the error where that API's clients look for it:
 *
 * - partitions: APIs whose request and response list topics with partitions (Produce, Fetch, ListOffsets,
 *   OffsetCommit, ...) get the error on each partition asked for. Only the partitions a fault matches fail; the
 *   others still go to the handler and both answers are merged (a Produce to three partitions can lose one).
 * - top level: APIs with a top-level error code (JoinGroup, FindCoordinator, InitProducerId, ...), and group APIs
 *   that also have one (OffsetFetch v2+, OffsetDelete: Kafka answers coordinator errors there, not per partition).
 * - resources: the rest list one result per requested resource (CreateTopics, DescribeGroups, DescribeConfigs, ...).
 *
 * No table per API: the shape comes from the generated codecs themselves. Reading a message with a TemplateReader
 * yields an instance of every field at that version, each array holding one element, so the shape (field names and
 * nesting) is known for any version, even of a request whose arrays are empty. Its int64 fields read -1 (Kafka's
 * "no offset, no timestamp, no producer id" in error answers), other numbers 0, strings '' (nullable ones null).
 *
 * Metadata is the one exception (see the faults module): its answer must keep the broker list around a topic error.
 * Versions that name topics by id (Fetch 13+) are matched by the name the id resolves to (`names`).
 */
import type { ApiCodec } from '../protocol/api.js';
import { Reader } from '../protocol/reader.js';

type Message = Record<string, unknown>;

/** What a marked template holds in the int16, int32 and string fields the version has (absent ones keep defaults). */
const MARK16 = 31_111;
const MARK32 = 2_111_111_111;
const MARK_STRING = '\u0000present';
const MARK_BYTE = 0x5a;
const isMarkedId = (v: unknown): boolean => Buffer.isBuffer(v) && v.length === 16 && v.every((b) => b === MARK_BYTE);

/** Resolves a topic id of a request to the topic's name (undefined: no such topic). */
export type TopicNames = (id: Buffer) => string | undefined;

/**
 * A Reader that reads no bytes: every field gets a stand-in value and every array exactly one element. A marked
 * one tells the fields a version has from the defaults generated codecs fill in for fields it lacks.
 */
class TemplateReader extends Reader {
  constructor(private readonly marked = false) { super(Buffer.alloc(0)); }
  override int8(): number { return 0; }
  override int16(): number { return this.marked ? MARK16 : 0; }
  override uint16(): number { return 0; }
  override int32(): number { return this.marked ? MARK32 : 0; }
  override uint32(): number { return 0; }
  override int64(): number { return -1; }
  override bool(): boolean { return false; }
  override float64(): number { return 0; }
  override uvarint(): number { return 0; }
  override varint(): number { return 0; }
  override varlong(): number { return 0; }
  override raw(n: number): Buffer { return Buffer.alloc(n, this.marked ? MARK_BYTE : 0); } // uuids
  override nullableString(): string | null { return null; }
  override string(): string { return this.marked ? MARK_STRING : ''; }
  override nullableBytes(): Buffer | null { return null; }
  override bytes(): Buffer { return Buffer.alloc(0); }
  override nullableArray<T>(_compact: boolean, item: () => T): T[] { return [item()]; }
  override array<T>(_compact: boolean, item: () => T): T[] { return [item()]; }
  override taggedFields(): void {}
}

/** A request or response of `api` at `version` with every field present and every array holding one element. */
export function messageTemplate(api: ApiCodec<unknown, unknown>, version: number, side: 'request' | 'response', marked = false): Message {
  const r = new TemplateReader(marked);
  return (side === 'request' ? api.readRequest(r, version) : api.readResponse(r, version)) as Message;
}

const TOPIC_NAME = ['name', 'topic'];
const PARTITION_ID = ['partitionIndex', 'partition', 'index', 'partitionId'];

/** Where a request lists its topics and partitions (the partition list may be one of numbers: `partitionIndex` null). */
interface TopicPaths {
  topics: string;
  name: string;
  partitions: string | null;
  partitionIndex: string | null;
}

export type ErrorShape =
  | { kind: 'partitions'; request: TopicPaths; response: TopicPaths }
  | { kind: 'top-level'; request: TopicPaths | null }
  | { kind: 'resources'; request: TopicPaths | null; source: string | null; results: string };

const isObject = (v: unknown): v is Message => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * Where a request lists topics (an array field named for topics, not JoinGroup's protocols), or a response their
 * partitions' errors (any array of named topics whose partitions have an error code).
 */
function topicPaths(m: Message, needErrorCode: boolean): TopicPaths | null {
  let found: TopicPaths | null = null;
  for (const [field, value] of Object.entries(m)) {
    if (!Array.isArray(value) || !isObject(value[0]) || (!needErrorCode && !/topic/i.test(field))) continue;
    const topic = value[0];
    const name = TOPIC_NAME.find((n) => topic[n] === MARK_STRING) ?? (isMarkedId(topic.topicId) ? 'topicId' : undefined);
    if (!name) continue;
    for (const [partsField, parts] of Object.entries(topic)) {
      if (!Array.isArray(parts)) continue;
      const first = parts[0];
      if (first === MARK32 && !needErrorCode) return { topics: field, name, partitions: partsField, partitionIndex: null };
      if (!isObject(first) || (needErrorCode && first.errorCode !== MARK16)) continue;
      const partitionIndex = PARTITION_ID.find((n) => first[n] === MARK32);
      if (partitionIndex) return { topics: field, name, partitions: partsField, partitionIndex };
    }
    found ??= needErrorCode ? null : { topics: field, name, partitions: null, partitionIndex: null };
  }
  return found;
}

const shapes = new Map<ApiCodec<unknown, unknown>, Map<number, ErrorShape | null>>();

/** Where an error goes in `api`'s response at `version`; null when the response has no error code at all. */
export function errorShape(api: ApiCodec<unknown, unknown>, version: number): ErrorShape | null {
  let byVersion = shapes.get(api);
  if (!byVersion) shapes.set(api, byVersion = new Map());
  if (byVersion.has(version)) return byVersion.get(version)!;
  const request = messageTemplate(api, version, 'request', true);
  const response = messageTemplate(api, version, 'response', true);
  const requestTopics = topicPaths(request, false);
  const responseTopics = topicPaths(response, true);
  const groupLevel = request.groupId === MARK_STRING && response.errorCode === MARK16;
  let shape: ErrorShape | null = null;
  if (requestTopics?.partitions && responseTopics && !groupLevel) {
    shape = { kind: 'partitions', request: requestTopics, response: responseTopics };
  } else if (response.errorCode === MARK16) {
    shape = { kind: 'top-level', request: requestTopics };
  } else {
    const results = Object.keys(response).find((f) => Array.isArray(response[f]) && isObject((response[f] as unknown[])[0]) && (response[f] as Message[])[0].errorCode === MARK16);
    // The first list the request has at this version (a field of other versions reads as an empty default).
    const source = Object.keys(request).find((f) => Array.isArray(request[f]) && (request[f] as unknown[]).length > 0) ?? null;
    if (results) shape = { kind: 'resources', request: requestTopics, source, results };
  }
  byVersion.set(version, shape);
  return shape;
}

/** A request's topic entry's name: its name, or the name its id resolves to ('' for an unknown id). */
function topicName(topic: Message, paths: TopicPaths, names?: TopicNames): string {
  const value = topic[paths.name];
  return Buffer.isBuffer(value) ? names?.(value) ?? '' : value as string;
}

const sameTopic = (a: unknown, b: unknown): boolean => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b);

/** The (topic, partition) pairs a request names: partition -1 for a topic named without partitions. */
export function requestedPartitions(request: Message, paths: TopicPaths | null, names?: TopicNames): Array<[string, number]> {
  if (!paths) return [];
  const out: Array<[string, number]> = [];
  for (const topic of (request[paths.topics] as Message[] | null) ?? []) {
    const name = topicName(topic, paths, names);
    const parts = paths.partitions ? (topic[paths.partitions] as unknown[] | null) ?? [] : [];
    if (parts.length === 0) out.push([name, -1]);
    for (const p of parts) out.push([name, paths.partitionIndex ? (p as Message)[paths.partitionIndex] as number : p as number]);
  }
  return out;
}

/** A template element with its arrays emptied, ready to be filled. */
function blank(template: Message): Message {
  const out: Message = {};
  for (const [k, v] of Object.entries(template)) out[k] = Array.isArray(v) ? [] : v;
  return out;
}

export type Wants = (topic: string, partition: number) => boolean;

/**
 * Answers `request` with `errorCode`, or, for the partitions shape, splits it: the response items for the
 * partitions `wants` (`failed`) and the request without them (`rest`, null when nothing is left to handle).
 * Returns null when the request names nothing the fault wants.
 */
export function errorResponse(api: ApiCodec<unknown, unknown>, version: number, request: Message, errorCode: number, wants: Wants, names?: TopicNames):
  { response: Message; rest: Message | null; merge(into: Message): Message } | null {
  const shape = errorShape(api, version)!;
  const template = messageTemplate(api, version, 'response');
  const response = blank(template);
  const merge = (into: Message) => into;
  if (shape.kind === 'top-level') {
    response.errorCode = errorCode;
    return { response, rest: null, merge };
  }
  if (shape.kind === 'resources') {
    const itemTemplate = (template[shape.results] as Message[])[0];
    const sources = shape.source ? (request[shape.source] as unknown[] | null) ?? [null] : [null];
    response[shape.results] = sources.map((source) => resourceResult(itemTemplate, source, errorCode));
    return { response, rest: null, merge };
  }
  const { request: req, response: res } = shape;
  const topicTemplate = (template[res.topics] as Message[])[0];
  const partitionTemplate = (topicTemplate[res.partitions!] as Message[])[0];
  const failed: Message[] = [];
  const kept: Message[] = [];
  for (const topic of (request[req.topics] as Message[] | null) ?? []) {
    const name = topicName(topic, req, names);
    const partitions = (topic[req.partitions!] as unknown[] | null) ?? [];
    const indexOf = (p: unknown) => (req.partitionIndex ? (p as Message)[req.partitionIndex] as number : p as number);
    const hit = partitions.filter((p) => wants(name, indexOf(p)));
    if (hit.length === 0) { kept.push(topic); continue; }
    failed.push({
      ...blank(topicTemplate),
      [res.name]: topic[req.name],
      [res.partitions!]: hit.map((p) => ({ ...blank(partitionTemplate), [res.partitionIndex!]: indexOf(p), errorCode })),
    });
    const rest = partitions.filter((p) => !hit.includes(p));
    if (rest.length > 0) kept.push({ ...topic, [req.partitions!]: rest });
  }
  if (failed.length === 0) return null;
  response[res.topics] = failed;
  // What is left goes to the handler; a long poll (Fetch) must not hold back the errors, so it answers at once.
  const rest = kept.length === 0 ? null : { ...request, [req.topics]: kept, ...('maxWaitMs' in request ? { maxWaitMs: 0 } : {}) };
  return {
    response,
    rest,
    merge(into) {
      const topics = into[res.topics] as Message[];
      for (const f of failed) {
        const same = topics.find((t) => sameTopic(t[res.name], f[res.name]));
        if (same) (same[res.partitions!] as Message[]).push(...(f[res.partitions!] as Message[]));
        else topics.push(f);
      }
      return into;
    },
  };
}

/** One resource's result: its name (a requested string goes to the result's first string field) and the error. */
function resourceResult(template: Message, source: unknown, errorCode: number): Message {
  const result = blank(template);
  if (typeof source === 'string') {
    const field = Object.keys(template).find((k) => template[k] === '');
    if (field) result[field] = source;
  } else if (isObject(source)) {
    for (const [k, v] of Object.entries(source)) if (k in template && typeof template[k] === typeof v && !Array.isArray(v)) result[k] = v;
  }
  result.errorCode = errorCode;
  return result;
}
