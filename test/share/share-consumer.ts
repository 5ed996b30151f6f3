/**
 * A share-group member over raw sockets, doing what KIP-932's consumer does: ShareGroupHeartbeat to join and keep its
 * assignment, ShareFetch in a share session (epoch 0, then 1, 2, ...) carrying its acknowledgements, ShareAcknowledge
 * to acknowledge without fetching, and epoch -1 to close. No client on npm or Debian here speaks share groups.
 */
import { randomUUID } from 'node:crypto';
import { callApi } from '../helpers.js';
import { encodeBatch, decodeBatch, readBatchHeader } from '../../src/protocol/record-batch.js';
import {
  ShareAcknowledgeApi, ShareFetchApi, ShareGroupHeartbeatApi,
  type ShareAcknowledgeResponse, type ShareFetchResponse, type ShareGroupHeartbeatResponse,
} from '../../src/protocol/generated/index.js';
import type { RunningBroker } from '../../src/index.js';

export const ACCEPT = 1;
export const RELEASE = 2;
export const REJECT = 3;

export interface Delivered { offset: number; value: string; deliveryCount: number }
export interface Ack { offset: number; type: number }

export class ShareConsumer {
  memberEpoch = 0;
  sessionEpoch = 0;
  last: ShareFetchResponse | null = null;

  constructor(private readonly port: number, readonly groupId: string, private readonly topicId: Buffer, private readonly topic: string,
    readonly memberId: string = randomUUID()) {}

  async heartbeat(epoch = this.memberEpoch): Promise<ShareGroupHeartbeatResponse> {
    const res = await callApi(this.port, ShareGroupHeartbeatApi, 1, {
      groupId: this.groupId, memberId: this.memberId, memberEpoch: epoch, rackId: null, subscribedTopicNames: epoch === 0 ? [this.topic] : null,
    });
    if (res.errorCode === 0) this.memberEpoch = res.memberEpoch;
    return res;
  }

  /** One ShareFetch of partition 0 carrying `acks`; returns the records acquired (value, offset, delivery count). */
  async fetch(acks: Ack[] = [], opts: { maxWaitMs?: number; maxRecords?: number; minBytes?: number; batchSize?: number } = {}): Promise<Delivered[]> {
    const res = await callApi(this.port, ShareFetchApi, 1, {
      groupId: this.groupId, memberId: this.memberId, shareSessionEpoch: this.sessionEpoch, maxWaitMs: opts.maxWaitMs ?? 0, minBytes: opts.minBytes ?? 1,
      maxBytes: 1 << 20, maxRecords: opts.maxRecords ?? 500, batchSize: opts.batchSize ?? 500,
      topics: [{ topicId: this.topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: ackBatches(acks) }] }], forgottenTopicsData: [],
    });
    this.last = res;
    if (res.errorCode === 0) this.sessionEpoch = this.sessionEpoch === -1 ? 0 : this.sessionEpoch + 1;
    return delivered(res);
  }

  async acknowledge(acks: Ack[], close = false): Promise<ShareAcknowledgeResponse> {
    const res = await callApi(this.port, ShareAcknowledgeApi, 1, {
      groupId: this.groupId, memberId: this.memberId, shareSessionEpoch: close ? -1 : this.sessionEpoch,
      topics: [{ topicId: this.topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: ackBatches(acks) }] }],
    });
    if (res.errorCode === 0) this.sessionEpoch = close ? 0 : this.sessionEpoch + 1;
    return res;
  }

  /** The error codes of partition 0 in the last fetch: [fetch error, acknowledgement error]. */
  lastErrors(): [number, number] {
    const p = this.last?.responses[0]?.partitions[0];
    return [p?.errorCode ?? -1, p?.acknowledgeErrorCode ?? -1];
  }
}

function ackBatches(acks: Ack[]): Array<{ firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }> {
  return acks.map((a) => ({ firstOffset: a.offset, lastOffset: a.offset, acknowledgeTypes: [a.type] }));
}

/** The acquired records of a response: each record of the returned batches whose offset an acquired range covers. */
export function delivered(res: ShareFetchResponse): Delivered[] {
  const out: Delivered[] = [];
  for (const t of res.responses) {
    for (const p of t.partitions) {
      const data = Array.isArray(p.records) ? Buffer.concat(p.records) : p.records ?? Buffer.alloc(0);
      for (let pos = 0; pos + 61 <= data.length;) {
        const h = readBatchHeader(data, pos);
        const batch = decodeBatch(data, pos);
        for (const r of batch.records) {
          const range = p.acquiredRecords.find((a) => a.firstOffset <= r.offset && r.offset <= a.lastOffset);
          if (range) out.push({ offset: r.offset, value: r.value?.toString() ?? '', deliveryCount: range.deliveryCount });
        }
        pos += h.size;
      }
    }
  }
  return out;
}

/** Appends one batch of `values` to partition 0. */
export async function produce(broker: RunningBroker, topic: string, values: string[]): Promise<void> {
  const outcome = await broker.broker.appendRecords(topic, 0, encodeBatch(values.map((v) => ({ key: null, value: Buffer.from(v) }))), false);
  if (outcome.errorCode !== 0) throw new Error(`produce failed: ${outcome.errorCode}`);
}
