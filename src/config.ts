/**
 * Broker configuration. Every setting has its Kafka name (`num.partitions`, `log.retention.ms`, ...) and can be
 * given, from lowest to highest precedence, by a config file (Java .properties or JSON), `SAMSA_*` environment
 * variables (`SAMSA_NUM_PARTITIONS=3` sets `num.partitions`) and explicit options (CLI flags, `startBroker`).
 */
import { readFileSync } from 'node:fs';
import { validateValue, type ConfigType, TOPIC_CONFIGS } from './metadata/configs.js';
import { clientInput } from './protocol/client-input.js';

interface BrokerSettingDef { name: string; type: ConfigType; defaultValue: string; doc: string }

/** Broker settings Samsa reads, with their defaults. Topic-config defaults (log.*) come from TOPIC_CONFIGS. */
export const BROKER_SETTINGS: readonly BrokerSettingDef[] = [
  { name: 'node.id', type: 'int', defaultValue: '0', doc: 'Broker id (also the controller id in Metadata).' },
  { name: 'listeners.host', type: 'string', defaultValue: '', doc: 'Address to listen on; empty = 127.0.0.1 and ::1.' },
  { name: 'port', type: 'int', defaultValue: '9092', doc: 'Kafka port (0 = any free port).' },
  { name: 'advertised.host', type: 'string', defaultValue: 'localhost', doc: 'Host name given to clients in Metadata.' },
  { name: 'log.dirs', type: 'string', defaultValue: './data', doc: 'Data directory.' },
  { name: 'in.memory', type: 'boolean', defaultValue: 'false', doc: 'Keep everything in memory (nothing on disk).' },
  { name: 'registry.port', type: 'int', defaultValue: '8081', doc: 'Schema Registry HTTP port (0 = disabled, -1 = any free port).' },
  { name: 'log.level', type: 'string', defaultValue: 'info', doc: 'pino log level.' },
  { name: 'num.partitions', type: 'int', defaultValue: '1', doc: 'Partitions of auto-created topics and CreateTopics with -1.' },
  { name: 'default.replication.factor', type: 'int', defaultValue: '1', doc: 'Only 1 is possible on one broker.' },
  { name: 'auto.create.topics.enable', type: 'boolean', defaultValue: 'true', doc: 'Create unknown topics on Metadata/Produce.' },
  { name: 'delete.topic.enable', type: 'boolean', defaultValue: 'true', doc: 'Allow DeleteTopics.' },
  { name: 'socket.request.max.bytes', type: 'int', defaultValue: '104857600', doc: 'Largest request frame accepted.' },
  { name: 'queued.max.response.bytes', type: 'long', defaultValue: '16777216', doc: "Stop reading a connection's requests while more than this many bytes of its responses are unsent (a client not reading)." },
  { name: 'connections.max.idle.ms', type: 'long', defaultValue: '600000', doc: 'Close a connection that sent no complete request and received no response for this long (one stuck mid-frame too).' },
  { name: 'max.connections', type: 'int', defaultValue: '2147483647', doc: 'Client connections accepted at once; more are closed right after accept.' },
  { name: 'max.connections.per.ip', type: 'int', defaultValue: '2147483647', doc: 'Client connections accepted at once from one IP address; more are closed right after accept.' },
  { name: 'log.retention.check.interval.ms', type: 'long', defaultValue: '300000', doc: 'How often retention runs.' },
  { name: 'log.flush.fsync', type: 'boolean', defaultValue: 'false', doc: 'Durable mode: acks=-1 answered only after fsync (--fsync).' },
  { name: 'group.initial.rebalance.delay.ms', type: 'int', defaultValue: '0', doc: 'Wait for more members before the first rebalance (Kafka: 3000).' },
  { name: 'group.min.session.timeout.ms', type: 'int', defaultValue: '1000', doc: 'Shortest session timeout a member may ask for (Kafka: 6000).' },
  { name: 'group.max.session.timeout.ms', type: 'int', defaultValue: '1800000', doc: 'Longest session timeout a member may ask for.' },
  { name: 'offsets.retention.minutes', type: 'int', defaultValue: '10080', doc: 'Committed offsets of empty groups expire after this.' },
  { name: 'sasl.plain.users', type: 'string', defaultValue: '', doc: 'SASL/PLAIN users as user:password,...; empty accepts any credentials.' },
  { name: 'transaction.max.timeout.ms', type: 'int', defaultValue: '900000', doc: 'Longest transaction timeout a producer may ask for.' },
  { name: 'transactional.id.expiration.ms', type: 'int', defaultValue: '604800000', doc: 'Idle transactional ids expire after this.' },
];

const KNOWN = new Map<string, { name: string; type: ConfigType }>([
  ...BROKER_SETTINGS.map((d) => [d.name, d] as const),
  ...TOPIC_CONFIGS.filter((d) => d.brokerKey).map((d) => [d.brokerKey!, { name: d.brokerKey!, type: d.type, oneOf: d.oneOf }] as const),
]);

/** Why a broker setting is unknown or its value invalid, or null. */
export function checkBrokerSetting(name: string, value: string): string | null {
  const def = KNOWN.get(name);
  if (!def) return `Unknown broker setting '${clientInput(name)}'`;
  return validateValue(def, value);
}

/** Names and defaults of every broker setting, for DescribeConfigs on the broker resource. */
export function brokerSettingNames(): string[] {
  return [...KNOWN.keys()];
}

export class ConfigError extends Error {
  readonly code = 'SAMSA_CONFIG_ERROR';
}

export type SettingValue = string | number | boolean;

/** The broker's resolved settings by Kafka name, with typed accessors for the ones the broker reads often. */
export class BrokerConfig {
  /** Settings given at start (file, environment, options). */
  readonly static: ReadonlyMap<string, string>;
  /** Settings changed at run time through AlterConfigs on the broker resource (not persisted, as a dev broker). */
  readonly dynamic = new Map<string, string>();

  constructor(settings: Map<string, string>) {
    for (const [name, value] of settings) {
      const problem = checkBrokerSetting(name, value);
      if (problem) throw new ConfigError(problem);
    }
    this.static = settings;
  }

  /** Every explicitly set value, dynamic over static. */
  get settings(): ReadonlyMap<string, string> {
    return this.dynamic.size === 0 ? this.static : new Map([...this.static, ...this.dynamic]);
  }

  /** A setting's value: dynamic, else static, else its default. */
  get(name: string): string {
    return this.dynamic.get(name) ?? this.static.get(name) ?? BROKER_SETTINGS.find((d) => d.name === name)?.defaultValue
      ?? TOPIC_CONFIGS.find((d) => d.brokerKey === name)?.defaultValue ?? '';
  }
  int(name: string): number { return Number(this.get(name)); }
  bool(name: string): boolean { return this.get(name).toLowerCase() === 'true'; }

  get nodeId(): number { return this.int('node.id'); }
  get port(): number { return this.int('port'); }
  get host(): string { return this.get('listeners.host'); }
  get advertisedHost(): string { return this.get('advertised.host'); }
  get inMemory(): boolean { return this.bool('in.memory'); }
  get dataDir(): string { return this.get('log.dirs'); }
  get registryPort(): number { return this.int('registry.port'); }
  get socketRequestMaxBytes(): number { return this.int('socket.request.max.bytes'); }
}

/** Reads a .properties or .json config file into name → value. */
export function readConfigFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if (path.endsWith('.json')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ConfigError(`config file ${path} must hold a JSON object`);
    return new Map(Object.entries(obj).map(([k, v]) => [k, String(v)]));
  }
  const out = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(t);
    if (!m) throw new ConfigError(`${path}:${i + 1}: expected 'name=value'`);
    out.set(m[1], m[2]);
  });
  return out;
}

/** SAMSA_LOG_RETENTION_MS=1000 → log.retention.ms=1000 (only names Samsa knows). */
export function readEnvironment(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('SAMSA_') || value === undefined) continue;
    const name = key.slice(6).toLowerCase().replace(/_/g, '.');
    if (KNOWN.has(name)) out.set(name, value);
  }
  return out;
}

/** Merges layers, later ones winning, into a validated config. */
export function buildConfig(...layers: Array<Map<string, string> | Record<string, SettingValue | undefined>>): BrokerConfig {
  const merged = new Map<string, string>();
  for (const layer of layers) {
    const entries = layer instanceof Map ? [...layer] : Object.entries(layer);
    for (const [k, v] of entries) if (v !== undefined) merged.set(k, String(v));
  }
  return new BrokerConfig(merged);
}
