/**
 * Broker configuration. Every setting has its Kafka name (`num.partitions`, `log.retention.ms`, ...) and can be
 * given, from lowest to highest precedence, by a config file (Java .properties, JSON or YAML), `SAMSA_*` environment
 * variables (`SAMSA_NUM_PARTITIONS=3` sets `num.partitions`) and explicit options (CLI flags, `startBroker`).
 *
 * Each setting carries Kafka's attributes (ConfigDef + DynamicBrokerConfig): type and validator, whether
 * AlterConfigs may change it at run time (read-only, per-broker or cluster-wide) and whether it is sensitive
 * (DescribeConfigs reports it as null; it is never logged).
 */
import { validateValue, type ValueRule, TOPIC_CONFIGS, UNIT_SYNONYMS, ConfigSource, TopicConfigCatalogue } from './metadata/configs.js';
import { clientInput } from './protocol/client-input.js';
import { parseConfigFile } from './config-file.js';
import { KAFKA_RELEASE_NAMES, kafkaRelease, type KafkaRelease } from './server/kafka-releases.js';
import { nameErrorClasses } from './error-names.js';

/** Kafka's update modes: read-only settings change only with a restart; the others through AlterConfigs. */
export type UpdateMode = 'read-only' | 'per-broker' | 'cluster-wide';

interface BrokerSettingDef extends ValueRule {
  defaultValue: string;
  doc: string;
  /** Default 'read-only', as every broker config not in Kafka's DynamicBrokerConfig.AllDynamicConfigs. */
  dynamic?: UpdateMode;
  /** Default: true for type 'password'. */
  sensitive?: boolean;
}

/** A broker setting with every attribute resolved. */
export interface BrokerSetting extends BrokerSettingDef {
  dynamic: UpdateMode;
  sensitive: boolean;
}

const PINO_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Broker settings Samsa reads, with their defaults. Topic-config defaults (log.*) come from TOPIC_CONFIGS and are
 * cluster-wide dynamic, as in Kafka; all of these are read-only in Kafka.
 */
export const BROKER_SETTINGS: readonly BrokerSettingDef[] = [
  { name: 'node.id', type: 'int', defaultValue: '0', min: 0, doc: 'Id of the first node (also the controller id in Metadata); further nodes count up from it.' },
  { name: 'nodes', type: 'int', defaultValue: '1', min: 1, max: 64, doc: 'Nodes of the cluster this process runs (each on its own ports; partitions and coordinators spread over them).' },
  { name: 'listeners.host', type: 'string', defaultValue: '', doc: 'Address to listen on; empty = 127.0.0.1 and ::1.' },
  { name: 'port', type: 'int', defaultValue: '9092', min: 0, max: 65535, doc: 'Kafka port (0 = any free port).' },
  { name: 'advertised.host', type: 'string', defaultValue: 'localhost', doc: 'Host name given to clients in Metadata.' },
  { name: 'listeners', type: 'string', defaultValue: '', doc: 'NAME://host:port,... (PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL); empty: one PLAINTEXT listener on listeners.host:port (and SSL on port+1 with ssl.auto).' },
  { name: 'advertised.listeners', type: 'string', defaultValue: '', doc: 'NAME://host:port,... given to clients in Metadata, per listener name (port 0: the bound port).' },
  { name: 'listener.security.protocol.map', type: 'string', defaultValue: 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL', doc: 'Listener name to security protocol, NAME:PROTOCOL,...' },
  { name: 'log.dirs', type: 'string', defaultValue: './data', doc: 'Data directory.' },
  { name: 'in.memory', type: 'boolean', defaultValue: 'false', doc: 'Keep everything in memory (nothing on disk).' },
  { name: 'registry.port', type: 'int', defaultValue: '8081', min: -1, max: 65535, doc: 'Schema Registry HTTP port (0 = disabled, -1 = any free port).' },
  { name: 'admin.port', type: 'int', defaultValue: '9644', min: -1, max: 65535, doc: 'Admin HTTP port: health, and the operator and test-control surfaces (0 = disabled, -1 = any free port).' },
  { name: 'log.level', type: 'string', defaultValue: 'info', oneOf: PINO_LEVELS, doc: 'pino log level.' },
  { name: 'log.format', type: 'string', defaultValue: 'auto', oneOf: ['auto', 'pretty', 'json'], doc: 'Log lines as JSON (ISO times) or pretty text; auto: pretty when stdout is a terminal, JSON otherwise.' },
  { name: 'num.partitions', type: 'int', defaultValue: '1', min: 1, doc: 'Partitions of auto-created topics and CreateTopics with -1.' },
  { name: 'default.replication.factor', type: 'int', defaultValue: '1', doc: 'Only 1 is possible on one broker.' },
  { name: 'auto.create.topics.enable', type: 'boolean', defaultValue: 'true', doc: 'Create unknown topics on Metadata/Produce.' },
  { name: 'delete.topic.enable', type: 'boolean', defaultValue: 'true', doc: 'Allow DeleteTopics.' },
  { name: 'socket.request.max.bytes', type: 'int', defaultValue: '104857600', min: 1, doc: 'Largest request frame accepted.' },
  { name: 'fetch.max.bytes', type: 'int', defaultValue: '57671680', min: 1024, doc: 'Most record bytes one Fetch response carries (its first batch excepted).' },
  { name: 'log.retention.check.interval.ms', type: 'long', defaultValue: '300000', min: 1, doc: 'How often retention runs.' },
  { name: 'log.cleaner.backoff.ms', type: 'long', defaultValue: '15000', min: 0, doc: 'How long the cleaner waits before looking again at a compacted log with nothing to clean.' },
  { name: 'log.flush.offset.checkpoint.interval.ms', type: 'int', defaultValue: '60000', min: 0, doc: 'How often each partition written since the last time is synced and its recovery point recorded: a start after a crash checks the CRCs of what came after it only.' },
  { name: 'max.partitions.per.topic', type: 'int', defaultValue: '10000', min: 1, doc: 'Most partitions one topic may have (CreateTopics, CreatePartitions answer INVALID_PARTITIONS beyond). Kafka has no such limit, only a create.topic.policy plugin; Redpanda caps partitions per core.' },
  { name: 'max.partitions', type: 'int', defaultValue: '100000', min: 1, doc: 'Most partitions on the broker, every topic counted (internal ones too); creations beyond are refused with INVALID_PARTITIONS, auto-creation too. A data directory already holding more still starts.' },
  { name: 'log.max.open.files', type: 'int', defaultValue: '1000', min: 16, doc: 'Most segment and index files held open at once; the least recently used are closed and reopened on demand, so partitions and segments are not bounded by `ulimit -n` (Kafka keeps them all open and relies on the OS limit). Keep it well under the limit: client sockets need descriptors too.' },
  { name: 'queued.max.response.bytes', type: 'long', defaultValue: '16777216', min: 1024, doc: "Stop reading a connection's requests while more than this many bytes of its responses are unsent (a client not reading)." },
  { name: 'connections.max.idle.ms', type: 'long', defaultValue: '600000', min: 1, doc: 'Close a connection that sent no complete request and received no response for this long (one stuck mid-frame too).' },
  { name: 'max.connections', type: 'int', defaultValue: '2147483647', min: 1, doc: 'Client connections accepted at once; more are closed right after accept.' },
  { name: 'max.connections.per.ip', type: 'int', defaultValue: '2147483647', min: 1, doc: 'Client connections accepted at once from one IP address; more are closed right after accept.' },
  { name: 'log.flush.fsync', type: 'boolean', defaultValue: 'false', doc: 'Durable mode: acks=-1 writes and topic changes answered only after fsync (--fsync).' },
  { name: 'group.initial.rebalance.delay.ms', type: 'int', defaultValue: '0', doc: 'Wait for more members before the first rebalance (Kafka: 3000).' },
  { name: 'group.min.session.timeout.ms', type: 'int', defaultValue: '1000', doc: 'Shortest session timeout a member may ask for (Kafka: 6000).' },
  { name: 'group.max.session.timeout.ms', type: 'int', defaultValue: '1800000', doc: 'Longest session timeout a member may ask for.' },
  { name: 'group.consumer.session.timeout.ms', type: 'int', defaultValue: '45000', min: 1, doc: 'Consumer-protocol (KIP-848) groups: a member without a heartbeat for this long is removed.' },
  { name: 'group.consumer.min.session.timeout.ms', type: 'int', defaultValue: '45000', min: 1, doc: 'Consumer-protocol groups: lower bound of the session timeout.' },
  { name: 'group.consumer.max.session.timeout.ms', type: 'int', defaultValue: '60000', min: 1, doc: 'Consumer-protocol groups: upper bound of the session timeout.' },
  { name: 'group.consumer.heartbeat.interval.ms', type: 'int', defaultValue: '5000', min: 1, doc: 'Consumer-protocol groups: how often members heartbeat (told in every ConsumerGroupHeartbeat answer).' },
  { name: 'group.consumer.min.heartbeat.interval.ms', type: 'int', defaultValue: '5000', min: 1, doc: 'Consumer-protocol groups: lower bound of the heartbeat interval.' },
  { name: 'group.consumer.max.heartbeat.interval.ms', type: 'int', defaultValue: '15000', min: 1, doc: 'Consumer-protocol groups: upper bound of the heartbeat interval.' },
  { name: 'group.consumer.assignors', type: 'string', defaultValue: 'uniform,range', doc: 'Consumer-protocol groups: the server-side assignors (uniform, range, or Kafka\'s class names of them); the first is the default.' },
  { name: 'group.consumer.max.size', type: 'int', defaultValue: '2147483647', min: 1, doc: 'Consumer-protocol groups: most members a group may have (GROUP_MAX_SIZE_REACHED beyond).' },
  { name: 'group.share.record.lock.duration.ms', type: 'int', defaultValue: '30000', min: 1000, max: 3600000, doc: 'Share groups (KIP-932): how long records a member acquired stay locked to it before they are available again.' },
  { name: 'group.share.delivery.count.limit', type: 'int', defaultValue: '5', min: 2, max: 10, doc: 'Share groups: a record delivered this many times and not accepted is archived (never delivered again).' },
  { name: 'group.share.partition.max.record.locks', type: 'int', defaultValue: '2000', min: 100, max: 10000, doc: 'Share groups: most records in flight per share-partition; acquisition pauses beyond.' },
  { name: 'group.share.session.timeout.ms', type: 'int', defaultValue: '45000', min: 1, doc: 'Share groups: a member that sends no heartbeat for this long is removed.' },
  { name: 'group.share.heartbeat.interval.ms', type: 'int', defaultValue: '5000', min: 1, doc: 'Share groups: the heartbeat interval members are told to keep.' },
  { name: 'group.share.min.session.timeout.ms', type: 'int', defaultValue: '45000', min: 1, doc: 'Share groups: lower bound of a group\'s share.session.timeout.ms.' },
  { name: 'group.share.max.session.timeout.ms', type: 'int', defaultValue: '60000', min: 1, doc: 'Share groups: upper bound of a group\'s share.session.timeout.ms.' },
  { name: 'group.share.min.heartbeat.interval.ms', type: 'int', defaultValue: '5000', min: 1, doc: 'Share groups: lower bound of a group\'s share.heartbeat.interval.ms.' },
  { name: 'group.share.max.heartbeat.interval.ms', type: 'int', defaultValue: '15000', min: 1, doc: 'Share groups: upper bound of a group\'s share.heartbeat.interval.ms.' },
  { name: 'group.share.max.share.sessions', type: 'int', defaultValue: '2000', min: 1, doc: 'Share groups: most share sessions open at once; a ShareFetch opening one more answers SHARE_SESSION_LIMIT_REACHED.' },
  { name: 'group.share.max.size', type: 'int', defaultValue: '200', min: 1, max: 1000, doc: 'Share groups: most members in one share group (GROUP_MAX_SIZE_REACHED beyond).' },
  { name: 'offsets.retention.minutes', type: 'int', defaultValue: '10080', min: 1, doc: 'Committed offsets of empty groups expire after this.' },
  { name: 'sasl.plain.users', type: 'password', defaultValue: '', doc: 'Alias of sasl.users (kept for older configs).' },
  { name: 'authorizer.enabled', type: 'boolean', defaultValue: 'false', doc: 'Authorize every request against ACLs (Kafka StandardAuthorizer semantics); off: everything is allowed and the ACL APIs answer SECURITY_DISABLED.' },
  { name: 'super.users', type: 'string', defaultValue: '', doc: 'Principals allowed everything whatever the ACLs say, as User:admin;User:ops.' },
  { name: 'allow.everyone.if.no.acl.found', type: 'boolean', defaultValue: 'false', doc: 'Allow an operation on a resource that no ACL names at all (else it is denied).' },
  { name: 'sasl.users', type: 'password', defaultValue: '', doc: 'Bootstrap users as name:password,... (PLAIN and both SCRAM mechanisms) or name:password:SCRAM-SHA-512 (one); stored salted and iterated in __samsa_users. With no users at all, PLAIN accepts any credentials.' },
  { name: 'connection.failed.authentication.delay.ms', type: 'int', defaultValue: '100', min: 0, doc: 'How long a failed SASL authentication waits before its answer (and the connection\'s close), against password guessing.' },
  { name: 'sasl.enabled.mechanisms', type: 'string', defaultValue: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER', doc: 'SASL mechanisms offered in SaslHandshake.' },
  { name: 'connections.max.reauth.ms', type: 'long', defaultValue: '0', min: 0, doc: 'SASL session lifetime (KIP-368): clients re-authenticate before it ends, or their connection is closed; 0 = no limit.' },
  { name: 'sasl.oauthbearer.sub.claim.name', type: 'string', defaultValue: 'sub', doc: 'OAUTHBEARER (unsecured JWS) claim holding the principal name.' },
  { name: 'sasl.oauthbearer.scope.claim.name', type: 'string', defaultValue: 'scope', doc: 'OAUTHBEARER (unsecured JWS) claim holding the scopes.' },
  { name: 'sasl.oauthbearer.expected.scope', type: 'string', defaultValue: '', doc: 'Scopes every OAUTHBEARER (unsecured JWS) token must hold, comma-separated.' },
  { name: 'sasl.oauthbearer.clock.skew.seconds', type: 'int', defaultValue: '30', min: 0, doc: 'Clock skew allowed when checking exp and iat of OAUTHBEARER tokens.' },
  { name: 'ssl.auto', type: 'boolean', defaultValue: 'false', doc: 'Development TLS (--tls auto): a local CA and a certificate for localhost in <log.dirs>/tls/ (a temporary directory in memory); adds an SSL listener on port+1 when listeners is empty.' },
  { name: 'ssl.certificate.location', type: 'string', defaultValue: '', doc: 'PEM certificate (chain) of the SSL listeners.' },
  { name: 'ssl.key.location', type: 'string', defaultValue: '', doc: 'PEM private key of the SSL listeners.' },
  { name: 'ssl.key.password', type: 'password', defaultValue: '', doc: 'Password of an encrypted ssl.key.location.' },
  { name: 'ssl.ca.location', type: 'string', defaultValue: '', doc: 'PEM CA certificates client certificates must chain to.' },
  { name: 'ssl.client.auth', type: 'string', defaultValue: 'none', oneOf: ['none', 'requested', 'required'], doc: 'TLS client certificates: none, requested or required; the principal is the certificate subject.' },
  { name: 'ssl.principal.mapping.rules', type: 'string', defaultValue: 'DEFAULT', doc: 'RULE:pattern/replacement/[LU],...,DEFAULT rewriting a client certificate subject into a principal name.' },
  { name: 'access.control.allow.origin', type: 'string', defaultValue: '', doc: "Schema Registry CORS (Confluent's name): the origin browsers' pages may call it from, or *; empty: none (pages elsewhere can neither read it nor write to it)." },
  { name: 'registry.auth', type: 'string', defaultValue: 'none', oneOf: ['none', 'basic'], doc: 'Schema Registry authentication: none, or HTTP Basic against the SASL users.' },
  { name: 'admin.auth', type: 'string', defaultValue: 'none', oneOf: ['none', 'basic'], doc: 'Admin port authentication: none, or HTTP Basic against the SASL users (only super.users when authorizer.enabled); /healthz and /readyz stay open for probes.' },
  { name: 'transaction.max.timeout.ms', type: 'int', defaultValue: '900000', min: 1, doc: 'Longest transaction timeout a producer may ask for.' },
  { name: 'kafka.version', type: 'string', defaultValue: '', oneOf: [...KAFKA_RELEASE_NAMES], doc: "Speak as this Kafka release: advertise and serve only its API versions (ApiVersions), list its topic configs with their defaults and validators, and check transactional writes as it did; unset: everything Samsa serves, with Kafka's latest defaults." },
  { name: 'producer.id.expiration.ms', type: 'int', defaultValue: '86400000', min: 1, doc: 'An idempotent producer that has written nothing to a partition for this long (and holds no transaction open there) is forgotten by it.' },
  { name: 'producer.id.expiration.check.interval.ms', type: 'int', defaultValue: '600000', min: 1, doc: 'How often partitions look for producers past producer.id.expiration.ms.' },
  { name: 'transactional.id.expiration.ms', type: 'int', defaultValue: '604800000', min: 1, doc: 'Idle transactional ids expire after this.' },
];

const KNOWN = new Map<string, BrokerSetting>([
  ...BROKER_SETTINGS.map((d) => [d.name, { dynamic: 'read-only', sensitive: d.type === 'password', ...d }] as const),
  ...TOPIC_CONFIGS.filter((d) => d.brokerKey).map((d) => [d.brokerKey!, {
    ...d, name: d.brokerKey!, doc: `Default of the topic config ${d.name}.`, dynamic: d.brokerReadOnly ? 'read-only' : 'cluster-wide', sensitive: false,
  }] as const),
  // log.retention.hours and the like: used when the millisecond name is not set (Kafka's synonyms).
  ...UNIT_SYNONYMS.map((d) => [d.name, { ...d, defaultValue: d.defaultValue ?? '', dynamic: 'read-only', sensitive: false }] as const),
]);

/** Kafka's names for the same setting: `broker.id` is `node.id` (ZooKeeper-era and KRaft names); `log.dir` is the one-directory `log.dirs`. */
const SYNONYMS = new Map([['broker.id', 'node.id'], ['log.dir', 'log.dirs']]);
export const canonicalName = (name: string): string => SYNONYMS.get(name) ?? name;

/** A broker setting's declaration, or undefined for names Samsa does not know. */
export function brokerSetting(name: string): BrokerSetting | undefined {
  return KNOWN.get(name);
}

/** Why a broker setting is unknown or its value invalid, or null. */
export function checkBrokerSetting(name: string, value: string): string | null {
  const def = KNOWN.get(canonicalName(name));
  if (!def) return `Unknown broker setting '${clientInput(name)}'`;
  return validateValue(def, value);
}

/** Names of every broker setting, for DescribeConfigs on the broker resource. */
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
  /** Settings changed at run time through AlterConfigs on this broker's resource (not persisted, as a dev broker). */
  readonly dynamic = new Map<string, string>();
  /** Cluster-wide defaults changed at run time through AlterConfigs on the broker resource named ''. */
  readonly dynamicDefault = new Map<string, string>();
  /** The emulated Kafka release (kafka.version), or null. */
  readonly release: KafkaRelease | null;
  /** The topic configs this broker lists, with their defaults: the emulated release's, else Samsa's own. */
  readonly topicConfigs: TopicConfigCatalogue;

  constructor(settings: Map<string, string>) {
    for (const [name, value] of settings) {
      const problem = checkBrokerSetting(name, value);
      if (problem) throw new ConfigError(problem);
    }
    this.static = settings;
    this.release = kafkaRelease(settings.get('kafka.version') ?? '');
    this.topicConfigs = new TopicConfigCatalogue(this.release);
  }

  /** Every explicitly set value: per-broker dynamic over cluster-wide dynamic over static. */
  get settings(): ReadonlyMap<string, string> {
    return this.dynamic.size === 0 && this.dynamicDefault.size === 0 ? this.static
      : new Map([...this.static, ...this.dynamicDefault, ...this.dynamic]);
  }

  /** A setting's value: dynamic, else static, else its default. */
  get(name: string): string {
    return this.dynamic.get(name) ?? this.dynamicDefault.get(name) ?? this.static.get(name) ?? this.defaultOf(name) ?? '';
  }

  /** A setting's default: for a topic config's broker synonym, the emulated release's default of that topic config. */
  private defaultOf(name: string): string | undefined {
    return this.topicConfigs.defaultOfBrokerKey(name) ?? KNOWN.get(name)?.defaultValue;
  }

  /** Every layer that sets `name`, most specific first, ending with the default: Kafka's synonyms of a broker config. */
  layers(name: string): Array<{ value: string; source: number }> {
    const out: Array<{ value: string; source: number }> = [];
    const add = (value: string | undefined, source: number) => { if (value !== undefined) out.push({ value, source }); };
    add(this.dynamic.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG);
    add(this.dynamicDefault.get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    add(this.static.get(name), ConfigSource.STATIC_BROKER_CONFIG);
    add(this.defaultOf(name), ConfigSource.DEFAULT_CONFIG);
    return out;
  }

  /** Where a setting's value comes from (DescribeConfigs config_source). */
  sourceOf(name: string): number {
    return this.layers(name)[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
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
  get adminPort(): number { return this.int('admin.port'); }
  get socketRequestMaxBytes(): number { return this.int('socket.request.max.bytes'); }
}

/** Reads a .properties, .json, .yaml or .yml config file into name → value. */
export function readConfigFile(path: string): Map<string, string> {
  return new Map(parseConfigFile(path).map((s) => [s.name, s.value]));
}

/** SAMSA_LOG_RETENTION_MS=1000 → log.retention.ms=1000 (only names Samsa knows). */
export function readEnvironment(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('SAMSA_') || value === undefined) continue;
    const name = envSettingName(key);
    if (KNOWN.has(canonicalName(name))) out.set(name, value);
  }
  return out;
}

/** The command-line client's own variables (src/cli/session.ts): no broker setting, and no typo either. */
const CLIENT_ENVIRONMENT = new Set(['SAMSA_BOOTSTRAP', 'SAMSA_REGISTRY_URL', 'SAMSA_SASL_MECHANISM', 'SAMSA_SASL_USERNAME', 'SAMSA_SASL_PASSWORD', 'SAMSA_TLS_CA']);

/** SAMSA_* variables that name no setting (typos): the CLI warns about each. */
export function unknownEnvironment(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env).filter((key) => key.startsWith('SAMSA_') && !CLIENT_ENVIRONMENT.has(key) && !KNOWN.has(canonicalName(envSettingName(key))));
}

const envSettingName = (key: string) => key.slice(6).toLowerCase().replace(/_/g, '.');

/** Merges layers, later ones winning, into a validated config. */
export function buildConfig(...layers: Array<Map<string, string> | Record<string, SettingValue | undefined>>): BrokerConfig {
  const merged = new Map<string, string>();
  for (const layer of layers) {
    const entries = layer instanceof Map ? [...layer] : Object.entries(layer);
    for (const [k, v] of entries) if (v !== undefined) merged.set(canonicalName(k), String(v));
  }
  return new BrokerConfig(merged);
}

nameErrorClasses({ ConfigError });
