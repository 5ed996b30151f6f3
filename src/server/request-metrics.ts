/**
 * Request counts, failures and latency per API key and version, as the pipeline's measure stage records them
 * (Kafka's RequestMetrics: RequestsPerSec, ErrorsPerSec, TotalTimeMs); the metrics endpoint exports them.
 */

/**
 * Upper bounds of the latency buckets, in ms (the last bucket is everything slower): most requests take well under
 * a millisecond, long polls up to their max wait (steps of 1, 2.5, 5 from 0.5 ms to 10 s, as Prometheus' default
 * buckets, then 30 s).
 */
export const LATENCY_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

export interface ApiStats {
  apiKey: number;
  version: number;
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  /** Counts per LATENCY_BUCKETS_MS bound, cumulative as Prometheus histograms are, plus one for +Inf. */
  buckets: number[];
}

export class RequestMetrics {
  private readonly stats = new Map<number, ApiStats>();

  record(apiKey: number, version: number, ms: number, failed: boolean): void {
    const id = apiKey * 1000 + version;
    let s = this.stats.get(id);
    if (!s) this.stats.set(id, (s = { apiKey, version, count: 0, errors: 0, totalMs: 0, maxMs: 0, buckets: new Array(LATENCY_BUCKETS_MS.length + 1).fill(0) }));
    s.count++;
    if (failed) s.errors++;
    s.totalMs += ms;
    if (ms > s.maxMs) s.maxMs = ms;
    for (let i = 0; i <= LATENCY_BUCKETS_MS.length; i++) if (i === LATENCY_BUCKETS_MS.length || ms <= LATENCY_BUCKETS_MS[i]) s.buckets[i]++;
  }

  /** Every API and version seen so far, by key then version. */
  snapshot(): ApiStats[] {
    return [...this.stats.values()].map((s) => ({ ...s, buckets: [...s.buckets] })).sort((a, b) => a.apiKey - b.apiKey || a.version - b.version);
  }
}

/**
 * Bytes produced to and fetched from each topic (Kafka's BytesInPerSec/BytesOutPerSec per topic: record batches as
 * stored, counted after a successful append and when a Fetch answers), and client connections per listener.
 */
export class TrafficMetrics {
  readonly bytesIn = new Map<string, number>();
  readonly bytesOut = new Map<string, number>();
  /** Open connections and every connection accepted, by listener name. */
  readonly connections = new Map<string, { open: number; accepted: number }>();

  produced(topic: string, bytes: number): void {
    this.bytesIn.set(topic, (this.bytesIn.get(topic) ?? 0) + bytes);
  }

  fetched(topic: string, bytes: number): void {
    this.bytesOut.set(topic, (this.bytesOut.get(topic) ?? 0) + bytes);
  }

  /** A deleted topic's counters go with it, as Kafka removes a topic's metrics (created again, it starts at 0). */
  forgetTopic(topic: string): void {
    this.bytesIn.delete(topic);
    this.bytesOut.delete(topic);
  }

  connectionOpened(listener: string): void {
    const c = this.connections.get(listener);
    if (c) { c.open++; c.accepted++; } else this.connections.set(listener, { open: 1, accepted: 1 });
  }

  connectionClosed(listener: string): void {
    const c = this.connections.get(listener);
    if (c) c.open--;
  }
}
