import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { FrameDecoder } from './frame-decoder.js';
import { Reader, DecodeError } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { isFlexible } from '../protocol/api.js';
import type { Broker } from '../broker.js';
import { AFTER_WRITE, type ConnectionSession, type Handler, type RequestContext } from '../handlers/handler.js';
import { usesSasl, type ListenerSpec } from './endpoints.js';
import { ConnectionRefusal, type RequestHandling } from './pipeline.js';
import { ApiVersionsApi, FetchApi, ShareFetchApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { newSaslSession, saslStep } from './sasl.js';
import { mapPrincipal, rfc2253 } from '../security/principal.js';
import type { TimerHandle } from '../clock.js';

/** Requests in flight per connection before we stop reading from the socket (backpressure). */
const MAX_IN_FLIGHT = 128;
/**
 * Requests answered with records read from the log (up to fetch.max.bytes each): one at a time per connection, as
 * Kafka serves every request. The unsent-bytes bound counts a response only once it is made, and a read on the thread
 * pool outlasts a turn of the event loop: a client pipelining Fetches had up to MAX_IN_FLIGHT reads in flight at once
 * (RSS +528 MB for 4 clients not reading, on a busy machine). Clients send one Fetch per connection at a time anyway.
 */
const READS_RECORDS = new Set([FetchApi.key, ShareFetchApi.key]);

interface Slot {
  done: boolean;
  /** A Fetch or ShareFetch (READS_RECORDS). */
  readsRecords: boolean;
  /** Encoded response frame, or null for "no response" (acks=0). */
  frame: Buffer[] | null;
  /** Size of `frame` in bytes. */
  bytes: number;
  /** The response's AFTER_WRITE: called once the socket took the frame (or it will never be sent). */
  afterWrite?: () => void;
}

/** Which request a failure belongs to, for the one log line that reports it. */
interface RequestLabel { api: string; version: number; clientId: string | null }

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
  /** A raw SASL token (after SaslHandshake v0) is being checked: no other frame may arrive meanwhile. */
  private rawTokenPending = false;
  /** Aborted once the connection is gone, so handlers still waiting (long polls) let go of it. */
  private readonly gone = new AbortController();
  /**
   * Complete request frames not dispatched yet. Like Kafka, which reads no further request from a connection while
   * its response is unsent, we hold requests (and stop reading the socket) while the client is not reading.
   */
  private readonly waiting: Buffer[] = [];
  /** Bytes of encoded responses queued behind a response still being prepared (not yet handed to the socket). */
  private queuedBytes = 0;
  private readonly maxUnsentBytes: number;
  private pumpScheduled = false;
  private pumping = false;
  /** When a request last arrived or a response was last written (connections.max.idle.ms). */
  private lastActivity: number;
  private idleTimer: TimerHandle | null = null;

  private readonly session: ConnectionSession;

  constructor(private readonly socket: Socket, private readonly broker: Broker, private readonly nodeId: number,
    listener: ListenerSpec, private readonly requests: RequestHandling) {
    const sasl = this.sasl;
    this.clientHost = `${socket.remoteAddress}:${socket.remotePort}`;
    this.log = broker.logger.child({ client: this.clientHost });
    const certificateName = listener.protocol === 'SSL' ? this.certificatePrincipal() : null;
    this.session = {
      listener: listener.name,
      requiresAuthentication: usesSasl(listener.protocol),
      // SASL's user on SASL listeners, the client certificate's mapped subject on SSL ones (Kafka's principal builder).
      get principal() { return sasl.user !== null ? `User:${sasl.user}` : certificateName !== null ? `User:${certificateName}` : 'User:ANONYMOUS'; },
      clientSoftware: null,
    };
    this.decoder = new FrameDecoder(broker.config.socketRequestMaxBytes);
    this.maxUnsentBytes = broker.config.int('queued.max.response.bytes');
    this.lastActivity = broker.clock.now();
    this.armIdleTimer(broker.config.int('connections.max.idle.ms'));
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.resumeIfRoom());
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
      this.idleTimer?.cancel();
      this.gone.abort();
      for (const slot of this.pending) slot.afterWrite?.();
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      return this.close(`bad frame: ${(err as Error).message}`);
    }
    if (frames.length > 0) this.lastActivity = this.broker.clock.now();
    for (const frame of frames) this.waiting.push(frame);
    this.pump();
  }

  /**
   * Unsent response bytes or unanswered requests past their bound, or a Fetch waiting behind one not answered yet:
   * read nothing more until the client catches up.
   */
  private saturated(): boolean {
    return this.pending.length >= MAX_IN_FLIGHT || this.socket.writableLength + this.queuedBytes > this.maxUnsentBytes
      || (this.readsRecordsNext() && this.pending.some((s) => s.readsRecords && !s.done));
  }

  private readsRecordsNext(): boolean {
    const next = this.waiting[0];
    return next !== undefined && next.length >= 2 && READS_RECORDS.has(next.readInt16BE(0));
  }

  /** Dispatches waiting requests while there is room; the socket is read only when none are waiting. */
  private pump(): void {
    this.pumpScheduled = false;
    this.pumping = true;
    try {
      while (this.waiting.length > 0 && !this.closed && !this.saturated()) {
        const async = this.onFrame(this.waiting.shift()!);
        // Let a handler that already finished complete first (a Fetch resolves on the next microtask), so its
        // response counts towards the unsent bytes before the next request is dispatched: its completion pumps the
        // next one at once (resumeIfRoom); the turn of the event loop is for handlers still working then (a long
        // poll, a read on the thread pool). Not a turn per request: a turn can be long (a cleaner slice), and
        // pipelined produces would queue up behind one another.
        if (async && this.waiting.length > 0) return this.schedulePump();
      }
    } finally {
      this.pumping = false;
    }
    if (this.closed) return;
    if (this.waiting.length > 0 || this.saturated()) this.socket.pause();
    else if (this.socket.isPaused()) this.socket.resume();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.socket.pause();
    setImmediate(() => this.pump());
  }

  /** The mapped subject of a verified client certificate, or null; closes the connection when no mapping rule applies. */
  private certificatePrincipal(): string | null {
    const socket = this.socket as Partial<TLSSocket>;
    if (socket.encrypted !== true || !socket.authorized) return null;
    const certificate = socket.getPeerX509Certificate!();
    if (!certificate) return null;
    const dn = rfc2253(certificate.subject);
    const name = mapPrincipal(dn, this.broker.security.principalRules);
    if (name === null) this.close(`no ssl.principal.mapping.rules rule applies to the client certificate subject ${dn}`);
    return name;
  }

  /** Returns true when the handler answers asynchronously. */
  private onFrame(frame: Buffer): boolean {
    try {
      return this.dispatch(frame);
    } catch (err) {
      // Whatever a request provokes, it costs at most its own connection.
      const known = frame.length >= 4 ? this.requests.router.handlerOf(frame.readInt16BE(0)) : undefined;
      this.fail({ api: known?.api.name ?? 'unknown', version: frame.length >= 4 ? frame.readInt16BE(2) : -1, clientId: null }, err);
      return false;
    }
  }

  private dispatch(frame: Buffer): boolean {
    if (this.sasl.closeAfterResponse) return false; // authentication failed: nothing more is read
    if (this.rawTokenPending) {
      this.close('a frame arrived before the answer to its raw SASL token');
      return false;
    }
    if (this.sasl.rawTokenNext) {
      this.onRawSaslToken(frame);
      return false;
    }
    const r = new Reader(frame);
    let apiKey: number, version: number, correlationId: number;
    try {
      apiKey = r.int16();
      version = r.int16();
      correlationId = r.int32();
    } catch {
      this.close(`frame of ${frame.length} bytes too short for a request header`);
      return false;
    }
    const route = this.requests.router.route(apiKey, version);
    if (route.kind === 'unknown-api') {
      this.close(`unknown API key ${apiKey} (version ${version})`);
      return false;
    }
    const { handler } = route;
    const { api } = handler;
    if (route.kind === 'unsupported-version') {
      if (apiKey === ApiVersionsApi.key) this.respondUnsupportedApiVersions(correlationId);
      else {
        const served = this.requests.router.versionsOf(apiKey);
        this.close(`unsupported ${api.name} version ${version} (serving ${served?.minVersion}-${served?.maxVersion})`);
      }
      return false;
    }
    let request: unknown;
    let clientId: string | null;
    try {
      // Request header v1: client id is a classic nullable string even in header v2, which only adds tags.
      clientId = r.nullableString(false);
      if (isFlexible(api, version)) r.taggedFields();
      request = api.readRequest(r, version);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.close(`malformed ${api.name} v${version} request: ${err.message}`);
      return false;
    }
    const label: RequestLabel = { api: api.name, version, clientId };
    const slot: Slot = { done: false, readsRecords: READS_RECORDS.has(apiKey), frame: null, bytes: 0 };
    this.pending.push(slot);
    const ctx: RequestContext = {
      broker: this.broker, node: this.nodeId, version, clientId, clientHost: this.clientHost, sasl: this.sasl,
      session: this.session, router: this.requests.router, signal: this.gone.signal,
    };
    let result: unknown;
    try {
      result = this.requests.run({ handler, request, ctx });
    } catch (err) {
      this.refuseOrFail(label, err);
      return false;
    }
    if (result instanceof Promise) {
      result.then((res) => this.complete(slot, handler, label, correlationId, res), (err) => this.refuseOrFail(label, err));
      return true;
    }
    this.complete(slot, handler, label, correlationId, result);
    return false;
  }

  private complete(slot: Slot, handler: Handler, label: RequestLabel, correlationId: number, response: unknown): void {
    const afterWrite = (response as { [AFTER_WRITE]?: () => void } | null)?.[AFTER_WRITE];
    if (this.closed) return afterWrite?.();
    if (response !== null) {
      try {
        slot.frame = encodeResponse(handler, label.version, correlationId, response);
      } catch (err) {
        afterWrite?.();
        // A response that cannot be encoded (a string past its 16-bit length): only this connection pays.
        return this.fail(label, err);
      }
      slot.afterWrite = afterWrite;
      for (const chunk of slot.frame) slot.bytes += chunk.length;
      this.queuedBytes += slot.bytes;
    }
    slot.done = true;
    this.flush();
  }

  /** A stage's refusal (ConnectionRefusal) closes the connection with its reason; anything else is a failure. */
  private refuseOrFail(label: RequestLabel, err: unknown): void {
    if (err instanceof ConnectionRefusal) this.close(err.message);
    else this.fail(label, err);
  }

  /** Logs the failure once (API, version, client id; the client's address is on every line) and closes. */
  private fail(label: RequestLabel, err: unknown): void {
    if (this.closed) return;
    this.log.error({ err, ...label }, 'request failed; closing the connection');
    this.close(`internal error in ${label.api}`, null);
  }

  /** Writes every completed response at the head of the queue, in request order. */
  private flush(): void {
    if (this.pending.length === 0 || !this.pending[0].done) return;
    this.socket.cork();
    while (this.pending.length > 0 && this.pending[0].done) {
      const { frame, bytes, afterWrite } = this.pending.shift()!;
      this.queuedBytes -= bytes;
      // The last chunk's callback runs once the socket has written the whole frame, or failed to.
      if (frame) frame.forEach((chunk, i) => this.socket.write(chunk, i === frame.length - 1 ? afterWrite : undefined));
    }
    this.socket.uncork();
    this.lastActivity = this.broker.clock.now();
    if (this.sasl.closeAfterResponse && this.pending.length === 0) {
      // A failed authentication: the answer goes out, then the connection closes (Kafka's behaviour).
      this.closed = true;
      this.idleTimer?.cancel();
      this.socket.end(() => this.socket.destroy()); // once the answer is handed to the kernel, close both ways
      return;
    }
    this.resumeIfRoom();
  }

  /** After responses went out: dispatch held requests, or read the socket again, once there is room. */
  private resumeIfRoom(): void {
    if (this.closed || this.pumping || this.saturated()) return;
    if (this.waiting.length > 0) this.pump();
    else if (this.socket.isPaused()) this.socket.resume();
  }

  /** Closes the connection once no request arrived and no response left for connections.max.idle.ms. */
  private armIdleTimer(ms: number): void {
    this.idleTimer = this.broker.clock.setTimeout(() => {
      if (this.closed) return;
      const idleMs = this.broker.config.int('connections.max.idle.ms');
      // A request the broker is still working on (a long poll) is not the client idling.
      if (this.pending.some((s) => !s.done)) this.lastActivity = this.broker.clock.now();
      const left = this.lastActivity + idleMs - this.broker.clock.now();
      if (left <= 0) this.close(`no request for ${idleMs} ms (connections.max.idle.ms)`, 'info');
      else this.armIdleTimer(left);
    }, ms);
  }

  /**
   * A raw SASL token after SaslHandshake v0: each challenge (and the final server message, empty for PLAIN) goes
   * back as a raw length-prefixed frame; a failure closes the connection without an answer, as Kafka does for v0.
   */
  private onRawSaslToken(token: Buffer): void {
    const slot: Slot = { done: false, readsRecords: false, frame: null, bytes: 0 };
    this.pending.push(slot);
    this.rawTokenPending = true;
    saslStep(this.broker, this.sasl, this.clientHost, token).then((result) => {
      this.rawTokenPending = false;
      if (this.closed) return;
      if (result.errorMessage !== null) return this.close(result.errorMessage, 'debug');
      const size = Buffer.alloc(4);
      size.writeInt32BE(result.authBytes.length, 0);
      slot.frame = [size, result.authBytes];
      slot.done = true;
      this.flush();
    }, (err) => {
      this.log.error({ err }, 'SASL token check failed; closing the connection');
      this.close('internal error in SASL');
    });
  }


  /** ApiVersions at a version we do not serve: error 35 in a v0 body listing our own range, so clients retry lower. */
  private respondUnsupportedApiVersions(correlationId: number): void {
    const ours = this.requests.router.versionsOf(ApiVersionsApi.key)!;
    const w = new Writer();
    w.int32(0).int32(correlationId);
    ApiVersionsApi.writeResponse(w, 0, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [ours],
      throttleTimeMs: 0,
    });
    const frame = w.finish();
    frame[0].writeInt32BE(w.length - 4, 0);
    this.pending.push({ done: true, readsRecords: false, frame, bytes: 0 });
    this.flush();
  }

  close(reason: string, level: 'warn' | 'info' | 'debug' | null = 'warn'): void {
    if (this.closed) return;
    this.closed = true;
    this.idleTimer?.cancel();
    if (level) this.log[level]({ reason }, 'closing connection');
    this.socket.destroy();
  }
}

/** A response frame: size, correlation id, header tags, body. Throws when the body cannot be encoded. */
function encodeResponse(handler: Handler, version: number, correlationId: number, response: unknown): Buffer[] {
  const w = new Writer();
  w.int32(0); // frame size, patched below
  w.int32(correlationId);
  // Response header v1 (tagged fields) for flexible versions, except ApiVersions, which clients parse before
  // they know our versions, so its header stays v0.
  if (isFlexible(handler.api, version) && handler.api.key !== ApiVersionsApi.key) w.taggedFields();
  handler.api.writeResponse(w, version, response);
  const size = w.length - 4;
  const frame = w.finish();
  frame[0].writeInt32BE(size, 0);
  return frame;
}
