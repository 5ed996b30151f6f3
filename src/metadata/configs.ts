/**
 * Topic configs: Kafka's names, their broker-level defaults (the `log.*` names a broker config sets) and types.
 * DescribeConfigs reports them with their source; the log reads them through `effectiveTopicConfig`.
 */
import { clientInput } from '../protocol/client-input.js';
import type { KafkaRelease } from '../server/kafka-releases.js';

export type ConfigType = 'long' | 'int' | 'double' | 'string' | 'boolean' | 'list' | 'password';

/** What a value must be, as Kafka's ConfigDef declares it: a type, and optionally a range or a set of values. */
export interface ValueRule {
  name: string;
  type: ConfigType;
  /** Kafka's `atLeast` / `between` bounds (inclusive). */
  min?: number;
  max?: number;
  /** Allowed values (ValidString / ValidList). */
  oneOf?: string[];
  /** Any other Kafka validator (int, long and list configs): why a well-typed value is refused, or null. */
  check?: (value: string) => string | null;
}

export interface TopicConfigDef extends ValueRule {
  /** The broker config that sets its default (Kafka's synonym), if any. */
  brokerKey: string | null;
  /** Its broker config cannot change at run time (Kafka's DynamicLogConfig.NonReconfigrableLogConfigs). */
  brokerReadOnly?: true;
  defaultValue: string;
  /** The first Kafka release whose LogConfig lists it, when later than 2.4 (emulated older releases lack it). */
  since?: string;
  /** The Kafka release that removed it from LogConfig (emulated releases from then on lack it). */
  removedIn?: string;
}

const LONG_MAX = '9223372036854775807';

/** Kafka's ThrottledReplicaListValidator: '*' or partition:broker pairs. */
function throttledReplicas(side: 'leader' | 'follower'): (value: string) => string | null {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    if (items.every((s) => /^(\d+:\d+)?$/.test(s)) || items.join('') === '*') return null;
    return `${side}.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`;
  };
}

/** Kafka's LogConfig definitions (storage/.../LogConfig.java): types, defaults and validators. */
export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', brokerKey: 'log.cleanup.policy', type: 'list', defaultValue: 'delete', oneOf: ['compact', 'delete'] },
  { name: 'compression.type', brokerKey: 'compression.type', type: 'string', defaultValue: 'producer',
    oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] },
  { name: 'delete.retention.ms', brokerKey: 'log.cleaner.delete.retention.ms', type: 'long', defaultValue: '86400000', min: 0 },
  { name: 'file.delete.delay.ms', brokerKey: 'log.segment.delete.delay.ms', type: 'long', defaultValue: '60000', min: 0 },
  { name: 'flush.messages', brokerKey: 'log.flush.interval.messages', type: 'long', defaultValue: LONG_MAX, min: 1 },
  { name: 'flush.ms', brokerKey: 'log.flush.interval.ms', type: 'long', defaultValue: LONG_MAX, min: 0 },
  { name: 'index.interval.bytes', brokerKey: 'log.index.interval.bytes', type: 'int', defaultValue: '4096', min: 0 },
  { name: 'max.compaction.lag.ms', brokerKey: 'log.cleaner.max.compaction.lag.ms', type: 'long', defaultValue: LONG_MAX, min: 1 },
  { name: 'max.message.bytes', brokerKey: 'message.max.bytes', type: 'int', defaultValue: '1048588', min: 0 },
  { name: 'message.timestamp.difference.max.ms', brokerKey: 'log.message.timestamp.difference.max.ms', type: 'long', defaultValue: LONG_MAX, min: 0, removedIn: '4.0' },
  { name: 'message.timestamp.type', brokerKey: 'log.message.timestamp.type', type: 'string', defaultValue: 'CreateTime',
    oneOf: ['CreateTime', 'LogAppendTime'] },
  { name: 'min.cleanable.dirty.ratio', brokerKey: 'log.cleaner.min.cleanable.ratio', type: 'double', defaultValue: '0.5', min: 0, max: 1 },
  { name: 'min.compaction.lag.ms', brokerKey: 'log.cleaner.min.compaction.lag.ms', type: 'long', defaultValue: '0', min: 0 },
  { name: 'min.insync.replicas', brokerKey: 'min.insync.replicas', type: 'int', defaultValue: '1', min: 1 },
  { name: 'preallocate', brokerKey: 'log.preallocate', type: 'boolean', defaultValue: 'false' },
  // Negative retention means "no limit" (-1 for retention.ms; any negative retention.bytes).
  { name: 'retention.bytes', brokerKey: 'log.retention.bytes', type: 'long', defaultValue: '-1' },
  { name: 'retention.ms', brokerKey: 'log.retention.ms', type: 'long', defaultValue: '604800000', min: -1 },
  // 14 = LegacyRecord.RECORD_OVERHEAD_V0, Kafka's floor.
  { name: 'segment.bytes', brokerKey: 'log.segment.bytes', type: 'int', defaultValue: '1073741824', min: 14 },
  { name: 'segment.index.bytes', brokerKey: 'log.index.size.max.bytes', type: 'int', defaultValue: '10485760', min: 4 },
  { name: 'segment.jitter.ms', brokerKey: 'log.roll.jitter.ms', type: 'long', defaultValue: '0', min: 0 },
  // segment.ms=1 is valid in Kafka too (a segment per batch); only 0 and below are refused.
  { name: 'segment.ms', brokerKey: 'log.roll.ms', type: 'long', defaultValue: '604800000', min: 1 },
  { name: 'unclean.leader.election.enable', brokerKey: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false' },
  { name: 'message.downconversion.enable', brokerKey: 'log.message.downconversion.enable', type: 'boolean', defaultValue: 'true', removedIn: '4.0' },
  // Samsa's broker-side schema validation (Confluent's names): produce rejects records without a registered id.
  { name: 'confluent.key.schema.validation', brokerKey: null, type: 'boolean', defaultValue: 'false' },
  { name: 'confluent.value.schema.validation', brokerKey: null, type: 'boolean', defaultValue: 'false' },
  // Listed by DescribeConfigs as Kafka lists them (and validated); Samsa has no tiered storage, replication throttling
  // or per-codec levels, so they change nothing here. Per-codec levels came with 3.8 (KIP-390); tiered storage's
  // topic configs became public in 3.6 (KIP-405, internal before), its copy/delete switches in 3.9 (KIP-950).
  { name: 'compression.gzip.level', brokerKey: 'compression.gzip.level', type: 'int', defaultValue: '-1', since: '3.8',
    check: (v) => (Number(v) === -1 || (Number(v) >= 1 && Number(v) <= 9) ? null : 'Value must be between 1 and 9 or equal to -1') },
  { name: 'compression.lz4.level', brokerKey: 'compression.lz4.level', type: 'int', defaultValue: '9', min: 1, max: 17, since: '3.8' },
  { name: 'compression.zstd.level', brokerKey: 'compression.zstd.level', type: 'int', defaultValue: '3', min: -131072, max: 22, since: '3.8' },
  { name: 'follower.replication.throttled.replicas', brokerKey: null, type: 'list', defaultValue: '', check: throttledReplicas('follower') },
  { name: 'leader.replication.throttled.replicas', brokerKey: null, type: 'list', defaultValue: '', check: throttledReplicas('leader') },
  // -2: derived from retention.bytes / retention.ms.
  { name: 'local.retention.bytes', brokerKey: 'log.local.retention.bytes', type: 'long', defaultValue: '-2', min: -2, since: '3.6' },
  { name: 'local.retention.ms', brokerKey: 'log.local.retention.ms', type: 'long', defaultValue: '-2', min: -2, since: '3.6' },
  // Ignored since Kafka 3.0 (message format v2 always), removed in 4.0; Kafka 3.x still lists it with this default.
  { name: 'message.format.version', brokerKey: 'log.message.format.version', brokerReadOnly: true, type: 'string', defaultValue: '3.0-IV1', removedIn: '4.0' },
  // KIP-937 (3.6): when left at Long.MAX_VALUE, message.timestamp.difference.max.ms applies in their place.
  { name: 'message.timestamp.after.max.ms', brokerKey: 'log.message.timestamp.after.max.ms', type: 'long', defaultValue: LONG_MAX, min: 0, since: '3.6' },
  { name: 'message.timestamp.before.max.ms', brokerKey: 'log.message.timestamp.before.max.ms', type: 'long', defaultValue: LONG_MAX, min: 0, since: '3.6' },
  { name: 'remote.log.copy.disable', brokerKey: null, type: 'boolean', defaultValue: 'false', since: '3.9' },
  { name: 'remote.log.delete.on.disable', brokerKey: null, type: 'boolean', defaultValue: 'false', since: '3.9' },
  { name: 'remote.storage.enable', brokerKey: null, type: 'boolean', defaultValue: 'false', since: '3.6' },
];

export const topicConfigDefs: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** A broker config that sets a topic config's default in another unit (Kafka's ServerTopicConfigSynonyms). */
export interface UnitSynonym extends ValueRule {
  /** Multiplier turning its value into the topic config's (milliseconds). */
  factor: number;
  /** Kafka's default; null when it has none. */
  defaultValue: string | null;
  doc: string;
}

/**
 * Broker synonyms after the first, in Kafka's priority order (DynamicBrokerConfig.brokerConfigSynonyms): the first
 * one set wins, so `log.retention.hours=1` in a config file makes retention.ms 3600000. Read-only, as in Kafka (only
 * the first name of each is dynamic).
 */
const MORE_BROKER_SYNONYMS: ReadonlyMap<string, readonly UnitSynonym[]> = new Map([
  ['log.retention.ms', [
    { name: 'log.retention.minutes', type: 'int', factor: 60_000, defaultValue: null, doc: 'Default of retention.ms in minutes, used when log.retention.ms is not set.' },
    { name: 'log.retention.hours', type: 'int', factor: 3_600_000, defaultValue: '168', doc: 'Default of retention.ms in hours, used when log.retention.ms and log.retention.minutes are not set.' }]],
  ['log.roll.ms', [{ name: 'log.roll.hours', type: 'int', factor: 3_600_000, defaultValue: '168', min: 1, doc: 'Default of segment.ms in hours, used when log.roll.ms is not set.' }]],
  ['log.roll.jitter.ms', [{ name: 'log.roll.jitter.hours', type: 'int', factor: 3_600_000, defaultValue: '0', min: 0, doc: 'Default of segment.jitter.ms in hours, used when log.roll.jitter.ms is not set.' }]],
  ['log.flush.interval.ms', [{ name: 'log.flush.scheduler.interval.ms', type: 'long', factor: 1, defaultValue: LONG_MAX, doc: 'Default of flush.ms, used when log.flush.interval.ms is not set.' }]],
]);

/** The unit synonyms, as broker settings of their own. */
export const UNIT_SYNONYMS: readonly UnitSynonym[] = [...MORE_BROKER_SYNONYMS.values()].flat();

/** Every broker config that sets the same thing as `brokerName`, in priority order, itself included. */
export function brokerSynonymNames(brokerName: string): string[] {
  const first = [...MORE_BROKER_SYNONYMS.keys()].find((k) => k === brokerName || MORE_BROKER_SYNONYMS.get(k)!.some((s) => s.name === brokerName));
  return first ? [first, ...MORE_BROKER_SYNONYMS.get(first)!.map((s) => s.name)] : [brokerName];
}

/** Release names compared as versions ('3.10' after '3.9'). */
function releaseAtLeast(release: string, version: string): boolean {
  const [major, minor] = release.split('.').map(Number);
  const [wantMajor, wantMinor] = version.split('.').map(Number);
  return major !== wantMajor ? major > wantMajor : minor >= wantMinor;
}

/**
 * The topic configs as one Kafka release's LogConfig has them: which exist, their defaults and validators (the
 * release's differences come from kafka-releases.ts). Without a release, Samsa's own set (Kafka 3.9's list). The one
 * answer to "what is topic config X, and its default, here" for DescribeConfigs, CreateTopics, the alter APIs and the log.
 */
export class TopicConfigCatalogue {
  readonly defs: readonly TopicConfigDef[];
  private readonly byName: ReadonlyMap<string, TopicConfigDef>;

  constructor(release: KafkaRelease | null) {
    const listed = (d: TopicConfigDef) => !release
      || ((!d.since || releaseAtLeast(release.name, d.since)) && (!d.removedIn || !releaseAtLeast(release.name, d.removedIn)));
    this.defs = TOPIC_CONFIGS.filter(listed).map((d) => {
      const defaultValue = release?.topicConfigDefaults[d.name];
      const min = release?.topicConfigMinimums[d.name];
      return defaultValue === undefined && min === undefined ? d : { ...d, defaultValue: defaultValue ?? d.defaultValue, min: min ?? d.min };
    });
    this.byName = new Map(this.defs.map((d) => [d.name, d]));
  }

  get(name: string): TopicConfigDef | undefined {
    return this.byName.get(name);
  }

  /** The default of the topic config whose broker synonym is `brokerKey` (message.max.bytes → max.message.bytes's), if listed. */
  defaultOfBrokerKey(brokerKey: string): string | undefined {
    return this.defs.find((d) => d.brokerKey === brokerKey)?.defaultValue;
  }

  /** Kafka's default of a broker config synonym of a topic config: null for the ones it leaves unset (log.retention.ms ...), undefined if not one. */
  brokerDefault(brokerName: string): string | null | undefined {
    if (MORE_BROKER_SYNONYMS.has(brokerName)) return null;
    const unit = UNIT_SYNONYMS.find((s) => s.name === brokerName);
    if (unit) return unit.defaultValue;
    return this.defaultOfBrokerKey(brokerName);
  }

  /** Whether `brokerName` sets the default of a topic config this release lacks (log.message.format.version under 4.x). */
  lacksBrokerSetting(brokerName: string): boolean {
    const def = TOPIC_CONFIGS.find((d) => d.brokerKey !== null && brokerSynonymNames(d.brokerKey).includes(brokerName));
    return def !== undefined && !this.byName.has(def.name);
  }
}

/** Samsa's own topic configs, when no Kafka release is emulated. */
export const SAMSA_TOPIC_CONFIGS = new TopicConfigCatalogue(null);

/**
 * What a topic's configs resolve against besides its own overrides (a BrokerConfig): the broker's explicitly set
 * values by Kafka broker name, where each comes from, and the release's topic configs with their defaults.
 */
export interface TopicConfigBase {
  readonly settings: ReadonlyMap<string, string>;
  readonly topicConfigs: TopicConfigCatalogue;
  sourceOf(brokerKey: string): number;
}

/** Checks one topic config value against a release's catalogue; returns an error message, or null when valid. */
export function validateTopicConfig(name: string, value: string | null, catalogue: TopicConfigCatalogue = SAMSA_TOPIC_CONFIGS): string | null {
  const def = catalogue.get(name);
  if (!def) return `Unknown topic config name: ${clientInput(name)}`;
  if (value === null) return null;
  return validateValue(def, value);
}

/**
 * Checks a topic's whole set of overrides: each value, then Kafka's cross-config rule (LogConfig.validateValues)
 * on the effective values, broker defaults included. Returns an error message, or null.
 */
export function validateTopicConfigSet(overrides: Readonly<Record<string, string>>, base: TopicConfigBase): string | null {
  for (const [name, value] of Object.entries(overrides)) {
    const problem = validateTopicConfig(name, value, base.topicConfigs);
    if (problem) return problem;
  }
  const effective = effectiveTopicConfig(overrides, base);
  const minLag = BigInt(effective['min.compaction.lag.ms'].trim());
  const maxLag = BigInt(effective['max.compaction.lag.ms'].trim());
  if (minLag > maxLag) return `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`;
  return null;
}

const JAVA_RANGE = { int: [-(2n ** 31n), 2n ** 31n - 1n], long: [-(2n ** 63n), 2n ** 63n - 1n] } as const;
/** What Java's Double.parseDouble takes, less hex floats, NaN and Infinity. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;

/**
 * Validates a value as Kafka's ConfigDef does (parseType, then the validator), with Kafka's messages:
 * "Invalid value 0 for configuration segment.ms: Value must be at least 1". Returns null when valid.
 */
export function validateValue(def: ValueRule, value: string): string | null {
  const bad = (v: string, why: string) => `Invalid value ${def.type === 'password' ? '[hidden]' : clientInput(v)} for configuration ${def.name}: ${why}`;
  const trimmed = value.trim();
  const inRange = (n: number | bigint): string | null => {
    if (def.min !== undefined && n < def.min) return bad(value, `Value must be at least ${def.min}`);
    if (def.max !== undefined && n > def.max) return bad(value, `Value must be no more than ${def.max}`);
    return null;
  };
  const oneOf = (v: string): string | null =>
    def.oneOf && !def.oneOf.includes(v) ? bad(v, `String must be one of: ${def.oneOf.join(', ')}`) : null;
  const custom = (v: string): string | null => {
    const why = def.check?.(v) ?? null;
    return why === null ? null : bad(value, why);
  };
  switch (def.type) {
    case 'long':
    case 'int': {
      const [lo, hi] = JAVA_RANGE[def.type];
      const n = /^[+-]?\d+$/.test(trimmed) ? BigInt(trimmed) : null;
      if (n === null || n < lo || n > hi) return bad(value, `Not a number of type ${def.type.toUpperCase()}`);
      return inRange(n) ?? custom(trimmed);
    }
    case 'double': {
      const n = DECIMAL.test(trimmed) ? Number(trimmed.replace(/[dDfF]$/, '')) : NaN;
      return Number.isFinite(n) ? inRange(n) : bad(value, 'Not a number of type DOUBLE');
    }
    case 'boolean':
      return /^(true|false)$/i.test(trimmed) ? null : bad(value, 'Expected value to be either true or false');
    case 'list':
      // An empty string is an empty list, valid for every list config.
      if (trimmed === '') return null;
      for (const item of trimmed.split(/\s*,\s*/)) {
        const problem = oneOf(item);
        if (problem) return problem;
      }
      return custom(trimmed);
    default:
      return oneOf(trimmed);
  }
}

/** DescribeConfigs v3+ config_type codes (DescribeConfigsResponse.ConfigType). */
export const CONFIG_TYPE_CODES: Readonly<Record<ConfigType, number>> = {
  boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7, password: 9,
};

/** Where a config's value comes from, as DescribeConfigs v1+ reports it. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  /** A group's own config (GROUP resource; Kafka's GROUP_CONFIG, the admin client's DYNAMIC_GROUP_CONFIG). */
  DYNAMIC_GROUP_CONFIG: 8,
} as const;

export interface ResolvedConfig {
  name: string;
  value: string;
  source: number;
}

/**
 * A topic's effective configs, those its release lists: the topic's own overrides, else the broker's setting of the
 * synonym, else the release's default.
 */
export function resolveTopicConfigs(overrides: Readonly<Record<string, string>>, base: TopicConfigBase): ResolvedConfig[] {
  return base.topicConfigs.defs.map((def) => {
    if (overrides[def.name] !== undefined) return { name: def.name, value: overrides[def.name], source: ConfigSource.DYNAMIC_TOPIC_CONFIG };
    for (const brokerKey of def.brokerKey ? brokerSynonymNames(def.brokerKey) : []) {
      const fromBroker = base.settings.get(brokerKey);
      if (fromBroker === undefined) continue;
      const factor = UNIT_SYNONYMS.find((s) => s.name === brokerKey)?.factor ?? 1;
      const value = factor === 1 ? fromBroker : String(BigInt(fromBroker.trim()) * BigInt(factor));
      return { name: def.name, value, source: base.sourceOf(brokerKey) };
    }
    return { name: def.name, value: def.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
  });
}

/** Effective configs as a plain name → value object, for the log. */
export function effectiveTopicConfig(overrides: Readonly<Record<string, string>>, base: TopicConfigBase): Record<string, string> {
  return Object.fromEntries(resolveTopicConfigs(overrides, base).map((c) => [c.name, c.value]));
}
