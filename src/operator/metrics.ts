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
 * Everything is read from the broker's own state when scraped (each metric's `get()`), so an idle broker pays
 * nothing, and the exporter itself (with the default-metrics monitors) is only built on the first scrape. The
 * registry is per broker: several brokers in one process (tests) each export their own.
 */
import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import type { Broker } from '../broker.js';
import { Reply, Router } from '../http/index.js';
import { LATENCY_BUCKETS_MS } from '../server/request-metrics.js';
import { HANDLERS } from '../handlers/index.js';
import { consumerGroupLags } from './lag.js';

type Labels = Record<string, string | number>;
interface Sample { labels: Labels; value: number; metricName?: string }
type MetricType = 'counter' | 'gauge' | 'histogram';

const API_NAMES = new Map(HANDLERS.map((h) => [h.api.key, h.api.name]));
const LE = [...LATENCY_BUCKETS_MS.map((ms) => String(ms / 1000)), '+Inf'];

/** A metric whose samples are computed from the broker when scraped (prom-client formats and escapes them). */
function metric(name: string, help: string, type: MetricType, samples: () => Sample[]): Metric {
  const m = {
    name, help, type, aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: samples() }),
    reset: () => {},
  };
  return m as unknown as Metric;
}

/** One sample per entry of a map (counters kept by the broker). */
const fromMap = (map: ReadonlyMap<string, number>, label: string): Sample[] => [...map].map(([k, value]) => ({ labels: { [label]: k }, value }));

/** Samples per partition of every topic (internal ones too: `__consumer_offsets` growing is worth seeing). */
function perPartition(broker: Broker, read: (log: NonNullable<ReturnType<Broker['partition']>>) => number): Sample[] {
  const samples: Sample[] = [];
  for (const topic of broker.topics.list()) {
    for (let p = 0; p < topic.partitions; p++) {
      const log = broker.logs.get(topic.name, p);
      if (log && !log.isClosed) samples.push({ labels: { topic: topic.name, partition: p }, value: read(log) });
    }
  }
  return samples;
}

function requestLatency(broker: Broker): Sample[] {
  // Versions of one API summed into one histogram per API.
  const byApi = new Map<number, { buckets: number[]; count: number; seconds: number }>();
  for (const s of broker.requestMetrics.snapshot()) {
    let h = byApi.get(s.apiKey);
    if (!h) byApi.set(s.apiKey, (h = { buckets: new Array(LE.length).fill(0), count: 0, seconds: 0 }));
    s.buckets.forEach((n, i) => { h!.buckets[i] += n; });
    h.count += s.count;
    h.seconds += s.totalMs / 1000;
  }
  const samples: Sample[] = [];
  const name = 'samsa_request_latency_seconds';
  for (const [key, h] of byApi) {
    const api = API_NAMES.get(key) ?? String(key);
    h.buckets.forEach((value, i) => samples.push({ metricName: `${name}_bucket`, labels: { api, le: LE[i] }, value }));
    samples.push({ metricName: `${name}_sum`, labels: { api }, value: h.seconds });
    samples.push({ metricName: `${name}_count`, labels: { api }, value: h.count });
  }
  return samples;
}

function httpRequests(broker: Broker): Sample[] {
  const samples: Sample[] = [];
  for (const [server, host] of [['registry', broker.http], ['admin', broker.admin]] as const) {
    for (const s of host?.requestStats.values() ?? []) {
      samples.push({ labels: { server, method: s.method, route: s.route || 'unmatched', status: s.status }, value: s.count });
    }
  }
  return samples;
}

/** The broker's metrics registry, with every samsa_* metric and the process defaults. */
export function brokerRegistry(broker: Broker): Registry {
  const registry = new Registry();
  const api = (key: number) => API_NAMES.get(key) ?? String(key);
  const { traffic } = broker;
  const metrics = [
    metric('samsa_request_total', 'Requests handled, per API and version', 'counter',
      () => broker.requestMetrics.snapshot().map((s) => ({ labels: { api: api(s.apiKey), version: s.version }, value: s.count }))),
    metric('samsa_request_errors_total', 'Requests answered with a top-level error or failed, per API and version', 'counter',
      () => broker.requestMetrics.snapshot().map((s) => ({ labels: { api: api(s.apiKey), version: s.version }, value: s.errors }))),
    metric('samsa_request_latency_seconds', 'Time from a decoded request to its response, per API', 'histogram', () => requestLatency(broker)),
    metric('samsa_topic_bytes_in_total', 'Record batch bytes appended by Produce, per topic', 'counter', () => fromMap(traffic.bytesIn, 'topic')),
    metric('samsa_topic_bytes_out_total', 'Record batch bytes handed out by Fetch, per topic', 'counter', () => fromMap(traffic.bytesOut, 'topic')),
    metric('samsa_partition_log_start_offset', 'First offset of the partition log', 'gauge', () => perPartition(broker, (l) => l.logStartOffset)),
    metric('samsa_partition_log_end_offset', 'Offset the next record appended to the partition gets', 'gauge', () => perPartition(broker, (l) => l.logEndOffset)),
    metric('samsa_partition_high_watermark', 'High watermark of the partition (what consumers can read up to)', 'gauge', () => perPartition(broker, (l) => l.highWatermark)),
    metric('samsa_partition_size_bytes', 'Bytes of the partition log\'s segments', 'gauge', () => perPartition(broker, (l) => l.size)),
    metric('samsa_consumer_group_committed_offset', 'Offset the group committed for the partition', 'gauge',
      () => consumerGroupLags(broker).map((l) => ({ labels: { group: l.group, topic: l.topic, partition: l.partition }, value: l.committed }))),
    metric('samsa_consumer_group_lag', 'High watermark minus the group\'s committed offset (0 when caught up)', 'gauge',
      () => consumerGroupLags(broker).map((l) => ({ labels: { group: l.group, topic: l.topic, partition: l.partition }, value: l.lag }))),
    metric('samsa_consumer_group_members', 'Members of the group', 'gauge',
      () => broker.groups.listGroups().map((g) => ({ labels: { group: g.groupId }, value: broker.groups.describeGroup(g.groupId).members.length }))),
    metric('samsa_connections', 'Open client connections, per listener', 'gauge',
      () => [...traffic.connections].map(([listener, c]) => ({ labels: { listener }, value: c.open }))),
    metric('samsa_connections_accepted_total', 'Client connections accepted, per listener', 'counter',
      () => [...traffic.connections].map(([listener, c]) => ({ labels: { listener }, value: c.accepted }))),
    metric('samsa_fetch_waiting', 'Fetch requests parked in a long poll', 'gauge', () => [{ labels: {}, value: broker.fetchWaits.parked }]),
    metric('samsa_http_requests_total', 'HTTP requests answered by the registry and admin hosts, per route and status', 'counter', () => httpRequests(broker)),
  ];
  for (const m of metrics) registry.registerMetric(m);
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The router to mount at `/metrics`; the registry is built on the first scrape. */
export function metricsRouter(broker: Broker): Router {
  let registry: Registry | undefined;
  return new Router().route('/', {
    GET: async () => {
      registry ??= brokerRegistry(broker);
      return new Reply(await registry.metrics(), 200, registry.contentType);
    },
  });
}
