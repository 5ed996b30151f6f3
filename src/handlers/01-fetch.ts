/**
 * Fetch 4-17: hands stored batches back as they are (never decoded). read_committed reads up to the last stable
 * offset and lists aborted transactions. Sessions (v7+) are answered sessionless: session id 0 makes clients send
 * full requests.
 *
 * A partition named twice is answered once, at its first place, with the values given last (Kafka collects the
 * request into a LinkedHashMap keyed by partition); consecutive entries of one topic share one topic entry.
 *
 * Limits: max_bytes, capped by the broker's fetch.max.bytes, bounds the whole response and partition_max_bytes each
 * partition; only the response's first batch may exceed them, so a large batch cannot stall a consumer (KIP-74).
 * min_bytes is capped at that max, as Kafka does.
 *
 * Long poll (Kafka's delayed-fetch purgatory): with fewer than min_bytes available the request parks, watching only
 * its own partitions. A change to one of them (append, transaction marker, truncation, deletion) re-reads that
 * partition alone. It answers once min_bytes are available, a partition fails or max_wait_ms passes (on the
 * broker's clock, and on a ManualClock also in real time); when its connection closes it is dropped unanswered.
 *
 * A topic the principal may not READ answers TOPIC_AUTHORIZATION_FAILED (decided once per request, not per re-read).
 *
 * From v16 a partition refused with NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names its current leader (KIP-951).
 * From v13 topics are named by id: an id no topic has (or had before it was deleted) answers UNKNOWN_TOPIC_ID.
 */
import { AFTER_WRITE, checkLeaderEpoch, handler, leaderLog, park, type RequestContext } from './handler.js';
import { currentLeader, leaderEndpoints } from './current-leader.js';
import { FetchApi, type FetchRequest, type FetchRequestTopicsPartitions, type FetchResponse, type FetchResponseResponses } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ReadArena, type PartitionLog } from '../log/index.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import { deniedNames } from '../security/authorizer.js';

const READ_COMMITTED = 1;
const EMPTY = Buffer.alloc(0);

/** A partition asked for: its topic's name ('' for an unknown id) and id (the zero id below v13 for an unknown name). */
interface Wanted { topic: string; topicId: Buffer; unknownId: boolean; partition: FetchRequestTopicsPartitions }

interface Fetch {
  wanted: Wanted[];
  maxBytes: number;
  minBytes: number;
  readCommitted: boolean;
  /** Topics the principal may not READ. */
  denied: Set<string>;
}

export default handler(FetchApi, async (req, ctx) => {
  const { broker } = ctx;
  const maxBytes = Math.min(req.maxBytes, broker.config.int('fetch.max.bytes'));
  const wanted = uniquePartitions(ctx, req);
  const denied = deniedNames(ctx, AclOperation.READ, ResourceType.TOPIC, wanted.filter((w) => !w.unknownId).map((w) => w.topic));
  const fetch: Fetch = { wanted, maxBytes, minBytes: Math.min(req.minBytes, maxBytes), readCommitted: req.isolationLevel === READ_COMMITTED, denied };
  const first = await collect(ctx, fetch);
  if (first.bytes >= fetch.minBytes || first.failed || req.maxWaitMs <= 0 || fetch.wanted.length === 0) return counted(ctx, first.response);
  first.response[AFTER_WRITE]!(); // not sent: its read space goes back now
  const answer = await waitForData(ctx, fetch, first.bytesPerPartition, req.maxWaitMs);
  return answer ? counted(ctx, (await collect(ctx, fetch)).response) : null;
});

/** Counts the bytes a response hands out per topic (bytes-out metrics), as it goes. */
function counted({ broker }: RequestContext, response: FetchResponse): FetchResponse {
  for (const t of response.responses) {
    let bytes = 0;
    for (const p of t.partitions) {
      if (Array.isArray(p.records)) for (const b of p.records) bytes += b.length;
      else bytes += p.records?.length ?? 0;
    }
    if (bytes > 0) broker.traffic.fetched(t.topic, bytes);
  }
  return response;
}

/** The request's partitions, each once: at its first place, with the last values given for it. */
function uniquePartitions({ broker, version }: RequestContext, req: FetchRequest): Wanted[] {
  const byKey = new Map<string, Wanted>();
  for (const t of req.topics) {
    const topic = version >= 13 ? broker.topics.getById(t.topicId) : broker.topics.get(t.topic);
    const name = version >= 13 ? topic?.name ?? '' : t.topic;
    const unknownId = version >= 13 && !topic;
    for (const p of t.partitions) {
      const key = `${unknownId ? t.topicId.toString('hex') : name}\0${p.partition}`;
      const seen = byKey.get(key);
      if (seen) seen.partition = p;
      else byKey.set(key, { topic: name, topicId: topic?.id ?? t.topicId, unknownId, partition: p });
    }
  }
  return [...byKey.values()];
}

/**
 * A partition's log and where a read of it stops, or the error that answers it: unknown, not led by this node
 * (NOT_LEADER_OR_FOLLOWER, also for a waiting fetch whose partition's leader moved), a stale or future leader epoch
 * (v9+), an offset out of range.
 */
function locate(ctx: RequestContext, { topic, unknownId, partition: p }: Wanted, readCommitted: boolean): { log: PartitionLog; upTo: number } | { errorCode: number; log?: PartitionLog } {
  if (unknownId) return { errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
  const log = leaderLog(ctx, topic, p.partition);
  if (typeof log === 'number') return { errorCode: log };
  const epochError = checkLeaderEpoch(ctx, topic, p.partition, p.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return { errorCode: epochError, log };
  if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, log };
  return { log, upTo: readCommitted ? log.lastStableOffset : log.highWatermark };
}

/**
 * Reads every partition's batches into one ReadArena of pooled slabs, lent to the response: the connection gives
 * them back (AFTER_WRITE) once the socket has taken the bytes.
 */
async function collect(ctx: RequestContext, fetch: Fetch): Promise<{ response: FetchResponse & { [AFTER_WRITE]?: () => void }; bytes: number; bytesPerPartition: number[]; failed: boolean }> {
  const arena = new ReadArena(ctx.broker.logs.readPool);
  try {
    const collected = await collectInto(arena, ctx, fetch);
    return { ...collected, response: Object.assign(collected.response, { [AFTER_WRITE]: () => arena.release() }) };
  } catch (err) {
    arena.release();
    throw err;
  }
}

async function collectInto(arena: ReadArena, ctx: RequestContext, fetch: Fetch): Promise<{ response: FetchResponse; bytes: number; bytesPerPartition: number[]; failed: boolean }> {
  let bytes = 0;
  let failed = false;
  const bytesPerPartition: number[] = [];
  const responses: FetchResponseResponses[] = [];
  for (const want of fetch.wanted) {
    const p = want.partition;
    const base = { partitionIndex: p.partition, preferredReadReplica: -1, currentLeader: null };
    const at = fetch.denied.has(want.topic) ? { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED } : locate(ctx, want, fetch.readCommitted);
    let records: Buffer[] = [];
    let size = 0;
    let partition;
    if ('errorCode' in at) {
      failed = true;
      const state = at.log ? { highWatermark: at.log.highWatermark, lastStableOffset: at.log.lastStableOffset, logStartOffset: at.log.logStartOffset } : { highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 };
      const moved = ctx.version >= 16 && (at.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || at.errorCode === ErrorCode.FENCED_LEADER_EPOCH);
      partition = { ...base, ...state, errorCode: at.errorCode, abortedTransactions: null, records: EMPTY, currentLeader: moved ? currentLeader(ctx, want.topic, p.partition) : null };
    } else {
      const { log, upTo } = at;
      const budget = Math.min(p.partitionMaxBytes, fetch.maxBytes - bytes);
      // Only the response's first batch may exceed the budgets.
      if (p.fetchOffset < upTo && (budget > 0 || bytes === 0)) ({ data: records, bytes: size } = await log.readInto(arena, p.fetchOffset, Math.max(budget, 1), upTo, bytes === 0));
      const abortedTransactions = fetch.readCommitted ? log.abortedTransactions(p.fetchOffset, upTo) : null;
      partition = {
        ...base, errorCode: ErrorCode.NONE, highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset,
        logStartOffset: log.logStartOffset, abortedTransactions, records,
      };
    }
    bytes += size;
    bytesPerPartition.push(size);
    const last = responses[responses.length - 1];
    if (last?.topic === want.topic && last.topicId.equals(want.topicId)) last.partitions.push(partition);
    else responses.push({ topic: want.topic, topicId: want.topicId, partitions: [partition] });
  }
  const nodeEndpoints = leaderEndpoints(ctx, responses.flatMap((t) => t.partitions.map((p) => p.currentLeader)));
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints }, bytes, bytesPerPartition, failed };
}

/**
 * Parks a fetch until min_bytes are available on its partitions, one of them fails, or `waitMs` passes: true, it
 * is answered then; false when its connection closed first. Each watched log tells it of its own changes only, and
 * a change re-reads that one partition, no more of it than the bytes still missing.
 */
async function waitForData(ctx: RequestContext, fetch: Fetch, available: number[], waitMs: number): Promise<boolean> {
  const { broker } = ctx;
  const stats = broker.fetchWaits;
  stats.parked++;
  try {
    return await park(ctx, waitMs, (parked) => {
      let total = available.reduce((a, b) => a + b, 0);
      const changed = new Set<number>();
      let scheduled = false;
      const logs: PartitionLog[] = [];
      // Changes in one turn of the event loop (a produce to many partitions) are looked at together afterwards.
      const recheck = (): void => {
        scheduled = false;
        if (parked.done) return;
        for (const i of changed) {
          stats.wakeups++;
          const at = locate(ctx, fetch.wanted[i], fetch.readCommitted);
          if ('errorCode' in at || at.log !== logs[i]) return parked.finish(true); // failed, or deleted and created again
          const p = fetch.wanted[i].partition;
          const missing = fetch.minBytes - (total - available[i]);
          const bytes = p.fetchOffset < at.upTo ? at.log.bytesAvailable(p.fetchOffset, Math.max(1, Math.min(p.partitionMaxBytes, missing)), at.upTo, true) : 0;
          total += bytes - available[i];
          available[i] = bytes;
        }
        changed.clear();
        if (total >= fetch.minBytes) parked.finish(true);
      };
      return fetch.wanted.map((want, i) => {
        const log = broker.partition(want.topic, want.partition.partition)!; // the first read found every partition
        logs.push(log);
        return log.watch(() => {
          changed.add(i);
          if (!scheduled) {
            scheduled = true;
            setImmediate(recheck);
          }
        });
      });
    });
  } finally {
    stats.parked--;
  }
}
