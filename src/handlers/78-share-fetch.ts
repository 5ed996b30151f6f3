/**
 * ShareFetch 1 (KIP-932): applies a member's acknowledgements, then acquires records for it from the partitions of
 * its share session and hands back the stored batches holding them (never decoded) with the acquired offset ranges
 * and their delivery counts. Acquisition takes whole batches until max_records (it may exceed it for batch
 * alignment), within max_bytes; the records stay locked to the member for the group's lock duration.
 *
 * Sessions: epoch 0 opens one with the request's partitions, later epochs add partitions and drop forgotten ones; a
 * session that is gone is SHARE_SESSION_NOT_FOUND, a wrong epoch INVALID_SHARE_SESSION_EPOCH. Epoch -1 (the final
 * fetch) only acknowledges, closes the session and releases what the member still holds.
 *
 * Limits (4.1): max_records caps the records acquired, exceeded only to end on a log batch boundary; batch_size cuts
 * the acquired ranges listed (at the first batch boundary after batch_size records), as Kafka's acquired batches.
 *
 * Long poll (Kafka's DelayedShareFetch): until min_bytes can be acquired from the session's partitions (measured from
 * each share-partition's next acquirable offset), one of them fails, or max_wait_ms passes (broker clock, and real
 * time on a manual clock, as Fetch), the request parks; an append re-measures its own partition, a release in the
 * share groups all of them. Then it acquires what there is; with nothing acquired it waits on, up to max_wait_ms. A
 * parked request is dropped, unanswered, when its connection closes.
 * Partition errors: UNKNOWN_TOPIC_ID, TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER;
 * acknowledgement errors (acknowledge_error_code): INVALID_REQUEST, INVALID_RECORD_STATE.
 */
import { realClock } from '../clock.js';
import { handler, park, type RequestContext } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ShareFetchApi, type ShareFetchResponseResponsesPartitions } from '../protocol/generated/index.js';
import { acknowledgePartition, currentLeader, leaderEndpoints, movedLeaders, refuseShareRequest, sharePartitionLog } from './share-requests.js';

const DEFAULT_MAX_RECORDS = 500;

interface Wanted { topicId: Buffer; partition: number }
interface Slot { topicId: Buffer; partition: ShareFetchResponseResponsesPartitions; named: boolean }

export default handler(ShareFetchApi, async (req, ctx) => {
  const answer = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] });
  const refused = refuseShareRequest(ctx, req.groupId, req.memberId);
  if (refused !== null) return answer(refused);
  const groupId = req.groupId!;
  const memberId = req.memberId!;
  const shares = ctx.broker.shares;
  const named = req.topics.flatMap((t) => t.partitions.map((p) => ({ topicId: t.topicId, partition: p.partitionIndex })));
  const forgotten = req.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topicId: t.topicId, partition })));
  // Only partitions that exist join the session (the others are answered with their error each time they are named):
  // a session of 2.4M made-up partitions had taken 1.4 GB, and 30 s to answer an empty fetch.
  const existing = named.filter((p) => {
    const topic = ctx.broker.topics.getById(p.topicId);
    return topic !== undefined && p.partition >= 0 && p.partition < topic.partitions;
  });
  const session = shares.session(groupId, memberId, req.shareSessionEpoch, req.shareSessionEpoch === -1 ? [] : existing, forgotten);
  if (typeof session === 'number') return answer(session);

  const slots = new Map<string, Slot>();
  const slotFor = (topicId: Buffer, partition: number, isNamed: boolean): Slot => {
    const key = `${topicId.toString('hex')}\0${partition}`;
    let slot = slots.get(key);
    if (!slot) {
      slot = { topicId, named: isNamed, partition: { partitionIndex: partition, errorCode: ErrorCode.NONE, errorMessage: null, acknowledgeErrorCode: ErrorCode.NONE,
        acknowledgeErrorMessage: null, currentLeader: currentLeader(ctx, topicId, partition), records: null, acquiredRecords: [] } };
      slots.set(key, slot);
    }
    return slot;
  };
  for (const t of req.topics) {
    for (const p of t.partitions) {
      const slot = slotFor(t.topicId, p.partitionIndex, true);
      if (p.acknowledgementBatches.length > 0) slot.partition.acknowledgeErrorCode = await acknowledgePartition(ctx, groupId, memberId, t.topicId, p.partitionIndex, p.acknowledgementBatches);
      const topic = ctx.broker.topics.getById(t.topicId);
      if (!topic) slot.partition.errorCode = ErrorCode.UNKNOWN_TOPIC_ID;
      else if (p.partitionIndex < 0 || p.partitionIndex >= topic.partitions) slot.partition.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    }
  }
  if (session === null) {
    await shares.releaseMember(groupId, memberId);
  } else {
    const wanted = [...session.partitions.values()];
    const maxRecords = req.maxRecords > 0 ? req.maxRecords : DEFAULT_MAX_RECORDS;
    const minBytes = Math.min(req.minBytes, req.maxBytes);
    // Until min_bytes can be acquired, a partition fails, or max_wait_ms has passed (on the broker's clock, and in
    // real time on a manual one); then it acquires what there is, waiting on while that is nothing.
    const clock = ctx.broker.clock;
    const deadline = clock.now() + req.maxWaitMs;
    const realDeadline = Date.now() + req.maxWaitMs;
    const left = () => Math.min(deadline - clock.now(), clock === realClock ? Infinity : realDeadline - Date.now());
    for (;;) {
      // Measured in turn until min_bytes are found (the rest is measured only if it parks).
      const available = wanted.map(() => 0);
      let ready = false;
      for (let i = 0; i < wanted.length && !ready; i++) {
        available[i] = acquirable(ctx, groupId, wanted[i], minBytes, req.maxBytes);
        ready = available[i] === -1 || sum(available) >= minBytes;
      }
      const acquire = () => acquireAll(ctx, groupId, memberId, wanted, maxRecords, req.maxBytes, req.batchSize, slotFor);
      if (ready || wanted.length === 0 || left() <= 0) {
        acquire();
        break;
      }
      if (!(await waitForRecords(ctx, groupId, wanted, available, minBytes, req.maxBytes, left()))) return null; // the client left
      if (acquire() || left() <= 0) break;
    }
  }
  // Answered: the partitions the request named, and those of the session that acquired records.
  const responses: Array<{ topicId: Buffer; partitions: ShareFetchResponseResponsesPartitions[] }> = [];
  for (const slot of slots.values()) {
    if (!slot.named && slot.partition.acquiredRecords.length === 0 && slot.partition.errorCode === ErrorCode.NONE) continue;
    const last = responses[responses.length - 1];
    if (last && last.topicId.equals(slot.topicId)) last.partitions.push(slot.partition);
    else responses.push({ topicId: slot.topicId, partitions: [slot.partition] });
  }
  const nodeEndpoints = leaderEndpoints(ctx, movedLeaders(responses.flatMap((t) => t.partitions)));
  return { ...answer(ErrorCode.NONE), acquisitionLockTimeoutMs: shares.lockDurationMs(groupId), responses, nodeEndpoints };
});

/** Acquires from each partition in turn while records and bytes are left; true if anything was acquired. */
function acquireAll(ctx: RequestContext, groupId: string, memberId: string, wanted: Wanted[], maxRecords: number, maxBytes: number, batchSize: number,
  slotFor: (topicId: Buffer, partition: number, named: boolean) => Slot): boolean {
  let records = 0;
  let bytes = 0;
  for (const w of wanted) {
    if (records >= maxRecords || bytes >= maxBytes) break;
    const found = sharePartitionLog(ctx, w.topicId, w.partition);
    if (typeof found === 'number') {
      slotFor(w.topicId, w.partition, false).partition.errorCode = found;
      continue;
    }
    const result = ctx.broker.shares.acquire(groupId, memberId, found.topic, w.partition, found.log, maxRecords - records, maxBytes - bytes, batchSize);
    if (result.acquired.length === 0) continue;
    const slot = slotFor(w.topicId, w.partition, false).partition;
    slot.records = result.records;
    slot.acquiredRecords = result.acquired;
    for (const r of result.acquired) records += r.lastOffset - r.firstOffset + 1;
    for (const b of result.records) bytes += b.length;
  }
  return records > 0;
}

/** The bytes a member could acquire from a partition (counted until `minBytes`, within `maxBytes`); -1 when the partition fails. */
function acquirable(ctx: RequestContext, groupId: string, w: Wanted, minBytes: number, maxBytes: number): number {
  const found = sharePartitionLog(ctx, w.topicId, w.partition);
  return typeof found === 'number' ? -1 : ctx.broker.shares.acquirableBytes(groupId, found.topic, w.partition, found.log, minBytes, maxBytes);
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Parks until `minBytes` can be acquired from the partitions, one of them fails, or `waitMs` passes; false when the
 * client left. An append re-measures its own partition; records released in the share groups re-measure them all.
 */
function waitForRecords(ctx: RequestContext, groupId: string, wanted: Wanted[], available: number[], minBytes: number, maxBytes: number, waitMs: number): Promise<boolean> {
  const { broker } = ctx;
  return park(ctx, waitMs, (parked) => {
    const changed = new Set<number>();
    let scheduled = false;
    // One turn of the event loop later, so a produce or release has finished before the re-read.
    const recheck = (): void => {
      scheduled = false;
      if (parked.done) return;
      for (const i of changed) available[i] = acquirable(ctx, groupId, wanted[i], minBytes, maxBytes);
      changed.clear();
      if (available.includes(-1) || sum(available) >= minBytes) parked.finish(true);
    };
    const wake = (i: number): void => {
      changed.add(i);
      if (!scheduled) {
        scheduled = true;
        setImmediate(recheck);
      }
    };
    const unwatch = [broker.shares.watch(() => wanted.forEach((_, i) => wake(i)))];
    wanted.forEach((w, i) => {
      const topic = broker.topics.getById(w.topicId);
      const log = topic && broker.partition(topic.name, w.partition);
      if (log) unwatch.push(log.watch(() => wake(i)));
    });
    return unwatch;
  });
}
