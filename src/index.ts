/**
 * Samsa as a library: start a broker in-process, e.g. in a test suite.
 *
 *   const broker = await startBroker({ port: 0, inMemory: true });
 *   new Kafka({ brokers: [broker.bootstrap] });
 *   ...
 *   await broker.close();
 */
import { pino, type Logger } from 'pino';
import { Broker } from './broker.js';
import { buildConfig, readConfigFile, readEnvironment, type SettingValue } from './config.js';
import { Listener } from './server/listener.js';
import type { Clock } from './clock.js';

export interface StartOptions {
  port?: number;
  /** Address to listen on; default: 127.0.0.1 and ::1. */
  host?: string;
  advertisedHost?: string;
  dataDir?: string;
  inMemory?: boolean;
  nodeId?: number;
  /** Schema Registry port; 0 disables it, -1 picks any free port. Default 8081 (the CLI) or 0 (embedded). */
  registryPort?: number;
  logLevel?: string;
  /** A pino logger to use instead of a new one. */
  logger?: Logger;
  /** Any broker setting by its Kafka name, e.g. { 'num.partitions': 3, 'log.retention.ms': 1000 }. */
  config?: Record<string, SettingValue>;
  /** A .properties or .json file of settings (lower precedence than the options above). */
  configFile?: string;
  /** Read SAMSA_* environment variables (default false; the CLI reads them). */
  useEnvironment?: boolean;
  /** Time for coordinators, timeouts and log tasks; a ManualClock lets a test move time itself. Default: real time. */
  clock?: Clock;
}

export interface RunningBroker {
  port: number;
  /** "host:port" for clients' bootstrap list. */
  bootstrap: string;
  /** Schema Registry URL, when enabled. */
  registryUrl: string | null;
  broker: Broker;
  close(): Promise<void>;
}

/**
 * Settings under every other layer when embedded (a test suite): no registry unless asked, quiet logs (warn), and in
 * memory unless a data directory is given. The CLI passes {} instead: registry on 8081, info logs, ./data.
 */
export const EMBEDDED_DEFAULTS: Record<string, SettingValue> = { 'registry.port': 0, 'log.level': 'warn', 'in.memory': true };

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
      'registry.port': options.registryPort,
      'log.level': options.logLevel,
    },
  );
  const logger = options.logger ?? pino({ level: config.get('log.level'), base: { name: 'samsa' } });
  const broker = new Broker(config, logger, options.clock);
  const listener = new Listener(broker);
  let port: number;
  try {
    port = await listener.listen(config.host, config.port);
  } catch (err) {
    await broker.close();
    throw err;
  }
  broker.port = port;
  let registryUrl: string | null;
  try {
    await broker.recover();
    registryUrl = await broker.startRegistry();
  } catch (err) {
    await listener.close();
    await broker.close();
    throw err;
  }
  // startupMs: since this process started (for the CLI, start-up as users see it, less the process spawn itself).
  logger.info({ port, dataDir: broker.dataDir ?? '(in memory)', registry: registryUrl, startupMs: Math.round(performance.now()) }, 'samsa is ready');
  let closing: Promise<void> | undefined;
  return {
    port,
    bootstrap: `${config.advertisedHost}:${port}`,
    registryUrl,
    broker,
    close: () => (closing ??= (async () => {
      await listener.close();
      await broker.close();
    })()),
  };
}

export { Broker } from './broker.js';
export { ConfigError } from './config.js';
export { ManualClock, realClock, type Clock } from './clock.js';
