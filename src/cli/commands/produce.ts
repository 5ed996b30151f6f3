/**
 * `samsa produce TOPIC`: one record per input line (stdin or --file; empty lines are skipped), optionally split into
 * key and value at the first --key-separator, with --header k=v on every record. Keyed records go to the partition
 * Kafka's Java client picks (murmur2 of the key), so `samsa produce` and a Java producer agree; unkeyed ones go round
 * robin; --partition pins one. With --value-subject or --value-schema-id the value is JSON text, checked against the
 * schema and written in the Confluent wire format.
 *
 * Lines are sent in batches (per partition, acks=all): when 1000 are waiting, or 512 KiB of them (a batch stays under
 * the broker's message.max.bytes, 1 MiB by default, as the Java producer's batch.size keeps it), or 50 ms after the
 * first one arrived, so a slow stdin (a person typing) sees each line go out promptly.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ProduceApi, type MetadataResponseTopics } from '../../protocol/generated/index.js';
import { Compression, encodeBatch, type RecordHeader, type RecordInput } from '../../protocol/record-batch.js';
import { ErrorCode } from '../../protocol/generated/errors.js';
import { byLeader, sleep } from '../kafka-client.js';
import { CliError, KafkaError, emit, table } from '../output.js';
import { codecFor, type ValueCodec } from '../schemas.js';
import { collect, connectionOptions, formatOption, integer, keyValue, Session } from '../session.js';
import { act } from './act.js';
import { partitionForKey } from '../../protocol/partitioner.js';

const MAX_WAITING = 1000;
const MAX_WAITING_BYTES = 512 * 1024;
const LINGER_MS = 50;
const ATTEMPTS = 5;

interface Options {
  file?: string;
  keySeparator?: string;
  nullMarker?: string;
  header?: string[];
  partition?: number;
  valueSubject?: string;
  valueSchemaId?: number;
  compression: keyof typeof Compression;
}

interface Sent { partition: number; records: number; firstOffset: number; lastOffset: number }

async function valueCodec(s: Session, o: Options): Promise<ValueCodec | null> {
  if (o.valueSubject !== undefined && o.valueSchemaId !== undefined) throw new CliError('give --value-subject or --value-schema-id, not both', 2);
  const registry = s.registry();
  if (o.valueSchemaId !== undefined) return codecFor(registry, o.valueSchemaId, await registry.schemaById(o.valueSchemaId));
  if (o.valueSubject !== undefined) {
    const latest = await registry.version(o.valueSubject);
    return codecFor(registry, latest.id!, latest);
  }
  return null;
}

async function produce(s: Session, topicName: string, o: Options): Promise<void> {
  const headers: RecordHeader[] = (o.header ?? []).map((pair) => keyValue(pair, '--header')).map(([key, value]) => ({ key, value: Buffer.from(value) }));
  const headerBytes = headers.reduce((n, h) => n + Buffer.byteLength(h.key) + (h.value?.length ?? 0), 0);
  // The input first: a file that cannot be read creates no topic.
  const input = o.file ? await openInput(o.file) : process.stdin;
  const client = s.kafka();
  const codec = await valueCodec(s, o);
  let meta: MetadataResponseTopics = await client.topic(topicName, true);
  if (o.partition !== undefined && !meta.partitions.some((p) => p.partitionIndex === o.partition)) {
    throw new CliError(`topic '${topicName}' has no partition ${o.partition} (it has ${meta.partitions.length})`);
  }
  const sent = new Map<number, Sent>();
  let roundRobin = 0;

  const partitionOf = (key: Buffer | null): number => {
    if (o.partition !== undefined) return o.partition;
    const count = meta.partitions.length;
    return key ? partitionForKey(key, count) : roundRobin++ % count;
  };

  /** Sends one batch per partition to its leader; partitions refused with a retriable error go again after a metadata refresh. */
  const send = async (byPartition: Map<number, RecordInput[]>): Promise<void> => {
    let waiting = byPartition;
    for (let attempt = 1; waiting.size > 0; attempt++) {
      const retry = new Map<number, RecordInput[]>();
      await Promise.all([...byLeader(meta, [...waiting.keys()])].map(async ([leader, partitions]) => {
        const res = await (await client.node(leader)).request(ProduceApi, {
          transactionalId: null, acks: -1, timeoutMs: 30_000,
          topicData: [{ name: topicName, partitionData: partitions.map((index) => ({ index, records: encodeBatch(waiting.get(index)!, { compression: Compression[o.compression] }) })) }],
        });
        for (const p of res.responses.flatMap((r) => r.partitionResponses)) {
          const records = waiting.get(p.index)!;
          if (p.errorCode !== ErrorCode.NONE) {
            const err = new KafkaError(p.errorCode, `cannot produce to ${topicName}/${p.index}`);
            if (!err.retriable || attempt >= ATTEMPTS) throw err;
            retry.set(p.index, records);
            continue;
          }
          const before = sent.get(p.index);
          sent.set(p.index, {
            partition: p.index, records: (before?.records ?? 0) + records.length,
            firstOffset: before?.firstOffset ?? p.baseOffset, lastOffset: p.baseOffset + records.length - 1,
          });
        }
      }));
      if (retry.size > 0) {
        await sleep(200 * attempt);
        meta = await client.topic(topicName);
      }
      waiting = retry;
    }
  };

  let pending = new Map<number, RecordInput[]>();
  let pendingCount = 0;
  let pendingBytes = 0;
  let flushing: Promise<void> = Promise.resolve();
  let linger: NodeJS.Timeout | null = null;
  let failed: unknown = null;
  const flush = (): Promise<void> => {
    if (linger) clearTimeout(linger);
    linger = null;
    const batch = pending;
    pending = new Map();
    pendingCount = 0;
    pendingBytes = 0;
    if (batch.size > 0) flushing = flushing.then(() => send(batch)).catch((err) => { failed ??= err; throw err; });
    return flushing;
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    try {
      for await (const line of lines) {
        lineNumber++;
        if (failed) break; // a lingering batch failed: stop reading; the final flush reports it
        if (line === '') continue;
        let key: Buffer | null = null;
        let text = line;
        if (o.keySeparator) {
          // As Kafka's console producer with parse.key: a line without the separator is an error, not a null key.
          const at = line.indexOf(o.keySeparator);
          if (at < 0) throw new CliError(`line ${lineNumber}: no key separator '${o.keySeparator}'`);
          const keyText = line.slice(0, at);
          key = keyText === o.nullMarker ? null : Buffer.from(keyText);
          text = line.slice(at + o.keySeparator.length);
        }
        let value: Buffer | null;
        try {
          value = text === o.nullMarker ? null : codec ? codec.encode(text) : Buffer.from(text);
        } catch (err) {
          throw new CliError(`line ${lineNumber}: value ${(err as Error).message}`);
        }
        const bytes = (key?.length ?? 0) + (value?.length ?? 0) + headerBytes;
        if (pendingCount > 0 && pendingBytes + bytes > MAX_WAITING_BYTES) await flush();
        if (failed) break;
        const partition = partitionOf(key);
        if (!pending.has(partition)) pending.set(partition, []);
        pending.get(partition)!.push({ key, value, headers });
        pendingCount++;
        pendingBytes += bytes;
        if (pendingCount >= MAX_WAITING || pendingBytes >= MAX_WAITING_BYTES) await flush();
        else linger ??= setTimeout(() => { flush().catch(() => {}); }, LINGER_MS);
      }
    } finally {
      if (linger) clearTimeout(linger);
    }
    await flush();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code && o.file && !(err instanceof CliError)) throw new CliError(`cannot read ${o.file}: ${(err as Error).message}`);
    // The lines before a bad line are written (as Kafka's console producer sends them); what was written before the
    // failure stays written: say how much.
    if (pendingCount > 0 && !failed) await flush().catch(() => {});
    await flushing.catch(() => {});
    const written = [...sent.values()].reduce((n, p) => n + p.records, 0);
    if (err instanceof CliError && written > 0) throw new CliError(`${err.message} (${written} record${written === 1 ? '' : 's'} written before it)`, err.exitCode);
    throw err;
  }
  const partitions = [...sent.values()].sort((a, b) => a.partition - b.partition);
  const records = partitions.reduce((n, p) => n + p.records, 0);
  emit(s.format, { topic: topicName, records, partitions }, () => [
    `Produced ${records} record${records === 1 ? '' : 's'} to '${topicName}'.`,
    ...(partitions.length ? [table(['PARTITION', 'RECORDS', 'FIRST-OFFSET', 'LAST-OFFSET'], partitions.map((p) => [p.partition, p.records, p.firstOffset, p.lastOffset]))] : []),
  ].join('\n'));
}

/** The --file to read, opened (a missing file, a directory or no permission is a one-line error). */
async function openInput(file: string): Promise<Readable> {
  try {
    const handle = await open(file, 'r');
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw new CliError(`cannot read ${file}: it is a directory`);
    }
    return handle.createReadStream();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

export function produceCommand(program: Command): void {
  formatOption(connectionOptions(program.command('produce'), { kafka: true, registry: true }))
    .description('produce lines from stdin or a file, one record each')
    .argument('<topic>')
    .option('-f, --file <path>', 'read lines from this file instead of stdin')
    .option('-k, --key-separator <sep>', 'split each line into key and value at the first <sep> (a line without it is an error)')
    .option('--null-marker <text>', 'a key or value that is exactly <text> is written as null (a value: a tombstone)')
    .option('-H, --header <key=value>', 'a header on every record (repeatable)', collect)
    .option('-p, --partition <n>', 'send every record to this partition', integer('--partition'))
    .option('--value-subject <subject>', 'encode JSON values with the latest schema of <subject> (Confluent wire format)')
    .option('--value-schema-id <id>', 'encode JSON values with schema <id> (Confluent wire format)', integer('--value-schema-id', 1))
    .addOption(new Option('--compression <codec>', 'batch compression').choices(Object.keys(Compression)).default('none'))
    .action(act(produce));
}
