/**
 * `samsa topic list | create | describe | delete | alter-config | add-partitions`: Metadata, CreateTopics,
 * DeleteTopics, DescribeConfigs, IncrementalAlterConfigs and CreatePartitions, sent to the controller as Kafka's
 * admin client does (any broker forwards them in KRaft; Samsa's nodes share one state).
 */
import type { Command } from 'commander';
import {
  CreatePartitionsApi, CreateTopicsApi, DeleteTopicsApi, DescribeConfigsApi, IncrementalAlterConfigsApi,
} from '../../protocol/generated/index.js';
import { check, CliError, emit, table } from '../output.js';
import { collect, connectionOptions, formatOption, INT16_MAX, integer, keyValue, Session } from '../session.js';
import { act } from './act.js';

const TOPIC_RESOURCE = 2;
const ADMIN_TIMEOUT_MS = 30_000;
/** DescribeConfigs' configSource values (v1+). */
const CONFIG_SOURCES = ['unknown', 'topic', 'broker', 'default broker', 'static broker', 'default', 'broker logger'];
const CONFIG_OP = { set: 0, delete: 1 } as const;

async function list(s: Session): Promise<void> {
  const meta = await s.kafka().metadata(null);
  const topics = meta.topics
    .map((t) => ({ name: t.name ?? '', partitions: t.partitions.length, replicas: t.partitions[0]?.replicaNodes.length ?? 0, internal: t.isInternal }))
    .sort((a, b) => a.name.localeCompare(b.name));
  emit(s.format, topics, (ts) => table(['NAME', 'PARTITIONS', 'REPLICAS'], ts.map((t) => [t.name + (t.internal ? ' (internal)' : ''), t.partitions, t.replicas])));
}

async function create(s: Session, name: string, o: { partitions?: number; replicas?: number; config?: string[] }): Promise<void> {
  const conn = await s.kafka().controller();
  const res = await conn.request(CreateTopicsApi, {
    topics: [{
      name, numPartitions: o.partitions ?? -1, replicationFactor: o.replicas ?? -1, assignments: [], // -1: the broker's defaults
      configs: (o.config ?? []).map((pair) => keyValue(pair, '-c')).map(([k, value]) => ({ name: k, value })),
    }],
    timeoutMs: ADMIN_TIMEOUT_MS, validateOnly: false,
  });
  for (const t of res.topics) check(t.errorCode, `cannot create topic '${name}'`, t.errorMessage);
  emit(s.format, { name, created: true }, () => `Created topic '${name}'.`);
}

async function describe(s: Session, name: string): Promise<void> {
  const client = s.kafka();
  const meta = await client.topic(name);
  const [start, end, configs] = await Promise.all([
    client.offsetsAt(name, -2),
    client.offsetsAt(name, -1),
    (await client.any()).request(DescribeConfigsApi, {
      resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false,
    }),
  ]);
  const result = configs.results[0]!;
  check(result.errorCode, `configs of topic '${name}'`, result.errorMessage);
  const out = {
    name,
    internal: meta.isInternal,
    partitions: meta.partitions.map((p) => ({
      partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes,
      logStartOffset: start.get(p.partitionIndex), highWatermark: end.get(p.partitionIndex),
    })).sort((a, b) => a.partition - b.partition),
    configs: result.configs.map((c) => ({
      name: c.name, value: c.value, source: CONFIG_SOURCES[c.configSource] ?? (c.isDefault ? 'default' : 'unknown'), readOnly: c.readOnly, sensitive: c.isSensitive,
    })).sort((a, b) => a.name.localeCompare(b.name)),
  };
  emit(s.format, out, (t) => [
    table(['TOPIC', 'PARTITIONS', 'REPLICAS', 'INTERNAL'], [[t.name, t.partitions.length, t.partitions[0]?.replicas.length ?? 0, t.internal]]),
    '',
    table(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR', 'LOG-START', 'HIGH-WATERMARK'],
      t.partitions.map((p) => [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.highWatermark])),
    '',
    table(['CONFIG', 'VALUE', 'SOURCE'], t.configs.map((c) => [c.name, c.sensitive ? '(sensitive)' : c.value, c.source])),
  ].join('\n'));
}

async function remove(s: Session, name: string): Promise<void> {
  const res = await (await s.kafka().controller()).request(DeleteTopicsApi, { topics: [{ name, topicId: Buffer.alloc(16) }], topicNames: [name], timeoutMs: ADMIN_TIMEOUT_MS });
  for (const t of res.responses) check(t.errorCode, `cannot delete topic '${name}'`);
  emit(s.format, { name, deleted: true }, () => `Deleted topic '${name}'.`);
}

async function alterConfig(s: Session, name: string, o: { set?: string[]; delete?: string[] }): Promise<void> {
  const set = o.set ?? [];
  const deleted = o.delete ?? [];
  const configs = [
    ...set.map((pair) => keyValue(pair, '--set')).map(([k, value]) => ({ name: k, configOperation: CONFIG_OP.set, value })),
    ...deleted.map((k) => ({ name: k, configOperation: CONFIG_OP.delete, value: null })),
  ];
  if (configs.length === 0) throw new CliError('alter-config needs at least one --set key=value or --delete key', 2);
  const res = await (await s.kafka().controller()).request(IncrementalAlterConfigsApi, {
    resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name, configs }], validateOnly: false,
  });
  for (const r of res.responses) check(r.errorCode, `cannot alter configs of topic '${name}'`, r.errorMessage);
  emit(s.format, { name, set: Object.fromEntries(set.map((p) => keyValue(p, '--set'))), deleted },
    () => `Altered configs of topic '${name}'.`);
}

async function addPartitions(s: Session, name: string, o: { partitions: number }): Promise<void> {
  const res = await (await s.kafka().controller()).request(CreatePartitionsApi, {
    topics: [{ name, count: o.partitions, assignments: null }], timeoutMs: ADMIN_TIMEOUT_MS, validateOnly: false,
  });
  for (const r of res.results) check(r.errorCode, `cannot grow topic '${name}' to ${o.partitions} partitions`, r.errorMessage);
  emit(s.format, { name, partitions: o.partitions }, () => `Topic '${name}' now has ${o.partitions} partitions.`);
}

export function topicCommand(program: Command): void {
  const topic = program.command('topic').description('list, create, describe, alter and delete topics');
  const kafka = (cmd: Command) => formatOption(connectionOptions(cmd, { kafka: true }));
  kafka(topic.command('list').alias('ls').description('list topics')).action(act(list));
  kafka(topic.command('create').description('create a topic').argument('<name>')
    .option('-p, --partitions <n>', 'partition count (default: the broker\'s num.partitions)', integer('-p', 1))
    .option('-r, --replicas <n>', 'replication factor (default: the broker\'s default.replication.factor)', integer('-r', 1, INT16_MAX))
    .option('-c, --config <key=value>', 'a topic config (repeatable)', collect))
    .action(act(create));
  kafka(topic.command('describe').description('partitions, leaders, offsets and configs of a topic').argument('<name>')).action(act(describe));
  kafka(topic.command('delete').description('delete a topic').argument('<name>')).action(act(remove));
  kafka(topic.command('alter-config').description('set or delete topic configs').argument('<name>')
    .option('--set <key=value>', 'set a config (repeatable)', collect)
    .option('--delete <key>', 'remove a config, back to the broker default (repeatable)', collect))
    .action(act(alterConfig));
  kafka(topic.command('add-partitions').description('grow a topic to a new partition count').argument('<name>')
    .requiredOption('-p, --partitions <n>', 'the new total partition count', integer('-p', 1)))
    .action(act(addPartitions));
}
