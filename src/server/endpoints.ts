/**
 * Listeners as Kafka declares them: `listeners=PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://:9093` (names mapped to
 * security protocols by `listener.security.protocol.map`), `advertised.listeners` for the addresses clients are
 * given. Without `listeners`, one PLAINTEXT listener on `listeners.host`:`port`, which also accepts optional SASL,
 * and with `ssl.auto` (--tls auto) an SSL listener on `port` + 1 next to it. SSL and SASL_SSL listeners speak TLS.
 * Node i of a cluster listens on each listener's port + i × (number of listeners), or any free port for port 0.
 */
import { ConfigError, type BrokerConfig } from '../config.js';

export type SecurityProtocol = 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';

export interface ListenerSpec {
  name: string;
  protocol: SecurityProtocol;
  /** '' = 127.0.0.1 and ::1. */
  host: string;
  port: number;
  /** Host and port clients are given in Metadata (port 0: the one actually bound). */
  advertisedHost: string;
  advertisedPort: number;
}

const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SASL_PLAINTEXT', 'SSL', 'SASL_SSL'];

/** `NAME://host:port`, host possibly empty or a bracketed IPv6 address. */
function parseEndpoint(setting: string, entry: string): { name: string; host: string; port: number } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):(\d{1,5})$/.exec(entry.trim());
  if (!m) throw new ConfigError(`${setting}: '${entry.trim()}' is not NAME://host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`${setting}: port ${port} of ${m[1]} is not between 0 and 65535`);
  return { name: m[1].toUpperCase(), host: m[2].replace(/^\[|\]$/g, ''), port };
}

function parseProtocolMap(config: BrokerConfig): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>(PROTOCOLS.map((p) => [p, p]));
  for (const pair of config.get('listener.security.protocol.map').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, protocol] = pair.split(':').map((s) => s.trim().toUpperCase());
    if (!name || !PROTOCOLS.includes(protocol as SecurityProtocol)) {
      throw new ConfigError(`listener.security.protocol.map: '${pair}' is not NAME:PROTOCOL with PROTOCOL one of ${PROTOCOLS.join(', ')}`);
    }
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

/** The listeners of node 0, validated. */
export function listenerSpecs(config: BrokerConfig): ListenerSpec[] {
  const declared = config.get('listeners').trim();
  if (declared === '') {
    const plain: ListenerSpec = { name: 'PLAINTEXT', protocol: 'PLAINTEXT', host: config.host, port: config.port, advertisedHost: config.advertisedHost, advertisedPort: 0 };
    if (!config.bool('ssl.auto')) return [plain];
    return [plain, { ...plain, name: 'SSL', protocol: 'SSL', port: config.port === 0 ? 0 : config.port + 1 }];
  }
  const protocols = parseProtocolMap(config);
  const advertised = new Map(config.get('advertised.listeners').split(',').filter((s) => s.trim() !== '')
    .map((entry) => parseEndpoint('advertised.listeners', entry)).map((e) => [e.name, e]));
  const specs = declared.split(',').map((entry) => {
    const { name, host, port } = parseEndpoint('listeners', entry);
    const protocol = protocols.get(name);
    if (!protocol) throw new ConfigError(`listeners: ${name} has no security protocol; map it in listener.security.protocol.map`);
    const ad = advertised.get(name);
    return { name, protocol, host, port, advertisedHost: ad?.host || config.advertisedHost, advertisedPort: ad?.port ?? 0 };
  });
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new ConfigError('listeners: each listener name may appear once');
  for (const name of advertised.keys()) if (!names.has(name)) throw new ConfigError(`advertised.listeners: ${name} is not one of the listeners`);
  return specs;
}

export const usesTls = (protocol: SecurityProtocol): boolean => protocol === 'SSL' || protocol === 'SASL_SSL';
export const usesSasl = (protocol: SecurityProtocol): boolean => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

/** Node `index`'s port for a listener: the declared one shifted past the earlier nodes' ports, or any free port. */
export function nodePort(spec: ListenerSpec, index: number, listenerCount: number): number {
  return spec.port === 0 ? 0 : spec.port + index * listenerCount;
}
