/**
 * A small Kafka client over our own codecs, for the `samsa` commands: one connection per node, requests pipelined by
 * correlation id, versions negotiated with ApiVersions (the highest both our codecs and the broker serve), requests
 * routed to partition leaders and group coordinators from Metadata and FindCoordinator.
 *
 * It speaks only the versions our generated codecs know, which every Kafka since 2.4 (and 4.x, after KIP-896
 * removed the oldest versions) also serves. Timers here are Node's own: this is a short-lived client process, not
 * broker code, and its waits must keep the process alive.
 */
import { isIP, Socket } from 'node:net';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { isFlexible, type ApiCodec } from '../protocol/api.js';
import {
  ApiVersionsApi, FindCoordinatorApi, ListOffsetsApi, MetadataApi,
  type ApiVersionsResponse, type MetadataResponse, type MetadataResponseTopics,
} from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { CliError, KafkaError, check } from './output.js';
import { authenticate, type SaslCredentials } from './sasl-client.js';

/** TLS to the brokers: the CAs to trust (else the system's), and a client certificate for mTLS. */
export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface Address { host: string; port: number }

/** "host:port,host:port" (IPv6 as "[::1]:9092"; the port defaults to 9092). */
export function parseBootstrap(list: string): Address[] {
  const addresses = list.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => {
    const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry);
    if (!m) throw new CliError(`bad bootstrap server '${entry}': expected host:port`, 2);
    const port = m[3] === undefined ? 9092 : Number(m[3]);
    if (port < 1 || port > 65535) throw new CliError(`bad bootstrap server '${entry}': port out of range`, 2);
    return { host: m[1] ?? m[2]!, port };
  });
  if (addresses.length === 0) throw new CliError('no bootstrap server given', 2);
  return addresses;
}

interface Pending {
  api: ApiCodec<unknown, unknown>;
  version: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** One TCP connection to one broker. */
/** The largest response frame accepted: a Fetch answers at most fetch.max.bytes (50 MiB by default), plus slack. */
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

export class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | null = null;
  /** The versions the broker serves, by API key (after `negotiate`). */
  readonly versions = new Map<number, { min: number; max: number }>();

  private constructor(private readonly socket: Socket, readonly label: string, private readonly clientId: string, private readonly timeoutMs: number, plain: boolean) {
    // A SASL or SSL listener closes a plain connection at its first request (or its first bytes).
    const hint = plain ? ' (if it is a SASL or SSL listener, see --sasl-mechanism and --tls)' : '';
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new CliError(`connection to ${label} failed: ${err.message}`)));
    socket.on('close', () => this.fail(new CliError(`connection to ${label} closed by the broker${hint}`)));
  }

  static async open(address: Address, timeoutMs: number, clientId: string, tls?: TlsOptions, sasl?: SaslCredentials): Promise<BrokerConnection> {
    const label = `${address.host}:${address.port}`;
    const tlsModule = tls ? await import('node:tls') : null;
    return new Promise((resolve, reject) => {
      const socket = tlsModule
        ? tlsModule.connect({ host: address.host, port: address.port, ca: tls!.ca, cert: tls!.cert, key: tls!.key, servername: isIP(address.host) ? undefined : address.host })
        : new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new CliError(`cannot connect to ${label}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(err.code ?? '') ? ' (trust its CA with --tls-ca)' : '';
        reject(new CliError(`cannot connect to ${label}: ${err.code ?? err.message}${untrusted}`));
      });
      const connected = () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        resolve(new BrokerConnection(socket, label, clientId, timeoutMs, !tls && !sasl));
      };
      if (tlsModule) socket.once('secureConnect', connected);
      else socket.connect(address.port, address.host, connected);
    });
  }

  /** Asks ApiVersions v3 (v0 when the broker refuses v3, as Kafka allows) and records the broker's ranges. */
  async negotiate(): Promise<void> {
    let res = await this.send(ApiVersionsApi, 3, { clientSoftwareName: 'samsa-cli', clientSoftwareVersion: '1' });
    if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION) res = await this.send(ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
    check(res.errorCode, `ApiVersions from ${this.label}`);
    for (const k of res.apiKeys) this.versions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
  }

  /** The highest version of `api` both sides serve. */
  versionOf(api: ApiCodec<unknown, unknown>): number {
    const served = this.versions.get(api.key);
    const version = Math.min(api.maxVersion, served?.max ?? -1);
    if (!served || version < Math.max(api.minVersion, served.min)) {
      throw new CliError(`the broker at ${this.label} does not serve ${api.name} v${api.minVersion}-${api.maxVersion}`
        + (served ? ` (it serves v${served.min}-${served.max})` : ''));
    }
    return version;
  }

  /** Sends at the negotiated version (or `version`) and resolves with the decoded response. */
  request<Req, Res>(api: ApiCodec<Req, Res>, body: Req, extraWaitMs = 0): Promise<Res> {
    return this.send(api, this.versionOf(api as ApiCodec<unknown, unknown>), body, extraWaitMs);
  }

  send<Req, Res>(api: ApiCodec<Req, Res>, version: number, body: Req, extraWaitMs = 0): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId++;
    const w = new Writer();
    w.int32(0).int16(api.key).int16(version).int32(correlationId).nullableString(this.clientId, false);
    if (isFlexible(api, version)) w.taggedFields();
    api.writeRequest(w, version, body);
    const frame = w.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new CliError(`${api.name} to ${this.label}: no answer within ${this.timeoutMs + extraWaitMs} ms`));
      }, this.timeoutMs + extraWaitMs);
      this.pending.set(correlationId, { api: api as ApiCodec<unknown, unknown>, version, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(frame);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      // A response holds at least its correlation id; one this large is not a Kafka broker's (or is corrupt).
      if (size < 4 || size > MAX_RESPONSE_BYTES) {
        this.fail(new CliError(`malformed response from ${this.label}: a frame of ${size} bytes (is it a Kafka listener?)`));
        this.socket.destroy();
        return;
      }
      if (this.buffer.length < 4 + size) return;
      const frame = this.buffer.subarray(4, 4 + size);
      this.buffer = this.buffer.subarray(4 + size);
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame);
    const correlationId = r.int32();
    const p = this.pending.get(correlationId);
    if (!p) return;
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    try {
      // ApiVersions answers with header v0 always, and a refused version in its v0 body.
      if (p.api.key === ApiVersionsApi.key) {
        const refused = r.remaining >= 2 && frame.readInt16BE(r.offset) === ErrorCode.UNSUPPORTED_VERSION;
        p.resolve(ApiVersionsApi.readResponse(r, refused ? 0 : p.version) satisfies ApiVersionsResponse);
        return;
      }
      if (isFlexible(p.api, p.version)) r.taggedFields();
      p.resolve(p.api.readResponse(r, p.version));
    } catch (err) {
      p.reject(new CliError(`${p.api.name} from ${this.label}: malformed response (${(err as Error).message})`));
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  close(): void {
    this.failure ??= new CliError(`connection to ${this.label} closed`);
    this.socket.destroy();
  }
}

export interface ClientOptions {
  bootstrap: Address[];
  timeoutMs: number;
  clientId?: string;
  tls?: TlsOptions;
  sasl?: SaslCredentials;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Attempts for errors a moment cures (leader moves, a coordinator loading, a topic being created). */
const ATTEMPTS = 5;
const BACKOFF_MS = 200;

/** Connections to a cluster, by node id, found through the bootstrap servers. */
export class KafkaClient {
  private bootstrapConnection: Promise<BrokerConnection> | null = null;
  private readonly byNode = new Map<number, Promise<BrokerConnection>>();
  private brokers = new Map<number, Address>();
  private readonly clientId: string;

  constructor(private readonly options: ClientOptions) {
    this.clientId = options.clientId ?? 'samsa-cli';
  }

  /** A connection to the first bootstrap server that answers. */
  any(): Promise<BrokerConnection> {
    this.bootstrapConnection ??= (async () => {
      let last: Error | null = null;
      for (const address of this.options.bootstrap) {
        try {
          return await this.connect(address);
        } catch (err) {
          last = err as Error;
        }
      }
      throw last!;
    })();
    this.bootstrapConnection.catch(() => { this.bootstrapConnection = null; });
    return this.bootstrapConnection;
  }

  private async connect(address: Address): Promise<BrokerConnection> {
    const conn = await BrokerConnection.open(address, this.options.timeoutMs, this.clientId, this.options.tls, this.options.sasl);
    try {
      await conn.negotiate();
      if (this.options.sasl) await authenticate(conn, this.options.sasl);
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  /** A connection to node `id`, as Metadata advertises it. */
  async node(id: number): Promise<BrokerConnection> {
    let conn = this.byNode.get(id);
    if (!conn) {
      if (!this.brokers.has(id)) await this.metadata([]);
      const address = this.brokers.get(id);
      if (!address) throw new CliError(`node ${id} is not in the cluster's metadata`);
      conn = this.connect(address);
      this.byNode.set(id, conn);
      conn.catch(() => this.byNode.delete(id));
    }
    return conn;
  }

  /** Metadata for `topics` (null: all topics); remembers the brokers' addresses. */
  async metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    const conn = await this.any();
    const res = await conn.request(MetadataApi, {
      topics: topics?.map((name) => ({ topicId: Buffer.alloc(16), name })) ?? null,
      allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
    this.brokers = new Map(res.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    return res;
  }

  /**
   * One topic's metadata, failing with "unknown topic" when it does not exist; waits out LEADER_NOT_AVAILABLE
   * (a topic just created, or a leader moving).
   */
  async topic(name: string, allowAutoTopicCreation = false): Promise<MetadataResponseTopics> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.metadata([name], allowAutoTopicCreation);
      const t = res.topics.find((x) => x.name === name);
      if (!t || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`unknown topic '${name}'`);
      const waiting = t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE || t.partitions.some((p) => p.leaderId < 0);
      if (!waiting || attempt >= ATTEMPTS) {
        check(t.errorCode, `topic '${name}'`);
        return t;
      }
      await sleep(BACKOFF_MS);
    }
  }

  /** The connection to the coordinator of `group`. */
  async coordinator(group: string): Promise<BrokerConnection> {
    return this.retrying(async () => {
      const sent = await (await this.any()).request(FindCoordinatorApi, { key: group, keyType: 0, coordinatorKeys: [group] });
      const res = sent.coordinators[0] ?? sent; // v4+ answer per key
      check(res.errorCode, `coordinator of group '${group}'`, res.errorMessage);
      this.brokers.set(res.nodeId, { host: res.host, port: res.port });
      return this.node(res.nodeId);
    });
  }

  /** The controller (admin requests go there, as Kafka's admin client sends them), else any broker. */
  async controller(): Promise<BrokerConnection> {
    const meta = await this.metadata([]);
    return meta.controllerId >= 0 && this.brokers.has(meta.controllerId) ? this.node(meta.controllerId) : this.any();
  }

  /**
   * Offsets of `topic`'s partitions (all, or `only`) at `timestamp`: -2 the log start, -1 the end, else the first
   * offset with a timestamp at or after it (-1 when there is none), asked of each partition's leader.
   */
  async offsetsAt(topic: string, timestamp: number, only?: number[]): Promise<Map<number, number>> {
    return this.retrying(async () => {
      const meta = await this.topic(topic);
      const out = new Map<number, number>();
      await Promise.all([...byLeader(meta, only)].map(async ([leader, partitions]) => {
        const res = await (await this.node(leader)).request(ListOffsetsApi, {
          replicaId: -1, isolationLevel: 0,
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
        timeoutMs: 0 });
        for (const p of res.topics.flatMap((t) => t.partitions)) {
          check(p.errorCode, `offsets of ${topic}/${p.partitionIndex}`);
          out.set(p.partitionIndex, p.offset);
        }
      }));
      return out;
    });
  }

  /** Runs `fn` again (after a short pause) while it fails with a retriable Kafka error. */
  async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const transient = err instanceof KafkaError && err.retriable && err.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (!transient || attempt >= ATTEMPTS) throw err;
        await sleep(BACKOFF_MS * attempt);
      }
    }
  }

  close(): void {
    for (const conn of [this.bootstrapConnection, ...this.byNode.values()]) conn?.then((c) => c.close(), () => {});
  }
}

/** Partitions of a topic (all, or `only`) by their leader's node id; a partition that is not in the topic fails. */
export function byLeader(meta: MetadataResponseTopics, only?: number[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const index of only ?? meta.partitions.map((p) => p.partitionIndex)) {
    const p = meta.partitions.find((x) => x.partitionIndex === index);
    if (!p) throw new CliError(`topic '${meta.name}' has no partition ${index} (it has ${meta.partitions.length})`);
    if (!out.has(p.leaderId)) out.set(p.leaderId, []);
    out.get(p.leaderId)!.push(index);
  }
  return out;
}
