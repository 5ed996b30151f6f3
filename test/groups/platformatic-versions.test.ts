/**
 * @platformatic/kafka picks the highest version it implements inside the broker's range, so it sends the newest
 * group and transaction versions we serve: a consumer group (FindCoordinator 6, JoinGroup 9, SyncGroup 5, Heartbeat
 * 4, OffsetFetch/OffsetCommit 9, LeaveGroup 5), a consume-transform-produce transaction (InitProducerId 5,
 * AddPartitionsToTxn 3, AddOffsetsToTxn 4, TxnOffsetCommit 4, EndTxn 4) and the admin APIs (ListGroups 5 with its
 * type filter, DescribeGroups 5, LeaveGroup 5 by an admin, DeleteGroups 2).
 */
import '../../compat-suite/clients/node22-shim.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers, type Message } from '@platformatic/kafka';
import { until, startVersionRecordingBroker } from './helpers.js';
import type { RunningBroker } from '../../src/index.js';

let broker: RunningBroker;
/** The highest version of each API the client sent. */
let sent: Map<string, number>;

before(async () => { ({ broker, sent } = await startVersionRecordingBroker()); });
after(async () => { await broker.close(); });

const options = () => ({ clientId: 'platformatic-versions', bootstrapBrokers: [broker.bootstrap], timeout: 10_000, retries: 3, retryDelay: 200 });

test('a platformatic consumer group, transaction and group admin at the newest versions', async () => {
  const admin = new Admin(options());
  const producer = new Producer({ ...options(), serializers: stringSerializers, idempotent: true, transactionalId: 'pv-tx' });
  const consumer = new Consumer({ ...options(), groupId: 'pv-group', deserializers: stringDeserializers, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTime: 100 });
  try {
    await admin.createTopics({ topics: ['pv-in', 'pv-out'], partitions: 1, replicas: 1 });
    await producer.send({ messages: ['a', 'b', 'c'].map((value) => ({ topic: 'pv-in', key: value, value })) });

    const stream = await consumer.consume({ topics: ['pv-in'], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });
    const got: Array<Message<string, string, string, string>> = [];
    stream.on('data', (m: Message<string, string, string, string>) => { got.push(m); });
    await until('3 messages', () => got.length >= 3);
    await until('a heartbeat', () => sent.has('Heartbeat'));
    // Consume-transform-produce: the output and the consumed position commit together.
    const txn = await producer.beginTransaction();
    await txn.send({ messages: got.map((m) => ({ topic: 'pv-out', key: m.key, value: m.value.toUpperCase() })) });
    await txn.addConsumer(consumer);
    await txn.addOffset(got[2]);
    await txn.commit();
    await until('the transaction\'s offset is the group\'s', () => broker.broker.groups.inspect('pv-group')?.offsets.get('pv-in\u00000')?.offset === 3);
    await got[2].commit();

    const listed = await admin.listGroups();
    assert.equal(listed.get('pv-group')?.state, 'Stable');
    assert.ok([...(await admin.listGroups({ types: ['consumer'] })).keys()].every((id) => id !== 'pv-group'), 'not a KIP-848 consumer group');
    const described = (await admin.describeGroups({ groups: ['pv-group'] })).get('pv-group')!;
    assert.equal(described.members.size, 1);
    const [memberId] = described.members.keys();
    await admin.removeMembersFromConsumerGroup({ groupId: 'pv-group', members: [{ memberId, reason: 'test' }] });
    await until('the member was removed', () => broker.broker.groups.stateOf('pv-group') !== 'Stable' || broker.broker.groups.inspect('pv-group')?.members.has(memberId) === false);
    await stream.close();
  } finally {
    await consumer.close(true);
    await producer.close();
  }
  try {
    await until('the group is empty', () => broker.broker.groups.stateOf('pv-group') === 'Empty');
    await admin.deleteGroups({ groups: ['pv-group'] });
    assert.equal(broker.broker.groups.stateOf('pv-group'), 'Dead');
  } finally {
    await admin.close();
  }
  assert.deepEqual(Object.fromEntries(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'OffsetFetch', 'OffsetCommit', 'LeaveGroup', 'InitProducerId',
    'AddPartitionsToTxn', 'AddOffsetsToTxn', 'TxnOffsetCommit', 'EndTxn', 'ListGroups', 'DescribeGroups', 'DeleteGroups'].map((api) => [api, sent.get(api)])), {
    FindCoordinator: 6, JoinGroup: 9, SyncGroup: 5, Heartbeat: 4, OffsetFetch: 9, OffsetCommit: 9, LeaveGroup: 5, InitProducerId: 5,
    AddPartitionsToTxn: 3, AddOffsetsToTxn: 4, TxnOffsetCommit: 4, EndTxn: 4, ListGroups: 5, DescribeGroups: 5, DeleteGroups: 2,
  });
});
