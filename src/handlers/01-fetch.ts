/**
 * Fetch 4-11: hands stored batches back as they are (never decoded). Long poll: when fewer than min_bytes are
 * available the request waits for appends until max_wait_ms. Limits: partition_max_bytes per partition and
 * max_bytes overall, except that the first batch found is always returned whole so a large batch cannot stall a
 * consumer (KIP-74). read_committed reads up to the last stable offset and lists aborted transactions. Sessions
 * (v7+) are answered sessionless: session id 0 makes clients send full requests.
 */
import { handler } from './handler.js';
import { FetchApi, type FetchRequest, type FetchResponse } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import type { Broker } from '../broker.js';

const READ_COMMITTED = 1;
const EMPTY = Buffer.alloc(0);

export default handler(FetchApi, async (req, { broker }) => {
  const deadline = Date.now() + req.maxWaitMs;
  for (;;) {
    const { response, bytes, failed } = collect(broker, req);
    const left = deadline - Date.now();
    if (bytes >= req.minBytes || left <= 0 || failed) return response;
    await nextAppend(broker, left);
  }
});

function nextAppend(broker: Broker, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      broker.appends.off('append', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    broker.appends.on('append', done);
  });
}

function collect(broker: Broker, req: FetchRequest): { response: FetchResponse; bytes: number; failed: boolean } {
  let bytes = 0;
  let failed = false;
  const readCommitted = req.isolationLevel === READ_COMMITTED;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const log = broker.partition(t.topic, p.partition);
      const base = { partitionIndex: p.partition, preferredReadReplica: -1 };
      if (!log) {
        failed = true;
        return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, records: EMPTY };
      }
      const state = { highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset, logStartOffset: log.logStartOffset };
      if (p.fetchOffset < state.logStartOffset || p.fetchOffset > state.highWatermark) {
        failed = true;
        return { ...base, ...state, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, abortedTransactions: null, records: EMPTY };
      }
      const upTo = readCommitted ? state.lastStableOffset : state.highWatermark;
      const budget = Math.min(p.partitionMaxBytes, req.maxBytes - bytes);
      let records: Buffer[] = [];
      if (p.fetchOffset < upTo && (budget > 0 || bytes === 0)) {
        records = log.read(p.fetchOffset, Math.max(budget, 1), upTo);
        for (const b of records) bytes += b.length;
      }
      const abortedTransactions = readCommitted ? log.abortedTransactions(p.fetchOffset, upTo) : null;
      return { ...base, ...state, errorCode: ErrorCode.NONE, abortedTransactions, records };
    }),
  }));
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes, failed };
}
