import { createServer, type Server, type Socket } from 'node:net';
import { Connection } from './connection.js';
import type { Broker } from '../broker.js';
import type { ListenerSpec } from './endpoints.js';
import type { RequestHandling } from './pipeline.js';

/**
 * Listens for Kafka clients of one node of the cluster. With no host configured it listens on 127.0.0.1 and on ::1 with the same port, so
 * `localhost` works whichever address family a client resolves it to.
 */
export class Listener {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  /** Where it last listened (host as configured, port as bound), so the test kit can stop and start it again. */
  host = '';
  port = 0;

  constructor(private readonly broker: Broker, private readonly nodeId: number, private readonly spec: ListenerSpec,
    private readonly requests: RequestHandling) {}

  async listen(host: string, port: number): Promise<number> {
    const hosts = host === '' ? ['127.0.0.1', '::1'] : [host];
    for (const [i, h] of hosts.entries()) {
      try {
        port = await this.listenOne(h, port);
      } catch (err) {
        if (i === 0) throw err;
        this.broker.logger.warn({ host: h, err: (err as Error).message }, 'cannot listen on this address; skipping it');
      }
    }
    this.host = host;
    this.port = port;
    return port;
  }

  private listenOne(host: string, port: number): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      new Connection(socket, this.broker, this.nodeId, this.spec, this.requests);
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
        server.off('error', reject);
        this.servers.push(server);
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  /** Stops accepting, then closes every client connection. */
  async close(): Promise<void> {
    // server.close() resolves only once every connection has ended, so end them right after it stops accepting.
    const closed = Promise.all(this.servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
