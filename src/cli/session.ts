/**
 * What every command shares: its connection options (-b, --registry-url, --timeout, --format), the clients made from
 * them on first use, and the parsers of option values (numbers, key=value pairs, times).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { KafkaClient, parseBootstrap } from './kafka-client.js';
import { RegistryClient } from './schemas.js';
import { CliError, type Format } from './output.js';

export interface CommonOptions {
  bootstrapServer?: string;
  registryUrl?: string;
  timeout?: number;
  format?: string;
}

export class Session {
  private kafkaClient: KafkaClient | null = null;
  private registryClient: RegistryClient | null = null;
  readonly timeoutMs: number;

  constructor(readonly options: CommonOptions) {
    this.timeoutMs = options.timeout ?? 5000;
  }

  /** `text` or `json` (consume has templates too, and reads `options.format` itself). */
  get format(): Format {
    const f = this.options.format ?? 'text';
    if (f !== 'text' && f !== 'json') throw new CliError(`--format expects text or json, got '${f}'`, 2);
    return f;
  }

  kafka(): KafkaClient {
    this.kafkaClient ??= new KafkaClient({
      bootstrap: parseBootstrap(this.options.bootstrapServer ?? process.env.SAMSA_BOOTSTRAP ?? 'localhost:9092'),
      timeoutMs: this.timeoutMs,
    });
    return this.kafkaClient;
  }

  registry(): RegistryClient {
    this.registryClient ??= new RegistryClient(this.options.registryUrl ?? process.env.SAMSA_REGISTRY_URL ?? 'http://localhost:8081', this.timeoutMs);
    return this.registryClient;
  }

  close(): void {
    this.kafkaClient?.close();
  }
}

/** Adds the connection options a command needs: the Kafka bootstrap, the registry URL, or both. */
export function connectionOptions(cmd: Command, needs: { kafka?: boolean; registry?: boolean }): Command {
  if (needs.kafka) cmd.option('-b, --bootstrap-server <host:port>', 'a broker to start from (env SAMSA_BOOTSTRAP; default localhost:9092)');
  if (needs.registry) cmd.option('--registry-url <url>', 'Schema Registry URL (env SAMSA_REGISTRY_URL; default http://localhost:8081)');
  return cmd.option('--timeout <ms>', 'connect and request timeout in ms', integer('--timeout', 1, MAX_TIMER_MS), 5000);
}

export function formatOption(cmd: Command): Command {
  return cmd.addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
}

/** Kafka's int32 and int16 fields, and the longest timer Node runs (longer ones fire at once). */
export const INT32_MAX = 2 ** 31 - 1;
export const INT16_MAX = 2 ** 15 - 1;
const MAX_TIMER_MS = INT32_MAX;

/** A whole-number option parser with bounds (by default those of a Kafka int32 field from `min`). */
export function integer(name: string, min = 0, max = INT32_MAX): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${name} expects a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

/** A repeatable option's collector. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** "key=value" split at the first '='. */
export function keyValue(pair: string, option: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new CliError(`${option} expects key=value, got '${pair}'`, 2);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** A time as milliseconds since the epoch, or an ISO-8601 date-time ("2024-05-01T12:00:00Z"). */
export function parseTime(text: string, option: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  // Date.parse moves a day the month lacks into the next month (2024-02-30 is March 1): such a date is refused.
  const real = date && new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))).toISOString().startsWith(date[0]);
  const ms = real ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new CliError(`${option} expects milliseconds since the epoch or an ISO-8601 date-time, got '${text}'`, 2);
  return ms;
}
