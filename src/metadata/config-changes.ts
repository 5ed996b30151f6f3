/**
 * Applies AlterConfigs (replace the whole set) and IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT) to a
 * topic or to the broker, after validating every change: a resource is changed entirely or not at all.
 */
import type { Broker } from '../broker.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { validateTopicConfig, topicConfigDefs } from './configs.js';
import { checkBrokerSetting } from '../config.js';
import { clientInput } from '../protocol/client-input.js';

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

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

/** `replace`: AlterConfigs semantics, where configs not named go back to their defaults. */
export function applyConfigChanges(broker: Broker, resourceType: number, resourceName: string, changes: ConfigChange[],
  replace: boolean, validateOnly: boolean): ChangeResult {
  const fail = (errorCode: number, errorMessage: string): ChangeResult => ({ errorCode, errorMessage });
  let current: Record<string, string>;
  if (resourceType === ResourceType.TOPIC) {
    const topic = broker.topics.get(resourceName);
    if (!topic) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${clientInput(resourceName)} does not exist`);
    current = replace ? {} : { ...topic.configs };
  } else if (resourceType === ResourceType.BROKER) {
    if (resourceName !== '' && resourceName !== String(broker.config.nodeId)) {
      return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.config.nodeId} or empty string, but received ${clientInput(resourceName)}`);
    }
    current = replace ? {} : Object.fromEntries(broker.config.dynamic);
  } else {
    return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`);
  }
  const check = resourceType === ResourceType.TOPIC ? validateTopicConfig : checkBrokerSetting;
  for (const { name, op, value } of changes) {
    if (op === AlterOp.DELETE) {
      delete current[name];
      continue;
    }
    let next = value;
    if (op === AlterOp.APPEND || op === AlterOp.SUBTRACT) {
      if (topicConfigDefs.get(name)?.type !== 'list') return fail(ErrorCode.INVALID_CONFIG, `Config value append is not allowed for config key: ${clientInput(name)}`);
      const items = (current[name] ?? topicConfigDefs.get(name)!.defaultValue).split(',').map((s) => s.trim()).filter(Boolean);
      const changed = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      next = (op === AlterOp.APPEND ? [...new Set([...items, ...changed])] : items.filter((i) => !changed.includes(i))).join(',');
    } else if (op !== AlterOp.SET) {
      return fail(ErrorCode.INVALID_REQUEST, `Unknown config operation ${op}`);
    }
    if (next === null) {
      delete current[name];
      continue;
    }
    const problem = check(name, next);
    if (problem) return fail(ErrorCode.INVALID_CONFIG, problem);
    current[name] = next;
  }
  if (validateOnly) return ok;
  if (resourceType === ResourceType.TOPIC) broker.setTopicConfigs(resourceName, current);
  else broker.setBrokerConfigs(current);
  return ok;
}
