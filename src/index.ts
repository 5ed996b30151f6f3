/**
 * Samsa as a library: start a broker in-process, e.g. in a test suite.
 *
 *   const broker = await startBroker({ port: 0, inMemory: true });
 *   new Kafka({ brokers: [broker.bootstrap] });
 *   ...
 *   await broker.close();
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Broker } from './broker.js';
import { buildConfig, readConfigFile, readEnvironment, type SettingValue } from './config.js';
import { createLogger } from './logging.js';
import { Listener } from './server/listener.js';
import { listenerSpecs, nodePort } from './server/endpoints.js';
import { Router } from './server/router.js';
import { kafkaRelease } from './server/kafka-releases.js';
import { requestPipeline } from './server/pipeline.js';
import { HANDLERS } from './handlers/index.js';
import type { ClusterNode } from './broker.js';
import { ManualClock, monotonicMs, type Clock } from './clock.js';
import { brokerState, type BrokerState } from './testkit/state.js';
import type { TokenValidator } from './security/oauthbearer.js';
import type { ClientCertificate } from './security/tls.js';
import { FaultInjector } from './testkit/faults.js';
import { ClusterControl } from './testkit/cluster-control.js';
import { useLinearRegexps } from './regexps.js';

export interface StartOptions {
  /** Called with the running broker just before the "samsa is ready" line is logged. */
  beforeReady?: (running: RunningBroker) => void;
  port?: number;
  /** Address to listen on; default: 127.0.0.1 and ::1. */
  host?: string;
  advertisedHost?: string;
  dataDir?: string;
  inMemory?: boolean;
  /** Id of the first node (default 0). */
  nodeId?: number;
  /** Nodes of the cluster (default 1): node i listens on `port + i`, or on any free port when `port` is 0. */
  nodes?: number;
  /** Schema Registry port; 0 disables it, -1 picks any free port. Default 8081 (the CLI) or 0 (embedded). */
  registryPort?: number;
  /** Admin HTTP port (health, operator and test-control surfaces); 0 disables it, -1 picks any free port. Default 9644 (the CLI) or 0 (embedded). */
  adminPort?: number;
  logLevel?: string;
  /** Speak as this Kafka release (`kafka.version`): '2.4', '2.8', '3.9' or '4.1'; default: everything Samsa serves. */
  kafkaVersion?: string;
  /** A pino logger to use instead of a new one. */
  logger?: Logger;
  /** Any broker setting by its Kafka name, e.g. { 'num.partitions': 3, 'log.retention.ms': 1000 }. */
  config?: Record<string, SettingValue>;
  /** A .properties or .json file of settings (lower precedence than the options above). */
  configFile?: string;
  /** Read SAMSA_* environment variables (default false; the CLI reads them). */
  useEnvironment?: boolean;
  /**
   * Time for coordinators, timeouts and log tasks. 'manual': a ManualClock starting at the real time (so clients'
   * timestamps agree with it) that only `broker.clock.advance(ms)` moves. Default: real time.
   */
  clock?: Clock | 'manual';
  /**
   * Validates OAUTHBEARER tokens (real ones, e.g. JWTs checked against an issuer's keys): resolve to
   * `{ principal, expiresAtMs? }`, or null (or throw) to refuse. Without it, Kafka's unsecured-JWS validator is used.
   */
  validateToken?: TokenValidator;
}

export interface RunningNode {
  id: number;
  /** Port of the node's first listener. */
  port: number;
  /** "host:port" of the node's first listener. */
  bootstrap: string;
  /** "host:port" by listener name (PLAINTEXT, SASL_PLAINTEXT, ...). */
  listeners: Record<string, string>;
}

export interface RunningBroker extends BrokerState {
  /** The first node's port. */
  port: number;
  /** "host:port" of the first node, for clients' bootstrap list (any node will do: each lists them all). */
  bootstrap: string;
  /** Every node of the cluster, first one first. */
  nodes: RunningNode[];
  /** Schema Registry URL, when enabled. */
  registryUrl: string | null;
  /** Admin HTTP URL, when enabled. */
  adminUrl: string | null;
  broker: Broker;
  /** With ssl.auto (--tls auto): the development CA clients trust (`ssl.ca.location`); null otherwise. */
  tls: { caPath: string; ca: string } | null;
  /** With ssl.auto: a client certificate signed by the development CA, for mTLS (principal `User:CN=<name>,OU=samsa`). */
  issueClientCertificate(name: string): ClientCertificate;
  /** Faults to inject into requests (errors, delays, dropped connections, control functions); see src/testkit/faults.ts. */
  faults: FaultInjector;
  /** Leader and coordinator moves, node stops and starts, for clusters of several nodes; see src/testkit/cluster-control.ts. */
  cluster: ClusterControl;
  close(): Promise<void>;
}

/**
 * Settings under every other layer when embedded (a test suite): no registry unless asked, quiet logs (warn), and in
 * memory unless a data directory is given. The CLI passes {} instead: registry on 8081, info logs, ./data.
 */
export const EMBEDDED_DEFAULTS: Record<string, SettingValue> = { 'registry.port': 0, 'admin.port': 0, 'log.level': 'warn', 'in.memory': true };

/** Which of the broker's ports a failed listen was for ('kafka', 'registry', 'admin'), in `err.service`. */
function portOf<T>(service: string, listening: Promise<T>): Promise<T> {
  return listening.catch((err: unknown) => {
    if (err && typeof err === 'object') Object.assign(err, { service });
    throw err;
  });
}

export async function startBroker(options: StartOptions = {}, defaults: Record<string, SettingValue> = EMBEDDED_DEFAULTS): Promise<RunningBroker> {
  const dataDirGiven = options.dataDir !== undefined || options.config?.['log.dirs'] !== undefined;
  const config = buildConfig(
    dataDirGiven ? { ...defaults, 'in.memory': false } : defaults,
    options.configFile ? readConfigFile(options.configFile) : new Map(),
    options.useEnvironment ? readEnvironment(process.env) : new Map(),
    options.config ?? {},
    {
      'port': options.port,
      'listeners.host': options.host,
      'advertised.host': options.advertisedHost,
      'log.dirs': options.dataDir,
      'in.memory': options.inMemory,
      'node.id': options.nodeId,
      'nodes': options.nodes,
      'registry.port': options.registryPort,
      'admin.port': options.adminPort,
      'log.level': options.logLevel,
      'kafka.version': options.kafkaVersion,
    },
  );
  const logger = options.logger ?? createLogger(config);
  const broker = new Broker(config, logger, options.clock === 'manual' ? new ManualClock(Date.now()) : options.clock);
  if (options.validateToken) broker.security.validateToken = options.validateToken;
  const nodeCount = config.int('nodes');
  const listeners: Listener[] = [];
  const listenersByNode = new Map<number, Listener[]>();
  const closeListeners = () => Promise.all(listeners.map((l) => l.close()));
  const requests = { router: new Router(HANDLERS, kafkaRelease(config.get('kafka.version'))), run: requestPipeline(broker) };
  const faults = new FaultInjector(broker, requests.router);
  broker.faults = faults;
  try {
    await broker.security.start(); // before any listener: no window where the user list is still empty
    const specs = listenerSpecs(config);
    for (let i = 0; i < nodeCount; i++) {
      const node: ClusterNode = { id: config.nodeId + i, endpoints: [] };
      listenersByNode.set(node.id, []);
      for (const spec of specs) {
        const listener = new Listener(broker, node.id, spec, requests);
        listeners.push(listener);
        listenersByNode.get(node.id)!.push(listener);
        const port = await portOf('kafka', listener.listen(spec.host, nodePort(spec, i, specs.length)));
        node.endpoints.push({ listener: spec.name, host: spec.advertisedHost, port: spec.advertisedPort === 0 ? port : nodePort({ ...spec, port: spec.advertisedPort }, i, specs.length) });
      }
      broker.nodes.push(node);
    }
  } catch (err) {
    await closeListeners();
    await broker.close();
    throw err;
  }
  const cluster = new ClusterControl(broker, listenersByNode);
  const first = broker.nodes[0].endpoints[0];
  const port = first.port;
  let registryUrl: string | null;
  let adminUrl: string | null;
  try {
    await broker.recover();
    registryUrl = await portOf('registry', broker.startRegistry());
    adminUrl = await portOf('admin', broker.startAdmin());
    if (broker.admin) (await import('./testkit/http-control.js')).mountControl(broker.admin, faults, cluster);
  } catch (err) {
    await closeListeners();
    await broker.close();
    throw err;
  }
  const listening = broker.nodes.map((n) => `${n.id}: ${n.endpoints.map((e) => `${e.listener}://${e.host}:${e.port}`).join(', ')}`);
  let closing: Promise<void> | undefined;
  const state = brokerState(broker);
  if (broker.admin) (await import('./testkit/http-state.js')).mountStateRoutes(broker.admin, state);
  const running: RunningBroker = {
    ...state,
    port,
    bootstrap: `${first.host}:${port}`,
    nodes: broker.nodes.map((n) => ({
      id: n.id,
      port: n.endpoints[0].port,
      bootstrap: `${n.endpoints[0].host}:${n.endpoints[0].port}`,
      listeners: Object.fromEntries(n.endpoints.map((e) => [e.listener, `${e.host}:${e.port}`])),
    })),
    registryUrl,
    adminUrl,
    broker,
    tls: broker.security.autoTls && { caPath: broker.security.autoTls.caPath, ca: readFileSync(broker.security.autoTls.caPath, 'utf8') },
    issueClientCertificate: (name) => broker.security.issueClientCertificate(name),
    faults,
    cluster,
    close: () => (closing ??= (async () => {
      await closeListeners();
      await broker.close();
    })()),
  };
  options.beforeReady?.(running);
  // From here on every pattern compiled can fall back to the linear engine (see src/regexps.ts for why not earlier).
  useLinearRegexps();
  // The ready line comes last: the admin port's state routes are mounted by then, and `beforeReady` has run (the CLI
  // sets its signal handlers there, so a SIGTERM sent on seeing the line stops it gracefully). startupMs: since this
  // process started (for the CLI, start-up as users see it, less the process spawn itself).
  logger.info({ port, nodes: listening.length > 1 || listening[0].includes(',') ? listening : undefined, dataDir: broker.dataDir ?? '(in memory)', registry: registryUrl, admin: adminUrl ?? undefined, startupMs: Math.round(monotonicMs()) }, 'samsa is ready');
  // The internal topics' catalogue entries of a first start (see the Broker constructor), saved on the next turn of
  // the event loop: the write (and with --fsync its fsyncs) does not hold back the caller.
  setImmediate(() => broker.topics.saveDeferred());
  return running;
}

export { Broker } from './broker.js';
export { ConfigError } from './config.js';
export { ManualClock, realClock, type Clock } from './clock.js';
export { issueClientCertificate, unsecuredJws, type TokenValidator, type ValidatedToken } from './security/index.js';
export { TestkitError } from './testkit/errors.js';
export type { BrokerState } from './testkit/state.js';
export type { TestClock } from './testkit/clock.js';
export type { InspectedRecord, GroupInfo, TopicInfo, CommittedOffset } from './testkit/inspect.js';
export { FaultInjector, type FaultHandle, type FaultInfo, type InjectOptions, type DelayOptions, type DropOptions, type ControlFunction } from './testkit/faults.js';
export { ClusterControl, type NodeState } from './testkit/cluster-control.js';
