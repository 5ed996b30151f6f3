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
 * the registry. --format: `text` (the value, one per line), `json` (one object per line) or a template in kcat's
 * style: %t topic, %p partition, %o offset, %k key, %v (or %s) value, %h headers as k=v,k=v, %T timestamp in ms,
 * %d timestamp as ISO-8601, %% a percent sign; \n, \t and \\ are escapes. A template adds no newline of its own.
 */
import { once } from 'node:events';
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
}

interface Cursor {
  partition: number;
  position: number;
  /** Exclusive; Infinity while following. */
  stop: number;
  startedAt: number;
}

/** A record as `--format json` prints it. */
interface Printed {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: unknown;
  value: unknown;
  headers: Array<{ key: string; value: string | null }>;
}

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
function render(template: string, r: Printed, text: (v: unknown) => string): string {
  return template.replace(/%([tpokvshTd%])|\\([ntr\\])/g, (_, field: string | undefined, escape: string | undefined) => {
    if (escape) return { n: '\n', t: '\t', r: '\r', '\\': '\\' }[escape]!;
    switch (field) {
      case 't': return r.topic;
      case 'p': return String(r.partition);
      case 'o': return String(r.offset);
      case 'k': return text(r.key);
      case 'v': case 's': return text(r.value);
      case 'h': return r.headers.map((h) => `${h.key}=${h.value ?? ''}`).join(',');
      case 'T': return String(r.timestamp);
      case 'd': return new Date(r.timestamp).toISOString();
      default: return '%';
    }
  });
}

const asText = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

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

  const emitRecord = async (partition: number, rec: DecodedRecord): Promise<void> => {
    const key = rec.key ? (await decoder.decode(rec.key))?.value ?? rec.key.toString('utf8') : null;
    const value = rec.value ? (await decoder.decode(rec.value))?.value ?? rec.value.toString('utf8') : null;
    const r: Printed = {
      topic, partition, offset: rec.offset, timestamp: rec.timestamp, key, value,
      headers: rec.headers.map((h) => ({ key: h.key, value: h.value ? h.value.toString('utf8') : null })),
    };
    const out = format === 'json' ? `${JSON.stringify(r)}\n` : format === 'text' ? `${asText(value)}\n` : render(format, r, asText);
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
          topics: [{ topic, partitions: parts.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: byPartition.get(partition)!.position, logStartOffset: -1, partitionMaxBytes: PARTITION_MAX_BYTES })) }],
          forgottenTopicsData: [], rackId: '',
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
    .option('-o, --offset <n>', 'start at offset <n>', integer('--offset'))
    .option('--from-timestamp <time>', 'start at the first record at or after <time> (ms since the epoch, or ISO-8601)')
    .option('--first <n>', 'the first <n> records of each partition', integer('--first', 1))
    .option('--last <n>', 'the last <n> records of each partition', integer('--last', 1))
    .option('--next <n>', 'the next <n> records of each partition after --group\'s committed offset; commits', integer('--next', 1))
    .option('-g, --group <group>', 'consumer group whose committed offsets --next reads from and commits')
    .option('-f, --follow', 'keep waiting for new records (until --count or Ctrl-C)')
    .option('-n, --count <n>', 'stop after <n> records in all', integer('--count', 1))
    .option('--format <format>', 'text (values), json (one object per line) or a template such as \'%p:%o %k=%v\\n\'', 'text')
    .action(act(consume));
}
