import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from './frame-decoder.js';
import { Reader, DecodeError } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { isFlexible } from '../protocol/api.js';
import type { Broker } from '../broker.js';
import type { ConnectionSession, Handler, RequestContext } from '../handlers/handler.js';
import type { ListenerSpec } from './endpoints.js';
import { ConnectionRefusal, type RequestHandling } from './pipeline.js';
import { ApiVersionsApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { authenticatePlain, newSaslSession, parseUsers } from './sasl.js';

/** Requests in flight per connection before we stop reading from the socket (backpressure). */
const MAX_IN_FLIGHT = 128;

interface Slot {
  done: boolean;
  /** Encoded response frame, or null for "no response" (acks=0). */
  frame: Buffer[] | null;
}

/**
 * One client connection: decodes frames, routes each request to its handler and writes responses strictly in
 * request order, even when handlers complete out of order (a long-polling Fetch before a Metadata).
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly pending: Slot[] = [];
  private readonly log: Logger;
  private closed = false;
  private readonly clientHost: string;
  private readonly sasl = newSaslSession();
  /** Aborted once the connection is gone, so handlers still waiting (long polls) let go of it. */
  private readonly gone = new AbortController();

  private readonly session: ConnectionSession;

  constructor(private readonly socket: Socket, private readonly broker: Broker, private readonly nodeId: number,
    listener: ListenerSpec, private readonly requests: RequestHandling) {
    const sasl = this.sasl;
    this.session = {
      listener: listener.name,
      requiresAuthentication: listener.protocol === 'SASL_PLAINTEXT',
      get principal() { return sasl.user === null ? 'User:ANONYMOUS' : `User:${sasl.user}`; },
      clientSoftware: null,
    };
    this.clientHost = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log = broker.logger.child({ client: this.clientHost });
    this.decoder = new FrameDecoder(broker.config.socketRequestMaxBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
      this.gone.abort();
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      return this.close(`bad frame: ${(err as Error).message}`);
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.onFrame(frame);
    }
    if (this.pending.length >= MAX_IN_FLIGHT) this.socket.pause();
  }

  private onFrame(frame: Buffer): void {
    if (this.sasl.rawTokenNext) return this.onRawSaslToken(frame);
    const r = new Reader(frame);
    let apiKey: number, version: number, correlationId: number;
    try {
      apiKey = r.int16();
      version = r.int16();
      correlationId = r.int32();
    } catch {
      return this.close(`frame of ${frame.length} bytes too short for a request header`);
    }
    const route = this.requests.router.route(apiKey, version);
    if (route.kind === 'unknown-api') return this.close(`unknown API key ${apiKey} (version ${version})`);
    const { handler } = route;
    const { api } = handler;
    if (route.kind === 'unsupported-version') {
      if (apiKey === ApiVersionsApi.key) return this.respondUnsupportedApiVersions(correlationId);
      return this.close(`unsupported ${api.name} version ${version} (serving ${handler.versions.min}-${handler.versions.max})`);
    }
    let request: unknown;
    let clientId: string | null;
    try {
      // Request header v1: client id is a classic nullable string even in header v2, which only adds tags.
      clientId = r.nullableString(false);
      if (isFlexible(api, version)) r.taggedFields();
      request = api.readRequest(r, version);
    } catch (err) {
      if (err instanceof DecodeError) return this.close(`malformed ${api.name} v${version} request: ${err.message}`);
      throw err;
    }
    const slot: Slot = { done: false, frame: null };
    this.pending.push(slot);
    const ctx: RequestContext = {
      broker: this.broker, node: this.nodeId, version, clientId, clientHost: this.clientHost, sasl: this.sasl,
      session: this.session, router: this.requests.router, signal: this.gone.signal,
    };
    let result: unknown;
    try {
      result = this.requests.run({ handler, request, ctx });
    } catch (err) {
      if (err instanceof ConnectionRefusal) return this.close(err.message);
      return this.fail(handler, err);
    }
    if (result instanceof Promise) {
      result.then((res) => this.complete(slot, handler, version, correlationId, res),
        (err) => (err instanceof ConnectionRefusal ? this.close(err.message) : this.fail(handler, err)));
    } else {
      this.complete(slot, handler, version, correlationId, result);
    }
  }

  private complete(slot: Slot, handler: Handler, version: number, correlationId: number, response: unknown): void {
    if (this.closed) return;
    if (response !== null) {
      const w = new Writer();
      w.int32(0); // frame size, patched below
      w.int32(correlationId);
      // Response header v1 (tagged fields) for flexible versions, except ApiVersions, which clients parse before
      // they know our versions, so its header stays v0.
      if (isFlexible(handler.api, version) && handler.api.key !== ApiVersionsApi.key) w.taggedFields();
      handler.api.writeResponse(w, version, response);
      const size = w.length - 4;
      slot.frame = w.finish();
      slot.frame[0].writeInt32BE(size, 0);
    }
    slot.done = true;
    this.flush();
  }

  private fail(handler: Handler, err: unknown): void {
    this.log.error({ err, api: handler.api.name }, 'handler failed; closing the connection');
    this.close(`internal error in ${handler.api.name}`);
  }

  /** Writes every completed response at the head of the queue, in request order. */
  private flush(): void {
    if (this.pending.length === 0 || !this.pending[0].done) return;
    this.socket.cork();
    while (this.pending.length > 0 && this.pending[0].done) {
      const frame = this.pending.shift()!.frame;
      if (frame) for (const chunk of frame) this.socket.write(chunk);
    }
    this.socket.uncork();
    this.maybeResume();
  }

  private maybeResume(): void {
    if (this.pending.length < MAX_IN_FLIGHT && this.socket.writableLength < 16 * 1024 * 1024 && this.socket.isPaused()) {
      this.socket.resume();
    }
  }

  /** A raw SASL/PLAIN token after SaslHandshake v0: success is an empty raw frame, failure closes the connection. */
  private onRawSaslToken(token: Buffer): void {
    this.sasl.rawTokenNext = false;
    const result = authenticatePlain(token, parseUsers(this.broker.config.get('sasl.plain.users')));
    if ('error' in result) return this.close(result.error);
    this.sasl.user = result.user;
    this.pending.push({ done: true, frame: [Buffer.alloc(4)] });
    this.flush();
  }

  /** ApiVersions at a version we do not serve: error 35 in a v0 body listing our own range, so clients retry lower. */
  private respondUnsupportedApiVersions(correlationId: number): void {
    const w = new Writer();
    w.int32(0).int32(correlationId);
    ApiVersionsApi.writeResponse(w, 0, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: ApiVersionsApi.key, minVersion: ApiVersionsApi.minVersion, maxVersion: ApiVersionsApi.maxVersion }],
      throttleTimeMs: 0,
    });
    const frame = w.finish();
    frame[0].writeInt32BE(w.length - 4, 0);
    this.pending.push({ done: true, frame });
    this.flush();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log.warn({ reason }, 'closing connection');
    this.socket.destroy();
  }
}
