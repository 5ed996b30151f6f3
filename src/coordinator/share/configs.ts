/**
 * Group configs (Kafka's GROUP config resource, type 32, as `kafka-configs --entity-type groups` sets them): names,
 * defaults and validators after Kafka 4.1's GroupConfig. The share.* and consumer.* ones can be set (stored by the
 * share coordinator, used by both coordinators); DescribeConfigs also lists the streams.* ones, at their defaults.
 */
import type { ConfigType } from '../../metadata/configs.js';
import type { BrokerConfig } from '../../config.js';

export interface GroupConfigDef { type: ConfigType; defaultValue: string; check(value: string): string | null }

/** Kafka's bounds for share.record.lock.duration.ms (group.share.min/max.record.lock.duration.ms). */
const MIN_LOCK_MS = 15_000;
const MAX_LOCK_MS = 60_000;

const oneOf = (name: string, allowed: string[]) => (value: string): string | null =>
  allowed.includes(value) ? null : `Invalid value ${value} for configuration ${name}: String must be one of: ${allowed.join(', ')}`;

const anInt = (name: string) => (value: string): string | null =>
  /^-?\d+$/.test(value.trim()) && Math.abs(Number(value)) <= 2_147_483_647 ? null : `Invalid value ${value} for configuration ${name}: Not a number of type INT`;

/** The group configs that can be set; the timeouts' defaults are the broker's settings (see groupConfigsProblem). */
export const SETTABLE_GROUP_CONFIGS: Readonly<Record<string, GroupConfigDef>> = {
  'consumer.heartbeat.interval.ms': { type: 'int', defaultValue: '5000', check: anInt('consumer.heartbeat.interval.ms') },
  'consumer.session.timeout.ms': { type: 'int', defaultValue: '45000', check: anInt('consumer.session.timeout.ms') },
  'share.heartbeat.interval.ms': { type: 'int', defaultValue: '5000', check: anInt('share.heartbeat.interval.ms') },
  'share.session.timeout.ms': { type: 'int', defaultValue: '45000', check: anInt('share.session.timeout.ms') },
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

/** A group config as DescribeConfigs lists it: its default is the broker setting `brokerSetting` if given (Kafka's GroupConfig defaults). */
export interface GroupConfigEntry { name: string; type: ConfigType; defaultValue: string; brokerSetting?: string; doc: string }

/** Every config of Kafka 4.1's GroupConfig, by name. */
export const GROUP_CONFIGS: readonly GroupConfigEntry[] = [
  { name: 'consumer.heartbeat.interval.ms', type: 'int', defaultValue: '5000', brokerSetting: 'group.consumer.heartbeat.interval.ms', doc: 'The heartbeat interval given to the members of a consumer group.' },
  { name: 'consumer.session.timeout.ms', type: 'int', defaultValue: '45000', brokerSetting: 'group.consumer.session.timeout.ms', doc: 'The timeout to detect client failures when using the consumer group protocol.' },
  { name: 'share.auto.offset.reset', type: 'string', defaultValue: 'latest', doc: 'The strategy to initialize the share-partition start offset: latest or earliest.' },
  { name: 'share.heartbeat.interval.ms', type: 'int', defaultValue: '5000', brokerSetting: 'group.share.heartbeat.interval.ms', doc: 'The heartbeat interval given to the members of a share group.' },
  { name: 'share.isolation.level', type: 'string', defaultValue: 'read_uncommitted', doc: 'How transactional records are read by a share group: read_committed or read_uncommitted.' },
  { name: 'share.record.lock.duration.ms', type: 'int', defaultValue: '30000', brokerSetting: 'group.share.record.lock.duration.ms', doc: 'The record acquisition lock duration in milliseconds for share groups.' },
  { name: 'share.session.timeout.ms', type: 'int', defaultValue: '45000', brokerSetting: 'group.share.session.timeout.ms', doc: 'The timeout to detect client failures when using the share group protocol.' },
  { name: 'streams.heartbeat.interval.ms', type: 'int', defaultValue: '5000', doc: 'The heartbeat interval given to the members of a streams group.' },
  { name: 'streams.num.standby.replicas', type: 'int', defaultValue: '0', doc: 'The number of standby replicas for each task of a streams group.' },
  { name: 'streams.session.timeout.ms', type: 'int', defaultValue: '45000', doc: 'The timeout to detect client failures when using the streams group protocol.' },
];

/** The broker setting a group config's default comes from, by name. */
const brokerSettingOf = new Map(GROUP_CONFIGS.filter((c) => c.brokerSetting).map((c) => [c.name, c.brokerSetting!]));

/** A group's value of an int config: its own, else the broker's setting. */
export function groupInt(own: ReadonlyMap<string, string>, name: string, config: BrokerConfig): number {
  const value = own.get(name);
  return value !== undefined ? Number(value) : config.int(brokerSettingOf.get(name)!);
}

/**
 * What Kafka's GroupConfig.validateValues refuses in a group's configs (each already a valid int), with the broker's
 * settings for those not given: a timeout or interval outside the broker's min/max settings for it, or a session
 * timeout not above its heartbeat interval.
 */
export function groupConfigsProblem(values: Readonly<Record<string, string>>, config: BrokerConfig): string | null {
  const own = new Map(Object.entries(values));
  for (const kind of ['consumer', 'share']) {
    const heartbeat = groupInt(own, `${kind}.heartbeat.interval.ms`, config);
    const session = groupInt(own, `${kind}.session.timeout.ms`, config);
    for (const [name, value, setting] of [[`${kind}.heartbeat.interval.ms`, heartbeat, 'heartbeat.interval.ms'], [`${kind}.session.timeout.ms`, session, 'session.timeout.ms']] as const) {
      const min = `group.${kind}.min.${setting}`;
      const max = `group.${kind}.max.${setting}`;
      if (value < config.int(min)) return `${name} must be greater than or equal to ${min}`;
      if (value > config.int(max)) return `${name} must be less than or equal to ${max}`;
    }
    if (session <= heartbeat) return `${kind}.session.timeout.ms must be greater than ${kind}.heartbeat.interval.ms`;
  }
  return null;
}
