/**
 * The router: the table of APIs this broker serves, by key, each with the versions its handler declares (within
 * what its codec in protocol/ can read and write). ApiVersions is built from this table, so advertising and serving
 * can never disagree.
 */
import type { Handler } from '../handlers/handler.js';

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

  constructor(handlers: readonly Handler[]) {
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
    if (!handler) return { kind: 'unknown-api' };
    if (version < handler.versions.min || version > handler.versions.max) return { kind: 'unsupported-version', handler };
    return { kind: 'ok', handler };
  }

  /** Every served API with its version range, for ApiVersions. */
  served(): ServedApi[] {
    return [...this.byKey.values()].map((h) => ({ apiKey: h.api.key, minVersion: h.versions.min, maxVersion: h.versions.max }));
  }
}
