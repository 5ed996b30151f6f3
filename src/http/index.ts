/** The HTTP host (host.ts) every HTTP surface mounts on, its router (router.ts) and its errors (errors.ts). */
export { HttpHost, startHttpHost, type HttpHostOptions } from './host.js';
export { Reply, Router, type HttpHandler, type HttpRequest, type Methods, type RouterOptions } from './router.js';
export { HttpError, HttpErrors } from './errors.js';
