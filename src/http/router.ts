/**
 * A small router: routes are a path pattern (`/subjects/:subject/versions`) with one handler per method, and a
 * router can mount other routers under a path prefix (the registry at `/`, later `/metrics`). Paths match by
 * URL-decoded segments, so a parameter may hold an encoded '/' or ':'; empty segments are ignored (`//a/` = `/a`).
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface HttpRequest {
  readonly method: string;
  /** The `:name` parts of the matched pattern, decoded. */
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The peer's address (ACL host checks). */
  readonly remoteAddress?: string;
  /** The user its HTTP Basic credentials named, on a host that asks for them. */
  readonly user?: string;
  /** The body parsed as JSON: its content type checked (415), its size capped by the router's `maxBodyBytes` (413). */
  body(): Promise<unknown>;
}

/** A handler's result goes out as JSON; a string goes out as is; a Reply sets the status and content type too. */
export type HttpHandler = (req: HttpRequest) => unknown;

export class Reply {
  /** `headers`: extra response headers (a page's Content-Security-Policy). */
  constructor(readonly body: string | Buffer, readonly status = 200, readonly contentType?: string, readonly headers?: Record<string, string>) {}
}

export type Methods = Partial<Record<string, HttpHandler>>;

export interface RouterOptions {
  /** Content type of this router's replies and errors; default application/json. */
  contentType?: string;
  /** Largest request body `req.body()` accepts; default 16 MiB. */
  maxBodyBytes?: number;
}

/** Where a path leads: the innermost router that owns it, and the methods of its route (null: no such path). */
export interface RouteMatch {
  router: Router;
  methods: Methods | null;
  params: Record<string, string>;
  /** The matched pattern with its mount prefixes (`/subjects/:subject/versions`), '' for a miss: a metrics label. */
  route?: string;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

export class Router {
  readonly contentType: string;
  readonly maxBodyBytes: number;
  private readonly routes: { segments: string[]; methods: Methods }[] = [];
  private mounts: { prefix: string[]; router: Router }[] = [];

  constructor(options: RouterOptions = {}) {
    this.contentType = options.contentType ?? 'application/json';
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  route(path: string, methods: Methods): this {
    this.routes.push({ segments: splitPattern(path), methods });
    return this;
  }

  /** Serves `router`'s routes under `prefix`; the longest matching prefix is tried first. */
  mount(prefix: string, router: Router): this {
    const segments = splitPattern(prefix);
    if (this.mounts.some((m) => m.prefix.join('/') === segments.join('/'))) throw new Error(`a router is already mounted at '${prefix}'`);
    this.mounts = [...this.mounts, { prefix: segments, router }].sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  unmount(router: Router): void {
    this.mounts = this.mounts.filter((m) => m.router !== router);
  }

  /** Own routes first, then mounted routers; a miss belongs to the innermost router whose prefix matched. */
  match(parts: readonly string[]): RouteMatch {
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      if (route.segments.every((s, i) => (s.startsWith(':') ? (params[s.slice(1)] = parts[i]!, true) : s === parts[i]))) {
        return { router: this, methods: route.methods, params, route: `/${route.segments.join('/')}` };
      }
    }
    let miss: RouteMatch | undefined;
    for (const { prefix, router } of this.mounts) {
      if (prefix.length > parts.length || !prefix.every((s, i) => s === parts[i])) continue;
      const found = router.match(parts.slice(prefix.length));
      if (found.methods) return { ...found, route: `${prefix.map((s) => `/${s}`).join('')}${found.route === '/' ? '' : found.route}` || '/' };
      miss ??= found;
    }
    return miss ?? { router: this, methods: null, params: {} };
  }
}

const splitPattern = (path: string): string[] => path.split('/').filter((s) => s !== '');

/** A request path's decoded segments, or null when one is not valid percent-encoding. */
export function pathSegments(pathname: string): string[] | null {
  try {
    return splitPattern(pathname).map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}
