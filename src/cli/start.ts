/**
 * The start command's settings, each with where it came from (a flag, a SAMSA_* variable, a config file line), so a
 * mistake is reported as one line a person can act on; and the start banner shown in a terminal.
 */
import { resolve, sep } from 'node:path';
import { brokerSetting, canonicalName, checkBrokerSetting, ConfigError, readEnvironment, unknownEnvironment } from '../config.js';
import { parseConfigFile } from '../config-file.js';
import type { RunningBroker } from '../index.js';

/** Flags that set one setting each. */
export const FLAG_SETTINGS: Record<string, string> = {
  'port': 'port', 'host': 'listeners.host', 'advertised-host': 'advertised.host', 'data-dir': 'log.dirs', 'node-id': 'node.id',
  'nodes': 'nodes', 'registry-port': 'registry.port', 'admin-port': 'admin.port', 'log-level': 'log.level', 'log-format': 'log.format',
  'listeners': 'listeners', 'kafka-version': 'kafka.version',
};

/**
 * `--registry-port -1` as `--registry-port=-1`: parseArgs takes a value starting with '-' for an option, and a port
 * or id of -1 is a value here.
 */
export function joinNegativeValues(args: string[], valueOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (valueOptions.has(args[i]) && /^-\d+$/.test(args[i + 1] ?? '')) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

export interface StartFlags {
  flags: Record<string, string | undefined>;
  inMemory?: boolean;
  fsync?: boolean;
  /** --tls auto */
  tls?: boolean;
  set?: string[];
  config?: string;
}

export interface StartSettings {
  /** Every setting given, by canonical Kafka name, later sources winning: file < environment < --set < flags. */
  values: Record<string, string>;
  /** Where each came from: '--port', 'SAMSA_PORT', 'samsa.properties:3'. */
  sources: Map<string, string>;
}

/** Gathers and checks the settings; throws ConfigError naming the setting, its source and what is allowed. */
export function startSettings(given: StartFlags, env: NodeJS.ProcessEnv): StartSettings {
  const values: Record<string, string> = {};
  const sources = new Map<string, string>();
  const put = (name: string, value: string, from: string) => {
    const problem = checkBrokerSetting(name, value);
    if (problem) throw new ConfigError(`${problem}${allowed(name, problem)} (${from})`);
    values[canonicalName(name)] = value;
    sources.set(canonicalName(name), from);
  };
  if (given.config) for (const s of parseConfigFile(given.config)) put(s.name, s.value, s.line ? `${given.config}:${s.line}` : given.config);
  for (const [name, value] of readEnvironment(env)) put(name, value, `SAMSA_${name.toUpperCase().replace(/\./g, '_')}`);
  for (const pair of given.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set expects name=value, got '${pair}'`);
    put(pair.slice(0, eq), pair.slice(eq + 1), `--set ${pair.slice(0, eq)}`);
  }
  for (const [flag, name] of Object.entries(FLAG_SETTINGS)) {
    const value = given.flags[flag];
    if (value !== undefined) put(name, value, `--${flag}`);
  }
  if (given.inMemory) put('in.memory', 'true', '--in-memory');
  if (given.fsync) put('log.flush.fsync', 'true', '--fsync');
  if (given.tls) put('ssl.auto', 'true', '--tls auto');
  return { values, sources };
}

/** One line per SAMSA_* variable that names no setting (a typo would otherwise go unnoticed). */
export function environmentWarnings(env: NodeJS.ProcessEnv): string[] {
  return unknownEnvironment(env).map((key) => `warning: ${key} names no setting and is ignored (SAMSA_NUM_PARTITIONS sets num.partitions)`);
}

/** Kafka's "Not a number of type INT" says nothing of the range: add it. */
function allowed(name: string, problem: string): string {
  const def = brokerSetting(canonicalName(name));
  if (!def || !problem.includes('Not a number')) return '';
  if (def.min !== undefined && def.max !== undefined) return ` from ${def.min} to ${def.max}`;
  return def.min !== undefined ? ` of at least ${def.min}` : '';
}

const PORTS: Record<string, { label: string; flag: string; hint: string }> = {
  kafka: { label: 'Kafka', flag: '--port', hint: '0 picks a free port' },
  registry: { label: 'Schema Registry', flag: '--registry-port', hint: '-1 picks a free port, 0 turns the registry off' },
  admin: { label: 'admin', flag: '--admin-port', hint: '-1 picks a free port, 0 turns the admin port off' },
};

/**
 * A start-up failure a person can fix (a port in use, a data directory that cannot be used) as one line, or null for
 * anything else (a bug: shown whole).
 */
export function describeStartError(err: NodeJS.ErrnoException & { service?: string; port?: number; address?: string }, settings: StartSettings): string | null {
  const reason = (err.message ?? '').replace(/^[A-Z]+: /, '');
  if (err.syscall === 'listen' && err.service && PORTS[err.service]) {
    const p = PORTS[err.service];
    const what = `${p.label} port ${err.port ?? ''}`.trim();
    if (err.code === 'EADDRINUSE') return `${what} is already in use: choose another with ${p.flag} (${p.hint})`;
    return `cannot listen on ${what}${err.address ? ` at ${err.address}` : ''}: ${reason}; choose another port with ${p.flag} or another address with --host`;
  }
  const dataDir = settings.values['log.dirs'] !== undefined ? resolve(settings.values['log.dirs']) : resolve('./data');
  const path = typeof err.path === 'string' ? resolve(err.path) : null;
  if (err.syscall && path && (path === dataDir || path.startsWith(dataDir + sep) || dataDir.startsWith(path + sep))) {
    const from = settings.sources.get('log.dirs') ?? 'the default';
    return `cannot use data directory ${dataDir} (log.dirs, from ${from}): ${reason}; choose a writable directory with --data-dir, or run --in-memory`;
  }
  return null;
}

/** What a person needs after `npm start`: where to point clients, the other URLs, where the data goes. */
export function banner(version: string, running: RunningBroker, color: boolean): string {
  const bold = (s: string) => (color ? `\u001b[1m${s}\u001b[0m` : s);
  const rows: Array<[string, string]> = [];
  for (const node of running.nodes) {
    const addresses = Object.entries(node.listeners).map(([name, addr]) => (name === 'PLAINTEXT' ? addr : `${addr} (${name})`));
    rows.push([running.nodes.length > 1 ? `Kafka node ${node.id}` : 'Kafka', addresses.join(', ')]);
  }
  rows.push(['Schema Registry', running.registryUrl ?? 'off']);
  rows.push(['Admin', running.adminUrl ?? 'off']);
  rows.push(['Data', running.broker.dataDir ?? 'in memory (gone at exit)']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\n  ${bold(`Samsa ${version}`)} is ready\n\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n\n  Ctrl-C stops it.\n\n`;
}
