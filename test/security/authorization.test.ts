/**
 * Authorization with real clients over real sockets: SASL/PLAIN principals (admin is a super user), ACLs created
 * through kafkajs admin, each client seeing its own authorization error where Kafka's would.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs, { type Admin, type AclEntry } from 'kafkajs';
import { startTestBroker, callApi, run, tempDir } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import {
  CreateAclsApi, DescribeAclsApi, DeleteAclsApi, MetadataApi, DescribeConfigsApi, InitProducerIdApi, FindCoordinatorApi, ProduceApi, CreateTopicsApi, DeleteTopicsApi,
  DescribeUserScramCredentialsApi, AlterUserScramCredentialsApi, SaslHandshakeApi, ElectLeadersApi, ConsumerGroupHeartbeatApi, ShareGroupHeartbeatApi, AlterShareGroupOffsetsApi, ConsumerGroupDescribeApi, ShareGroupDescribeApi,
} from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
const USERS = 'admin:admin-pw,alice:secret,bob:pw,carol:pw';
const PASSWORDS: Record<string, string> = { admin: 'admin-pw', alice: 'secret', bob: 'pw', carol: 'pw' };
const config = { 'sasl.plain.users': USERS, 'authorizer.enabled': 'true', 'super.users': 'User:admin;User:ops' };

let broker: RunningBroker;
let admin: Admin;

const clientAs = (b: RunningBroker, user: string) => new Kafka({
  clientId: `acl-${user}`, brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 },
  sasl: { mechanism: 'plain', username: user, password: PASSWORDS[user] },
});

const allow = (principal: string, resourceType: number, resourceName: string, operation: number, over: Partial<AclEntry> = {}): AclEntry => ({
  resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal, host: '*', operation,
  permissionType: AclPermissionTypes.ALLOW, ...over,
} as AclEntry);

async function grant(...acl: AclEntry[]): Promise<void> {
  await admin.createAcls({ acl });
}

const isType = (type: string) => (err: any) => {
  const text = `${err?.type} ${err?.name} ${err?.message} ${JSON.stringify(err?.cause?.type ?? '')} ${(err?.errors ?? []).map((e: any) => e?.type).join(' ')}`;
  assert.ok(text.includes(type) || text.toLowerCase().includes(type.toLowerCase().replace(/_/g, ' ')), text);
  return true;
};

before(async () => {
  broker = await startTestBroker({ config });
  admin = clientAs(broker, 'admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: ['alice-orders', 'payments', 'shared-open', 'shared-locked', 'visible', 'secret', 'grouped', 'txn-out'].map((topic) => ({ topic })) });
});

after(async () => {
  await admin.disconnect();
  await broker.close();
});

/** The user's kafkajs producer writes to `allowed` and gets TOPIC_AUTHORIZATION_FAILED from `refused`. */
async function producesOnlyTo(user: string, allowed: string, refused: string): Promise<void> {
  const producer = clientAs(broker, user).producer();
  await producer.connect();
  try {
    await producer.send({ topic: allowed, messages: [{ value: 'allowed' }] });
    await assert.rejects(producer.send({ topic: refused, messages: [{ value: 'refused' }] }), isType('TOPIC_AUTHORIZATION_FAILED'));
  } finally {
    await producer.disconnect();
  }
}

test('a producer allowed on one topic and refused on another gets TOPIC_AUTHORIZATION_FAILED', async () => {
  await grant(allow('User:alice', AclResourceTypes.TOPIC, 'alice-orders', AclOperationTypes.WRITE));
  await producesOnlyTo('alice', 'alice-orders', 'payments');
});

test('a PREFIXED grant covers every topic under the prefix; DENY wins over ALLOW', async () => {
  await grant(
    allow('User:bob', AclResourceTypes.TOPIC, 'shared-', AclOperationTypes.WRITE, { resourcePatternType: ResourcePatternTypes.PREFIXED }),
    allow('User:bob', AclResourceTypes.TOPIC, 'shared-locked', AclOperationTypes.WRITE, { permissionType: AclPermissionTypes.DENY }),
    allow('User:bob', AclResourceTypes.TOPIC, 'shared-locked', AclOperationTypes.DESCRIBE),
  );
  await producesOnlyTo('bob', 'shared-open', 'shared-locked');
});

test('a consumer without READ on its group is refused (GROUP_AUTHORIZATION_FAILED), then consumes once granted', async () => {
  // FindCoordinator needs DESCRIBE on the group (kafkajs reports its refusal as "coordinator not found"); JoinGroup READ.
  const seed = clientAs(broker, 'admin').producer();
  await seed.connect();
  await seed.send({ topic: 'grouped', messages: [{ value: 'hello' }] });
  await seed.disconnect();
  await grant(allow('User:carol', AclResourceTypes.TOPIC, 'grouped', AclOperationTypes.READ), allow('User:carol', AclResourceTypes.GROUP, 'carol-group', AclOperationTypes.DESCRIBE));

  const refused = clientAs(broker, 'carol').consumer({ groupId: 'carol-group', retry: { retries: 0 } });
  const crashed = new Promise<any>((resolve) => refused.on(refused.events.CRASH, (e) => resolve(e.payload.error)));
  await refused.connect();
  await refused.subscribe({ topic: 'grouped', fromBeginning: true });
  await refused.run({ eachMessage: async () => {} });
  isType('GROUP_AUTHORIZATION_FAILED')(await crashed);
  await refused.disconnect();

  await grant(allow('User:carol', AclResourceTypes.GROUP, 'carol-group', AclOperationTypes.READ));
  const consumer = clientAs(broker, 'carol').consumer({ groupId: 'carol-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'grouped', fromBeginning: true });
  const got = new Promise<string>((resolve) => { void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }); });
  assert.equal(await got, 'hello');
  await consumer.disconnect();
});

test('a transactional producer needs WRITE on its transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED)', async () => {
  // FindCoordinator needs DESCRIBE on the id (kafkajs reports its refusal as "coordinator not found"); InitProducerId WRITE.
  await grant(allow('User:alice', AclResourceTypes.TOPIC, 'txn-out', AclOperationTypes.WRITE), allow('User:alice', AclResourceTypes.TRANSACTIONAL_ID, 'alice-tx', AclOperationTypes.DESCRIBE));
  const refused = clientAs(broker, 'alice').producer({ transactionalId: 'alice-tx', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
  await refused.connect();
  await assert.rejects(refused.transaction(), isType('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'));
  await refused.disconnect();

  await grant(allow('User:alice', AclResourceTypes.TRANSACTIONAL_ID, 'alice-tx', AclOperationTypes.WRITE));
  const producer = clientAs(broker, 'alice').producer({ transactionalId: 'alice-tx', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'txn-out', messages: [{ value: 'in a transaction' }] });
  await txn.commit();
  await producer.disconnect();
});

test('an idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED)', async () => {
  // The raw connection is User:ANONYMOUS, with no ACL yet.
  const refused = await callApi(broker.port, InitProducerIdApi, 1, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  assert.deepEqual([refused.errorCode, refused.producerId], [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, -1]);
  const producer = clientAs(broker, 'alice').producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
  await producer.connect(); // alice has WRITE on some topics
  await producer.send({ topic: 'alice-orders', messages: [{ value: 'idempotent' }] });
  await producer.disconnect();
});

test('FindCoordinator refuses a group or transactional id the principal may not describe', async () => {
  const group = await callApi(broker.port, FindCoordinatorApi, 1, { key: 'some-group', keyType: 0, coordinatorKeys: [] });
  assert.deepEqual([group.errorCode, group.nodeId], [ErrorCode.GROUP_AUTHORIZATION_FAILED, -1]);
  const txn = await callApi(broker.port, FindCoordinatorApi, 1, { key: 'some-txn', keyType: 1, coordinatorKeys: [] });
  assert.deepEqual([txn.errorCode, txn.nodeId], [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1]);
});

test('Metadata leaves out topics the principal may not describe, and refuses them by name', async () => {
  await grant(allow('User:carol', AclResourceTypes.TOPIC, 'visible', AclOperationTypes.DESCRIBE));
  const carol = clientAs(broker, 'carol').admin();
  await carol.connect();
  try {
    assert.deepEqual((await carol.listTopics()).sort(), ['grouped', 'visible']);
    await assert.rejects(carol.fetchTopicMetadata({ topics: ['secret'] }), isType('TOPIC_AUTHORIZATION_FAILED'));
    await assert.rejects(carol.fetchTopicMetadata({ topics: ['does-not-exist'] }), isType('TOPIC_AUTHORIZATION_FAILED'), 'existence is not disclosed');
    await assert.rejects(carol.createTopics({ topics: [{ topic: 'carol-new' }] }), isType('TOPIC_AUTHORIZATION_FAILED'));
    await assert.rejects(carol.deleteTopics({ topics: ['visible'] }), isType('TOPIC_AUTHORIZATION_FAILED'));
  } finally {
    await carol.disconnect();
  }
});

test('a super user does everything: topics, configs, groups, ACLs', async () => {
  const ops = admin;
  await ops.createTopics({ topics: [{ topic: 'admin-made', numPartitions: 2 }] });
  await ops.createPartitions({ topicPartitions: [{ topic: 'admin-made', count: 3 }] });
  const configs = await ops.describeConfigs({ resources: [{ type: 2, name: 'admin-made' }], includeSynonyms: false });
  assert.equal(configs.resources[0].errorCode, 0);
  const producer = clientAs(broker, 'admin').producer();
  await producer.connect();
  await producer.send({ topic: 'admin-made', messages: [{ value: 'x' }] });
  await producer.disconnect();
  const consumer = clientAs(broker, 'admin').consumer({ groupId: 'admin-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'admin-made', fromBeginning: true });
  const got = new Promise<void>((resolve) => { void consumer.run({ eachMessage: async () => resolve() }); });
  await got;
  await consumer.disconnect();
  assert.ok((await ops.listGroups()).groups.some((g) => g.groupId === 'admin-group'));
  await ops.deleteGroups(['admin-group']);
  await ops.deleteTopics({ topics: ['admin-made'] });
});

test('kafkajs admin creates, describes and deletes ACLs; others may not (CLUSTER_AUTHORIZATION_FAILED)', async () => {
  const entry = allow('User:zed', AclResourceTypes.TOPIC, 'zed-', AclOperationTypes.READ, { resourcePatternType: ResourcePatternTypes.PREFIXED });
  await grant(entry, allow('User:zed', AclResourceTypes.GROUP, 'zed-group', AclOperationTypes.READ));
  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:zed',
    operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
  } as any);
  assert.deepEqual(described.resources.map((r) => [r.resourceType, r.resourceName, r.resourcePatternType]).sort(),
    [[AclResourceTypes.TOPIC, 'zed-', ResourcePatternTypes.PREFIXED], [AclResourceTypes.GROUP, 'zed-group', ResourcePatternTypes.LITERAL]]);
  const deleted = await admin.deleteAcls({ filters: [{
    resourceType: AclResourceTypes.TOPIC, resourceName: 'zed-topic', resourcePatternType: ResourcePatternTypes.MATCH,
    principal: 'User:zed', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
  } as any] });
  assert.deepEqual(deleted.filterResponses[0].matchingAcls.map((m) => m.resourceName), ['zed-']);
  const after = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:zed', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY } as any);
  assert.deepEqual(after.resources.map((r) => r.resourceName), ['zed-group']);

  const bob = clientAs(broker, 'bob').admin();
  await bob.connect();
  try {
    await assert.rejects(bob.createAcls({ acl: [entry] }), isType('CLUSTER_AUTHORIZATION_FAILED'));
    await assert.rejects(bob.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY } as any),
      isType('CLUSTER_AUTHORIZATION_FAILED'));
  } finally {
    await bob.disconnect();
  }
});

test('malformed bindings get INVALID_REQUEST each and are not stored; the valid one is; v2 and v3 (flexible) served', async () => {
  // The raw connection is User:ANONYMOUS: give it the cluster so it may manage ACLs.
  await grant(allow('User:ANONYMOUS', AclResourceTypes.CLUSTER, 'kafka-cluster', AclOperationTypes.ALL));
  const base = { resourceType: 2, resourceName: 'raw-topic', resourcePatternType: 3, principal: 'User:raw', host: '*', operation: 3, permissionType: 3 };
  const creations = [
    base,
    { ...base, resourceType: 99 },
    { ...base, resourceType: 0 },
    { ...base, resourcePatternType: 2 },
    { ...base, principal: '' },
    { ...base, principal: 'raw' },
    { ...base, resourceName: '' },
    { ...base, resourceType: 4, resourceName: 'not-the-cluster' },
    { ...base, operation: 1 },
  ];
  for (const version of [1, 3]) {
    const res = await callApi(broker.port, CreateAclsApi, version, { creations });
    assert.deepEqual(res.results.map((r) => r.errorCode), [0, 42, 42, 42, 42, 42, 42, 42, 42], `v${version}`);
    assert.ok(res.results.slice(1).every((r) => r.errorMessage), 'each refusal says why');
  }
  const filter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: 'User:raw', hostFilter: null, operation: 1, permissionType: 1 };
  const described = await callApi(broker.port, DescribeAclsApi, 2, filter);
  assert.equal(described.errorCode, 0);
  assert.deepEqual(described.resources.map((r) => [r.resourceName, r.acls.length]), [['raw-topic', 1]]);
  const unknown = await callApi(broker.port, DescribeAclsApi, 1, { ...filter, resourceTypeFilter: 0 });
  assert.equal(unknown.errorCode, ErrorCode.INVALID_REQUEST);
  const deleted = await callApi(broker.port, DeleteAclsApi, 3, { filters: [{ ...filter, operation: 0 }, filter] });
  assert.deepEqual(deleted.filterResults.map((r) => [r.errorCode, r.matchingAcls.length]), [[ErrorCode.INVALID_REQUEST, 0], [0, 1]]);
  assert.equal((await callApi(broker.port, DescribeAclsApi, 3, filter)).resources.length, 0);
});

test('Metadata v8 authorized operations, and DescribeConfigs of the broker needs the cluster', async () => {
  const meta = await callApi(broker.port, MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: 'visible' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true });
  // ANONYMOUS holds ALL on the cluster (previous test) and nothing on topics.
  assert.equal(meta.clusterAuthorizedOperations, [5, 9, 10, 11, 12, 7, 8].reduce((bits, op) => bits | (1 << op), 0));
  assert.equal(meta.topics[0].errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  await grant(allow('User:ANONYMOUS', AclResourceTypes.TOPIC, 'visible', AclOperationTypes.READ));
  const granted = await callApi(broker.port, MetadataApi, 8, { topics: [{ topicId: Buffer.alloc(16), name: 'visible' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: true });
  assert.equal(granted.topics[0].errorCode, 0);
  assert.equal(granted.topics[0].topicAuthorizedOperations, (1 << 3) | (1 << 8));
  assert.equal(granted.clusterAuthorizedOperations, -2147483648);
  const configs = await callApi(broker.port, DescribeConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: 'visible', configurationKeys: null }, { resourceType: 4, resourceName: '0', configurationKeys: ['num.partitions'] }], includeSynonyms: false, includeDocumentation: false });
  assert.deepEqual(configs.results.map((r) => r.errorCode), [ErrorCode.TOPIC_AUTHORIZATION_FAILED, 0]);
});

test('Produce checks WRITE on the topic, and on the transactional id for transactional records', async () => {
  const produce = async (topic: string, transactionalId: string | null, isTransactional: boolean) => {
    const records = encodeBatch([{ key: null, value: Buffer.from('raw') }], { isTransactional, producerId: isTransactional ? 1 : -1, producerEpoch: 0 });
    const res = await callApi(broker.port, ProduceApi, 7, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    return res.responses[0].partitionResponses[0].errorCode;
  };
  // The raw connection is User:ANONYMOUS, with no WRITE anywhere.
  assert.equal(await produce('visible', null, false), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(await produce('no-such-topic', null, false), ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'before existence');
  assert.equal(await produce('visible', 'raw-tx', true), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  assert.equal(await produce('visible', null, true), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional records without an id');
  await grant(allow('User:ANONYMOUS', AclResourceTypes.TOPIC, 'visible', AclOperationTypes.WRITE));
  assert.equal(await produce('visible', null, false), ErrorCode.NONE);
});

test('CreateTopics v7 hides the configs of a topic the principal may not DESCRIBE_CONFIGS; DeleteTopics v6 by id hides the name of one it may not DESCRIBE', async () => {
  // ANONYMOUS holds ALL on the cluster (so CREATE) but nothing on the new topic.
  const created = await callApi(broker.port, CreateTopicsApi, 7, { topics: [{ name: 'anon-created', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const [t] = created.topics;
  assert.deepEqual([t.errorCode, t.topicConfigErrorCode, t.numPartitions, t.configs], [ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED, -1, []]);
  assert.ok(t.topicId.equals(broker.broker.topics.get('anon-created')!.id));
  // READ on 'visible' (granted above) implies DESCRIBE, not DELETE; 'secret' is not even describable.
  const ids = ['visible', 'secret'].map((name) => broker.broker.topics.get(name)!.id);
  const deleted = await callApi(broker.port, DeleteTopicsApi, 6, { topics: ids.map((topicId) => ({ name: null, topicId })), topicNames: [], timeoutMs: 5000 });
  assert.deepEqual(deleted.responses.map((r) => [r.name, r.errorCode]), [['visible', ErrorCode.TOPIC_AUTHORIZATION_FAILED], [null, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  assert.ok(broker.broker.topics.get('secret'));
});

test('kcat (librdkafka) sees Topic authorization failed', async () => {
  const sasl = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=bob', '-X', 'sasl.password=pw'];
  const produced = await run('kcat', ['-P', '-b', broker.bootstrap, '-t', 'secret', ...sasl], { input: 'nope\n', timeoutMs: 20_000 });
  assert.match(produced.stderr, /Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i, produced.stderr);
  const listed = await run('kcat', ['-L', '-b', broker.bootstrap, '-t', 'secret', ...sasl], { timeoutMs: 20_000 });
  assert.match(listed.stdout + listed.stderr, /Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i);
});

test('ACLs survive a restart (stored in __samsa_acls on disk) and still decide', async () => {
  const data = tempDir('samsa-acls-');
  try {
    let b = await startTestBroker({ config, dataDir: data.dir });
    const a = clientAs(b, 'admin').admin();
    await a.connect();
    await a.createTopics({ topics: [{ topic: 'durable' }, { topic: 'other' }] });
    await a.createAcls({ acl: [allow('User:alice', AclResourceTypes.TOPIC, 'dur', AclOperationTypes.WRITE, { resourcePatternType: ResourcePatternTypes.PREFIXED }),
      allow('User:alice', AclResourceTypes.TOPIC, 'gone', AclOperationTypes.WRITE)] });
    await a.deleteAcls({ filters: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'gone', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY } as any] });
    await a.disconnect();
    await b.close();

    b = await startTestBroker({ config, dataDir: data.dir });
    try {
      const acls = b.broker.acls!.describe({ resourceType: 1, resourceName: null, patternType: 1, principal: null, host: null, operation: 1, permissionType: 1 });
      assert.deepEqual(acls.map((x) => x.resourceName), ['dur']);
      const producer = clientAs(b, 'alice').producer();
      await producer.connect();
      await producer.send({ topic: 'durable', messages: [{ value: 'after restart' }] });
      await assert.rejects(producer.send({ topic: 'other', messages: [{ value: 'x' }] }), isType('TOPIC_AUTHORIZATION_FAILED'));
      await producer.disconnect();
    } finally {
      await b.close();
    }
  } finally {
    data.remove();
  }
});

test('on a SASL_PLAINTEXT listener with allow.everyone.if.no.acl.found: only resources some ACL names are restricted', async () => {
  const b = await startTestBroker({ config: { ...config, listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', 'allow.everyone.if.no.acl.found': 'true' } });
  try {
    const saslBootstrap = b.nodes[0].listeners.SASL_PLAINTEXT;
    const kcatAs = (user: string, topic: string) => run('kcat', ['-P', '-b', saslBootstrap, '-t', topic, '-X', 'security.protocol=SASL_PLAINTEXT',
      '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${PASSWORDS[user]}`], { input: `from ${user}\n`, timeoutMs: 20_000 });
    const a = clientAs(b, 'admin').admin();
    await a.connect();
    await a.createTopics({ topics: [{ topic: 'public' }, { topic: 'private' }] });
    await a.createAcls({ acl: [allow('User:alice', AclResourceTypes.TOPIC, 'private', AclOperationTypes.WRITE)] });
    await a.disconnect();
    const open = await kcatAs('bob', 'public');
    assert.equal(open.code, 0, open.stderr);
    const refused = await kcatAs('bob', 'private');
    assert.match(refused.stderr, /Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i, refused.stderr);
    const granted = await kcatAs('alice', 'private');
    assert.equal(granted.code, 0, granted.stderr);
    assert.equal(b.broker.partition('private', 0)!.highWatermark, 1);
  } finally {
    await b.close();
  }
});

// What an audit of every API with ACLs on found open; raw connections here are User:ANONYMOUS, without the cluster
// ACL an earlier test gave it.

test('the SCRAM credential APIs need DESCRIBE and ALTER on the cluster: nobody else lists users or replaces a password', async () => {
  await admin.deleteAcls({ filters: [{ ...allow('User:ANONYMOUS', AclResourceTypes.CLUSTER, 'kafka-cluster', AclOperationTypes.ALL) }] });
  const described = await callApi(broker.port, DescribeUserScramCredentialsApi, 0, { users: null });
  assert.deepEqual([described.errorCode, described.results], [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, []]);
  const altered = await callApi(broker.port, AlterUserScramCredentialsApi, 0, {
    deletions: [], upsertions: [{ name: 'admin', mechanism: 1, iterations: 4096, salt: Buffer.alloc(16, 1), saltedPassword: Buffer.alloc(32, 2) }],
  });
  assert.deepEqual(altered.results.map((r) => [r.user, r.errorCode]), [['admin', ErrorCode.CLUSTER_AUTHORIZATION_FAILED]]);
  const stillAdmin = clientAs(broker, 'admin').admin();
  await stillAdmin.connect(); // the password was not replaced
  await stillAdmin.disconnect();
});

test('with ACLs on, OAUTHBEARER (unsigned tokens by default) is not offered unless listed explicitly', async () => {
  const handshake = await callApi(broker.port, SaslHandshakeApi, 1, { mechanism: 'OAUTHBEARER' });
  assert.equal(handshake.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assert.equal(handshake.mechanisms.includes('OAUTHBEARER'), false);
  assert.ok(handshake.mechanisms.includes('PLAIN'));
});

test('a transactional batch behind a plain one in a partition still needs WRITE on the transactional id', async () => {
  await admin.createTopics({ topics: [{ topic: 'anon-writes' }] });
  await grant(allow('User:ANONYMOUS', AclResourceTypes.TOPIC, 'anon-writes', AclOperationTypes.WRITE));
  const records = Buffer.concat([
    encodeBatch([{ key: null, value: Buffer.from('plain') }]),
    encodeBatch([{ key: null, value: Buffer.from('injected') }], { isTransactional: true, producerId: 0, producerEpoch: 0, baseSequence: 1 }),
  ]);
  const res = await callApi(broker.port, ProduceApi, 9, { transactionalId: 'someone-elses-txn', acks: -1, timeoutMs: 1000, topicData: [{ name: 'anon-writes', partitionData: [{ index: 0, records }] }] });
  assert.equal(res.responses[0].partitionResponses[0].errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
});

test('ElectLeaders for every partition names no topic to a principal that may not elect', async () => {
  const res = await callApi(broker.port, ElectLeadersApi, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
  assert.deepEqual([res.errorCode, res.replicaElectionResults], [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, []]);
});

test('group heartbeats subscribing to a topic the member may not describe get TOPIC_AUTHORIZATION_FAILED; share offsets give no id of it', async () => {
  await grant(allow('User:ANONYMOUS', AclResourceTypes.GROUP, 'anon-', AclOperationTypes.READ, { resourcePatternType: ResourcePatternTypes.PREFIXED }));
  const consumer = await callApi(broker.port, ConsumerGroupHeartbeatApi, 1, {
    groupId: 'anon-cg', memberId: 'm'.repeat(22), memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['secret'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
  });
  assert.deepEqual([consumer.errorCode, consumer.assignment], [ErrorCode.TOPIC_AUTHORIZATION_FAILED, null]);
  const share = await callApi(broker.port, ShareGroupHeartbeatApi, 1, { groupId: 'anon-sg', memberId: 'm'.repeat(22), memberEpoch: 0, rackId: null, subscribedTopicNames: ['secret'] });
  assert.deepEqual([share.errorCode, share.assignment], [ErrorCode.TOPIC_AUTHORIZATION_FAILED, null]);
  const offsets = await callApi(broker.port, AlterShareGroupOffsetsApi, 0, { groupId: 'anon-sg', topics: [{ topicName: 'secret', partitions: [{ partitionIndex: 0, startOffset: 0 }] }] });
  for (const r of offsets.responses) assert.deepEqual(r.topicId, Buffer.alloc(16), 'no id of a topic the principal may not see');
});

test('a KIP-848 regex subscription is assigned only topics the member may describe; describing the group needs them too', async () => {
  await admin.createTopics({ topics: [{ topic: 'anon-visible-a' }] });
  await grant(allow('User:ANONYMOUS', AclResourceTypes.TOPIC, 'anon-visible-a', AclOperationTypes.DESCRIBE));
  const ids = new Map((await admin.fetchTopicMetadata({ topics: ['anon-visible-a', 'secret'] })).topics.map((t) => [t.name, t.partitions.length]));
  assert.equal(ids.size, 2);
  const memberId = 'r'.repeat(22);
  let memberEpoch = 0;
  let assigned: Buffer[] | null = null;
  for (let i = 0; i < 10 && assigned === null; i++) {
    const res = await callApi(broker.port, ConsumerGroupHeartbeatApi, 1, {
      groupId: 'anon-regex', memberId, memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: null, subscribedTopicRegex: 'anon-visible-.*|secret', serverAssignor: null, topicPartitions: i === 0 ? [] : null,
    });
    assert.equal(res.errorCode, ErrorCode.NONE, res.errorMessage ?? '');
    memberEpoch = res.memberEpoch;
    assigned = res.assignment?.topicPartitions.map((t) => t.topicId) ?? null;
  }
  const meta = await callApi(broker.port, MetadataApi, 12, { topics: [{ topicId: Buffer.alloc(16), name: 'anon-visible-a' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  assert.deepEqual(assigned, [meta.topics[0].topicId], 'only anon-visible-a, not secret');

  // Describing the group shows its members while the caller may describe their topics, and nothing once it may not.
  const describe = () => callApi(broker.port, ConsumerGroupDescribeApi, 1, { groupIds: ['anon-regex'], includeAuthorizedOperations: false }).then((r) => r.groups[0]);
  const shown = await describe();
  assert.deepEqual([shown.errorCode, shown.members.length], [ErrorCode.NONE, 1]);
  const shareMember = await callApi(broker.port, ShareGroupHeartbeatApi, 1, { groupId: 'anon-sg2', memberId: 's'.repeat(22), memberEpoch: 0, rackId: null, subscribedTopicNames: ['anon-visible-a'] });
  assert.equal(shareMember.errorCode, ErrorCode.NONE);
  const describeShare = () => callApi(broker.port, ShareGroupDescribeApi, 1, { groupIds: ['anon-sg2'], includeAuthorizedOperations: false }).then((r) => r.groups[0]);
  assert.deepEqual([(await describeShare()).errorCode, (await describeShare()).members.length], [ErrorCode.NONE, 1]);
  await admin.deleteAcls({ filters: [{ ...allow('User:ANONYMOUS', AclResourceTypes.TOPIC, 'anon-visible-a', AclOperationTypes.DESCRIBE) }] });
  const hidden = await describe();
  assert.deepEqual([hidden.errorCode, hidden.members], [ErrorCode.TOPIC_AUTHORIZATION_FAILED, []]);
  const hiddenShare = await describeShare();
  assert.deepEqual([hiddenShare.errorCode, hiddenShare.members], [ErrorCode.TOPIC_AUTHORIZATION_FAILED, []]);
});
