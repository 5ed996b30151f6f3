/**
 * Applies AlterConfigs (replace the whole set) and IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT) to a
 * topic, the broker or a share group, after validating every change: a resource is changed entirely or not at all.
 *
 * Errors follow Kafka (KRaft): a topic's bad value or unknown name is INVALID_CONFIG; on the broker resource a
 * read-only setting is INVALID_REQUEST "Cannot update these configs dynamically: Set(node.id)", and so is a bad
 * value (Kafka's ConfigAdminManager, KAFKA-13609). Unlike Kafka, which stores unknown broker names as custom
 * configs, Samsa refuses them (INVALID_CONFIG): it would never read them.
 */
import type { ClusterServices } from '../handlers/handler.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { validateTopicConfigSet, validateValue, type ConfigType } from './configs.js';
import { brokerSetting, type UpdateMode } from '../config.js';
import { clientInput } from '../protocol/client-input.js';
import { SETTABLE_GROUP_CONFIGS, groupConfigsProblem } from '../coordinator/share/configs.js';
import { nameErrorClasses } from '../error-names.js';
import { StorageError } from '../log/storage.js';
import { CATALOGUE_NOT_SAVED } from './topics.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export interface ConfigChange {
  name: string;
  op: number;
  value: string | null;
}

export interface ChangeResult {
  errorCode: number;
  errorMessage: string | null;
}

const ok: ChangeResult = { errorCode: ErrorCode.NONE, errorMessage: null };

class ChangeError extends Error {
  constructor(readonly errorCode: number, message: string) { super(message); }
}

/** Scala's Set printing, as in Kafka's messages: Set(a, b). */
const scalaSet = (names: string[]) => `Set(${clientInput(names.join(', '))})`;

/**
 * Applies each resource's changes; a resource named twice in one request is refused both times, as Kafka does.
 * `replace`: AlterConfigs semantics, where configs not named go back to their defaults.
 */
export function alterResources<R extends { resourceType: number; resourceName: string }>(broker: ClusterServices, resources: R[],
  changesOf: (r: R) => ConfigChange[], replace: boolean, validateOnly: boolean,
  refusal: (r: R) => ChangeResult | null = () => null): Array<ChangeResult & { resourceType: number; resourceName: string }> {
  const count = new Map<string, number>();
  const key = (r: R) => `${r.resourceType}:${r.resourceName}`;
  for (const r of resources) count.set(key(r), (count.get(key(r)) ?? 0) + 1);
  return resources.map((r) => ({
    ...(count.get(key(r))! > 1 ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' }
      : refusal(r) ?? applyConfigChanges(broker, r.resourceType, r.resourceName, changesOf(r), replace, validateOnly)),
    resourceType: r.resourceType,
    resourceName: r.resourceName,
  }));
}

/** `replace`: AlterConfigs semantics, where configs not named go back to their defaults. */
export function applyConfigChanges(broker: ClusterServices, resourceType: number, resourceName: string, changes: ConfigChange[],
  replace: boolean, validateOnly: boolean): ChangeResult {
  try {
    const names = changes.map((c) => c.name);
    if (new Set(names).size !== names.length) throw new ChangeError(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
    const nulls = changes.filter((c) => c.op !== AlterOp.DELETE && c.value === null).map((c) => c.name);
    if (nulls.length > 0) throw new ChangeError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${clientInput(nulls.join(', '))}`);
    if (resourceType === ResourceType.TOPIC) return alterTopic(broker, resourceName, changes, replace, validateOnly);
    if (resourceType === ResourceType.BROKER) return alterBroker(broker, resourceName, changes, replace, validateOnly);
    if (resourceType === ResourceType.GROUP) return alterGroup(broker, resourceName, changes, replace, validateOnly);
    throw new ChangeError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${resourceType}`);
  } catch (err) {
    if (err instanceof ChangeError) return { errorCode: err.errorCode, errorMessage: err.message };
    if (err instanceof StorageError) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, errorMessage: CATALOGUE_NOT_SAVED };
    throw err;
  }
}

function alterTopic(broker: ClusterServices, name: string, changes: ConfigChange[], replace: boolean, validateOnly: boolean): ChangeResult {
  if (name === '') throw new ChangeError(ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.');
  const topic = broker.clientTopic(name);
  if (!topic) throw new ChangeError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${clientInput(name)} does not exist`);
  const catalogue = broker.config.topicConfigs;
  // Overrides of configs the emulated release lacks (set under another release) are dropped, not refused, as Kafka
  // 4.2 does after an upgrade (KAFKA-19851); setting one anew is refused (Unknown topic config name).
  const kept = Object.fromEntries(Object.entries(topic.configs).filter(([key]) => catalogue.get(key)));
  const next = applyOps(replace ? {} : kept, changes, (key) => catalogue.get(key),
    (op, key) => `Can't ${OP_NAMES[op]} to key ${key} because its type is not LIST.`);
  const problem = validateTopicConfigSet(next, broker.config);
  if (problem) throw new ChangeError(ErrorCode.INVALID_CONFIG, problem);
  if (!validateOnly) broker.setTopicConfigs(name, next);
  return ok;
}

/** A BROKER resource's name as a node id, read as Kafka reads it (Java's parseInt: "01" is 1); null if it is none. */
export function brokerIdOf(name: string): number | null {
  return /^[+-]?\d{1,10}$/.test(name) ? Number(name) : null;
}

function alterBroker(broker: ClusterServices, name: string, changes: ConfigChange[], replace: boolean, validateOnly: boolean): ChangeResult {
  // '' is the cluster-wide default; otherwise the name must be a node's id (the nodes share one process's settings).
  if (name !== '') {
    const id = brokerIdOf(name);
    if (id === null) throw new ChangeError(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${clientInput(name)}`);
    if (!broker.placement.nodeIds.includes(id)) {
      throw new ChangeError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected one of ${broker.placement.nodeIds.join(', ')}, but received ${clientInput(name)}`);
    }
  }
  const scope: Exclude<UpdateMode, 'read-only'> = name === '' ? 'cluster-wide' : 'per-broker';
  const existing = scope === 'cluster-wide' ? broker.config.dynamicDefault : broker.config.dynamic;
  const next = applyOps(replace ? {} : Object.fromEntries(existing), changes, (key) => brokerSetting(key),
    (op, key) => `Config value ${OP_NAMES[op].toLowerCase()} is not allowed for config key: ${key}`);
  const unknown = Object.keys(next).filter((key) => !brokerSetting(key));
  if (unknown.length > 0) throw new ChangeError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${clientInput(unknown.join(', '))}`);
  const readOnly = Object.keys(next).filter((key) => brokerSetting(key)!.dynamic === 'read-only');
  if (readOnly.length > 0) throw new ChangeError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${scalaSet(readOnly)}`);
  for (const [key, value] of Object.entries(next)) {
    const problem = validateValue(brokerSetting(key)!, value);
    if (problem) throw new ChangeError(ErrorCode.INVALID_REQUEST, problem);
  }
  const perBroker = Object.keys(next).filter((key) => brokerSetting(key)!.dynamic === 'per-broker');
  if (scope === 'cluster-wide' && perBroker.length > 0) {
    throw new ChangeError(ErrorCode.INVALID_REQUEST, `Cannot update these configs at default cluster level, broker id must be specified: ${scalaSet(perBroker)}`);
  }
  if (!validateOnly) broker.setBrokerConfigs(next, scope);
  return ok;
}

/** A group's configs (GROUP resource): known names only, each value checked, then all together; stored by the share coordinator. */
function alterGroup(broker: ClusterServices, group: string, changes: ConfigChange[], replace: boolean, validateOnly: boolean): ChangeResult {
  if (group === '') throw new ChangeError(ErrorCode.INVALID_REQUEST, 'Group name must not be empty');
  const current = Object.fromEntries(broker.shares.groupConfigs(group));
  const next = applyOps(replace ? {} : { ...current }, changes, (name) => SETTABLE_GROUP_CONFIGS[name],
    (op, name) => `Config value append is not allowed for config key: ${clientInput(name)}`);
  const unknown = Object.keys(next).filter((key) => !SETTABLE_GROUP_CONFIGS[key]);
  if (unknown.length > 0) throw new ChangeError(ErrorCode.INVALID_CONFIG, `Unknown group config name: ${clientInput(unknown.join(', '))}`);
  for (const [key, value] of Object.entries(next)) {
    const problem = SETTABLE_GROUP_CONFIGS[key].check(value);
    if (problem) throw new ChangeError(ErrorCode.INVALID_CONFIG, clientInput(problem));
  }
  const problem = groupConfigsProblem(next, broker.config);
  if (problem) throw new ChangeError(ErrorCode.INVALID_CONFIG, problem);
  if (!validateOnly) {
    const changed: Record<string, string | null> = { ...next };
    for (const key of Object.keys(current)) if (!(key in next)) changed[key] = null;
    void broker.shares.setGroupConfigs(group, changed); // stored at once; a failed write is logged by the coordinator
  }
  return ok;
}

/** Applies the operations to a copy of the current values; APPEND/SUBTRACT only on list configs. */
function applyOps(current: Record<string, string>, changes: ConfigChange[],
  defOf: (name: string) => { type: ConfigType; defaultValue: string } | undefined,
  notAList: (op: number, name: string) => string): Record<string, string> {
  for (const { name, op, value } of changes) {
    switch (op) {
      case AlterOp.SET:
        current[name] = value!;
        break;
      case AlterOp.DELETE:
        delete current[name];
        break;
      case AlterOp.APPEND:
      case AlterOp.SUBTRACT: {
        const def = defOf(name);
        if (!def) throw new ChangeError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${clientInput(name)}`);
        if (def.type !== 'list') throw new ChangeError(ErrorCode.INVALID_CONFIG, notAList(op, name));
        const items = (current[name] ?? def.defaultValue).split(',').map((s) => s.trim()).filter(Boolean);
        const changed = value!.split(',').map((s) => s.trim()).filter(Boolean);
        current[name] = (op === AlterOp.APPEND ? [...new Set([...items, ...changed])] : items.filter((i) => !changed.includes(i))).join(',');
        break;
      }
      default:
        throw new ChangeError(ErrorCode.INVALID_REQUEST, `Unknown operations type ${op}`);
    }
  }
  return current;
}

nameErrorClasses({ ChangeError });
