/**
 * The request pipeline: every decoded request passes one ordered chain of stages around its handler, as Kafka's
 * request channel does (authentication state, Authorizer, quotas, metrics) and as Fastify hooks or undici
 * interceptors compose in Node:
 *
 *   authenticate → authorize → faults → measure → handle
 *
 * A stage gets the call and `next` (the rest of the chain); it may answer itself, refuse (throw
 * ConnectionRefusal: the connection closes), or pass on. The authorize and faults stages consult interceptors on
 * the broker that start as pass-throughs (allow everything, inject nothing); security and the test kit fill them.
 */
import { monotonicMs } from '../clock.js';
import { ApiVersionsApi, SaslAuthenticateApi, SaslHandshakeApi } from '../protocol/generated/index.js';
import type { Handler, RequestContext } from '../handlers/handler.js';
import type { RequestMetrics } from './request-metrics.js';
import type { Broker } from '../broker.js';
import type { Router } from './router.js';
import { nameErrorClasses } from '../error-names.js';

export interface RequestCall {
  handler: Handler;
  request: unknown;
  ctx: RequestContext;
}

/** What a handler returns: a response, a promise of it, or null (no response: Produce with acks=0). */
export type HandlerResult = unknown;

export type Stage = (call: RequestCall, next: () => HandlerResult) => HandlerResult;

/** Thrown by a stage to close the connection instead of answering (Kafka's behaviour for e.g. unauthenticated requests). */
export class ConnectionRefusal extends Error {
  readonly code = 'SAMSA_CONNECTION_REFUSED';
}

/** APIs a client may send before it has authenticated on a listener that requires it. */
const BEFORE_AUTHENTICATION = new Set([ApiVersionsApi.key, SaslHandshakeApi.key, SaslAuthenticateApi.key]);

/**
 * A listener that requires SASL answers nothing but ApiVersions and the SASL APIs until the client authenticated;
 * a session past its lifetime (KIP-368, connections.max.reauth.ms) may only re-authenticate, anything else closes it.
 */
export const authenticate: Stage = (call, next) => {
  const { ctx } = call;
  const key = call.handler.api.key;
  if (ctx.session.requiresAuthentication && ctx.sasl.user === null && !BEFORE_AUTHENTICATION.has(key)) {
    throw new ConnectionRefusal(`unexpected ${call.handler.api.name} request before SASL authentication`);
  }
  if (ctx.sasl.expiresAtMs !== null && ctx.broker.clock.now() > ctx.sasl.expiresAtMs && key !== SaslHandshakeApi.key && key !== SaslAuthenticateApi.key) {
    throw new ConnectionRefusal(`${call.handler.api.name} request after the SASL session expired without re-authentication`);
  }
  return next();
};

/**
 * A hook around the rest of the chain: it may pass the call on (`next()`), answer it itself (return a response),
 * or refuse it (throw ConnectionRefusal). The authorizer and the fault injector are interceptors.
 */
export interface Interceptor {
  intercept(call: RequestCall, next: () => HandlerResult): HandlerResult;
}

/** Lets every call through: the default authorizer (everyone may do everything) and fault injector (no faults). */
export const passThrough: Interceptor = { intercept: (_call, next) => next() };

/** A stage that asks whichever interceptor `current` returns at the time of the call (hooks can be swapped live). */
export function intercepting(current: () => Interceptor): Stage {
  return (call, next) => current().intercept(call, next);
}

/** Counts requests, failures and latency per API key and version. */
export function measure(metrics: RequestMetrics, now: () => number): Stage {
  return (call, next) => {
    const started = now();
    const key = call.handler.api.key;
    const version = call.ctx.version;
    let result: HandlerResult;
    try {
      result = next();
    } catch (err) {
      metrics.record(key, version, now() - started, true);
      throw err;
    }
    if (result instanceof Promise) {
      return result.then(
        (res) => { metrics.record(key, version, now() - started, hasTopLevelError(res)); return res; },
        (err) => { metrics.record(key, version, now() - started, true); throw err; },
      );
    }
    metrics.record(key, version, now() - started, hasTopLevelError(result));
    return result;
  };
}

/** A response whose top-level error code is set (per-partition errors are the client's business, not ours). */
function hasTopLevelError(response: unknown): boolean {
  return typeof response === 'object' && response !== null && typeof (response as { errorCode?: unknown }).errorCode === 'number'
    && (response as { errorCode: number }).errorCode !== 0;
}

/** Runs `stages` in order around the handler. */
export function pipeline(stages: readonly Stage[]): (call: RequestCall) => HandlerResult {
  return (call) => {
    const run = (i: number): HandlerResult => (i < stages.length ? stages[i](call, () => run(i + 1)) : call.handler.handle(call.request, call.ctx));
    return run(0);
  };
}

/** What every connection routes its requests through: the router's table and the pipeline around handlers. */
export interface RequestHandling {
  router: Router;
  run: (call: RequestCall) => HandlerResult;
}

/** The broker's pipeline: authenticate → authorize → faults → measure → handle, with the broker's hooks. */
export function requestPipeline(broker: Broker): (call: RequestCall) => HandlerResult {
  return pipeline([
    authenticate,
    intercepting(() => broker.authorizer),
    intercepting(() => broker.faults),
    measure(broker.requestMetrics, monotonicMs),
  ]);
}

nameErrorClasses({ ConnectionRefusal });
