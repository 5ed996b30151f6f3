#!/usr/bin/env node
/**
 * `samsa` / `samsa start` / `npm start`: runs the broker (port 9092, data in ./data, Schema Registry on 8081) until
 * SIGTERM/SIGINT, then flushes, closes and exits 0. `samsa <command>` (topic, produce, consume, group, schema,
 * cluster, help) runs the command tree of src/cli/program.ts instead, loaded only then.
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { startBroker, type RunningBroker } from '../index.js';
import { ConfigError } from '../config.js';
import { banner, describeStartError, environmentWarnings, FLAG_SETTINGS, joinNegativeValues, startSettings, type StartSettings } from './start.js';
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { packageVersion } from '../version.js';
import { isTerminal } from '../logging.js';
import { sourceMappedStack } from '../source-stack.js';

const USAGE = `Usage: samsa [start] [options]      run the broker
       samsa <command> --help         topic, produce, consume, group, schema, cluster: see samsa help
       samsa tls client NAME [--data-dir <dir>]   issue a client certificate (mTLS) from the --tls auto CA
  --port <n>              Kafka port (default 9092; 0 = any free port)
  --host <addr>           listen address (default 127.0.0.1 and ::1)
  --advertised-host <h>   host name given to clients (default localhost)
  --data-dir <dir>        data directory (default ./data)
  --in-memory             keep everything in memory
  --node-id <n>           broker id (default 0)
  --nodes <n>             run a cluster of n nodes on ports port..port+n-1 (default 1)
  --registry-port <n>     Schema Registry port (default 8081; 0 disables it)
  --admin-port <n>        admin HTTP port: /healthz, /readyz, /metrics, /v3 REST, /v1 test control (default 9644; 0 disables it)
  --listeners <list>      NAME://host:port,... (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)
  --tls auto              development TLS: a local CA and a localhost certificate in <data-dir>/tls/, and an SSL
                          listener on port+1 when --listeners is not given
  --fsync                 durable mode: acks=-1 and topic changes are answered after fsync
  --manual-clock          tests: time moves only by POST /v1/clock/advance on the admin port
  --kafka-version <v>     speak as Kafka 2.4, 2.8, 3.9 or 4.1: its API versions, topic-config defaults and
                          TxnOffsetCommit checks (default: everything Samsa serves)
  --log-level <level>     trace, debug, info, warn, error (default info)
  --log-format <format>   pretty or json (default: pretty in a terminal, json otherwise)
  --config <file>         a .properties, .json, .yaml or .yml file of Kafka-named settings
  --set name=value        any setting by its Kafka name (repeatable), e.g. --set num.partitions=3
  --version               print the version and exit
Every setting can also come from SAMSA_* environment variables, e.g. SAMSA_NUM_PARTITIONS=3.`;

const OPTIONS = {
  'port': { type: 'string' }, 'host': { type: 'string' }, 'advertised-host': { type: 'string' },
  'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean' }, 'node-id': { type: 'string' }, 'nodes': { type: 'string' },
  'registry-port': { type: 'string' }, 'admin-port': { type: 'string' }, 'fsync': { type: 'boolean' }, 'manual-clock': { type: 'boolean' },
  'log-level': { type: 'string' }, 'log-format': { type: 'string' }, 'listeners': { type: 'string' }, 'tls': { type: 'string' },
  'kafka-version': { type: 'string' }, 'config': { type: 'string' }, 'set': { type: 'string', multiple: true }, 'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean', short: 'V' },
} as const;

/** Settings gathered so far, for naming the source of a start-up failure. */
let settings: StartSettings = { values: {}, sources: new Map() };

async function main(args: string[]): Promise<void> {
  let values;
  const valueOptions = new Set(Object.entries(OPTIONS).filter(([, o]) => o.type === 'string').map(([name]) => `--${name}`));
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(args, valueOptions), options: OPTIONS }));
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
  if (values.tls !== undefined && values.tls !== 'auto') {
    throw new ConfigError(`--tls expects 'auto', got '${values.tls}' (for your own certificates set ssl.certificate.location and ssl.key.location)`);
  }
  const flags = Object.fromEntries(Object.keys(FLAG_SETTINGS).map((flag) => [flag, values[flag as keyof typeof values] as string | undefined]));
  for (const warning of environmentWarnings(process.env)) console.error(`samsa: ${warning}`);
  settings = startSettings({ flags, inMemory: values['in-memory'], fsync: values.fsync, tls: values.tls !== undefined, set: values.set, config: values.config }, process.env);
  // Signal handlers go in before the ready line (a SIGTERM sent on seeing it stops the broker gracefully), not
  // earlier: until then Ctrl-C ends a long recovery at once.
  const running = await withYoungGenerationHeld(manyStored(settings), () => startBroker({ config: settings.values, clock: values['manual-clock'] ? 'manual' : undefined, beforeReady: stopOnSignals }, {}));
  letStartUpCodeGo();
  if (isTerminal(1)) process.stdout.write(banner(packageVersion(), running, !process.env.NO_COLOR));
}

function stopOnSignals(running: RunningBroker): void {
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

/**
 * Opening thousands of logs at start keeps nearly all it allocates, and V8 answers scavenges with many survivors by
 * doubling the young generation (up to 2 x 16 MiB) — memory the idle broker then keeps (it was ~3 MiB per 1,000
 * partitions on disk). So the young generation does not grow until the broker is ready; then V8's default growth
 * (factor 2) is back for the load to come. Only for a data directory of many partitions (a changed V8 flag has a cost
 * of its own: see src/regexps.ts), and left alone when the user sets semi-space flags.
 */
async function withYoungGenerationHeld<T>(hold: boolean, start: () => Promise<T>): Promise<T> {
  if (!hold || /semi[-_]space/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) return start();
  setFlagsFromString('--semi-space-growth-factor=1');
  try {
    return await start();
  } finally {
    setFlagsFromString('--semi-space-growth-factor=2');
  }
}

/** Whether the data directory holds enough partitions for withYoungGenerationHeld to be worth its cost. */
function manyStored(settings: StartSettings): boolean {
  if (String(settings.values['in.memory']) === 'true') return false;
  try {
    return readdirSync(resolve(String(settings.values['log.dirs'] ?? './data'))).length >= 100;
  } catch {
    return false; // not made yet
  }
}

/**
 * Once the broker is ready: the bytecode of a function not run since the previous full GC is dropped (V8's default:
 * the 5th), so that an idle broker lets go of what only start-up ran once V8's memory reducer runs (~8 s after start;
 * idle RSS -0.3 MiB); a function dropped and called again is compiled again (microseconds). Not set earlier: see
 * src/regexps.ts on V8 flags during start-up.
 */
function letStartUpCodeGo(): void {
  setFlagsFromString('--bytecode-old-age=1');
}

/** `samsa tls client NAME [--data-dir d]`: a client certificate signed by the --tls auto CA of that data directory. */
async function tlsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' } } });
  if (positionals[0] !== 'client' || !positionals[1]) throw new ConfigError('usage: samsa tls client NAME [--data-dir <dir>]');
  const { issueClientCertificate } = await import('../security/tls.js');
  const issued = issueClientCertificate(join(resolve(values['data-dir'] ?? './data'), 'tls'), positionals[1]);
  console.log(`certificate: ${issued.certPath}\nkey:         ${issued.keyPath}\nCA:          ${issued.caPath}\nprincipal:   User:CN=${positionals[1]},OU=samsa`);
}

/** The commands of src/cli/program.ts; anything else is the broker's. */
const COMMANDS = new Set(['topic', 'produce', 'consume', 'group', 'schema', 'cluster', 'help']);
const args = process.argv.slice(2);

const runCommand = async (): Promise<void> => {
  process.exitCode = await (await import('./program.js')).runCli(args, packageVersion());
};

const run = COMMANDS.has(args[0] ?? '') ? runCommand()
  : args[0] === 'tls' ? tlsCommand(args.slice(1))
  : main(args[0] === 'start' ? args.slice(1) : args);
run.catch((err) => {
  const dataDirProblem = ['SAMSA_DATA_DIR_LOCKED', 'SAMSA_DATA_DIR_DAMAGED'].includes((err as NodeJS.ErrnoException).code ?? '');
  const known = err instanceof ConfigError || dataDirProblem ? (err as Error).message : describeStartError(err, settings);
  if (known !== null) {
    console.error(`samsa: ${known}`);
    process.exit(2);
  }
  if (err instanceof Error && err.stack) err.stack = sourceMappedStack(err.stack);
  console.error(err);
  process.exit(1);
});
