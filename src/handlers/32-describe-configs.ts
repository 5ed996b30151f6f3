/**
 * DescribeConfigs 0-4: a topic's effective configs (every one Kafka's LogConfig lists) with their source (topic
 * override, broker setting, default), or the broker's settings (resource name = its id; '' = the cluster-wide dynamic
 * defaults only). v0 reports is_default instead of a source; v1+ synonyms when asked, as Kafka's ConfigHelper builds
 * them: the topic's own value if set, then every broker synonym (log.retention.ms, log.retention.minutes,
 * log.retention.hours) layer by layer — dynamic per broker, dynamic cluster-wide, static, then Kafka's default where
 * it has one — starting at the first synonym's first entry, so retention.ms with nothing set has none and
 * compression.type has {compression.type, producer, DEFAULT_CONFIG}; the source is the first synonym's. v3+ config
 * type and documentation; v4 flexible. An empty key list means every config. Read-only broker settings say so;
 * sensitive ones (sasl.users, passwords) are reported as null with is_sensitive, as Kafka does for passwords. Needs
 * DESCRIBE_CONFIGS on the topic (else TOPIC_AUTHORIZATION_FAILED) or the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 *
 * GROUP resources (type 32, Kafka 4.0+): every config of Kafka 4.1's GroupConfig, whether or not the group exists;
 * a value the group set is DYNAMIC_GROUP_CONFIG (its one synonym), the others DEFAULT_CONFIG with the broker's
 * setting (group.share.record.lock.duration.ms, ...) as Kafka derives them, no synonyms. Needs DESCRIBE_CONFIGS on
 * the group (else GROUP_AUTHORIZATION_FAILED).
 */
import { handler } from './handler.js';
import { DescribeConfigsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { resolveTopicConfigs, ConfigSource, CONFIG_TYPE_CODES, brokerSynonymNames } from '../metadata/configs.js';
import { invalidTopicName } from '../metadata/topics.js';
import { TOPIC_CONFIG_DOCS } from '../metadata/topic-config-docs.js';
import { brokerSetting, brokerSettingNames, type BrokerConfig } from '../config.js';
import { ResourceType, brokerIdOf } from '../metadata/config-changes.js';
import type { ClusterServices } from './handler.js';
import { AclOperation } from '../security/acl.js';
import { configRefusal } from '../security/authorizer.js';
import { clientInput } from '../protocol/client-input.js';
import { GROUP_CONFIGS } from '../coordinator/share/index.js';

interface Synonym { name: string; value: string | null; source: number }

export default handler(DescribeConfigsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const { broker } = ctx;
    const configs = configRefusal(ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName) ?? resolve(broker, r.resourceType, r.resourceName);
    if (!Array.isArray(configs)) return { ...base, ...configs, configs: [] };
    const wanted = r.configurationKeys?.length ? configs.filter((c) => r.configurationKeys!.includes(c.name)) : configs;
    const isBroker = r.resourceType === ResourceType.BROKER;
    const isGroup = r.resourceType === ResourceType.GROUP;
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs: wanted.map((c) => {
        const setting = isBroker ? brokerSetting(c.name) : undefined;
        const groupConfig = isGroup ? GROUP_CONFIGS.find((g) => g.name === c.name) : undefined;
        const sensitive = setting?.sensitive ?? false;
        const type = setting?.type ?? groupConfig?.type ?? broker.config.topicConfigs.get(c.name)?.type;
        // The cluster-wide resource ('') shows only that layer, as Kafka does.
        const synonyms = isBroker ? brokerSynonyms(broker.config, c.name).filter((l) => r.resourceName !== '' || l.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
          : isGroup ? (c.source === ConfigSource.DYNAMIC_GROUP_CONFIG ? [{ name: c.name, value: c.value, source: c.source }] : [])
          : topicSynonyms(broker.config, c);
        const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
        return {
          name: c.name,
          value: sensitive ? null : c.value,
          readOnly: isBroker && setting?.dynamic === 'read-only',
          isDefault: source === ConfigSource.DEFAULT_CONFIG,
          configSource: source,
          isSensitive: sensitive,
          synonyms: req.includeSynonyms ? synonyms.map((s) => ({ ...s, value: sensitive ? null : s.value })) : [],
          configType: type ? CONFIG_TYPE_CODES[type] : 0,
          documentation: req.includeDocumentation ? (isBroker ? setting?.doc : isGroup ? groupConfig?.doc : TOPIC_CONFIG_DOCS[c.name]) ?? null : null,
        };
      }),
    };
  }),
}));

/** A config as described: its value (null when Kafka has none) and where it comes from. */
interface Described { name: string; value: string | null; source: number }

function resolve(broker: ClusterServices, type: number, name: string): Described[] | { errorCode: number; errorMessage: string } {
  const { config } = broker;
  if (type === ResourceType.TOPIC) {
    // Kafka's ConfigHelper validates the name first (Topic.validate).
    const badName = invalidTopicName(name);
    if (badName) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: badName };
    const topic = broker.clientTopic(name);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${clientInput(name)} does not exist` };
    return resolveTopicConfigs(topic.configs, config);
  }
  if (type === ResourceType.BROKER) {
    if (name === '') {
      return [...config.dynamicDefault].map(([n, value]) => ({ name: n, value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }));
    }
    if (!broker.placement.nodeIds.includes(brokerIdOf(name) ?? NaN)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected one of ${broker.placement.nodeIds.join(', ')} or empty string, but received ${clientInput(name)}` };
    }
    // Each setting's own value: one Kafka leaves unset by default (log.retention.ms) reads null until something sets it.
    // The synonyms of topic configs the emulated release lacks are left out (log.message.format.version under 4.x).
    return brokerSettingNames().filter((n) => !config.topicConfigs.lacksBrokerSetting(n)).map((n) => ({ name: n, value: configSynonyms(config, [n])[0]?.value ?? null, source: config.sourceOf(n) }));
  }
  if (type === ResourceType.GROUP) {
    if (name === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group name must not be empty' };
    const own = broker.shares.groupConfigs(name);
    return GROUP_CONFIGS.map((g) => {
      const value = own.get(g.name);
      if (value !== undefined) return { name: g.name, value, source: ConfigSource.DYNAMIC_GROUP_CONFIG };
      return { name: g.name, value: g.brokerSetting ? String(config.int(g.brokerSetting)) : g.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
    });
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${type}` };
}

/**
 * Kafka's ConfigHelper.configSynonyms: every value of the synonyms `names`, layer by layer (dynamic per broker,
 * dynamic cluster-wide, static, default), from the first entry of `first` on (dropping, say, the log.retention.hours
 * default when describing log.retention.ms with nothing set).
 */
function configSynonyms(config: BrokerConfig, names: readonly string[], first = names[0]): Synonym[] {
  const out: Synonym[] = [];
  const layers: Array<[(name: string) => string | null | undefined, number]> = [
    [(n) => config.dynamic.get(n), ConfigSource.DYNAMIC_BROKER_CONFIG],
    [(n) => config.dynamicDefault.get(n), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [(n) => config.static.get(n), ConfigSource.STATIC_BROKER_CONFIG],
    [(n) => { const d = config.topicConfigs.brokerDefault(n); return d === undefined ? brokerSetting(n)?.defaultValue : d; }, ConfigSource.DEFAULT_CONFIG],
  ];
  for (const [valueOf, source] of layers) {
    for (const name of names) {
      const value = valueOf(name);
      if (value !== undefined && value !== null) out.push({ name, value, source });
    }
  }
  const start = out.findIndex((s) => s.name === first);
  return start < 0 ? [] : out.slice(start);
}

function brokerSynonyms(config: BrokerConfig, name: string): Synonym[] {
  return configSynonyms(config, brokerSynonymNames(name), name);
}

/** A topic config's synonyms: the topic's own value, if set, then its broker synonyms (Kafka's order). */
function topicSynonyms(config: BrokerConfig, c: Described): Synonym[] {
  const brokerKey = config.topicConfigs.get(c.name)?.brokerKey;
  const own = c.source === ConfigSource.DYNAMIC_TOPIC_CONFIG ? [{ name: c.name, value: c.value, source: c.source }] : [];
  return [...own, ...(brokerKey ? configSynonyms(config, brokerSynonymNames(brokerKey)) : [])];
}
