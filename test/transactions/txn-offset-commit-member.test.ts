/**
 * TxnOffsetCommit v3+ (KIP-447) carries the committing consumer's member id, generation and instance id, and the group
 * checks them as Kafka's validateTransactionalOffsetCommit does, so a zombie of an older generation cannot commit its
 * offsets with a transaction: a classic group answers ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID, a consumer group
 * (KIP-848) ILLEGAL_GENERATION for a stale member epoch. A commit naming no member (v0-2, or v3 without one) is not
 * checked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, startTestBroker } from '../helpers.js';
import { stableGroupAt } from '../groups/helpers.js';
import type { RunningBroker } from '../../src/index.js';
import { AddOffsetsToTxnApi, ConsumerGroupHeartbeatApi, InitProducerIdApi, TxnOffsetCommitApi } from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';

let broker: RunningBroker;
before(async () => {
  broker = await startTestBroker();
  broker.broker.createTopic('vt', 2);
});
after(() => broker.close());

/** A transaction with `groupId`'s offsets added (AddOffsetsToTxn); commits offsets as the given member. */
async function transactionFor(groupId: string) {
  const transactionalId = `txn-${groupId}`;
  const init = await callApi(broker.port, InitProducerIdApi, 4, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  const producer = { transactionalId, producerId: init.producerId, producerEpoch: init.producerEpoch };
  assert.equal((await callApi(broker.port, AddOffsetsToTxnApi, 3, { ...producer, groupId })).errorCode, ErrorCode.NONE);
  return async (member: { generationId: number; memberId: string; groupInstanceId?: string | null }, version = 3) => {
    const res = await callApi(broker.port, TxnOffsetCommitApi, version, { ...producer, groupId, groupInstanceId: null, ...member, topics: [
      { name: 'vt', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] },
    ] });
    return res.topics[0].partitions[0].errorCode;
  };
}

test('classic group: a stale generation or an unknown member is refused; the current member and a commit naming no member are not', async () => {
  const { memberId, generationId } = await stableGroupAt(broker.port, 'txn-classic', 5);
  const commit = await transactionFor('txn-classic');
  assert.equal(await commit({ memberId, generationId: generationId - 1 }), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(await commit({ memberId: 'ghost', generationId }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(await commit({ memberId: '', generationId: -1 }), ErrorCode.NONE);
  assert.equal(await commit({ memberId: '', generationId: -1 }, 2), ErrorCode.NONE);
  assert.equal(await commit({ memberId, generationId }), ErrorCode.NONE);
});

test('consumer group (KIP-848): a stale member epoch is ILLEGAL_GENERATION, the current one commits', async () => {
  const joined = await callApi(broker.port, ConsumerGroupHeartbeatApi, 1, {
    groupId: 'txn-848', memberId: 'txn-member', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['vt'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
  });
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const commit = await transactionFor('txn-848');
  assert.equal(await commit({ memberId: 'txn-member', generationId: joined.memberEpoch + 1 }), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(await commit({ memberId: 'stranger', generationId: joined.memberEpoch }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(await commit({ memberId: 'txn-member', generationId: joined.memberEpoch }), ErrorCode.NONE);
});
