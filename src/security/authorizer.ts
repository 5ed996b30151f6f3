/**
 * The Authorizer (`authorizer.enabled=true`): ACL bindings kept only as records of the internal compacted topic
 * `__samsa_acls` (key: the binding, value: the binding, null: deleted) and replayed on start, as Kafka keeps them
 * as metadata records; the decisions are acl.ts's. Handlers ask `authorized(ctx, operation, resourceType, name)`
 * where Kafka's KafkaApis asks its Authorizer; with no authorizer every call is allowed.
 */
import type { Logger } from 'pino';
import type { KeyValueLog } from '../log/key-value-log.js';
import type { RequestContext } from '../handlers/handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { AclSet, ResourceType, CLUSTER_NAME, bindingKey, bindingProblem, filterProblem, type AclBinding, type AclFilter, type AclSettings, type Requester } from './acl.js';

export interface CreateResult { errorCode: number; errorMessage: string | null }
export interface DeleteResult { errorCode: number; errorMessage: string | null; deleted: AclBinding[] }

/** Kafka's message when a described group uses topics the caller may not DESCRIBE (Consumer/ShareGroupDescribe). */
export const GROUP_USES_HIDDEN_TOPICS = 'The described group uses topics that the client is not authorized to describe.';

/** Reads `super.users` (`User:admin;User:ops`). */
export function parseSuperUsers(setting: string): Set<string> {
  return new Set(setting.split(';').map((s) => s.trim()).filter(Boolean));
}

export class Authorizer {
  private readonly acls = new AclSet();
  /** Creations and deletions one after another, each stored before it takes effect (a delete sees earlier creates). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly log: KeyValueLog, readonly settings: AclSettings, private readonly logger: Logger) {
    for (const { key, value } of log.replay()) {
      if (value === null) {
        const binding = parseBinding(key);
        if (binding) this.acls.remove(binding);
        continue;
      }
      const binding = parseBinding(value);
      if (binding && bindingProblem(binding) === null) this.acls.add(binding);
      else logger.warn({ key: key.toString() }, 'skipping an unreadable ACL record');
    }
    logger.info({ acls: this.acls.size, superUsers: [...settings.superUsers] }, 'authorizer loaded');
  }

  get count(): number {
    return this.acls.size;
  }

  authorize(who: Requester, operation: number, resourceType: number, name: string): boolean {
    return this.acls.authorize(this.settings, who, operation, resourceType, name);
  }

  authorizeByResourceType(who: Requester, operation: number, resourceType: number): boolean {
    return this.acls.authorizeByResourceType(this.settings, who, operation, resourceType);
  }

  authorizedOperations(who: Requester, resourceType: number, name: string): number {
    return this.acls.authorizedOperations(this.settings, who, resourceType, name);
  }

  describe(filter: AclFilter): AclBinding[] {
    return this.acls.matching(filter);
  }

  /** Creates the valid bindings (each invalid one gets INVALID_REQUEST, nothing stored for it); existing ones are left as they are. */
  create(bindings: AclBinding[]): Promise<CreateResult[]> {
    return this.serially(async () => {
      const problems = bindings.map(bindingProblem);
      const fresh = new Map<string, AclBinding>();
      bindings.forEach((b, i) => { if (problems[i] === null && !this.acls.has(b)) fresh.set(bindingKey(b), b); });
      const stored = await this.store([...fresh].map(([key, b]) => ({ key: Buffer.from(key), value: Buffer.from(JSON.stringify(b)) })));
      if (stored === null) for (const b of fresh.values()) this.acls.add(b);
      return problems.map((problem): CreateResult => (problem !== null ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem }
        : stored ?? { errorCode: ErrorCode.NONE, errorMessage: null }));
    });
  }

  /** Deletes what each filter matches (a binding matched by several filters is reported under each). */
  delete(filters: AclFilter[]): Promise<DeleteResult[]> {
    return this.serially(async () => {
      const matches = filters.map((f) => (filterProblem(f) === null ? this.acls.matching(f) : []));
      const doomed = new Map<string, AclBinding>();
      for (const list of matches) for (const b of list) doomed.set(bindingKey(b), b);
      const stored = await this.store([...doomed.keys()].map((key) => ({ key: Buffer.from(key), value: null })));
      if (stored === null) for (const b of doomed.values()) this.acls.remove(b);
      return filters.map((f, i): DeleteResult => {
        const problem = filterProblem(f);
        if (problem !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, deleted: [] };
        return stored ? { ...stored, deleted: [] } : { errorCode: ErrorCode.NONE, errorMessage: null, deleted: matches[i] };
      });
    });
  }

  /** Appends the records; null when stored, else the error every affected binding answers. */
  private async store(records: Array<{ key: Buffer; value: Buffer | null }>): Promise<CreateResult | null> {
    try {
      await this.log.append(records);
      return null;
    } catch (err) {
      this.logger.error({ err }, 'storing ACL records failed');
      const code = (err as { errorCode?: unknown }).errorCode;
      return { errorCode: typeof code === 'number' ? code : ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'The ACL change could not be stored' };
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }
}

function parseBinding(buf: Buffer): AclBinding | null {
  try {
    const v = JSON.parse(buf.toString('utf8'));
    if (Array.isArray(v)) {
      const [resourceType, patternType, resourceName, principal, host, operation, permissionType] = v;
      return { resourceType, patternType, resourceName, principal, host, operation, permissionType };
    }
    return typeof v === 'object' && v !== null ? v as AclBinding : null;
  } catch {
    return null;
  }
}

/**
 * The client's address as ACL hosts name it: the peer without its port; an IPv4-mapped IPv6 address as IPv4 (Java
 * sees an Inet4Address there).
 */
export function clientAddress(clientHost: string): string {
  const colon = clientHost.lastIndexOf(':');
  const host = colon < 0 ? clientHost : clientHost.slice(0, colon);
  return host.startsWith('::ffff:') && host.includes('.') ? host.slice(7) : host;
}

function requester(ctx: RequestContext): Requester {
  return { principal: ctx.session.principal, host: clientAddress(ctx.clientHost) };
}

/** Whether the request's principal may do `operation` on the resource; always true without an authorizer. */
export function authorized(ctx: RequestContext, operation: number, resourceType: number, name: string): boolean {
  const authorizer = ctx.broker.acls;
  return authorizer === null || authorizer.authorize(requester(ctx), operation, resourceType, name);
}

/** The names (of one resource type) the request may not do `operation` on; empty without an authorizer. */
export function deniedNames(ctx: RequestContext, operation: number, resourceType: number, names: Iterable<string>): Set<string> {
  const denied = new Set<string>();
  if (ctx.broker.acls === null) return denied;
  for (const name of names) if (!denied.has(name) && !authorized(ctx, operation, resourceType, name)) denied.add(name);
  return denied;
}

/** Whether the principal may do `operation` on some resource of the type (see AclSet.authorizeByResourceType). */
export function authorizedByResourceType(ctx: RequestContext, operation: number, resourceType: number): boolean {
  const authorizer = ctx.broker.acls;
  return authorizer === null || authorizer.authorizeByResourceType(requester(ctx), operation, resourceType);
}

/** Kafka's authorized-operations bitfield; without an authorizer every supported operation. */
export function authorizedOperations(ctx: RequestContext, resourceType: number, name: string): number {
  const authorizer = ctx.broker.acls;
  const who = requester(ctx);
  return authorizer === null ? new AclSet().authorizedOperations({ superUsers: new Set([who.principal]), allowIfNoAcl: true }, who, resourceType, name)
    : authorizer.authorizedOperations(who, resourceType, name);
}

/** Config resource types (DescribeConfigs / AlterConfigs): a topic, or a broker and its loggers (the cluster's ACLs). */
const CONFIG_TOPIC = 2;
const CONFIG_GROUP = 32;
const CONFIG_BROKER_TYPES = new Set([4, 8]);

/**
 * Whether a config resource may be described (DESCRIBE_CONFIGS) or altered (ALTER_CONFIGS): null when it may, else
 * Kafka's error for it (TOPIC_ / CLUSTER_AUTHORIZATION_FAILED). Other resource types are left to the handler.
 */
export function configRefusal(ctx: RequestContext, operation: number, configType: number, name: string): { errorCode: number; errorMessage: string } | null {
  if (configType === CONFIG_TOPIC && !authorized(ctx, operation, ResourceType.TOPIC, name)) {
    return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `Topic authorization failed for ${name}` };
  }
  if (CONFIG_BROKER_TYPES.has(configType) && !authorized(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME)) {
    return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' };
  }
  if (configType === CONFIG_GROUP && !authorized(ctx, operation, ResourceType.GROUP, name)) {
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: `Group authorization failed for ${name}` };
  }
  return null;
}
