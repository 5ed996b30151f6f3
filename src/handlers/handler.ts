import type { ApiCodec } from '../protocol/api.js';
import type { Broker } from '../broker.js';
import type { SaslSession } from '../server/sasl.js';

/** What a handler knows about the request it serves. */
export interface RequestContext {
  broker: Broker;
  version: number;
  clientId: string | null;
  /** The peer, as "host:port", for logs and group member descriptions. */
  clientHost: string;
  /** This connection's SASL state (SaslHandshake/SaslAuthenticate). */
  sasl: SaslSession;
  /** Aborted when the client's connection closes: long polls and other waits stop there. */
  signal: AbortSignal;
}

/**
 * One Kafka API served by the broker. `handle` returns the response, a promise of it (long polls, coordinators),
 * or null when no response is sent (Produce with acks=0).
 */
export interface Handler<Req = any, Res = any> {
  api: ApiCodec<Req, Res>;
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

export function handler<Req, Res>(api: ApiCodec<Req, Res>, handle: Handler<Req, Res>['handle']): Handler<Req, Res> {
  return { api, handle };
}
