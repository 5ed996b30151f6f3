/**
 * An acks=0 Produce has no answer to carry an error: when a partition fails (here: sent to a node that does not
 * lead it) the connection closes, as Kafka's KafkaApis does, so the client refreshes its metadata; a produce that
 * succeeds leaves it open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker } from '../helpers.js';
import { MetadataApi, ProduceApi } from '../../src/protocol/generated/index.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';
import { RawSession } from '../security/raw-session.js';

test('acks=0: a Produce to a node that does not lead the partition closes the connection; one to the leader does not', async () => {
  const broker = await startTestBroker({ nodes: 2 });
  try {
    broker.broker.createTopic('spread', 1);
    const leader = broker.broker.placement.leaderOf('spread', 0);
    const [leading, other] = [broker.nodes.find((n) => n.id === leader)!, broker.nodes.find((n) => n.id !== leader)!];
    const produce = (session: RawSession) => session.send(ProduceApi, 9, {
      transactionalId: null, acks: 0, timeoutMs: 5000,
      topicData: [{ name: 'spread', partitionData: [{ index: 0, records: encodeBatch([{ key: null, value: Buffer.from('x') }]) }] }],
    });
    const metadata = { topics: [{ name: 'spread', topicId: Buffer.alloc(16) }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

    const wrong = await RawSession.open(other.port);
    produce(wrong);
    assert.equal(await wrong.call(MetadataApi, 12, metadata), null, 'closed instead of answering the next request');

    const right = await RawSession.open(leading.port);
    produce(right);
    assert.ok(await right.call(MetadataApi, 12, metadata), 'still open: the Metadata after it is answered');
    right.close();
    assert.equal(broker.broker.partition('spread', 0)!.logEndOffset, 1, 'the leader appended the record');
  } finally {
    await broker.close();
  }
});
