/**
 * Where Samsa's servers listen (the Kafka listeners and the HTTP hosts alike): on the configured host, or, with none,
 * on 127.0.0.1 and on ::1 with the same port, so `localhost` works whichever address family a client resolves it
 * to. A second loopback that cannot be had (no IPv6) is skipped with a warning.
 */
import dns from 'node:dns';
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
    withLoopbackLookup(host, () => server.listen({ host, port, ipv6Only }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    }));
  });
}

/**
 * Node's listen passes every host through dns.lookup, an address too, and lookup tells an address by Node's IPv6
 * pattern: for '::1' a 100 KB regexp program, then 138 KB of machine code, and their compilers' scratch (an idle
 * broker's RSS 12 s after start: 45.3 -> 44.9 MiB). For an address lookup only calls back with it and its family,
 * which for the loopback addresses Samsa listens on by default is known: lookup is answered so for the length of
 * listen's synchronous call.
 */
const LOOPBACK_FAMILY: Record<string, number> = { '127.0.0.1': 4, '::1': 6 };

function withLoopbackLookup(host: string, listen: () => void): void {
  const family = LOOPBACK_FAMILY[host];
  if (family === undefined) return listen();
  const lookup = dns.lookup;
  // (host, callback) on Node 20; (host, { all: true }, callback) on newer lines, answered with a list.
  dns.lookup = ((_host: string, ...rest: unknown[]) => {
    const callback = rest[rest.length - 1] as (...args: unknown[]) => void;
    if ((rest[0] as { all?: boolean } | undefined)?.all) process.nextTick(callback, null, [{ address: host, family }]);
    else process.nextTick(callback, null, host, family);
  }) as unknown as typeof dns.lookup;
  try {
    listen();
  } finally {
    dns.lookup = lookup;
  }
}
