/**
 * One group id, one group type (Kafka's GroupMetadataManager): a share group's id refuses classic JoinGroup
 * (INCONSISTENT_GROUP_PROTOCOL), ConsumerGroupHeartbeat, OffsetCommit, TxnOffsetCommit and OffsetDelete
 * (GROUP_ID_NOT_FOUND) and has no offsets to fetch; a classic or consumer group's id refuses ShareGroupHeartbeat.
 * Raw requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, startTestBroker } from '../helpers.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import {
  ConsumerGroupHeartbeatApi, JoinGroupApi, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi, ShareGroupHeartbeatApi, TxnOffsetCommitApi,
} from '../../src/protocol/generated/index.js';
import { ShareConsumer } from './share-consumer.js';

const join = (port: number, groupId: string, memberId = '') => callApi(port, JoinGroupApi, 9, {
  groupId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null, protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
});
const consumerHeartbeat = (port: number, groupId: string) => callApi(port, ConsumerGroupHeartbeatApi, 1, {
  groupId, memberId: 'kip848-member', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
  subscribedTopicNames: ['work'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
});
const shareHeartbeat = (port: number, groupId: string) => callApi(port, ShareGroupHeartbeatApi, 1, {
  groupId, memberId: 'share-member', memberEpoch: 0, rackId: null, subscribedTopicNames: ['work'],
});

test("a share group's id refuses the classic and consumer protocols and their offset requests", async () => {
  const broker = await startTestBroker();
  try {
    const meta = broker.broker.createTopic('work', 1);
    const member = new ShareConsumer(broker.port, 'sg', meta.id, 'work');
    assert.equal((await member.heartbeat(0)).errorCode, ErrorCode.NONE);

    const joined = await join(broker.port, 'sg', 'some-member');
    assert.deepEqual([joined.errorCode, joined.memberId], [ErrorCode.INCONSISTENT_GROUP_PROTOCOL, '']);
    const hb = await consumerHeartbeat(broker.port, 'sg');
    assert.deepEqual([hb.errorCode, hb.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, 'Group sg is not a consumer group']);

    const commit = await callApi(broker.port, OffsetCommitApi, 9, {
      groupId: 'sg', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: 'work', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    assert.deepEqual(commit.topics.map((t) => t.partitions.map((p) => p.errorCode)), [[ErrorCode.GROUP_ID_NOT_FOUND]]);
    const txnCommit = await callApi(broker.port, TxnOffsetCommitApi, 3, {
      transactionalId: 'tx', groupId: 'sg', producerId: 1, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: 'work', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    assert.deepEqual(txnCommit.topics.map((t) => t.partitions.map((p) => p.errorCode)), [[ErrorCode.GROUP_ID_NOT_FOUND]]);
    const deleted = await callApi(broker.port, OffsetDeleteApi, 0, { groupId: 'sg', topics: [{ name: 'work', partitions: [{ partitionIndex: 0 }] }] });
    assert.equal(deleted.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const fetched = await callApi(broker.port, OffsetFetchApi, 9, {
      groupId: '', topics: null, groups: [{ groupId: 'sg', memberId: null, memberEpoch: -1, topics: [{ name: 'work', partitionIndexes: [0] }] }], requireStable: false,
    });
    assert.deepEqual(fetched.groups.map((g) => [g.errorCode, g.topics.map((t) => t.partitions.map((p) => [p.committedOffset, p.errorCode]))]),
      [[ErrorCode.NONE, [[[-1, ErrorCode.NONE]]]]], 'no offsets, no error (Kafka answers a group of another type so)');

    assert.ok(!broker.broker.groups.groupIds().includes('sg'), 'no classic or consumer group was created beside the share group');
    assert.deepEqual(broker.broker.shares.listGroups().map((g) => g.groupId), ['sg']);
  } finally {
    await broker.close();
  }
});

test("a classic or consumer group's id refuses ShareGroupHeartbeat, ShareFetch and ShareAcknowledge", async () => {
  const broker = await startTestBroker();
  try {
    const topic = broker.broker.createTopic('work', 1);
    assert.equal((await join(broker.port, 'classic')).errorCode, ErrorCode.MEMBER_ID_REQUIRED); // v4+: the group exists now
    assert.equal((await consumerHeartbeat(broker.port, 'kip848')).errorCode, ErrorCode.NONE);
    for (const id of ['classic', 'kip848']) {
      const hb = await shareHeartbeat(broker.port, id);
      assert.deepEqual([hb.errorCode, hb.errorMessage], [ErrorCode.GROUP_ID_NOT_FOUND, `Group ${id} is not a share group.`]);
      // A client that never joined, fetching and acknowledging under the id, makes no share group beside it.
      const stray = new ShareConsumer(broker.port, id, topic.id, 'work');
      await stray.fetch();
      assert.equal(stray.last!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
      assert.equal((await stray.acknowledge([{ offset: 0, type: 1 }])).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    }
    assert.deepEqual(broker.broker.shares.listGroups(), [], 'no share group was created');
  } finally {
    await broker.close();
  }
});
