/**
 * Topic configs: Kafka's names, their broker-level defaults (the `log.*` names a broker config sets) and types.
 * DescribeConfigs reports them with their source; the log reads them through `effectiveTopicConfig`.
 */
import { clientInput } from '../protocol/client-input.js';

export type ConfigType = 'long' | 'int' | 'double' | 'string' | 'boolean' | 'list';

export interface TopicConfigDef {
  name: string;
  /** The broker config that sets its default (Kafka's synonym), if any. */
  brokerKey: string | null;
  type: ConfigType;
  defaultValue: string;
  /** Allowed values for enumerated configs. */
  oneOf?: string[];
}

const LONG_MAX = '9223372036854775807';

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', brokerKey: 'log.cleanup.policy', type: 'list', defaultValue: 'delete', oneOf: ['delete', 'compact'] },
  { name: 'compression.type', brokerKey: 'compression.type', type: 'string', defaultValue: 'producer',
    oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'] },
  { name: 'delete.retention.ms', brokerKey: 'log.cleaner.delete.retention.ms', type: 'long', defaultValue: '86400000' },
  { name: 'file.delete.delay.ms', brokerKey: 'log.segment.delete.delay.ms', type: 'long', defaultValue: '60000' },
  { name: 'flush.messages', brokerKey: 'log.flush.interval.messages', type: 'long', defaultValue: LONG_MAX },
  { name: 'flush.ms', brokerKey: 'log.flush.interval.ms', type: 'long', defaultValue: LONG_MAX },
  { name: 'index.interval.bytes', brokerKey: 'log.index.interval.bytes', type: 'int', defaultValue: '4096' },
  { name: 'max.compaction.lag.ms', brokerKey: 'log.cleaner.max.compaction.lag.ms', type: 'long', defaultValue: LONG_MAX },
  { name: 'max.message.bytes', brokerKey: 'message.max.bytes', type: 'int', defaultValue: '1048588' },
  { name: 'message.timestamp.difference.max.ms', brokerKey: 'log.message.timestamp.difference.max.ms', type: 'long', defaultValue: LONG_MAX },
  { name: 'message.timestamp.type', brokerKey: 'log.message.timestamp.type', type: 'string', defaultValue: 'CreateTime',
    oneOf: ['CreateTime', 'LogAppendTime'] },
  { name: 'min.cleanable.dirty.ratio', brokerKey: 'log.cleaner.min.cleanable.ratio', type: 'double', defaultValue: '0.5' },
  { name: 'min.compaction.lag.ms', brokerKey: 'log.cleaner.min.compaction.lag.ms', type: 'long', defaultValue: '0' },
  { name: 'min.insync.replicas', brokerKey: 'min.insync.replicas', type: 'int', defaultValue: '1' },
  { name: 'preallocate', brokerKey: 'log.preallocate', type: 'boolean', defaultValue: 'false' },
  { name: 'retention.bytes', brokerKey: 'log.retention.bytes', type: 'long', defaultValue: '-1' },
  { name: 'retention.ms', brokerKey: 'log.retention.ms', type: 'long', defaultValue: '604800000' },
  { name: 'segment.bytes', brokerKey: 'log.segment.bytes', type: 'int', defaultValue: '1073741824' },
  { name: 'segment.index.bytes', brokerKey: 'log.index.size.max.bytes', type: 'int', defaultValue: '10485760' },
  { name: 'segment.jitter.ms', brokerKey: 'log.roll.jitter.ms', type: 'long', defaultValue: '0' },
  { name: 'segment.ms', brokerKey: 'log.roll.ms', type: 'long', defaultValue: '604800000' },
  { name: 'unclean.leader.election.enable', brokerKey: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false' },
  { name: 'message.downconversion.enable', brokerKey: 'log.message.downconversion.enable', type: 'boolean', defaultValue: 'true' },
  // Samsa's broker-side schema validation (Confluent's names): produce rejects records without a registered id.
  { name: 'confluent.key.schema.validation', brokerKey: null, type: 'boolean', defaultValue: 'false' },
  { name: 'confluent.value.schema.validation', brokerKey: null, type: 'boolean', defaultValue: 'false' },
];

export const topicConfigDefs: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** Checks one topic config value; returns an error message, or null when valid. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = topicConfigDefs.get(name);
  if (!def) return `Unknown topic config name: ${clientInput(name)}`;
  if (value === null) return null;
  return validateValue(def, value);
}

export function validateValue(def: { name: string; type: ConfigType; oneOf?: string[] }, value: string): string | null {
  const bad = `Invalid value ${clientInput(value)} for configuration ${def.name}`;
  switch (def.type) {
    case 'long':
    case 'int':
      return /^-?\d+$/.test(value.trim()) ? null : `${bad}: Not a number of type ${def.type.toUpperCase()}`;
    case 'double':
      return Number.isFinite(Number(value)) && value.trim() !== '' ? null : `${bad}: Not a number of type DOUBLE`;
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? null : `${bad}: Expected value to be either true or false`;
    case 'list':
      if (def.oneOf && value.split(',').some((v) => !def.oneOf!.includes(v.trim()))) return `${bad}: String must be one of: ${def.oneOf.join(', ')}`;
      return null;
    default:
      if (def.oneOf && !def.oneOf.includes(value)) return `${bad}: String must be one of: ${def.oneOf.join(', ')}`;
      return null;
  }
}

/** Where a config's value comes from, as DescribeConfigs v1+ reports it. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export interface ResolvedConfig {
  name: string;
  value: string;
  source: number;
}

/**
 * A topic's effective configs: the topic's own overrides, else the broker's setting of the synonym, else Kafka's
 * default. `brokerSettings` holds the broker's configured values by Kafka broker name.
 */
export function resolveTopicConfigs(overrides: Readonly<Record<string, string>>, brokerSettings: ReadonlyMap<string, string>): ResolvedConfig[] {
  return TOPIC_CONFIGS.map((def) => {
    if (overrides[def.name] !== undefined) return { name: def.name, value: overrides[def.name], source: ConfigSource.DYNAMIC_TOPIC_CONFIG };
    const fromBroker = def.brokerKey ? brokerSettings.get(def.brokerKey) : undefined;
    if (fromBroker !== undefined) return { name: def.name, value: fromBroker, source: ConfigSource.STATIC_BROKER_CONFIG };
    return { name: def.name, value: def.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
  });
}

/** Effective configs as a plain name → value object, for the log. */
export function effectiveTopicConfig(overrides: Readonly<Record<string, string>>, brokerSettings: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(resolveTopicConfigs(overrides, brokerSettings).map((c) => [c.name, c.value]));
}
