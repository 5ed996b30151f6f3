/**
 * Where Samsa's servers listen (the Kafka listeners and the HTTP hosts alike): on the configured host, or, with none,
 * on 127.0.0.1 and on ::1 with the same port, so `localhost` works whichever address family a client resolves it
 * to. A second loopback that cannot be had (no IPv6) is skipped with a warning.
 */
import type { Server } from 'node:net';

/** Listens servers made by `make` (one per address) on `port` (0: a free one, then the same for the next). */
export async function listenOnHost<S extends Server>(host: string, port: number, make: () => S, skipped: (host: string, err: Error) => void): Promise<{ servers: S[]; port: number }> {
  const both = host === '';
  const servers: S[] = [];
  for (const [i, h] of (both ? ['127.0.0.1', '::1'] : [host]).entries()) {
    const server = make();
    try {
      port = await listenOne(server, h, port, both && h.includes(':'));
      servers.push(server);
    } catch (err) {
      if (i === 0) throw err;
      skipped(h, err as Error);
    }
  }
  return { servers, port };
}

function listenOne(server: Server, host: string, port: number, ipv6Only: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
