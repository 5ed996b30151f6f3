import { createServer, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TimerHandle } from '../clock.js';
import { Connection } from './connection.js';
import type { Broker } from '../broker.js';
import { usesTls, type ListenerSpec } from './endpoints.js';
import { listenOnHost } from './listen.js';
import type { RequestHandling } from './pipeline.js';

/** Refused connections are logged at most once per this span, with how many were refused since the last line. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Listens for Kafka clients of one node of the cluster. With no host configured it listens on 127.0.0.1 and on ::1
 * with the same port, so `localhost` works whichever address family a client resolves it to. SSL and SASL_SSL
 * listeners speak TLS (node:tls, options from src/security/tls.ts); a failed handshake (a plaintext client, a
 * truncated hello, an untrusted certificate) is logged at debug and costs nothing else. A connection counts against
 * max.connections and max.connections.per.ip from when it is accepted, as on Kafka, its TLS handshake included, and
 * a handshake not done within connections.max.idle.ms is closed: half-open handshakes cannot pile up.
 */
export class Listener {
  private readonly servers: Server[] = [];
  /** Every accepted TCP connection (for TLS, the socket under the TLS one). */
  private readonly sockets = new Set<Socket>();
  /** TLS connections still in their handshake, by the client's address and port, with their deadline. */
  private readonly handshaking = new Map<string, { socket: Socket; deadline: TimerHandle }>();
  private readonly perIp = new Map<string, number>();
  private refusedSinceLog = 0;
  private lastRefusalLog = -Infinity;
  /** Where it last listened (host as configured, port as bound), so the test kit can stop and start it again. */
  host = '';
  port = 0;

  constructor(private readonly broker: Broker, private readonly nodeId: number, private readonly spec: ListenerSpec,
    private readonly requests: RequestHandling) {}

  async listen(host: string, port: number): Promise<number> {
    // node:tls only for a TLS listener: loading it costs every start some milliseconds.
    const tls = usesTls(this.spec.protocol) ? await import('node:tls') : null;
    const listening = await listenOnHost(host, port, () => this.makeServer(tls),
      (h, err) => this.broker.logger.warn({ host: h, err: err.message }, 'cannot listen on this address; skipping it'));
    this.servers.push(...listening.servers);
    this.host = host;
    this.port = listening.port;
    return listening.port;
  }

  private makeServer(tls: typeof import('node:tls') | null): Server {
    if (tls) {
      const tlsServer = tls.createServer(this.broker.security.serverTlsOptions(), (socket: TLSSocket) => {
        const key = peerOf(socket);
        this.handshaking.get(key)?.deadline.cancel();
        this.handshaking.delete(key);
        // ssl.client.auth=requested: no certificate is fine, one that does not verify is not (as Java's wantClientAuth).
        if (!socket.authorized && socket.getPeerX509Certificate() !== undefined) {
          this.broker.logger.info({ client: key, reason: String(socket.authorizationError) }, 'TLS client certificate refused');
          socket.destroy();
          return;
        }
        this.serve(socket);
      });
      tlsServer.on('connection', (raw: Socket) => {
        if (!this.admit(raw)) return;
        const key = peerOf(raw);
        const deadline = this.broker.clock.setTimeout(() => {
          this.broker.logger.debug({ client: key }, 'TLS handshake not done within connections.max.idle.ms; closing');
          raw.destroy();
        }, this.broker.config.int('connections.max.idle.ms'));
        this.handshaking.set(key, { socket: raw, deadline });
        raw.on('close', () => {
          deadline.cancel();
          if (this.handshaking.get(key)?.socket === raw) this.handshaking.delete(key);
        });
      });
      tlsServer.on('tlsClientError', (err, socket) => {
        this.broker.logger.debug({ client: `${socket.remoteAddress}:${socket.remotePort}`, err: err.message }, 'TLS handshake failed');
      });
      return tlsServer;
    }
    return createServer((socket) => {
      if (this.admit(socket)) this.serve(socket);
    });
  }

  /** Counts an accepted connection, or closes it at once when max.connections or max.connections.per.ip is reached. */
  private admit(socket: Socket): boolean {
    const { config } = this.broker;
    const ip = socket.remoteAddress ?? '';
    const fromIp = this.perIp.get(ip) ?? 0;
    const limit = this.sockets.size >= config.int('max.connections') ? 'max.connections'
      : fromIp >= config.int('max.connections.per.ip') ? 'max.connections.per.ip' : null;
    if (limit) {
      this.refuse(socket, ip, limit);
      return false;
    }
    this.sockets.add(socket);
    this.perIp.set(ip, fromIp + 1);
    this.broker.traffic.connectionOpened(this.spec.name);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.broker.traffic.connectionClosed(this.spec.name);
      const left = this.perIp.get(ip)! - 1;
      if (left === 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    });
    return true;
  }

  private serve(socket: Socket): void {
    new Connection(socket, this.broker, this.nodeId, this.spec, this.requests);
  }

  private refuse(socket: Socket, ip: string, limit: string): void {
    socket.on('error', () => {});
    socket.destroy();
    this.refusedSinceLog++;
    const now = this.broker.clock.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.broker.logger.warn({ ip, limit, refused: this.refusedSinceLog }, `connection refused: ${limit} reached`);
    this.lastRefusalLog = now;
    this.refusedSinceLog = 0;
  }

  /** Stops accepting, then closes every client connection. */
  async close(): Promise<void> {
    // server.close() resolves only once every connection has ended, so end them right after it stops accepting.
    const closed = Promise.all(this.servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** A TCP client as "address:port": the same for a TLS socket and the socket under it. */
const peerOf = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;
