#!/usr/bin/env node
/**
 * `samsa` / `npm start`: runs the broker (port 9092, data in ./data, Schema Registry on 8081) until SIGTERM/SIGINT,
 * then flushes, closes and exits 0.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { startBroker } from '../index.js';
import { ConfigError } from '../config.js';
import { banner, describeStartError, environmentWarnings, FLAG_SETTINGS, joinNegativeValues, startSettings, type StartSettings } from './start.js';

const USAGE = `Usage: samsa [options]
  --port <n>              Kafka port (default 9092; 0 = any free port)
  --host <addr>           listen address (default 127.0.0.1 and ::1)
  --advertised-host <h>   host name given to clients (default localhost)
  --data-dir <dir>        data directory (default ./data)
  --in-memory             keep everything in memory
  --node-id <n>           broker id (default 0)
  --nodes <n>             run a cluster of n nodes on ports port..port+n-1 (default 1)
  --registry-port <n>     Schema Registry port (default 8081; 0 disables it)
  --admin-port <n>        admin HTTP port: /healthz, /readyz (default 9644; 0 disables it)
  --fsync                 durable mode: acks=-1 is answered after fsync
  --log-level <level>     trace, debug, info, warn, error (default info)
  --log-format <format>   pretty or json (default: pretty in a terminal, json otherwise)
  --config <file>         a .properties, .json, .yaml or .yml file of Kafka-named settings
  --set name=value        any setting by its Kafka name (repeatable), e.g. --set num.partitions=3
  --version               print the version and exit
Every setting can also come from SAMSA_* environment variables, e.g. SAMSA_NUM_PARTITIONS=3.`;

/** The version in our package.json: the nearest one up from this file (dist/bundle/ or dist/src/cli/). */
function packageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'samsa') return pkg.version ?? 'unknown';
    } catch { /* not here: look further up */ }
  }
  return 'unknown';
}

const OPTIONS = {
  'port': { type: 'string' }, 'host': { type: 'string' }, 'advertised-host': { type: 'string' },
  'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean' }, 'node-id': { type: 'string' }, 'nodes': { type: 'string' },
  'registry-port': { type: 'string' }, 'admin-port': { type: 'string' }, 'fsync': { type: 'boolean' }, 'log-level': { type: 'string' },
  'log-format': { type: 'string' }, 'config': { type: 'string' }, 'set': { type: 'string', multiple: true }, 'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean', short: 'V' },
} as const;

/** Settings gathered so far, for naming the source of a start-up failure. */
let settings: StartSettings = { values: {}, sources: new Map() };

async function main(): Promise<void> {
  let values;
  const valueOptions = new Set(Object.entries(OPTIONS).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`));
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(process.argv.slice(2), valueOptions), options: OPTIONS }));
  } catch (err) {
    console.error(`samsa: ${(err as Error).message} (samsa --help lists the options)`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.version) {
    console.log(`samsa ${packageVersion()}`);
    return;
  }
  const flags = Object.fromEntries(Object.keys(FLAG_SETTINGS).map((flag) => [flag, values[flag as keyof typeof values] as string | undefined]));
  for (const warning of environmentWarnings(process.env)) console.error(`samsa: ${warning}`);
  settings = startSettings({ flags, inMemory: values['in-memory'], fsync: values.fsync, set: values.set, config: values.config }, process.env);
  const running = await startBroker({ config: settings.values }, {});
  if (process.stdout.isTTY) process.stdout.write(banner(packageVersion(), running, !process.env.NO_COLOR));
  const stop = (signal: string) => {
    running.broker.logger.info({ signal }, 'shutting down');
    running.close().then(() => process.exit(0), (err) => {
      running.broker.logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  const known = err instanceof ConfigError || (err as NodeJS.ErrnoException).code === 'SAMSA_DATA_DIR_LOCKED' ? (err as Error).message : describeStartError(err, settings);
  if (known !== null) {
    console.error(`samsa: ${known}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
