/**
 * DescribeConfigs 0-2: a topic's effective configs with their source (topic override, broker setting, default)
 * and synonyms (v1+), or the broker's settings. v0 reports is_default instead of a source.
 */
import { handler } from './handler.js';
import { DescribeConfigsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { resolveTopicConfigs, topicConfigDefs, ConfigSource, type ResolvedConfig } from '../metadata/configs.js';
import { brokerSettingNames } from '../config.js';
import { ResourceType } from '../metadata/config-changes.js';
import type { Broker } from '../broker.js';
import { clientInput } from '../protocol/client-input.js';

export default handler(DescribeConfigsApi, (req, { broker }) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    const configs = resolve(broker, r.resourceType, r.resourceName);
    if (typeof configs === 'string') return { ...base, errorCode: configs === 'unknown' ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_REQUEST, errorMessage: `${configs} resource ${clientInput(r.resourceName)}`, configs: [] };
    const wanted = r.configurationKeys ? configs.filter((c) => r.configurationKeys!.includes(c.name)) : configs;
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      configs: wanted.map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: r.resourceType === ResourceType.BROKER && topicConfigDefs.get(c.name) === undefined && !c.name.startsWith('log.'),
        isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
        configSource: c.source,
        isSensitive: false,
        synonyms: req.includeSynonyms ? synonyms(broker, c) : [],
      })),
    };
  }),
}));

function resolve(broker: Broker, type: number, name: string): ResolvedConfig[] | 'unknown' | 'unsupported' {
  if (type === ResourceType.TOPIC) {
    const topic = broker.topics.get(name);
    return topic ? resolveTopicConfigs(topic.configs, broker.config.settings) : 'unknown';
  }
  if (type === ResourceType.BROKER) {
    const { dynamic, static: given } = broker.config;
    return brokerSettingNames().map((n) => ({
      name: n,
      value: broker.config.get(n),
      source: dynamic.has(n) ? ConfigSource.DYNAMIC_BROKER_CONFIG : given.has(n) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
    }));
  }
  return 'unsupported';
}

/** The chain of places a topic config's value could come from, most specific first. */
function synonyms(broker: Broker, c: ResolvedConfig) {
  const out = [{ name: c.name, value: c.value, source: c.source }];
  const brokerKey = topicConfigDefs.get(c.name)?.brokerKey;
  if (c.source === ConfigSource.DYNAMIC_TOPIC_CONFIG && brokerKey && broker.config.settings.has(brokerKey)) {
    out.push({ name: brokerKey, value: broker.config.get(brokerKey), source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  if (c.source !== ConfigSource.DEFAULT_CONFIG && brokerKey) out.push({ name: brokerKey, value: topicConfigDefs.get(c.name)!.defaultValue, source: ConfigSource.DEFAULT_CONFIG });
  return c.source === ConfigSource.DEFAULT_CONFIG ? [] : out;
}
