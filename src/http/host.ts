/**
 * The one HTTP host every HTTP surface mounts on (the Schema Registry at `/`; metrics, a control API, a console
 * later), like Redpanda's admin server: one router, one JSON body reader with a size limit, one error shape
 * (Confluent's `{"error_code":…, "message":…}`), CORS for browser tools and a debug-level access log.
 *
 * With no host configured it listens on 127.0.0.1 and on ::1 with the same port, as the Kafka listener does, so
 * `localhost` works whichever address family a client resolves it to. A handler that throws is answered 500 with
 * a generic message and logged; it never takes the process down.
 */
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { realClock, type Clock } from '../clock.js';
import { HttpError, HttpErrors } from './errors.js';
import { listenOnHost } from '../server/listen.js';
import { pathSegments, Reply, Router, type HttpRequest, type RouteMatch } from './router.js';
import { parseJsonText } from '../json-text.js';

export interface HttpHostOptions {
  /** Address to listen on; empty or absent: 127.0.0.1 and ::1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger?: Logger;
  clock?: Clock;
  /** Access-Control-Allow-Origin sent to browsers; default '*'; null sends no CORS headers (other origins may not call). */
  corsOrigin?: string | null;
  /**
   * Refuse (403) writes (any method but GET/HEAD/OPTIONS) that a browser sends from another origin: a page elsewhere
   * cannot reset or steer the broker through the admin port (CSRF). Scripts (curl, clients) send no Origin header.
   */
  sameOriginWrites?: boolean;
  /**
   * Host names a browser may reach this port by (IP addresses and *.localhost always): a page whose name was made to
   * point at 127.0.0.1 (DNS rebinding) is same-origin to the port, so Origin checks let it through. Requests that show
   * no browser (no Origin or Sec-Fetch-Site header: clients, curl, other containers) are not checked. Absent: any.
   */
  browserHosts?: ReadonlySet<string>;
  /** Checks every request's Authorization header (HTTP Basic): the user it names, or null, answered 401 as Confluent's registry does. */
  authenticate?: (authorization: string | undefined) => Promise<string | null>;
  /** The realm a 401 names (browsers show it when they ask for credentials). */
  realm?: string;
  /** Paths served without authentication (health probes). */
  openPaths?: ReadonlySet<string>;
  /** Serve HTTPS with these node:tls options (certificate and key); absent: plain HTTP. */
  tls?: TlsOptions;
}

/** The content types Confluent's registry accepts for a JSON body. */
const JSON_TYPES = /^application\/(vnd\.schemaregistry(\.v1)?\+json|json|octet-stream)\b/i;
const CORS_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const CORS_HEADERS = 'Content-Type, Accept, Authorization';
/** How long a client has to send a whole request (headers and body). */
const REQUEST_TIMEOUT_MS = 60_000;

export class HttpHost {
  /** The root router: mount surfaces here (`host.mount('/metrics', router)`). */
  readonly root = new Router();
  private readonly servers: Server[] = [];
  private readonly logger?: Logger;
  private readonly clock: Clock;
  private readonly corsOrigin: string | null;
  private readonly sameOriginWrites: boolean;
  private readonly browserHosts: ReadonlySet<string> | null;
  /** Requests answered, by method, route pattern and status (the metrics endpoint exports them). */
  readonly requestStats = new Map<string, { method: string; route: string; status: number; count: number }>();
  private readonly authenticate?: (authorization: string | undefined) => Promise<string | null>;
  private readonly realm: string;
  private readonly openPaths: ReadonlySet<string>;
  private readonly tls?: TlsOptions;
  port = 0;
  /** `http(s)://host:port`, with `localhost` when listening on loopback or every interface. */
  url = '';

  constructor(options: Omit<HttpHostOptions, 'host' | 'port'> = {}) {
    this.logger = options.logger;
    this.clock = options.clock ?? realClock;
    this.corsOrigin = options.corsOrigin === undefined ? '*' : options.corsOrigin;
    this.sameOriginWrites = options.sameOriginWrites ?? false;
    this.browserHosts = options.browserHosts ?? null;
    this.authenticate = options.authenticate;
    this.realm = options.realm ?? 'SchemaRegistry';
    this.openPaths = options.openPaths ?? new Set();
    this.tls = options.tls;
  }

  /** 'https' when serving TLS, else 'http'. */
  get scheme(): 'http' | 'https' {
    return this.tls ? 'https' : 'http';
  }

  mount(prefix: string, router: Router): void {
    this.root.mount(prefix, router);
  }

  unmount(router: Router): void {
    this.root.unmount(router);
  }

  async listen(host: string, port: number): Promise<void> {
    const listening = await listenOnHost(host, port, () => this.makeServer(),
      (h, err) => this.logger?.warn({ host: h, err: err.message }, 'cannot listen on this address; skipping it'));
    this.servers.push(...listening.servers);
    this.port = listening.port;
    const name = host === '' || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    this.url = `${this.scheme}://${name}:${this.port}`;
  }

  private makeServer(): Server {
    const answer = (req: IncomingMessage, res: ServerResponse): void => {
      this.serve(req, res).catch((err) => {
        this.logger?.error({ err, method: req.method }, 'http: failed to answer a request');
        res.destroy();
      });
    };
    // node:https only for TLS: it loads tls and crypto (OpenSSL's start: ~5 MiB of RSS).
    const server: Server = this.tls ? process.getBuiltinModule('node:https').createServer(this.tls, answer) : createServer(answer);
    // A request must arrive whole within a minute (Node's default: 5), so a client sending a body slowly, or never
    // finishing it, does not hold its connection for long.
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    // A failed handshake (a plaintext client, an untrusted certificate) only closes that socket.
    server.on('tlsClientError', (err: Error) => this.logger?.debug({ err: err.message }, 'https: TLS handshake failed'));
    return server;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.clock.now();
    const method = req.method ?? 'GET';
    let path = '/';
    let router = this.root;
    let route = '';
    let reply: Reply;
    const headers: Record<string, string> = {};
    if (this.corsOrigin !== null) headers['Access-Control-Allow-Origin'] = this.corsOrigin;
    if (this.corsOrigin !== null && this.corsOrigin !== '*') headers.Vary = 'Origin';
    try {
      // A base URL resolves '.' and '..' segments (as servlet containers do) and splits off the query.
      // A path is appended to an origin, not resolved against one: '//subjects' is a path, not a host named 'subjects'
      // (an absolute-form target, as proxies send, is a URL of its own).
      const target = req.url ?? '/';
      const url = target.startsWith('/') ? new URL(`http://samsa${target}`) : new URL(target, 'http://samsa');
      path = url.pathname;
      if (this.browserHosts && (req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined) && !browserMayUse(req.headers.host, this.browserHosts)) {
        throw new HttpError(403, 40302, `Browsers reach this port by ${[...this.browserHosts].join(', ')} or an IP address`);
      }
      const allowedOrigin = this.corsOrigin !== null && req.headers.origin === this.corsOrigin;
      if (this.sameOriginWrites && !allowedOrigin && !['GET', 'HEAD', 'OPTIONS'].includes(method) && crossOrigin(req.headers.origin, req.headers.host)) {
        throw new HttpError(403, 40301, 'Cross-origin writes are refused on this port');
      }
      if (method === 'OPTIONS' && this.corsOrigin !== null) {
        // CORS preflight (or a plain OPTIONS): say what browsers may send, for any path.
        Object.assign(headers, {
          'Access-Control-Allow-Methods': CORS_METHODS,
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? CORS_HEADERS,
          'Access-Control-Max-Age': '600',
          Allow: CORS_METHODS,
        });
        reply = new Reply('', 204);
      } else {
        let user: string | undefined;
        if (this.authenticate && !this.openPaths.has(path)) {
          user = await this.authenticate(req.headers.authorization) ?? undefined;
          if (user === undefined) {
            headers['WWW-Authenticate'] = `Basic realm="${this.realm}"`;
            throw new HttpError(401, 401, 'Unauthorized');
          }
        }
        const parts = pathSegments(path);
        const match: RouteMatch = parts ? this.root.match(parts) : { router: this.root, methods: null, params: {} };
        router = match.router;
        route = match.route ?? '';
        if (!match.methods) throw HttpErrors.notFound();
        // HEAD is GET without the body (Node's response leaves the body out), as JAX-RS serves it.
        const handler = match.methods[method] ?? (method === 'HEAD' ? match.methods.GET : undefined);
        if (!handler) throw HttpErrors.methodNotAllowed();
        const request: HttpRequest = {
          method, params: match.params, query: url.searchParams, headers: req.headers, remoteAddress: req.socket.remoteAddress, user, body: () => readJson(req, match.router.maxBodyBytes),
        };
        reply = toReply(await handler(request));
      }
    } catch (err) {
      const error = err instanceof HttpError ? err : HttpErrors.internal();
      if (error.status >= 500) this.logger?.error({ err, method, path }, 'http: request failed');
      else this.logger?.debug({ error: error.toJSON(), method, path }, 'http: request refused');
      reply = new Reply(JSON.stringify(error), error.status);
    }
    // Drain whatever body a handler did not read, so the reply is never cut short by unread input.
    if (!req.readableEnded) {
      req.resume();
      await new Promise((resolve) => { req.once('end', resolve); req.once('error', resolve); req.once('close', resolve); });
    }
    if (reply.status !== 204) {
      headers['Content-Type'] = reply.contentType ?? router.contentType;
      headers['Content-Length'] = String(Buffer.byteLength(reply.body));
    }
    if (reply.headers) Object.assign(headers, reply.headers);
    res.writeHead(reply.status, headers);
    res.end(reply.body);
    this.logger?.debug({ method, path, status: reply.status, ms: this.clock.now() - started }, 'http request');
    this.countRequest(method, route, reply.status);
  }

  private countRequest(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${status}`;
    const s = this.requestStats.get(key);
    if (s) s.count++;
    else this.requestStats.set(key, { method, route, status, count: 1 });
  }
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const host = new HttpHost(options);
  await host.listen(options.host ?? '', options.port);
  options.logger?.info({ url: host.url }, 'http listening');
  return host;
}

function toReply(result: unknown): Reply {
  if (result instanceof Reply) return result;
  if (result === undefined) return new Reply('', 204);
  return new Reply(typeof result === 'string' ? result : JSON.stringify(result));
}

async function readJson(req: IncomingMessage, maxBody: number): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type && !JSON_TYPES.test(type)) throw HttpErrors.unsupportedMediaType();
  const body = await readBody(req, maxBody);
  // Jackson refuses bytes that are not UTF-8; decoding them would store U+FFFD in their place.
  if (!isUtf8(body)) throw HttpErrors.badRequest('Unexpected JSON body: not valid UTF-8');
  const text = body.toString('utf8');
  try {
    return parseJsonText(text);
  } catch (err) {
    throw HttpErrors.badRequest(`Unexpected JSON body: ${(err as Error).message}`);
  }
}

/**
 * Reads to the end even past the limit, keeping nothing beyond it, so the error reply reaches a client that is
 * still sending (a reply before the body is read would be lost to a reset on many clients).
 */
function readBody(req: IncomingMessage, maxBody: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBody) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => (size > maxBody ? reject(HttpErrors.bodyTooLarge(maxBody)) : resolve(Buffer.concat(chunks))));
    // A client gone mid-body (aborted, reset, timed out) is its doing, not a failure of ours: a 4xx, logged at debug.
    const cutShort = () => reject(HttpErrors.badRequest('Request body cut short'));
    // Gone before the body was asked for: its close has been and gone, and no end will come.
    if (req.destroyed && !req.readableEnded) return cutShort();
    req.once('error', cutShort);
    req.once('close', () => { if (!req.readableEnded) cutShort(); });
  });
}

/** Whether a browser's Origin names another host than the one the request was sent to. */
/** Whether a Host header names an IP address, a *.localhost name, or one of `names`. */
function browserMayUse(host: string | undefined, names: ReadonlySet<string>): boolean {
  if (host === undefined) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  // The URL parser writes an IPv4 address as four decimals (0x7f.1 is 127.0.0.1) and an IPv6 one in brackets.
  return hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname) || hostname === 'localhost' || hostname.endsWith('.localhost') || names.has(hostname);
}

function crossOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true; // 'null' (sandboxed frames, files) or garbage
  }
}
