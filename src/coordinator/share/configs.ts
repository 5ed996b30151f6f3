/**
 * Share group configs (Kafka's GROUP config resource, type 32, as `kafka-configs --entity-type groups` sets them):
 * names, defaults and validators after Kafka 4.1's GroupConfig. Other group configs (consumer.*) are not known here.
 */
import type { ConfigType } from '../../metadata/configs.js';

export interface GroupConfigDef { type: ConfigType; defaultValue: string; check(value: string): string | null }

/** Kafka's bounds for share.record.lock.duration.ms (group.share.min/max.record.lock.duration.ms). */
const MIN_LOCK_MS = 15_000;
const MAX_LOCK_MS = 60_000;

const oneOf = (name: string, allowed: string[]) => (value: string): string | null =>
  allowed.includes(value) ? null : `Invalid value ${value} for configuration ${name}: String must be one of: ${allowed.join(', ')}`;

export const SHARE_GROUP_CONFIG_DEFS: Readonly<Record<string, GroupConfigDef>> = {
  'share.auto.offset.reset': { type: 'string', defaultValue: 'latest', check: oneOf('share.auto.offset.reset', ['latest', 'earliest']) },
  'share.isolation.level': { type: 'string', defaultValue: 'read_uncommitted', check: oneOf('share.isolation.level', ['read_committed', 'read_uncommitted']) },
  'share.record.lock.duration.ms': {
    type: 'int', defaultValue: '30000',
    check: (value) => {
      const n = Number(value);
      return /^-?\d+$/.test(value.trim()) && n >= MIN_LOCK_MS && n <= MAX_LOCK_MS ? null
        : `Invalid value ${value} for configuration share.record.lock.duration.ms: Value must be at least ${MIN_LOCK_MS} and at most ${MAX_LOCK_MS}`;
    },
  },
};
