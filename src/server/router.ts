/**
 * The router: the table of APIs this broker serves, by key, each with the versions its handler declares (within
 * what its codec in protocol/ can read and write). ApiVersions is built from this table, so advertising and serving
 * can never disagree.
 *
 * Emulating a Kafka release (`kafka.version`), each API is advertised and served only within that release's range
 * intersected with our handler's; an API the release lacks, or whose ranges do not meet, is unknown. Requests outside
 * are refused as every release since 2.4 refuses them: the connection is closed (SocketServer, RequestContext), except
 * ApiVersions, answered UNSUPPORTED_VERSION (by the connection).
 */
import type { Handler } from '../handlers/handler.js';
import type { KafkaRelease } from './kafka-releases.js';

export interface ServedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export type Route =
  | { kind: 'ok'; handler: Handler }
  | { kind: 'unknown-api' }
  | { kind: 'unsupported-version'; handler: Handler };

export class Router {
  private readonly byKey = new Map<number, Handler>();

  constructor(handlers: readonly Handler[], readonly release: KafkaRelease | null = null) {
    for (const h of handlers) {
      if (this.byKey.has(h.api.key)) throw new Error(`two handlers for API key ${h.api.key}`);
      if (h.versions.min < h.api.minVersion || h.versions.max > h.api.maxVersion) {
        throw new Error(`${h.api.name} serves versions ${h.versions.min}-${h.versions.max}, beyond its codec's ${h.api.minVersion}-${h.api.maxVersion}`);
      }
      this.byKey.set(h.api.key, h);
    }
  }

  /** The handler of an API key, whatever the version (for logs). */
  handlerOf(apiKey: number): Handler | undefined {
    return this.byKey.get(apiKey);
  }

  route(apiKey: number, version: number): Route {
    const handler = this.byKey.get(apiKey);
    const range = handler && this.advertised(handler);
    if (!handler || !range) return { kind: 'unknown-api' };
    const lowest = Math.max(range.minVersion, handler.versions.min, this.release?.acceptedMin[apiKey] ?? 0);
    if (version < lowest || version > range.maxVersion) return { kind: 'unsupported-version', handler };
    return { kind: 'ok', handler };
  }

  /** The versions advertised for an API key (the emulated release's, within our handler's), or undefined. */
  versionsOf(apiKey: number): ServedApi | undefined {
    const handler = this.byKey.get(apiKey);
    return handler && this.advertised(handler);
  }

  private advertised(h: Handler): ServedApi | undefined {
    const own = { apiKey: h.api.key, minVersion: h.versions.min, maxVersion: h.versions.max };
    if (!this.release) return own;
    const theirs = this.release.apis[h.api.key];
    if (!theirs) return undefined;
    // A version the release advertises but refuses (4.x's Produce v0-2) is advertised too when we serve from above it.
    const acceptedMin = this.release.acceptedMin[h.api.key];
    const minVersion = acceptedMin !== undefined && own.minVersion <= acceptedMin ? theirs[0] : Math.max(own.minVersion, theirs[0]);
    const maxVersion = Math.min(own.maxVersion, theirs[1]);
    return minVersion <= maxVersion ? { apiKey: own.apiKey, minVersion, maxVersion } : undefined;
  }

  /** Every served API with its version range, for ApiVersions. */
  served(): ServedApi[] {
    return [...this.byKey.values()].flatMap((h) => this.advertised(h) ?? []);
  }
}
