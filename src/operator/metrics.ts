/**
 * `GET /metrics`: the broker in Prometheus text format, named as Kafka's Prometheus exporters and Redpanda name
 * theirs (`_total` counters, `_seconds` histograms, `_bytes` sizes):
 *
 *   samsa_request_total{api,version}, samsa_request_errors_total{api,version}   the pipeline's measure stage
 *   samsa_request_latency_seconds{api} (histogram)
 *   samsa_topic_bytes_in_total{topic}, samsa_topic_bytes_out_total{topic}       batches appended / fetched
 *   samsa_partition_log_start_offset, _log_end_offset, _high_watermark, _size_bytes {topic,partition}
 *   samsa_consumer_group_committed_offset, samsa_consumer_group_lag {group,topic,partition}; _members {group}
 *   samsa_connections{listener}, samsa_connections_accepted_total{listener}
 *   samsa_http_requests_total{server,method,route,status}                       registry and admin hosts
 *   process_*, nodejs_*                                                          prom-client's default metrics
 *
 * Everything is read from the broker's own state when scraped, so an idle broker pays nothing; prom-client's
 * registry (per broker: several brokers in one process, as in tests, each export their own) is only built on the
 * first scrape. The samsa_* families are written here rather than through prom-client's formatter: with 1,000
 * partitions and 50 groups that is ~15k samples, which prom-client's per-sample label handling made 3x slower.
 */
import type { Registry } from 'prom-client';
import type { Broker } from '../broker.js';
import { Reply, Router } from '../http/index.js';
import { LATENCY_BUCKETS_MS } from '../server/request-metrics.js';
import { HANDLERS } from '../handlers/index.js';
import type { LogFigures } from '../log/index.js';
import { consumerGroupLags, groupMembers, type PartitionLag } from './lag.js';

type MetricType = 'counter' | 'gauge' | 'histogram';

const API_NAMES = new Map(HANDLERS.map((h) => [h.api.key, h.api.name]));
const apiName = (key: number) => API_NAMES.get(key) ?? String(key);
const LE = [...LATENCY_BUCKETS_MS.map((ms) => String(ms / 1000)), '+Inf'];

/** A label value as the text format needs it: backslash, double quote and newline escaped. */
const escapeLabel = (v: string | number) => (typeof v === 'number' ? String(v) : v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)));

/** `{a="x",b="y"}` for a sample line ('' for no labels). */
function labels(pairs: Record<string, string | number>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Writes metric families in the text format 0.0.4: HELP, TYPE, then each sample line. */
class Exposition {
  private readonly lines: string[] = [];

  family(name: string, help: string, type: MetricType): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labelText: string, value: number): this {
    this.lines.push(`${name}${labelText} ${Number.isFinite(value) ? value : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN'}`);
    return this;
  }

  /** One family with one sample per item. */
  each<T>(name: string, help: string, type: MetricType, items: Iterable<T>, sample: (item: T) => [Record<string, string | number>, number]): this {
    this.family(name, help, type);
    for (const item of items) {
      const [l, value] = sample(item);
      this.sample(name, labels(l), value);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** Every open partition log, internal topics too (`__consumer_offsets` growing is worth seeing). */
function* partitionLogs(broker: Broker): Generator<{ topic: string; partition: number; log: LogFigures }> {
  for (const topic of broker.clientTopics()) {
    for (let p = 0; p < topic.partitions; p++) {
      const log = broker.logs.figures(topic.name, p); // (a scrape opens no log)
      if (log && !log.isClosed) yield { topic: topic.name, partition: p, log };
    }
  }
}

function requestLatency(out: Exposition, broker: Broker): void {
  // Versions of one API summed into one histogram per API.
  const byApi = new Map<number, { buckets: number[]; count: number; seconds: number }>();
  for (const s of broker.requestMetrics.snapshot()) {
    let h = byApi.get(s.apiKey);
    if (!h) byApi.set(s.apiKey, (h = { buckets: new Array(LE.length).fill(0), count: 0, seconds: 0 }));
    s.buckets.forEach((n, i) => { h!.buckets[i] += n; });
    h.count += s.count;
    h.seconds += s.totalMs / 1000;
  }
  const name = 'samsa_request_latency_seconds';
  out.family(name, 'Time from a decoded request to its response, per API', 'histogram');
  for (const [key, h] of byApi) {
    const api = escapeLabel(apiName(key));
    h.buckets.forEach((value, i) => out.sample(`${name}_bucket`, `{api="${api}",le="${LE[i]}"}`, value));
    out.sample(`${name}_sum`, `{api="${api}"}`, h.seconds);
    out.sample(`${name}_count`, `{api="${api}"}`, h.count);
  }
}

/** The samsa_* families, read from the broker now. */
export function brokerMetrics(broker: Broker): string {
  const out = new Exposition();
  const { traffic } = broker;
  const requests = broker.requestMetrics.snapshot();
  out.each('samsa_request_total', 'Requests handled, per API and version', 'counter', requests,
    (s) => [{ api: apiName(s.apiKey), version: s.version }, s.count]);
  out.each('samsa_request_errors_total', 'Requests answered with a top-level error or failed, per API and version', 'counter', requests,
    (s) => [{ api: apiName(s.apiKey), version: s.version }, s.errors]);
  requestLatency(out, broker);
  // Counters of a topic deleted while a request for it was under way (deleteTopic forgets the others).
  for (const counts of [traffic.bytesIn, traffic.bytesOut]) {
    for (const topic of counts.keys()) if (!broker.topics.get(topic)) counts.delete(topic);
  }
  out.each('samsa_topic_bytes_in_total', 'Record batch bytes appended by Produce, per topic', 'counter', traffic.bytesIn, ([topic, n]) => [{ topic }, n]);
  out.each('samsa_topic_bytes_out_total', 'Record batch bytes handed out by Fetch, per topic', 'counter', traffic.bytesOut, ([topic, n]) => [{ topic }, n]);

  // Label texts built once per scrape, shared by the families of the same partitions.
  const logs = [...partitionLogs(broker)];
  const logLabels = logs.map((p) => labels({ topic: p.topic, partition: p.partition }));
  const perPartition = (name: string, help: string, read: (log: LogFigures) => number) => {
    out.family(name, help, 'gauge');
    logs.forEach((p, i) => out.sample(name, logLabels[i], read(p.log)));
  };
  perPartition('samsa_partition_log_start_offset', 'First offset of the partition log', (l) => l.logStartOffset);
  perPartition('samsa_partition_log_end_offset', 'Offset the next record appended to the partition gets', (l) => l.logEndOffset);
  perPartition('samsa_partition_high_watermark', 'High watermark of the partition (what consumers can read up to)', (l) => l.highWatermark);
  perPartition('samsa_partition_size_bytes', 'Bytes of the partition log\'s segments', (l) => l.size);

  const lags = consumerGroupLags(broker);
  const lagLabels = lags.map((l) => labels({ group: l.group, topic: l.topic, partition: l.partition }));
  const perLag = (name: string, help: string, read: (l: PartitionLag) => number) => {
    out.family(name, help, 'gauge');
    lags.forEach((l, i) => out.sample(name, lagLabels[i], read(l)));
  };
  perLag('samsa_consumer_group_committed_offset', 'Offset the group committed for the partition', (l) => l.committed);
  perLag('samsa_consumer_group_lag', 'High watermark minus the group\'s committed offset (0 when caught up)', (l) => l.lag);
  out.each('samsa_consumer_group_members', 'Members of the group', 'gauge', broker.groups.listGroups(),
    (g) => [{ group: g.groupId }, groupMembers(broker, g.groupId).length]);

  out.each('samsa_connections', 'Open client connections, per listener', 'gauge', traffic.connections, ([listener, c]) => [{ listener }, c.open]);
  out.each('samsa_connections_accepted_total', 'Client connections accepted, per listener', 'counter', traffic.connections, ([listener, c]) => [{ listener }, c.accepted]);
  out.each('samsa_fetch_waiting', 'Fetch requests parked in a long poll', 'gauge', [broker.fetchWaits.parked], (n) => [{}, n]);
  const hosts = [['registry', broker.http], ['admin', broker.admin]] as const;
  out.each('samsa_http_requests_total', 'HTTP requests answered by the registry and admin hosts, per route and status', 'counter',
    hosts.flatMap(([server, host]) => [...(host?.requestStats.values() ?? [])].map((s) => ({ server, ...s }))),
    (s) => [{ server: s.server, method: s.method, route: s.route || 'unmatched', status: s.status }, s.count]);
  return out.toString();
}

/** The router to mount at `/metrics`; prom-client's registry of process metrics is built on the first scrape. */
export function metricsRouter(broker: Broker): Router {
  let registry: Registry | undefined;
  return new Router().route('/', {
    GET: async () => {
      if (!registry) {
        // Loaded on the first scrape, so start-up never pays for it.
        const prom = await import('prom-client');
        registry = new prom.Registry();
        prom.collectDefaultMetrics({ register: registry });
      }
      return new Reply(`${brokerMetrics(broker)}\n${await registry.metrics()}`, 200, registry.contentType);
    },
  });
}
