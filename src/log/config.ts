/**
 * The topic configs the log acts on, read from a plain object of Kafka config names → values (strings as the
 * metadata layer keeps them, or numbers/booleans). Missing or unparsable values fall back to Kafka's defaults.
 * Kafka's "Long.MAX_VALUE" arrives as 9223372036854775807 and reads as a huge number, which is what it means.
 */
export type TopicConfigInput = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  retentionMs: number;
  retentionBytes: number;
  deletePolicy: boolean;
  compactPolicy: boolean;
  indexIntervalBytes: number;
  maxMessageBytes: number;
  logAppendTime: boolean;
  /** How far a CreateTime timestamp may lie behind / ahead of the broker's clock. */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  flushMessages: number;
  flushMs: number;
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
}

const LONG_MAX = 9223372036854775807;

function num(cfg: TopicConfigInput, name: string, fallback: number): number {
  const v = cfg[name];
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

export function logConfig(cfg: TopicConfigInput = {}): LogConfig {
  const policy = String(cfg['cleanup.policy'] ?? 'delete').split(',').map((s) => s.trim());
  // KIP-937 (Kafka 3.6): before/after left at Long.MAX_VALUE fall back to message.timestamp.difference.max.ms (gone in 4.0).
  const difference = num(cfg, 'message.timestamp.difference.max.ms', LONG_MAX);
  const bound = (name: string) => { const v = num(cfg, name, LONG_MAX); return v === LONG_MAX ? difference : v; };
  return {
    segmentBytes: Math.max(num(cfg, 'segment.bytes', 1073741824), 1),
    segmentMs: num(cfg, 'segment.ms', 604800000),
    retentionMs: num(cfg, 'retention.ms', 604800000),
    retentionBytes: num(cfg, 'retention.bytes', -1),
    deletePolicy: policy.includes('delete'),
    compactPolicy: policy.includes('compact'),
    indexIntervalBytes: num(cfg, 'index.interval.bytes', 4096),
    maxMessageBytes: num(cfg, 'max.message.bytes', 1048588),
    logAppendTime: String(cfg['message.timestamp.type'] ?? 'CreateTime') === 'LogAppendTime',
    timestampBeforeMaxMs: bound('message.timestamp.before.max.ms'),
    timestampAfterMaxMs: bound('message.timestamp.after.max.ms'),
    flushMessages: num(cfg, 'flush.messages', LONG_MAX),
    flushMs: num(cfg, 'flush.ms', LONG_MAX),
    deleteRetentionMs: num(cfg, 'delete.retention.ms', 86400000),
    minCleanableDirtyRatio: num(cfg, 'min.cleanable.dirty.ratio', 0.5),
    minCompactionLagMs: num(cfg, 'min.compaction.lag.ms', 0),
    maxCompactionLagMs: num(cfg, 'max.compaction.lag.ms', LONG_MAX),
  };
}

/** Parsed configs by the input they came from: the partitions of a topic, opened with one object, share one. */
const parsed = new WeakMap<TopicConfigInput, LogConfig>();

/** `logConfig`, the same (frozen) object for the same input object. */
export function sharedLogConfig(cfg: TopicConfigInput = {}): LogConfig {
  let c = parsed.get(cfg);
  if (!c) parsed.set(cfg, (c = Object.freeze(logConfig(cfg))));
  return c;
}
