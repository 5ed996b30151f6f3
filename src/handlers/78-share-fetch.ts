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
 * Long poll: with nothing acquired the request waits up to max_wait_ms (broker clock, and real time on a manual
 * clock, as Fetch), trying again on each append to one of its partitions and each release in the share groups.
 * Partition errors: UNKNOWN_TOPIC_ID, TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER;
 * acknowledgement errors (acknowledge_error_code): INVALID_REQUEST, INVALID_RECORD_STATE.
 */
import { setMaxListeners } from 'node:events';
import { realClock } from '../clock.js';
import { handler, type RequestContext } from './handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { ShareFetchApi, type ShareFetchResponseResponsesPartitions } from '../protocol/generated/index.js';
import { acknowledgePartition, currentLeader, leaderEndpoints, movedLeaders, refuseShareRequest, sharePartitionLog } from './share-requests.js';

const DEFAULT_MAX_RECORDS = 500;

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
  const session = shares.session(groupId, memberId, req.shareSessionEpoch, req.shareSessionEpoch === -1 ? [] : named, forgotten);
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
    }
  }
  if (session === null) {
    await shares.releaseMember(groupId, memberId);
  } else {
    const wanted = [...session.partitions.values()];
    const maxRecords = req.maxRecords > 0 ? req.maxRecords : DEFAULT_MAX_RECORDS;
    // Until something is acquired or max_wait_ms has passed (on the broker's clock, and in real time on a manual one).
    const clock = ctx.broker.clock;
    const deadline = clock.now() + req.maxWaitMs;
    const realDeadline = Date.now() + req.maxWaitMs;
    const left = () => Math.min(deadline - clock.now(), clock === realClock ? Infinity : realDeadline - Date.now());
    while (!acquireAll(ctx, groupId, memberId, wanted, maxRecords, req.maxBytes, slotFor) && wanted.length > 0 && left() > 0) {
      if (!(await waitForRecords(ctx, wanted, left()))) return null; // the client left
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
function acquireAll(ctx: RequestContext, groupId: string, memberId: string, wanted: Array<{ topicId: Buffer; partition: number }>, maxRecords: number, maxBytes: number,
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
    const result = ctx.broker.shares.acquire(groupId, memberId, found.topic, w.partition, found.log, maxRecords - records, maxBytes - bytes);
    if (result.acquired.length === 0) continue;
    const slot = slotFor(w.topicId, w.partition, false).partition;
    slot.records = result.records;
    slot.acquiredRecords = result.acquired;
    for (const r of result.acquired) records += r.lastOffset - r.firstOffset + 1;
    for (const b of result.records) bytes += b.length;
  }
  return records > 0;
}

/** Waits for an append to one of the partitions, records released in the share groups, or `waitMs`; false when the client left. */
function waitForRecords(ctx: RequestContext, wanted: Array<{ topicId: Buffer; partition: number }>, waitMs: number): Promise<boolean> {
  const { broker, signal } = ctx;
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const unwatch: Array<() => void> = [];
    let done = false;
    const finish = (answer: boolean): void => {
      if (done) return;
      done = true;
      timer.cancel();
      realTimer?.cancel();
      signal.removeEventListener('abort', onAbort);
      for (const stop of unwatch) stop();
      resolve(answer);
    };
    const onAbort = (): void => finish(false);
    // One turn of the event loop later, so a produce or release has finished before the re-read.
    const wake = (): void => void setImmediate(() => finish(true));
    const timer = broker.clock.setTimeout(() => finish(true), waitMs);
    const realTimer = broker.clock === realClock ? null : realClock.setTimeout(() => finish(true), waitMs);
    setMaxListeners(0, signal);
    signal.addEventListener('abort', onAbort, { once: true });
    unwatch.push(broker.shares.watch(wake));
    for (const w of wanted) {
      const topic = broker.topics.getById(w.topicId);
      const log = topic && broker.partition(topic.name, w.partition);
      if (log) unwatch.push(log.watch(wake));
    }
  });
}
