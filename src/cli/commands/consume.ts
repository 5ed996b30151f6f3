/**
 * `samsa consume TOPIC`: reads records with the polling strategies Iggy names, per partition (all, or --partition):
 *   (default)            from the log start;
 *   --offset N           from offset N (the log start, if N is below it);
 *   --from-timestamp T   from the first record with a timestamp at or after T (ms, or an ISO-8601 date-time);
 *   --first N            the first N records;
 *   --last N             the last N records;
 *   --next N --group G   the N records after G's committed offset (the log start when it has none), then commits
 *                        the new position (a simple, member-less commit: generation -1, as Kafka allows for an
 *                        empty group). --group alone reads everything after the committed offset.
 * It stops at the end of each partition as it was when the command started, or with --follow keeps waiting for new
 * records (a 500 ms long poll) until --count records were printed or SIGINT/SIGTERM.
 *
 * Keys and values that start with the Confluent wire header (magic byte 0 + 4-byte schema id) are decoded through
 * the registry (--no-decode: never); one whose schema the registry does not give, or that does not decode with it, is
 * printed as stored, with a warning on stderr (once per schema id). --format: `text` (the value, one per line),
 * `json` (one object per line) or a template in kcat's style: %t topic, %p partition, %o offset, %k key, %v (or %s)
 * value, %h headers as k=v,k=v, %T timestamp in ms, %d timestamp as ISO-8601, %% a percent sign; \n, \t and \\ are
 * escapes. A template adds no newline of its own. Text and templates write keys and values as their bytes, as Kafka's
 * console consumer does; JSON gives bytes that are not UTF-8 in base64, naming that in keyEncoding / valueEncoding
 * (a header's in its `encoding`).
 */
import { once } from 'node:events';
import { isUtf8 } from 'node:buffer';
import type { Command } from 'commander';
import { FetchApi, OffsetCommitApi, OffsetFetchApi, type MetadataResponseTopics } from '../../protocol/generated/index.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import { decodeBatch, lastOffsetOf, readBatchHeader, LOG_OVERHEAD, type DecodedRecord } from '../../protocol/record-batch.js';
import { byLeader, type KafkaClient } from '../kafka-client.js';
import { check, CliError, KafkaError } from '../output.js';
import { WireDecoder } from '../schemas.js';
import { connectionOptions, integer, parseTime, Session } from '../session.js';
import { act } from './act.js';

const FOLLOW_WAIT_MS = 500;
const PARTITION_MAX_BYTES = 1024 * 1024;
const FETCH_MAX_BYTES = 50 * 1024 * 1024;

interface Options {
  partition?: number;
  offset?: number;
  fromTimestamp?: string;
  first?: number;
  last?: number;
  next?: number;
  group?: string;
  follow?: boolean;
  count?: number;
  format: string;
  decode: boolean;
}

interface Cursor {
  partition: number;
  position: number;
  /** Exclusive; Infinity while following. */
  stop: number;
  startedAt: number;
}

/** A key or value: what the registry decoded, else the stored bytes. */
type Field = { decoded: unknown } | Buffer | null;

/** A record as the formats see it. */
interface Printed {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Field;
  value: Field;
  headers: Array<{ key: string; value: Buffer | null }>;
}

const NEWLINE = Buffer.from('\n');

/** A field's bytes as text and templates write them (a decoded value as JSON, or itself if a string; null as `null`, as Kafka's console consumer). */
const NULL_TEXT = Buffer.from('null');
function bytesOf(f: Field): Buffer {
  if (f === null) return NULL_TEXT;
  if (Buffer.isBuffer(f)) return f;
  return Buffer.from(typeof f.decoded === 'string' ? f.decoded : JSON.stringify(f.decoded));
}

/** Bytes in a JSON line: a string if they are UTF-8, else base64 (and `encoding` says so). */
function jsonBytes(bytes: Buffer): { text: string; encoding?: 'base64' } {
  return isUtf8(bytes) ? { text: bytes.toString('utf8') } : { text: bytes.toString('base64'), encoding: 'base64' };
}

/** A record as `--format json` prints it. */
function asJson(r: Printed): Record<string, unknown> {
  const out: Record<string, unknown> = { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp };
  for (const name of ['key', 'value'] as const) {
    const f = r[name];
    if (f === null || !Buffer.isBuffer(f)) out[name] = f === null ? null : f.decoded;
    else {
      const { text, encoding } = jsonBytes(f);
      out[name] = text;
      if (encoding) out[`${name}Encoding`] = encoding;
    }
  }
  out.headers = r.headers.map((h) => (h.value === null ? { key: h.key, value: null } : { key: h.key, ...renameText(jsonBytes(h.value)) }));
  return out;
}

const renameText = ({ text, encoding }: { text: string; encoding?: string }) => (encoding ? { value: text, encoding } : { value: text });

function strategyOf(o: Options): string {
  const given = (['offset', 'fromTimestamp', 'first', 'last', 'next'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) throw new CliError(`choose one of --offset, --from-timestamp, --first, --last, --next (got ${given.length})`, 2);
  const strategy = given[0] ?? (o.group !== undefined ? 'next' : 'start');
  if (strategy === 'next' && o.group === undefined) throw new CliError('--next needs --group <group>', 2);
  if (o.group !== undefined && strategy !== 'next') throw new CliError('--group goes with --next (or alone): it reads from and commits the group\'s offsets', 2);
  return strategy;
}

/** The group's committed offsets for `partitions` (-1 where it has none). */
async function committedOffsets(client: KafkaClient, group: string, topic: string, partitions: number[]): Promise<Map<number, number>> {
  return client.retrying(async () => {
    const topics = [{ name: topic, partitionIndexes: partitions }];
    const sent = await (await client.coordinator(group)).request(OffsetFetchApi, { groupId: group, topics, groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics }], requireStable: false });
    const res = sent.groups[0] ?? sent; // v8+ answer per group
    check(res.errorCode, `offsets of group '${group}'`);
    const out = new Map<number, number>();
    for (const p of res.topics.flatMap((t) => t.partitions)) {
      check(p.errorCode, `offset of group '${group}' on ${topic}/${p.partitionIndex}`);
      out.set(p.partitionIndex, p.committedOffset);
    }
    return out;
  });
}

/** Commits `offsets` for `group` without joining it (generation -1), as Kafka allows for an empty group. */
export async function commitOffsets(client: KafkaClient, group: string, topic: string, offsets: Map<number, number>): Promise<void> {
  if (offsets.size === 0) return;
  await client.retrying(async () => {
    const res = await (await client.coordinator(group)).request(OffsetCommitApi, {
      groupId: group, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: topic, partitions: [...offsets].map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: '' })) }],
    });
    for (const p of res.topics.flatMap((t) => t.partitions)) {
      const why = p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || p.errorCode === ErrorCode.ILLEGAL_GENERATION ? 'the group has active members' : null;
      check(p.errorCode, `cannot commit group '${group}' on ${topic}/${p.partitionIndex}`, why);
    }
  });
}

/** The template's output for one record. */
function render(template: string, r: Printed): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of template.matchAll(/%([tpokvshTd%])|\\([ntr\\])/g)) {
    parts.push(Buffer.from(template.slice(last, m.index)));
    last = m.index! + m[0].length;
    const [, field, escape] = m;
    if (escape) parts.push(Buffer.from({ n: '\n', t: '\t', r: '\r', '\\': '\\' }[escape]!));
    else if (field === 'k') parts.push(bytesOf(r.key));
    else if (field === 'v' || field === 's') parts.push(bytesOf(r.value));
    else if (field === 'h') parts.push(Buffer.concat(r.headers.flatMap((h, i) => [Buffer.from(`${i > 0 ? ',' : ''}${h.key}=`), h.value ?? Buffer.alloc(0)])));
    else parts.push(Buffer.from(fieldText(field!, r)));
  }
  parts.push(Buffer.from(template.slice(last)));
  return Buffer.concat(parts);
}

/** A template's text field: %t %p %o %T %d, and %% a percent sign. */
function fieldText(field: string, r: Printed): string {
  switch (field) {
    case 't': return r.topic;
    case 'p': return String(r.partition);
    case 'o': return String(r.offset);
    case 'T': return String(r.timestamp);
    case 'd': return new Date(r.timestamp).toISOString();
    default: return '%';
  }
}

async function consume(s: Session, topic: string, o: Options): Promise<void> {
  const strategy = strategyOf(o);
  const format = o.format;
  if (format !== 'text' && format !== 'json' && !/%[tpokvshTd]/.test(format)) {
    throw new CliError(`--format expects text, json or a template with %k, %v, %p, %o, %T… fields, got '${format}'`, 2);
  }
  const client = s.kafka();
  let meta: MetadataResponseTopics = await client.topic(topic);
  const partitions = o.partition !== undefined ? [o.partition] : meta.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
  byLeader(meta, partitions); // fails for a partition the topic lacks
  const [starts, ends] = await Promise.all([client.offsetsAt(topic, -2, partitions), client.offsetsAt(topic, -1, partitions)]);
  const fromTime = o.fromTimestamp !== undefined ? await client.offsetsAt(topic, parseTime(o.fromTimestamp, '--from-timestamp'), partitions) : null;
  const committed = o.group !== undefined ? await committedOffsets(client, o.group, topic, partitions) : null;
  const follow = o.follow === true;

  const cursors: Cursor[] = partitions.map((partition) => {
    const start = starts.get(partition)!;
    const end = ends.get(partition)!;
    const upTo = (n: number) => (follow ? n : Math.min(n, end));
    let position = start;
    let stop = follow ? Infinity : end;
    switch (strategy) {
      case 'offset': position = Math.max(o.offset!, start); break;
      case 'fromTimestamp': { const at = fromTime!.get(partition)!; position = at < 0 ? end : at; break; }
      case 'first': stop = upTo(start + o.first!); break;
      case 'last': position = Math.max(start, end - o.last!); break;
      case 'next': {
        const c = committed!.get(partition)!;
        position = c < 0 ? start : Math.max(c, start);
        if (o.next !== undefined) stop = upTo(position + o.next);
        break;
      }
    }
    return { partition, position, stop, startedAt: position };
  });

  const decoder = new WireDecoder(s.registry());
  let printed = 0;
  let stopping = false;
  const stop = () => { stopping = true; };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const limitReached = () => o.count !== undefined && printed >= o.count;

  const warned = new Set<string>();
  /** A key or value decoded through the registry if it carries a schema id and decodes, else its bytes. */
  const field = async (data: Buffer | null, what: string, partition: number, offset: number): Promise<Field> => {
    if (data === null || !o.decode) return data;
    try {
      const decoded = await decoder.decode(data);
      return decoded ? { decoded: decoded.value } : data;
    } catch (err) {
      const why = (err as Error).message;
      if (!warned.has(why)) {
        warned.add(why);
        process.stderr.write(`samsa: ${topic}/${partition} offset ${offset}: the ${what} looks like schema-registry data but is not decoded (${why}); printed as stored (--no-decode: never decode)\n`);
      }
      return data;
    }
  };

  const emitRecord = async (partition: number, rec: DecodedRecord): Promise<void> => {
    const r: Printed = {
      topic, partition, offset: rec.offset, timestamp: rec.timestamp,
      key: await field(rec.key, 'key', partition, rec.offset), value: await field(rec.value, 'value', partition, rec.offset),
      headers: rec.headers.map((h) => ({ key: h.key, value: h.value })),
    };
    const out = format === 'json' ? Buffer.from(`${JSON.stringify(asJson(r))}\n`) : format === 'text' ? Buffer.concat([bytesOf(r.value), NEWLINE]) : render(format, r);
    if (!process.stdout.write(out)) await once(process.stdout, 'drain');
    printed++;
  };

  /** Prints the records of one fetched partition that lie in [position, stop), and moves the cursor past them. */
  const take = async (c: Cursor, records: Buffer): Promise<void> => {
    for (let pos = 0; pos + LOG_OVERHEAD <= records.length && c.position < c.stop && !limitReached();) {
      const size = records.readInt32BE(pos + 8) + LOG_OVERHEAD;
      if (pos + size > records.length) break; // a partial batch at the end of the response
      const header = readBatchHeader(records, pos);
      if (!header.isControl) {
        for (const rec of decodeBatch(records, pos).records) {
          if (rec.offset < c.position) continue; // a batch that starts before the position
          if (rec.offset >= c.stop || limitReached()) break;
          await emitRecord(c.partition, rec);
          c.position = rec.offset + 1;
        }
      }
      if (!limitReached()) c.position = Math.min(Math.max(c.position, lastOffsetOf(header) + 1), c.stop);
      pos += size;
    }
  };

  try {
    while (!stopping && !limitReached()) {
      const active = cursors.filter((c) => c.position < c.stop);
      if (active.length === 0) break;
      const byPartition = new Map(active.map((c) => [c.partition, c]));
      let stale = false;
      for (const [leader, parts] of byLeader(meta, [...byPartition.keys()])) {
        const wait = follow ? FOLLOW_WAIT_MS : 0;
        const res = await (await client.node(leader)).request(FetchApi, {
          replicaId: -1, maxWaitMs: wait, minBytes: 1, maxBytes: FETCH_MAX_BYTES, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic, topicId: meta.topicId, partitions: parts.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: byPartition.get(partition)!.position, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: PARTITION_MAX_BYTES })) }],
          forgottenTopicsData: [], rackId: '', clusterId: null,
        }, wait);
        check(res.errorCode, `fetch from ${topic}`);
        for (const p of res.responses.flatMap((r) => r.partitions)) {
          const c = byPartition.get(p.partitionIndex)!;
          if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && c.position < p.logStartOffset) {
            c.position = p.logStartOffset; // deleted by retention meanwhile: go on from the new log start
            continue;
          }
          if (p.errorCode !== ErrorCode.NONE) {
            const err = new KafkaError(p.errorCode, `fetch from ${topic}/${p.partitionIndex}`);
            if (!err.retriable) throw err;
            stale = true;
            continue;
          }
          const records = Array.isArray(p.records) ? Buffer.concat(p.records) : p.records;
          if (records && records.length > 0) await take(c, records);
          else if (!follow && c.position >= p.highWatermark) c.stop = c.position; // the log shrank below where we meant to stop
        }
        if (stopping || limitReached()) break;
      }
      if (stale) meta = await client.topic(topic);
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  if (o.group !== undefined) {
    await commitOffsets(client, o.group, topic, new Map(cursors.filter((c) => c.position !== c.startedAt).map((c) => [c.partition, c.position])));
  }
}

export function consumeCommand(program: Command): void {
  connectionOptions(program.command('consume'), { kafka: true, registry: true })
    .description('print records of a topic (decoding schema-encoded keys and values through the registry)')
    .argument('<topic>')
    .option('-p, --partition <n>', 'read only this partition', integer('--partition'))
    .option('-o, --offset <n>', 'start at offset <n>', integer('--offset', 0, Number.MAX_SAFE_INTEGER))
    .option('--from-timestamp <time>', 'start at the first record at or after <time> (ms since the epoch, or ISO-8601)')
    .option('--first <n>', 'the first <n> records of each partition', integer('--first', 1))
    .option('--last <n>', 'the last <n> records of each partition', integer('--last', 1))
    .option('--next <n>', 'the next <n> records of each partition after --group\'s committed offset; commits', integer('--next', 1))
    .option('-g, --group <group>', 'consumer group whose committed offsets --next reads from and commits')
    .option('-f, --follow', 'keep waiting for new records (until --count or Ctrl-C)')
    .option('-n, --count <n>', 'stop after <n> records in all', integer('--count', 1, Number.MAX_SAFE_INTEGER))
    .option('--format <format>', 'text (values), json (one object per line) or a template such as \'%p:%o %k=%v\\n\'', 'text')
    .option('--no-decode', 'print schema-registry data as stored, without asking the registry')
    .action(act(consume));
}
