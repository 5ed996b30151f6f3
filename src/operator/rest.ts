/**
 * Kafka REST API v3, the resources of Confluent's REST Proxy that tools use, at `/v3` on the admin host:
 *
 *   GET  /clusters, /clusters/{c}                         KafkaCluster
 *   GET  /clusters/{c}/brokers[/{id}]                     KafkaBroker
 *   GET  /clusters/{c}/topics[/{t}]  POST (create)  DELETE /topics/{t}
 *   GET  /topics/{t}/configs[/{name}]  PUT, DELETE /configs/{name}  POST /configs:alter
 *   GET  /topics/{t}/partitions[/{p}]
 *   POST /topics/{t}/records                              one record: BINARY, STRING, JSON, AVRO, JSONSCHEMA, PROTOBUF
 *   GET  /consumer-groups[/{g}[/consumers[/{id}] | /lag-summary | /lags[/{t}/partitions/{p}]]]
 *                                                         classic groups (type CLASSIC) and KIP-848 consumer groups
 *                                                         (type CONSUMER, states ASSIGNING/RECONCILING too)
 *
 * Answers are shaped as Confluent documents them (`kind`, `metadata.self` and `resource_name`, `related` links;
 * lists as `{kind, metadata, data}`), errors as `{error_code, message}` with Confluent's codes: 404 for an unknown
 * cluster, group or config, 40403 for an unknown topic or partition, 40002 for a request Kafka refuses. Everything
 * goes to the broker's own objects (topics, logs, groups, the registry), never through the Kafka protocol. The
 * request body is capped (413) and checked field by field before anything changes.
 *
 * ACLs: with `authorizer.enabled` a REST request is a client of principal User:ANONYMOUS from the caller's address (what
 * Confluent's REST Proxy without security would be), or of the user its credentials name with `admin.auth=basic` (a
 * super user, as the admin port asks), and needs the ACLs the Admin and Producer calls it stands
 * for need (DESCRIBE, CREATE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS, WRITE on the topic; DESCRIBE on the group);
 * refused: 403 with 40301. Lists leave out what the principal may not describe.
 */
import type { Broker } from '../broker.js';
import { HttpError, Reply, Router, type HttpRequest } from '../http/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { encodeBatch } from '../protocol/record-batch.js';
import { ConfigSource, resolveTopicConfigs, topicConfigDefs } from '../metadata/configs.js';
import { AlterOp, applyConfigChanges, ResourceType, type ConfigChange } from '../metadata/config-changes.js';
import { CreateTopicsApi } from '../protocol/generated/index.js';
import { HANDLERS } from '../handlers/index.js';
import { Router as ApiRouter } from '../server/router.js';
import type { RequestContext } from '../handlers/handler.js';
import { newSaslSession } from '../server/sasl.js';
import { AclOperation, ResourceType as AclResource } from '../security/acl.js';
import { authorized } from '../security/authorizer.js';
import { consumerGroupLags, groupMembers, type GroupMember, type PartitionLag } from './lag.js';
import { badRequest, encodePart } from './rest-records.js';
import { partitionForKey } from '../protocol/partitioner.js';

/** Largest request body (a produce request's base64 value included). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SOURCE_NAMES = Object.fromEntries(Object.entries(ConfigSource).map(([name, code]) => [code, name]));
const GROUP_STATES: Record<string, string> = {
  Empty: 'EMPTY', PreparingRebalance: 'PREPARING_REBALANCE', CompletingRebalance: 'COMPLETING_REBALANCE', Stable: 'STABLE', Dead: 'DEAD',
  // A consumer (KIP-848) group's own states (Kafka's GroupState).
  Assigning: 'ASSIGNING', Reconciling: 'RECONCILING',
};

const notFound = (message: string) => new HttpError(404, 404, message);
const forbidden = () => new HttpError(403, 40301, 'Authorization failed.');
const unknownTopic = () => new HttpError(404, 40403, 'This server does not host this topic-partition.');

type Json = Record<string, unknown>;

/** The REST v3 router of a broker, to mount at `/v3`. */
export function restRouter(broker: Broker): Router {
  const api = new RestApi(broker);
  const apis = new ApiRouter(HANDLERS);
  const router = new Router({ maxBodyBytes: MAX_BODY_BYTES });
  const c = '/clusters/:cluster';
  const { DESCRIBE, DELETE, WRITE, DESCRIBE_CONFIGS, ALTER_CONFIGS } = AclOperation;
  const topic = (op: number): Guard => [op, AclResource.TOPIC, 'topic'];
  const group: Guard = [DESCRIBE, AclResource.GROUP, 'group'];
  /** A handler for the cluster in the path (404 for another), after the ACL check `guard` names, if any. */
  const on = (handle: (req: HttpRequest, ctx: RequestContext) => unknown, guard?: Guard) => (req: HttpRequest) => {
    if (req.params.cluster !== undefined && req.params.cluster !== broker.clusterId) throw notFound(`Cluster ${req.params.cluster} could not be found.`);
    const ctx = restContext(broker, apis, req);
    if (guard && !authorized(ctx, guard[0], guard[1], req.params[guard[2]])) throw forbidden();
    return handle(req, ctx);
  };
  const may = (ctx: RequestContext, op: number, type: number) => (name: string) => authorized(ctx, op, type, name);
  return router
    .route('/clusters', { GET: on(() => api.clusters()) })
    .route(c, { GET: on(() => api.cluster()) })
    .route(`${c}/brokers`, { GET: on(() => api.list('KafkaBrokerList', '/brokers', broker.nodes.map((n) => api.brokerJson(n.id)))) })
    .route(`${c}/brokers/:broker`, { GET: on((req) => api.brokerJson(Number(req.params.broker))) })
    .route(`${c}/topics`, {
      GET: on((_req, ctx) => api.list('KafkaTopicList', '/topics',
        broker.clientTopics().map((t) => t.name).filter(may(ctx, DESCRIBE, AclResource.TOPIC)).map((t) => api.topic(t)))),
      POST: on(async (req, ctx) => api.createTopic(await req.body(), ctx)),
    })
    .route(`${c}/topics/:topic`, { GET: on((req) => api.topic(req.params.topic), topic(DESCRIBE)), DELETE: on((req) => api.deleteTopic(req.params.topic), topic(DELETE)) })
    .route(`${c}/topics/:topic/configs`, { GET: on((req) => api.topicConfigs(req.params.topic), topic(DESCRIBE_CONFIGS)) })
    .route(`${c}/topics/:topic/configs:alter`, { POST: on(async (req) => api.alterConfigs(req.params.topic, await req.body()), topic(ALTER_CONFIGS)) })
    .route(`${c}/topics/:topic/configs/:name`, {
      GET: on((req) => api.topicConfig(req.params.topic, req.params.name), topic(DESCRIBE_CONFIGS)),
      PUT: on(async (req) => api.setConfig(req.params.topic, req.params.name, await req.body()), topic(ALTER_CONFIGS)),
      DELETE: on((req) => api.changeConfigs(req.params.topic, [{ name: req.params.name, op: AlterOp.DELETE, value: null }], false), topic(ALTER_CONFIGS)),
    })
    .route(`${c}/topics/:topic/partitions`, { GET: on((req) => api.partitions(req.params.topic), topic(DESCRIBE)) })
    .route(`${c}/topics/:topic/partitions/:partition`, { GET: on((req) => api.partition(req.params.topic, req.params.partition), topic(DESCRIBE)) })
    .route(`${c}/topics/:topic/records`, { POST: on(async (req) => api.produce(req.params.topic, await req.body()), topic(WRITE)) })
    .route(`${c}/consumer-groups`, {
      GET: on((_req, ctx) => api.list('KafkaConsumerGroupList', '/consumer-groups',
        broker.groups.listGroups().map((g) => g.groupId).filter(may(ctx, DESCRIBE, AclResource.GROUP)).map((g) => api.group(g)))),
    })
    .route(`${c}/consumer-groups/:group`, { GET: on((req) => api.group(req.params.group), group) })
    .route(`${c}/consumer-groups/:group/consumers`, { GET: on((req) => api.consumers(req.params.group), group) })
    .route(`${c}/consumer-groups/:group/consumers/:consumer`, { GET: on((req) => api.consumer(req.params.group, req.params.consumer), group) })
    // Lags name topics: only those the principal may DESCRIBE (as OffsetFetch leaves the others out).
    .route(`${c}/consumer-groups/:group/lag-summary`, { GET: on((req, ctx) => api.lagSummary(req.params.group, may(ctx, DESCRIBE, AclResource.TOPIC)), group) })
    .route(`${c}/consumer-groups/:group/lags`, { GET: on((req, ctx) => api.lags(req.params.group, may(ctx, DESCRIBE, AclResource.TOPIC)), group) })
    .route(`${c}/consumer-groups/:group/lags/:topic/partitions/:partition`, {
      GET: on((req, ctx) => api.lag(req.params.group, req.params.topic, req.params.partition, may(ctx, DESCRIBE, AclResource.TOPIC)), group),
    });
}

/** An ACL check: the operation, the resource type, and the path parameter naming the resource. */
type Guard = [operation: number, resourceType: number, param: string];

/**
 * What the authorizer and the handlers called here know of a REST caller: the user its HTTP Basic credentials named
 * (admin.auth=basic), else User:ANONYMOUS, at its address.
 */
export function restContext(broker: Broker, router: ApiRouter, req: HttpRequest): RequestContext {
  return {
    broker, node: broker.placement.nodeIds[0], version: 0, clientId: 'rest', clientHost: `${req.remoteAddress ?? ''}:0`,
    sasl: newSaslSession(), session: { listener: 'REST', requiresAuthentication: false, principal: `User:${req.user ?? 'ANONYMOUS'}`, clientSoftware: null },
    router, signal: new AbortController().signal,
  };
}

class RestApi {
  /** Where the next record without key or partition goes, per topic (round robin). */
  private readonly nextPartition = new Map<string, number>();

  constructor(private readonly broker: Broker) {}

  private get clusterId(): string {
    return this.broker.clusterId;
  }

  /** Absolute URL of a path under the cluster (metadata.self, related links). */
  private url(path: string): string {
    return `${this.broker.admin?.url ?? ''}/v3/clusters/${encodeURIComponent(this.clusterId)}${path}`;
  }

  private related(path: string): { related: string } {
    return { related: this.url(path) };
  }

  private resource(kind: string, path: string, crn: string): Json {
    return { kind, metadata: { self: this.url(path), resource_name: `crn:///kafka=${this.clusterId}${crn}` }, cluster_id: this.clusterId };
  }

  list(kind: string, path: string, data: unknown[]): Json {
    return { kind, metadata: { self: this.url(path), next: null }, data };
  }

  clusters(): Json {
    return { ...this.list('KafkaClusterList', '', [this.cluster()]), metadata: { self: `${this.broker.admin?.url ?? ''}/v3/clusters`, next: null } };
  }

  cluster(): Json {
    const controller = this.broker.nodes[0]?.id ?? this.broker.placement.nodeIds[0];
    return {
      ...this.resource('KafkaCluster', '', ''),
      controller: this.related(`/brokers/${controller}`),
      acls: this.related('/acls'),
      brokers: this.related('/brokers'),
      broker_configs: this.related('/broker-configs'),
      consumer_groups: this.related('/consumer-groups'),
      topics: this.related('/topics'),
      partition_reassignments: this.related('/topics/-/partitions/-/reassignment'),
    };
  }

  brokerJson(id: number): Json {
    const node = this.broker.node(id);
    if (!node) throw notFound(`Broker ${id} could not be found.`);
    const endpoint = node.endpoints[0];
    return {
      ...this.resource('KafkaBroker', `/brokers/${id}`, `/broker=${id}`),
      broker_id: id, host: endpoint?.host ?? null, port: endpoint?.port ?? null, rack: null,
      configs: this.related(`/brokers/${id}/configs`),
      partition_replicas: this.related(`/brokers/${id}/partition-replicas`),
    };
  }

  private topicMeta(name: string) {
    const topic = this.broker.clientTopic(name);
    if (!topic) throw unknownTopic();
    return topic;
  }

  private topicJson(name: string, internal: boolean, replicationFactor: number, partitions: number): Json {
    const t = `/topics/${encodeURIComponent(name)}`;
    return {
      ...this.resource('KafkaTopic', t, `/topic=${name}`),
      topic_name: name, is_internal: internal, replication_factor: replicationFactor, partitions_count: partitions,
      partitions: this.related(`${t}/partitions`),
      configs: this.related(`${t}/configs`),
      partition_reassignments: this.related(`${t}/partitions/-/reassignment`),
      authorized_operations: [],
    };
  }

  topic(name: string): Json {
    const topic = this.topicMeta(name);
    return this.topicJson(name, topic.internal, topic.replicationFactor ?? 1, topic.partitions);
  }

  /** CreateTopics' own validation (names, counts, replication, configs), then the topic as created. */
  async createTopic(body: unknown, ctx: RequestContext): Promise<Reply> {
    const b = object(body);
    const name = b.topic_name;
    if (typeof name !== 'string') throw badRequest('topic_name is required');
    const partitions = optionalInt(b.partitions_count, 'partitions_count') ?? -1;
    const replicationFactor = optionalInt(b.replication_factor, 'replication_factor') ?? -1;
    const configs = configList(b.configs);
    const validateOnly = b.validate_only === true;
    const response = await ctx.router.handlerOf(CreateTopicsApi.key)!.handle({
      topics: [{ name, numPartitions: partitions, replicationFactor, assignments: [], configs }], timeoutMs: 0, validateOnly,
    }, ctx);
    const result = response!.topics[0];
    if (result.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) throw forbidden();
    if (result.errorCode !== ErrorCode.NONE) throw badRequest(result.errorMessage ?? `Topic ${name} could not be created`);
    const json = validateOnly
      ? this.topicJson(name, false, replicationFactor === -1 ? this.broker.config.int('default.replication.factor') : replicationFactor,
        partitions === -1 ? this.broker.config.int('num.partitions') : partitions)
      : this.topic(name);
    return new Reply(JSON.stringify(json), 201);
  }

  deleteTopic(name: string): undefined {
    const topic = this.topicMeta(name);
    if (topic.internal) throw new HttpError(403, 40301, `Topic ${name} is internal and cannot be deleted.`);
    if (!this.broker.config.bool('delete.topic.enable')) throw badRequest('Topic deletion is disabled.');
    this.broker.deleteTopic(name);
    this.nextPartition.delete(name);
    return undefined;
  }

  private configJson(topic: string, c: { name: string; value: string; source: number }): Json {
    const def = topicConfigDefs.get(c.name);
    const sensitive = def?.type === 'password';
    const source = SOURCE_NAMES[c.source] ?? 'UNKNOWN';
    const value = sensitive ? null : c.value;
    return {
      ...this.resource('KafkaTopicConfig', `/topics/${encodeURIComponent(topic)}/configs/${encodeURIComponent(c.name)}`, `/topic=${topic}/config=${c.name}`),
      topic_name: topic, name: c.name, value, is_default: c.source === ConfigSource.DEFAULT_CONFIG, is_read_only: false,
      is_sensitive: sensitive, source, synonyms: [{ name: c.name, value, source }],
    };
  }

  private resolvedConfigs(topic: string) {
    const meta = this.topicMeta(topic);
    return resolveTopicConfigs(meta.configs, this.broker.config);
  }

  topicConfigs(topic: string): Json {
    return this.list('KafkaTopicConfigList', `/topics/${encodeURIComponent(topic)}/configs`,
      this.resolvedConfigs(topic).map((c) => this.configJson(topic, c)));
  }

  topicConfig(topic: string, name: string): Json {
    const found = this.resolvedConfigs(topic).find((c) => c.name === name);
    if (!found) throw notFound(`Config ${name} could not be found.`);
    return this.configJson(topic, found);
  }

  setConfig(topic: string, name: string, body: unknown): undefined {
    const value = object(body).value;
    if (typeof value !== 'string') throw badRequest('value must be a string');
    return this.changeConfigs(topic, [{ name, op: AlterOp.SET, value }], false);
  }

  /** `configs:alter`: `{data: [{name, value?, operation?: SET | DELETE}], validate_only?}`, all or nothing. */
  alterConfigs(topic: string, body: unknown): undefined {
    const b = object(body);
    if (!Array.isArray(b.data)) throw badRequest('data must be a list of {name, value, operation}');
    const changes = b.data.map((entry): ConfigChange => {
      const e = object(entry);
      if (typeof e.name !== 'string') throw badRequest('each config needs a name');
      const operation = e.operation === undefined ? 'SET' : String(e.operation).toUpperCase();
      if (operation === 'DELETE') return { name: e.name, op: AlterOp.DELETE, value: null };
      if (operation !== 'SET') throw badRequest(`unknown operation ${String(e.operation)} (SET or DELETE)`);
      if (typeof e.value !== 'string') throw badRequest(`config ${e.name}: value must be a string`);
      return { name: e.name, op: AlterOp.SET, value: e.value };
    });
    return this.changeConfigs(topic, changes, b.validate_only === true);
  }

  changeConfigs(topic: string, changes: ConfigChange[], validateOnly: boolean): undefined {
    this.topicMeta(topic);
    const result = applyConfigChanges(this.broker, ResourceType.TOPIC, topic, changes, false, validateOnly);
    if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw unknownTopic();
    if (result.errorCode !== ErrorCode.NONE) throw badRequest(result.errorMessage ?? 'Invalid config');
    return undefined;
  }

  private partitionJson(topic: string, partition: number): Json {
    const p = `/topics/${encodeURIComponent(topic)}/partitions/${partition}`;
    const leader = this.broker.placement.leaderOf(topic, partition);
    return {
      ...this.resource('KafkaPartition', p, `/topic=${topic}/partition=${partition}`),
      topic_name: topic, partition_id: partition,
      leader: this.related(`${p}/replicas/${leader}`),
      replicas: this.related(`${p}/replicas`),
      reassignment: this.related(`${p}/reassignment`),
    };
  }

  partitions(topic: string): Json {
    const meta = this.topicMeta(topic);
    return this.list('KafkaPartitionList', `/topics/${encodeURIComponent(topic)}/partitions`,
      Array.from({ length: meta.partitions }, (_, p) => this.partitionJson(topic, p)));
  }

  partition(topic: string, partitionParam: string): Json {
    const partition = partitionNumber(partitionParam);
    if (partition === null || !this.broker.partition(topic, partition)) throw unknownTopic();
    return this.partitionJson(topic, partition);
  }

  /** One record: key and value encoded first (nothing is appended if either fails), then appended with acks=all. */
  async produce(topic: string, body: unknown): Promise<Json> {
    const meta = this.topicMeta(topic);
    const b = object(body);
    const registry = this.broker.registry;
    const key = await encodePart(b.key, topic, true, registry);
    const value = await encodePart(b.value, topic, false, registry);
    if (b.headers !== undefined && b.headers !== null && !Array.isArray(b.headers)) throw badRequest('headers must be a list of {name, value}');
    const headers = ((b.headers ?? []) as unknown[]).map((h) => {
      const header = object(h);
      if (typeof header.name !== 'string') throw badRequest('each header needs a name');
      if (header.value !== null && header.value !== undefined && (typeof header.value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(header.value))) {
        throw badRequest(`header ${header.name}: value must be base64`);
      }
      return { key: header.name, value: typeof header.value === 'string' ? Buffer.from(header.value, 'base64') : null };
    });
    let timestamp = this.broker.clock.now();
    if (b.timestamp !== undefined) {
      timestamp = typeof b.timestamp === 'string' ? Date.parse(b.timestamp) : NaN;
      if (!Number.isFinite(timestamp)) throw badRequest('timestamp must be an ISO 8601 date-time');
    }
    let partition: number;
    if (b.partition_id !== undefined) {
      partition = optionalInt(b.partition_id, 'partition_id')!;
      if (partition < 0 || partition >= meta.partitions) throw unknownTopic();
    } else if (key.bytes) {
      partition = partitionForKey(key.bytes, meta.partitions);
    } else {
      partition = (this.nextPartition.get(topic) ?? 0) % meta.partitions;
      this.nextPartition.set(topic, partition + 1);
    }
    const batch = encodeBatch([{ key: key.bytes, value: value.bytes, headers, timestamp }], { baseTimestamp: timestamp, maxTimestamp: timestamp });
    const result = await this.broker.appendRecords(topic, partition, batch, true);
    if (result.errorCode !== ErrorCode.NONE) {
      const name = Object.entries(ErrorCode).find(([, code]) => code === result.errorCode)?.[0] ?? String(result.errorCode);
      throw badRequest(result.errorMessage ? `${name}: ${result.errorMessage}` : name);
    }
    this.broker.traffic.produced(topic, batch.length);
    return {
      error_code: 200, cluster_id: this.clusterId, topic_name: topic, partition_id: partition, offset: result.baseOffset,
      timestamp: new Date(result.logAppendTimeMs >= 0 ? result.logAppendTimeMs : timestamp).toISOString(),
      // Absent parts are left out, as Confluent leaves them out.
      ...(key.summary && { key: key.summary }), ...(value.summary && { value: value.summary }),
    };
  }

  /** A classic or consumer (KIP-848) group's state, assignor and members; 404 when there is none. */
  private groupOrThrow(group: string) {
    if (this.broker.groups.groupType(group) === 'consumer') {
      const d = this.broker.groups.consumerGroupDescribe(group);
      if (d.errorCode !== ErrorCode.NONE) throw notFound(`Consumer group ${group} could not be found.`);
      return { type: 'CONSUMER', state: d.groupState, simple: false, assignor: d.assignorName, members: groupMembers(this.broker, group) };
    }
    const described = this.broker.groups.describeGroup(group);
    if (described.errorCode !== ErrorCode.NONE || described.groupState === 'Dead') throw notFound(`Consumer group ${group} could not be found.`);
    return { type: 'CLASSIC', state: described.groupState, simple: described.protocolType === '', assignor: described.protocolData, members: groupMembers(this.broker, group) };
  }

  group(group: string): Json {
    const described = this.groupOrThrow(group);
    const g = `/consumer-groups/${encodeURIComponent(group)}`;
    return {
      ...this.resource('KafkaConsumerGroup', g, `/consumer-group=${group}`),
      consumer_group_id: group, is_simple: described.simple, partition_assignor: described.assignor,
      state: GROUP_STATES[described.state] ?? 'UNKNOWN', type: described.type, is_mixed_consumer_group: false,
      coordinator: this.related(`/brokers/${this.broker.placement.coordinatorOf(group)}`),
      consumers: this.related(`${g}/consumers`),
      lag_summary: this.related(`${g}/lag-summary`),
    };
  }

  private consumerJson(group: string, m: GroupMember): Json {
    const path = `/consumer-groups/${encodeURIComponent(group)}/consumers/${encodeURIComponent(m.memberId)}`;
    return {
      ...this.resource('KafkaConsumer', path, `/consumer-group=${group}/consumer=${m.memberId}`),
      consumer_group_id: group, consumer_id: m.memberId, instance_id: m.instanceId, client_id: m.clientId,
      assignments: this.related(`${path}/assignments`),
      partitions: m.partitions.map((tp) => ({ topic_name: tp.topic, partition_id: tp.partition })),
    };
  }

  consumers(group: string): Json {
    const described = this.groupOrThrow(group);
    return this.list('KafkaConsumerList', `/consumer-groups/${encodeURIComponent(group)}/consumers`, described.members.map((m) => this.consumerJson(group, m)));
  }

  consumer(group: string, consumerId: string): Json {
    const member = this.groupOrThrow(group).members.find((m) => m.memberId === consumerId);
    if (!member) throw notFound(`Consumer ${consumerId} could not be found.`);
    return this.consumerJson(group, member);
  }

  private lagJson(l: PartitionLag): Json {
    const path = `/consumer-groups/${encodeURIComponent(l.group)}/lags/${encodeURIComponent(l.topic)}/partitions/${l.partition}`;
    return {
      ...this.resource('KafkaConsumerLag', path, `/consumer-group=${l.group}/lag=${l.topic}/partition=${l.partition}`),
      consumer_group_id: l.group, topic_name: l.topic, partition_id: l.partition,
      current_offset: l.committed, log_end_offset: l.logEndOffset, lag: l.lag,
      consumer_id: l.consumerId ?? '', instance_id: l.instanceId, client_id: l.clientId ?? '',
    };
  }

  /** A group's lags on the topics `visible` lets through. */
  private visibleLags(group: string, visible: (topic: string) => boolean): PartitionLag[] {
    this.groupOrThrow(group);
    return consumerGroupLags(this.broker, group).filter((l) => visible(l.topic));
  }

  lags(group: string, visible: (topic: string) => boolean): Json {
    return this.list('KafkaConsumerLagList', `/consumer-groups/${encodeURIComponent(group)}/lags`, this.visibleLags(group, visible).map((l) => this.lagJson(l)));
  }

  lag(group: string, topic: string, partitionParam: string, visible: (topic: string) => boolean): Json {
    const partition = partitionNumber(partitionParam);
    const found = this.visibleLags(group, visible).find((l) => l.topic === topic && l.partition === partition);
    if (!found) throw notFound(`Consumer lag for ${topic}-${partitionParam} could not be found.`);
    return this.lagJson(found);
  }

  lagSummary(group: string, visible: (topic: string) => boolean): Json {
    const lags = this.visibleLags(group, visible);
    const max = lags.reduce<PartitionLag | null>((m, l) => (m === null || l.lag > m.lag ? l : m), null);
    const g = `/consumer-groups/${encodeURIComponent(group)}`;
    return {
      ...this.resource('KafkaConsumerGroupLagSummary', `${g}/lag-summary`, `/consumer-group=${group}/lag-summary`),
      consumer_group_id: group,
      max_lag_consumer_id: max?.consumerId ?? '', max_lag_instance_id: null, max_lag_client_id: max?.clientId ?? '',
      max_lag_topic_name: max?.topic ?? '', max_lag_partition_id: max?.partition ?? -1,
      max_lag: max?.lag ?? 0, total_lag: lags.reduce((sum, l) => sum + l.lag, 0),
      max_lag_consumer: max?.consumerId ? this.related(`${g}/consumers/${encodeURIComponent(max.consumerId)}`) : null,
      max_lag_partition: max ? this.related(`/topics/${encodeURIComponent(max.topic)}/partitions/${max.partition}`) : null,
    };
  }
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < -1 || (value as number) > 2 ** 31 - 1) throw badRequest(`${name} must be an integer`);
  return value as number;
}

function configList(value: unknown): Array<{ name: string; value: string | null }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest('configs must be a list of {name, value}');
  return value.map((entry) => {
    const e = object(entry);
    if (typeof e.name !== 'string') throw badRequest('each config needs a name');
    if (e.value !== null && typeof e.value !== 'string') throw badRequest(`config ${e.name}: value must be a string`);
    return { name: e.name, value: e.value };
  });
}

/** A path's partition number, or null when it is not a plain non-negative integer. */
function partitionNumber(text: string): number | null {
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}


