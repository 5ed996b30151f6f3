/** The scenario columns of the matrix, in display order, with what each one proves. */
export const SCENARIOS = {
  produce: 'keyed messages with headers, produced with acks=all and read back (key, value, headers, order per partition)',
  gzip: 'the same round trip with gzip-compressed batches',
  snappy: 'the same round trip with snappy-compressed batches',
  lz4: 'the same round trip with lz4-compressed batches',
  zstd: 'the same round trip with zstd-compressed batches',
  group: 'consumer group: read, commit, close; produce more; a new member of the group resumes at the committed offset',
  rebalance: 'two members of one group split 4 partitions and read every message (at least once, as Kafka promises across a rebalance); when one leaves, the other takes over its partitions at the committed offsets',
  kip848: 'the same split and takeover with the KIP-848 consumer group protocol (ConsumerGroupHeartbeat, server-side assignment); the member that keeps its partitions never loses them',
  admin: 'create topic with a config, describe/alter configs, add partitions, delete topic',
  timestamps: 'explicit record timestamps; offsets looked up by timestamp',
  idempotent: 'idempotent producer (InitProducerId + sequence numbers); exactly-once, in-order read back',
  transactions: 'transactional producer: one committed and one aborted transaction; a read_committed reader sees only the committed one (kafkajs and confluent-kafka-python also: consume-transform-produce with the group offsets in the transaction)',
  registry: 'schema registry: register an Avro schema, produce/consume the Confluent wire format, evolve the schema compatibly',
  security: 'SASL_SSL with SCRAM-SHA-512 and the CA: produce and read back; a write to a topic the user may only describe fails with the client\'s own topic authorization error (ACL)',
  bank: 'bank simulation (kafkajs + @kafkajs/confluent-schema-registry): latency per load step, money conserved',
} as const;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
export const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export type Status = 'pass' | 'fail' | 'not-supported';
/** The one line a scenario child prints last; the runner parses it (python clients print the same). */
export const RESULT_MARKER = 'COMPAT-RESULT ';
export interface ScenarioResult {
  status: Status;
  detail?: string;
  /** Scenario-specific figures, e.g. the bank simulation's latency table. */
  data?: unknown;
}
