/**
 * ACLs as Kafka models them (org.apache.kafka.common.acl / .resource) and the decision Kafka's StandardAuthorizer
 * makes from them. Pure: no I/O, no broker; the Authorizer (authorizer.ts) stores the bindings and asks this module.
 *
 * A binding = resource pattern (type, name, LITERAL or PREFIXED) + entry (principal, host, operation, ALLOW/DENY).
 * A LITERAL pattern named `*` matches every name of its type; `User:*` every principal; host `*` every client.
 * The decision for (principal, host, operation, resource):
 *   - a super user is allowed everything;
 *   - otherwise the bindings whose pattern matches the resource are looked at: a matching DENY wins, else a
 *     matching ALLOW allows; READ/WRITE/DELETE/ALTER ALLOW imply DESCRIBE and ALTER_CONFIGS implies DESCRIBE_CONFIGS
 *     (ALLOW only: a DENY of READ does not deny DESCRIBE); ALL matches every operation;
 *   - when no binding names the resource at all (whoever it is for), `allow.everyone.if.no.acl.found` decides;
 *     when some do but none matched, it is denied.
 */
import type { DeleteAclsResponseFilterResultsMatchingAcls } from '../protocol/generated/index.js';

/** Codes as on the wire (Kafka's ResourceType, PatternType, AclOperation, AclPermissionType). */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The one name of the CLUSTER resource. */
export const CLUSTER_NAME = 'kafka-cluster';
/** A LITERAL resource name or a host matching any. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

/** A binding has the fields DeleteAcls answers each deleted one with (and CreateAcls takes, but for the pattern's name). */
export type AclBinding = Omit<DeleteAclsResponseFilterResultsMatchingAcls, 'errorCode' | 'errorMessage'>;

/** DescribeAcls / DeleteAcls: null strings and ANY codes match anything; pattern type MATCH matches what would apply to the name. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

const { TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN, USER } = ResourceType;
const Op = AclOperation;

/** Operations each resource type has (Kafka's AclEntry.supportedOperations): the authorized-operations bitfields. */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [TOPIC]: [Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  [GROUP]: [Op.READ, Op.DESCRIBE, Op.DELETE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS],
  [CLUSTER]: [Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE],
  [TRANSACTIONAL_ID]: [Op.DESCRIBE, Op.WRITE],
  [DELEGATION_TOKEN]: [Op.DESCRIBE],
  [USER]: [Op.CREATE_TOKENS, Op.DESCRIBE_TOKENS],
};

const IMPLIES_DESCRIBE = new Set<number>([Op.DESCRIBE, Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]);
const IMPLIES_DESCRIBE_CONFIGS = new Set<number>([Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]);

const isConcrete = (code: number, max: number) => Number.isInteger(code) && code > 1 && code <= max;

/**
 * Why a binding cannot be created (Kafka's AclControlManager.validateNewAcl and AclApis checks, each answered
 * INVALID_REQUEST for that binding alone), or null.
 */
export function bindingProblem(b: AclBinding): string | null {
  if (!isConcrete(b.resourceType, USER)) return `Invalid resourceType ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid patternType ${b.patternType}`;
  if (!isConcrete(b.operation, Op.DESCRIBE_TOKENS)) return `Invalid operation ${b.operation}`;
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) return `Invalid permissionType ${b.permissionType}`;
  if (b.resourceName === '') return 'Resource name should not be empty';
  if (b.resourceType === CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.principal.indexOf(':') <= 0) return `Could not parse principal from \`${b.principal}\` (expected principalType:principalName)`;
  return null;
}

/** Why a filter is refused (a field UNKNOWN or out of range: Kafka's validateFilter), or null. */
export function filterProblem(f: AclFilter): string | null {
  const known = (code: number, max: number) => Number.isInteger(code) && code >= 1 && code <= max;
  if (!known(f.resourceType, USER) || !known(f.patternType, PatternType.PREFIXED)) return 'Unknown patternFilter.';
  if (!known(f.operation, Op.DESCRIBE_TOKENS) || !known(f.permissionType, AclPermission.ALLOW)) return 'Unknown entryFilter.';
  return null;
}

/** Kafka's AclBindingFilter.matches (ResourcePatternFilter + AccessControlEntryFilter). */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName !== null) {
    if (f.patternType !== PatternType.MATCH) {
      if (f.resourceName !== b.resourceName) return false;
    } else if (b.patternType === PatternType.LITERAL) {
      if (f.resourceName !== b.resourceName && b.resourceName !== WILDCARD) return false;
    } else if (!f.resourceName.startsWith(b.resourceName)) return false;
  }
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== Op.ANY && f.operation !== b.operation) return false;
  return f.permissionType === AclPermission.ANY || f.permissionType === b.permissionType;
}

/** One string per distinct binding (the key it is stored under). */
export function bindingKey(b: AclBinding): string {
  return JSON.stringify([b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permissionType]);
}

/** Who asks: the principal (`User:alice`) and the client's address. */
export interface Requester {
  principal: string;
  host: string;
}

export interface AclSettings {
  /** Principals allowed everything (`super.users`). */
  superUsers: ReadonlySet<string>;
  /** `allow.everyone.if.no.acl.found`. */
  allowIfNoAcl: boolean;
}

/** Whether an ALLOW or DENY entry applies to this requester and operation (Kafka's StandardAuthorizerData.findResult). */
function entryApplies(acl: AclBinding, who: Requester, operation: number): boolean {
  if (acl.principal !== who.principal && acl.principal !== WILDCARD_PRINCIPAL) return false;
  if (acl.host !== WILDCARD && acl.host !== who.host) return false;
  if (acl.operation === Op.ALL || acl.operation === operation) return true;
  if (acl.permissionType !== AclPermission.ALLOW) return false;
  if (operation === Op.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
  if (operation === Op.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

/**
 * The bindings in memory, indexed by resource type, pattern type and name so a decision looks up the literal
 * name, the wildcard and the name's prefixes of the lengths PREFIXED patterns have (never a scan of every binding).
 */
export class AclSet {
  private readonly byKey = new Map<string, AclBinding>();
  /** resourceType → name → bindings, for LITERAL and PREFIXED patterns. */
  private readonly literal = new Map<number, Map<string, AclBinding[]>>();
  private readonly prefixed = new Map<number, Map<string, AclBinding[]>>();
  /** resourceType → length → how many PREFIXED names have it: a decision slices the name only at those lengths. */
  private readonly prefixLengths = new Map<number, Map<number, number>>();

  get size(): number {
    return this.byKey.size;
  }

  has(b: AclBinding): boolean {
    return this.byKey.has(bindingKey(b));
  }

  add(b: AclBinding): void {
    const key = bindingKey(b);
    if (this.byKey.has(key)) return;
    this.byKey.set(key, b);
    const index = this.index(b.patternType);
    let names = index.get(b.resourceType);
    if (!names) index.set(b.resourceType, names = new Map());
    const list = names.get(b.resourceName);
    if (list) list.push(b);
    else {
      names.set(b.resourceName, [b]);
      if (b.patternType === PatternType.PREFIXED) this.countPrefixLength(b, 1);
    }
  }

  remove(b: AclBinding): void {
    const key = bindingKey(b);
    if (!this.byKey.delete(key)) return;
    const names = this.index(b.patternType).get(b.resourceType)!;
    const rest = names.get(b.resourceName)!.filter((x) => bindingKey(x) !== key);
    if (rest.length > 0) names.set(b.resourceName, rest);
    else {
      names.delete(b.resourceName);
      if (b.patternType === PatternType.PREFIXED) this.countPrefixLength(b, -1);
    }
  }

  private countPrefixLength(b: AclBinding, delta: number): void {
    let lengths = this.prefixLengths.get(b.resourceType);
    if (!lengths) this.prefixLengths.set(b.resourceType, lengths = new Map());
    const n = (lengths.get(b.resourceName.length) ?? 0) + delta;
    if (n > 0) lengths.set(b.resourceName.length, n);
    else lengths.delete(b.resourceName.length);
  }

  /** Every binding the filter matches, in the order they were added. */
  matching(f: AclFilter): AclBinding[] {
    return [...this.byKey.values()].filter((b) => filterMatches(f, b));
  }

  /** StandardAuthorizer's decision for one operation on one (literal) resource. */
  authorize(settings: AclSettings, who: Requester, operation: number, resourceType: number, name: string): boolean {
    if (settings.superUsers.has(who.principal)) return true;
    let found = false;
    let allowed = false;
    // Each list of bindings whose pattern matches the name: literal, wildcard, and prefixed for each prefix of it.
    const consider = (acls: AclBinding[] | undefined): boolean => {
      if (!acls) return false;
      for (const acl of acls) {
        found = true;
        if (!entryApplies(acl, who, operation)) continue;
        if (acl.permissionType === AclPermission.DENY) return true;
        allowed = true;
      }
      return false;
    };
    const literal = this.literal.get(resourceType);
    if (literal && (consider(literal.get(name)) || (name !== WILDCARD && consider(literal.get(WILDCARD))))) return false;
    const prefixed = this.prefixed.get(resourceType);
    for (const length of this.prefixLengths.get(resourceType)?.keys() ?? []) {
      if (length <= name.length && consider(prefixed!.get(name.slice(0, length)))) return false;
    }
    return allowed || (!found && settings.allowIfNoAcl);
  }

  /**
   * Whether the requester may do `operation` on at least one resource of the type (Kafka's
   * Authorizer.authorizeByResourceType: an idempotent producer needs WRITE on some topic). A name nothing names
   * decides first (super users, allow.everyone.if.no.acl.found); then an ALLOW not dominated by a DENY of the same
   * literal name or of a prefix of it allows. Implied operations do not count here, as in Kafka.
   */
  authorizeByResourceType(settings: AclSettings, who: Requester, operation: number, resourceType: number): boolean {
    if (this.authorize(settings, who, operation, resourceType, 'hardcode')) return true;
    const denyLiteral = new Set<string>();
    const denyPrefixed = new Set<string>();
    const allows: AclBinding[] = [];
    for (const acl of this.byKey.values()) {
      if (acl.resourceType !== resourceType) continue;
      if (acl.host !== WILDCARD && acl.host !== who.host) continue;
      if (acl.principal !== who.principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
      if (acl.operation !== operation && acl.operation !== Op.ALL) continue;
      if (acl.permissionType === AclPermission.DENY) {
        if (acl.patternType === PatternType.LITERAL && acl.resourceName === WILDCARD) return false;
        (acl.patternType === PatternType.LITERAL ? denyLiteral : denyPrefixed).add(acl.resourceName);
      } else allows.push(acl);
    }
    if (allows.some((a) => a.patternType === PatternType.LITERAL && a.resourceName === WILDCARD)) return true;
    return allows.some((a) => {
      if (a.patternType === PatternType.LITERAL && denyLiteral.has(a.resourceName)) return false;
      for (let i = 1; i <= a.resourceName.length; i++) if (denyPrefixed.has(a.resourceName.slice(0, i))) return false;
      return true;
    });
  }

  /** The operations of the resource the requester may do, as Kafka's 32-bit field (bit n = operation code n). */
  authorizedOperations(settings: AclSettings, who: Requester, resourceType: number, name: string): number {
    let bits = 0;
    for (const op of SUPPORTED_OPERATIONS[resourceType] ?? []) {
      if (this.authorize(settings, who, op, resourceType, name)) bits |= 1 << op;
    }
    return bits;
  }

  private index(patternType: number): Map<number, Map<string, AclBinding[]>> {
    return patternType === PatternType.PREFIXED ? this.prefixed : this.literal;
  }

}

/** Bindings grouped by resource pattern, as DescribeAcls and DeleteAcls answer them. */
export function groupByResource(bindings: readonly AclBinding[]): Array<{ resourceType: number; resourceName: string; patternType: number; acls: AclBinding[] }> {
  const groups = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: AclBinding[] }>();
  for (const b of bindings) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] });
    g.acls.push(b);
  }
  return [...groups.values()];
}
