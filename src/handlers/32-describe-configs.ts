/**
 * DescribeConfigs 0-4: a topic's effective configs with their source (topic override, broker setting, default),
 * or the broker's settings (resource name = its id; '' = the cluster-wide dynamic defaults only). v0 reports
 * is_default instead of a source; v1+ synonyms (every layer that sets the value, most specific first); v3+ config
 * type and documentation; v4 flexible. Read-only broker settings say so; sensitive ones (sasl.plain.users) are
 * reported as null with is_sensitive, as Kafka does for passwords. Needs DESCRIBE_CONFIGS on the topic (else
 * TOPIC_AUTHORIZATION_FAILED) or the cluster (else CLUSTER_AUTHORIZATION_FAILED).
 */
import { handler } from './handler.js';
import { DescribeConfigsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { resolveTopicConfigs, topicConfigDefs, ConfigSource, CONFIG_TYPE_CODES, type ResolvedConfig } from '../metadata/configs.js';
import { brokerSetting, brokerSettingNames, type BrokerConfig } from '../config.js';
import { ResourceType } from '../metadata/config-changes.js';
import type { Broker } from '../broker.js';
import { AclOperation } from '../security/acl.js';
import { configRefusal } from '../security/authorizer.js';
import { clientInput } from '../protocol/client-input.js';

interface Synonym { name: string; value: string | null; source: number }

export default handler(DescribeConfigsApi, (req, ctx) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const { broker } = ctx;
    const configs = configRefusal(ctx, AclOperation.DESCRIBE_CONFIGS, r.resourceType, r.resourceName) ?? resolve(broker, r.resourceType, r.resourceName);
    if (!Array.isArray(configs)) return { ...base, ...configs, configs: [] };
    const wanted = r.configurationKeys ? configs.filter((c) => r.configurationKeys!.includes(c.name)) : configs;
    const isBroker = r.resourceType === ResourceType.BROKER;
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs: wanted.map((c) => {
        const setting = isBroker ? brokerSetting(c.name) : undefined;
        const sensitive = setting?.sensitive ?? false;
        const type = setting?.type ?? topicConfigDefs.get(c.name)?.type;
        // The cluster-wide resource ('') shows only that layer, as Kafka does.
        const synonyms = isBroker ? brokerSynonyms(broker.config, c.name).filter((l) => r.resourceName !== '' || l.source === c.source)
          : topicSynonyms(broker.config, c);
        return {
          name: c.name,
          value: sensitive ? null : c.value,
          readOnly: isBroker && setting?.dynamic === 'read-only',
          isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
          configSource: c.source,
          isSensitive: sensitive,
          synonyms: req.includeSynonyms ? synonyms.map((s) => ({ ...s, value: sensitive ? null : s.value })) : [],
          configType: type ? CONFIG_TYPE_CODES[type] : 0,
          documentation: req.includeDocumentation ? setting?.doc ?? null : null,
        };
      }),
    };
  }),
}));

function resolve(broker: Broker, type: number, name: string): ResolvedConfig[] | { errorCode: number; errorMessage: string } {
  const { config } = broker;
  if (type === ResourceType.TOPIC) {
    const topic = broker.topics.get(name);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${clientInput(name)} does not exist` };
    return resolveTopicConfigs(topic.configs, config.settings, (key) => config.sourceOf(key));
  }
  if (type === ResourceType.BROKER) {
    if (name === '') {
      return [...config.dynamicDefault].map(([n, value]) => ({ name: n, value, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }));
    }
    if (!broker.placement.nodeIds.some((id) => String(id) === name)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected one of ${broker.placement.nodeIds.join(', ')} or empty string, but received ${clientInput(name)}` };
    }
    return brokerSettingNames().map((n) => ({ name: n, value: config.get(n), source: config.sourceOf(n) }));
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${type}` };
}

function brokerSynonyms(config: BrokerConfig, name: string): Synonym[] {
  return config.layers(name).map((l) => ({ name, ...l }));
}

/** A topic config's synonyms: the topic's own value, if set, then every layer of its broker synonym (Kafka's order). */
function topicSynonyms(config: BrokerConfig, c: ResolvedConfig): Synonym[] {
  const brokerKey = topicConfigDefs.get(c.name)?.brokerKey;
  const own = c.source === ConfigSource.DYNAMIC_TOPIC_CONFIG ? [{ name: c.name, value: c.value, source: c.source }] : [];
  return [...own, ...(brokerKey ? brokerSynonyms(config, brokerKey) : [])];
}
