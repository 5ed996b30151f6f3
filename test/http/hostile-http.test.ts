/**
 * What a fuzz of the HTTP surfaces (registry, REST API, console API, test control) and of Kafka requests found, each
 * now answered as a client's mistake: the private internal topics (SCRAM credentials, ACLs) are out of every client's
 * reach and no internal topic takes a client's records; JSON nested 100,000 levels gets a 400/422, not a 500 from a
 * stack overflow; a JSON schema's catastrophic `pattern` no longer holds the event loop; ids and versions outside
 * int32 and clock jumps past what a Date holds are refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs, { type AclEntry } from 'kafkajs';
import { startTestBroker, callApi, kafkaClient } from '../helpers.js';
import type { RunningBroker } from '../../src/index.js';
import {
  AlterPartitionReassignmentsApi, CreatePartitionsApi, DeleteRecordsApi, DescribeConfigsApi, DescribeProducersApi, ElectLeadersApi, FetchApi, IncrementalAlterConfigsApi, MetadataApi, ProduceApi,
} from '../../src/protocol/generated/index.js';
import { ErrorCode } from '../../src/protocol/generated/errors.js';
import { encodeBatch } from '../../src/protocol/record-batch.js';

let broker: RunningBroker;
let v3: string;
before(async () => {
  broker = await startTestBroker({ adminPort: -1, registryPort: -1, clock: 'manual', config: { 'sasl.users': 'alice:s3cretPW' }, logLevel: 'fatal' });
  v3 = `${broker.adminUrl}/v3/clusters/samsa-cluster`;
  await call('POST', `${v3}/topics`, { topic_name: 't', partitions_count: 1 });
});
after(async () => { await broker.close(); });

/** A broker that answers slowly or never fails the test within this time (a catastrophic pattern took hours). */
const QUICK = { timeout: 20_000 };

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

test('the SCRAM credentials topic is unknown to Kafka clients and to the admin port; no internal topic takes records', QUICK, async () => {
  const fetched = await callApi(broker.port, FetchApi, 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', clusterId: null, forgottenTopicsData: [],
    topics: [{ topic: '__samsa_users', topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
  });
  assert.equal(fetched.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const meta = await callApi(broker.port, MetadataApi, 12, {
    topics: [{ topicId: Buffer.alloc(16), name: '__samsa_users' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  });
  assert.deepEqual(meta.topics.map((t) => [t.name, t.errorCode, t.partitions.length]), [['__samsa_users', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]]);
  for (const url of [`${broker.adminUrl}/v1/topics/__samsa_users/records`, `${broker.adminUrl}/console/api/topics/__samsa_users/records?offset=0`]) {
    const answer = await call('GET', url);
    assert.equal(answer.status, 404, url);
    assert.doesNotMatch(answer.text, /salt|storedKey|serverKey|s3cretPW/i);
  }

  // Nor is it listed, described, or reconfigured (a retention.ms of 1 would have deleted the credentials).
  const listed = await call('GET', `${v3}/topics`);
  assert.equal(listed.status, 200);
  assert.doesNotMatch(listed.text, /__samsa_users/);
  assert.match(listed.text, /__consumer_offsets/, 'internal topics are listed');
  for (const [method, url, body] of [
    ['GET', `${v3}/topics/__samsa_users`], ['GET', `${v3}/topics/__samsa_users/configs`],
    ['PUT', `${v3}/topics/__samsa_users/configs/retention.ms`, { value: '1' }], ['POST', `${v3}/topics/__samsa_users/configs:alter`, { data: [{ name: 'retention.ms', value: '1' }] }],
  ] as Array<[string, string, unknown?]>) {
    assert.equal((await call(method, url, body)).status, 404, `${method} ${url}`);
  }
  for (const url of [`${broker.adminUrl}/console/api/overview`, `${broker.adminUrl}/metrics`, `${broker.adminUrl}/v1/topics`]) {
    const answer = await call('GET', url);
    assert.equal(answer.status, 200, url);
    assert.doesNotMatch(answer.text, /__samsa_users/, url);
  }
  const altered = await callApi(broker.port, IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: 2, resourceName: '__samsa_users', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }], validateOnly: false,
  });
  assert.equal(altered.responses[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const described = await callApi(broker.port, DescribeConfigsApi, 4, { resources: [{ resourceType: 2, resourceName: '__samsa_users', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  assert.equal(described.results[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(broker.broker.topics.get('__samsa_users')?.configs['retention.ms'], undefined, 'its configs unchanged');

  const produced = await callApi(broker.port, ProduceApi, 9, {
    transactionalId: null, acks: -1, timeoutMs: 1000,
    topicData: ['__consumer_offsets', '__samsa_users', '_schemas'].map((name) => ({ name, partitionData: [{ index: 0, records: encodeBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }]) }] })),
  });
  assert.deepEqual(produced.responses.map((t) => [t.name, t.partitionResponses[0].errorCode]),
    [['__consumer_offsets', ErrorCode.INVALID_TOPIC_EXCEPTION], ['__samsa_users', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], ['_schemas', ErrorCode.INVALID_TOPIC_EXCEPTION]]);
  const viaRest = await call('POST', `${v3}/topics/__consumer_offsets/records`, { value: { type: 'STRING', data: 'x' } });
  assert.ok(viaRest.status >= 400 && viaRest.status < 500, `REST produce to an internal topic: ${viaRest.status} ${viaRest.text}`);
  const deleted = await callApi(broker.port, DeleteRecordsApi, 1, { topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: -1 }] }], timeoutMs: 1000 });
  assert.equal(deleted.topics[0].partitions[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);

  // Nor grown, reassigned, elected or its producers described (CreatePartitions had grown it to 3 partitions).
  const grown = await callApi(broker.port, CreatePartitionsApi, 1, { topics: [{ name: '__samsa_users', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false });
  assert.equal(grown.results[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(broker.broker.topics.get('__samsa_users')?.partitions, 1);
  const reassigned = await callApi(broker.port, AlterPartitionReassignmentsApi, 0, { timeoutMs: 1000, allowReplicationFactorChange: true, topics: [{ name: '__samsa_users', partitions: [{ partitionIndex: 0, replicas: [0] }] }] });
  assert.equal(reassigned.responses[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const elected = await callApi(broker.port, ElectLeadersApi, 2, { electionType: 0, topicPartitions: [{ topic: '__samsa_users', partitions: [0] }], timeoutMs: 1000 });
  assert.equal(elected.replicaElectionResults[0].partitionResult[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const producers = await callApi(broker.port, DescribeProducersApi, 0, { topics: [{ name: '__samsa_users', partitionIndexes: [0] }] });
  assert.equal(producers.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('JSON nested 100,000 levels: 400 or 422 from the registry, the REST API and test control, never a 500', QUICK, async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const answers = [
    await call('POST', `${v3}/topics/t/records`, `{"value":{"type":"JSON","data":${deep}}}`),
    await call('POST', `${v3}/topics/t/records`, `{"value":{"type":${deep}}}`),
    await call('POST', `${broker.registryUrl}/subjects/a/versions`, { schemaType: 'JSON', schema: `{"x":${deep}}` }),
    await call('POST', `${broker.registryUrl}/subjects/b/versions`, { schema: `{"type":"string","x":${deep}}` }),
    await call('POST', `${broker.registryUrl}/subjects/a/versions?normalize=true`, { schemaType: 'JSON', schema: `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}` }),
    await call('POST', `${broker.adminUrl}/v1/faults`, `{"type":${deep}}`),
  ];
  assert.deepEqual(answers.map((a) => a.status >= 400 && a.status < 500), answers.map(() => true), answers.map((a) => `${a.status} ${a.text.slice(0, 100)}`).join('\n'));
  // 1,000 levels are still taken (the body's own two included).
  const ok = await call('POST', `${v3}/topics/t/records`, `{"value":{"type":"JSON","data":${'['.repeat(998)}${']'.repeat(998)}}}`);
  assert.equal(ok.status, 200, ok.text);
});

test("a JSON schema's catastrophic pattern is refused or matched without holding the event loop", QUICK, async () => {
  const schema = JSON.stringify({ type: 'string', pattern: '^(a+)+$' });
  const bad = await call('POST', `${v3}/topics/t/records`, { value: { type: 'JSONSCHEMA', schema, data: `${'a'.repeat(40)}!` } });
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.text, /must match pattern/);
  const good = await call('POST', `${v3}/topics/t/records`, { value: { type: 'JSONSCHEMA', schema, data: 'a'.repeat(40) } });
  assert.equal(good.status, 200, good.text);
  // Patterns that need ajv's `u` flag (non-ASCII, \p{..}, astral characters): rewritten without it, so they move to
  // the linear engine too, and still mean what they meant.
  for (const [i, [pattern, unit, matching]] of [['^(é+)+$', 'é', 'éé'], ['^(\\p{L}+)+$', 'é', 'héllo\u{1D49C}'], ['^([😀]+)+$', '😀', '😀😀']].entries()) {
    // A topic each: its subject's first schema (the one before would make this one incompatible).
    const topic = `patterns-${i}`;
    assert.equal((await call('POST', `${v3}/topics`, { topic_name: topic, partitions_count: 1 })).status, 201);
    const unicode = JSON.stringify({ type: 'string', pattern });
    const refused = await call('POST', `${v3}/topics/${topic}/records`, { value: { type: 'JSONSCHEMA', schema: unicode, data: `${unit.repeat(40)}!` } });
    assert.equal(refused.status, 400, `${pattern}: ${refused.text}`);
    assert.match(refused.text, /must match pattern/);
    const accepted = await call('POST', `${v3}/topics/${topic}/records`, { value: { type: 'JSONSCHEMA', schema: unicode, data: matching } });
    assert.equal(accepted.status, 200, `${pattern}: ${accepted.text}`);
  }
});

test('a pattern the linear engine cannot take (a lookaround) is refused if it repeats a repetition, else matched as written', QUICK, async () => {
  for (const [i, pattern] of ['^(?=(a+)+$)', '^(a+)+$(?<!x)', '^(\\w|\\d)+\\1$'].entries()) {
    const registered = await call('POST', `${broker.registryUrl}/subjects/lookaround-${i}/versions`, { schemaType: 'JSON', schema: JSON.stringify({ type: 'string', pattern }) });
    assert.equal(registered.status, 422, `${pattern}: ${registered.text}`);
    assert.match(registered.text, /backtracks exponentially/);
  }
  // A password rule: lookaheads, nothing repeated twice over; its backtracking stays polynomial.
  assert.equal((await call('POST', `${v3}/topics`, { topic_name: 'lookahead', partitions_count: 1 })).status, 201);
  const rule = JSON.stringify({ type: 'string', pattern: '^(?=.*[A-Z])(?=.*\\d).{8,}$' });
  assert.equal((await call('POST', `${v3}/topics/lookahead/records`, { value: { type: 'JSONSCHEMA', schema: rule, data: 'Secret123' } })).status, 200);
  const weak = await call('POST', `${v3}/topics/lookahead/records`, { value: { type: 'JSONSCHEMA', schema: rule, data: 'secret123' } });
  assert.equal(weak.status, 400, weak.text);
  assert.match(weak.text, /must match pattern/);
});

test('schemas whose compilation grows faster than their size are refused past Samsa\'s limits, quickly; those within are taken', QUICK, async () => {
  const proto = (fields: number) => `syntax = "proto3";\nmessage Wide {\n${Array.from({ length: fields }, (_, i) => `  int32 f${i} = ${i + 1};`).join('\n')}\n}\n`;
  const register = (subject: string, schemaType: string, schema: string) => call('POST', `${broker.registryUrl}/subjects/${subject}/versions`, { schemaType, schema });
  let started = Date.now();
  const wide = await register('wide-proto', 'PROTOBUF', proto(30_000));
  assert.equal(wide.status, 422, wide.text);
  assert.match(wide.text, /a block of more than 2000 numbered entries/);
  assert.ok(Date.now() - started < 2000, 'refused before parsing');
  assert.equal((await register('fits-proto', 'PROTOBUF', proto(2000))).status, 200);
  const branches = (n: number) => JSON.stringify({ anyOf: Array.from({ length: n }, (_, i) => ({ type: 'object', required: [`p${i}`] })) });
  started = Date.now();
  const many = await register('many-json', 'JSON', branches(5000));
  assert.equal(many.status, 422, many.text);
  assert.match(many.text, /anyOf of 5000 branches, more than 500/);
  assert.ok(Date.now() - started < 2000, 'refused before compiling');
  assert.equal((await register('fits-json', 'JSON', branches(500))).status, 200);
});

test('registry ids and versions outside int32 (or below 1) are refused in IMPORT mode', QUICK, async () => {
  assert.equal((await call('PUT', `${broker.registryUrl}/mode?force=true`, { mode: 'IMPORT' })).status, 200);
  for (const body of [{ id: 2 ** 31, version: 1 }, { id: 2 ** 53 - 1, version: 1 }, { id: 1, version: -7 }, { id: 0, version: 1 }]) {
    const answer = await call('POST', `${broker.registryUrl}/subjects/imported/versions`, { schema: '"string"', ...body });
    assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
  }
  const imported = await call('POST', `${broker.registryUrl}/subjects/imported/versions`, { schema: '"string"', id: 2 ** 31 - 1, version: 1 });
  assert.equal(imported.status, 200, `${imported.status} ${imported.text}`);
  assert.equal((await call('PUT', `${broker.registryUrl}/mode`, { mode: 'READWRITE' })).status, 200);
});

test('the manual clock refuses a jump past what a Date holds; an ordinary one still works', QUICK, async () => {
  for (const ms of [1e300, 1e16]) assert.equal((await call('POST', `${broker.adminUrl}/v1/clock/advance`, { ms })).status, 400, `${ms}`);
  const moved = await call('POST', `${broker.adminUrl}/v1/clock/advance`, { ms: 1000 });
  assert.equal(moved.status, 200, moved.text);
});

test("the console's record view cuts long header keys and values as it cuts keys and values", QUICK, async () => {
  const producer = kafkaClient(broker).producer();
  await producer.connect();
  await producer.send({ topic: 't', messages: [{ value: 'v', headers: { ['k'.repeat(100_000)]: 'h'.repeat(100_000) } }] });
  await producer.disconnect();
  const answer = await call('GET', `${broker.adminUrl}/console/api/topics/t/records?offset=0&limit=100`);
  assert.equal(answer.status, 200);
  const headers = (JSON.parse(answer.text) as { records: Array<{ headers: Array<{ key: string; value: string }> }> }).records.flatMap((r) => r.headers);
  assert.deepEqual(headers.map((h) => [h.key.length, h.value.length]), [[65_537, 65_537]]);
});

test("with ACLs on, a group's lags over REST and on the console name only topics the principal may describe", QUICK, async () => {
  const guarded = await startTestBroker({ adminPort: -1, logLevel: 'fatal', config: { 'sasl.users': 'admin:admin-pw', 'authorizer.enabled': 'true', 'super.users': 'User:admin' } });
  try {
    const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
    const asAdmin = new Kafka({ brokers: [guarded.bootstrap], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: 'admin-pw' } });
    const superUser = asAdmin.admin();
    await superUser.connect();
    await superUser.createTopics({ topics: [{ topic: 'hidden.payroll' }, { topic: 'open.orders' }] });
    const describe = (resourceType: number, resourceName: string): AclEntry => ({
      resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:ANONYMOUS', host: '*',
      operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW,
    } as AclEntry);
    // The HTTP surfaces are User:ANONYMOUS: it may describe the group and one of its two topics.
    await superUser.createAcls({ acl: [describe(AclResourceTypes.GROUP, 'g1'), describe(AclResourceTypes.TOPIC, 'open.orders')] });
    for (const topic of ['hidden.payroll', 'open.orders']) await superUser.setOffsets({ groupId: 'g1', topic, partitions: [{ partition: 0, offset: '0' }] });
    const producer = asAdmin.producer();
    await producer.connect();
    await producer.send({ topic: 'hidden.payroll', messages: [{ value: 'a' }, { value: 'b' }] }); // a lag of 2 there, 0 on open.orders
    await producer.disconnect();
    await superUser.disconnect();
    const c = `${guarded.adminUrl}/v3/clusters/samsa-cluster/consumer-groups/g1`;
    const lags = JSON.parse((await call('GET', `${c}/lags`)).text) as { data: Array<{ topic_name: string }> };
    assert.deepEqual(lags.data.map((l) => l.topic_name), ['open.orders']);
    assert.equal((await call('GET', `${c}/lags/hidden.payroll/partitions/0`)).status, 404);
    assert.doesNotMatch((await call('GET', `${c}/lag-summary`)).text, /payroll/);
    const page = await call('GET', `${guarded.adminUrl}/console/api/groups/g1`);
    assert.equal(page.status, 200, page.text);
    assert.doesNotMatch(page.text, /payroll/);
    assert.match(page.text, /open\.orders/);
    const overview = JSON.parse((await call('GET', `${guarded.adminUrl}/console/api/overview`)).text) as { groups: Array<{ groupId: string; lag: number }> };
    assert.deepEqual(overview.groups.map((g) => [g.groupId, g.lag]), [['g1', 0]], 'the overview sums lags over described topics only');
  } finally {
    await guarded.close();
  }
});
