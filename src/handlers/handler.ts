import type { ApiCodec } from '../protocol/api.js';
import type { Broker } from '../broker.js';
import type { SaslSession } from '../server/sasl.js';
import type { Router } from '../server/router.js';
import type { PartitionLog } from '../log/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { setMaxListeners } from 'node:events';
import { realClock } from '../clock.js';
import { StorageError } from '../log/storage.js';

/** What the broker knows about a connection, for every request on it. */
export interface ConnectionSession {
  /** The listener the client connected to, e.g. PLAINTEXT. */
  readonly listener: string;
  /** Whether the listener answers nothing but ApiVersions and SASL before the client authenticated. */
  readonly requiresAuthentication: boolean;
  /** `User:<name>` once SASL authenticated, else `User:ANONYMOUS` (Kafka's principals). */
  readonly principal: string;
  /** What the client said it is in ApiVersions v3 (e.g. apache-kafka-java 3.7.0), or null. */
  clientSoftware: { name: string; version: string } | null;
}

/**
 * What handlers may use of the cluster: its topics, logs, coordinators, placement, settings and security —
 * not its wiring (listeners, HTTP hosts, registry, pipeline hooks, metrics, lifecycle). Broker implements it.
 */
export type ClusterServices = Pick<Broker,
  | 'clusterId' | 'config' | 'clock' | 'dataDir' | 'topics' | 'logs' | 'placement' | 'liveNodes' | 'coordinatorNode' | 'moveLeader'
  | 'partition' | 'partitionOrError' | 'appendRecords' | 'autoCreateTopic' | 'createTopics' | 'addPartitions' | 'deleteTopic'
  | 'partitionLimitProblem' | 'setTopicConfigs' | 'setBrokerConfigs' | 'groups' | 'shares' | 'transactions' | 'acls' | 'security'
  | 'traffic' | 'fetchWaits' | 'clientTopic' | 'clientTopics'>;

/** What a handler knows about the request it serves. */
export interface RequestContext {
  /** The cluster's services (the node the client reached is `node`). */
  broker: ClusterServices;
  /** The id of the node the client connected to (it leads some partitions and coordinates some keys). */
  node: number;
  version: number;
  clientId: string | null;
  /** The peer, as "host:port", for logs and group member descriptions. */
  clientHost: string;
  /** This connection's SASL state (SaslHandshake/SaslAuthenticate). */
  sasl: SaslSession;
  session: ConnectionSession;
  /** The APIs this broker serves (ApiVersions lists them). */
  router: Router;
  /** Aborted when the client's connection closes: long polls and other waits stop there. */
  signal: AbortSignal;
}

/**
 * A response may carry a function under this key: the connection calls it once the response's bytes are in the
 * socket's hands (or will never be sent), so buffers the response lent (Fetch's pooled reads) can be reused.
 */
export const AFTER_WRITE = Symbol('afterWrite');

/**
 * One Kafka API served by the broker. `handle` returns the response, a promise of it (long polls, coordinators),
 * or null when no response is sent (Produce with acks=0).
 */
export interface Handler<Req = any, Res = any> {
  api: ApiCodec<Req, Res>;
  /** The versions served (ApiVersions advertises them); within the codec's range. */
  versions: { min: number; max: number };
  handle(request: Req, ctx: RequestContext): Res | null | Promise<Res | null>;
}

/**
 * The partition's log when the node the client reached leads it; otherwise the error to answer for it:
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER (the client refreshes metadata and goes to the leader), or
 * KAFKA_STORAGE_ERROR when its log cannot be opened (on its first use: see LogManager.get).
 */
export function leaderLog(ctx: RequestContext, topic: string, partition: number): PartitionLog | number {
  const log = ctx.broker.partitionOrError(topic, partition);
  if (typeof log === 'number') return log;
  return ctx.broker.placement.leaderOf(topic, partition) === ctx.node ? log : ErrorCode.NOT_LEADER_OR_FOLLOWER;
}

/**
 * A request's leader epoch against the partition's (-1: the client does not know it, never fenced): an older one
 * is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (this node has not caught up), else NONE.
 */
export function checkLeaderEpoch(ctx: RequestContext, topic: string, partition: number, requestEpoch: number): number {
  if (requestEpoch < 0) return ErrorCode.NONE;
  const current = ctx.broker.placement.leaderEpochOf(topic, partition);
  return requestEpoch < current ? ErrorCode.FENCED_LEADER_EPOCH : requestEpoch > current ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.NONE;
}

/**
 * For a coordinator's promise: its log that cannot be written (a full disk, a StorageError) is `answer` (the
 * coordinator-not-available kind, retriable), as Kafka maps a failed append to its state topic; other failures stay.
 */
export function unwritable<T>(answer: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof StorageError) return answer;
    throw err;
  };
}

/** Whether the node the client reached coordinates this group or transactional id (else: NOT_COORDINATOR). */
export function coordinates(ctx: RequestContext, key: string): boolean {
  return ctx.broker.placement.coordinatorOf(key) === ctx.node;
}

/** Declares a handler; it serves every version its codec knows unless `versions` narrows them. */
export function handler<Req, Res>(api: ApiCodec<Req, Res>, handle: Handler<Req, Res>['handle'], versions?: { min: number; max: number }): Handler<Req, Res> {
  return { api, versions: versions ?? { min: api.minVersion, max: api.maxVersion }, handle };
}

/** A parked request's handle: `finish(true)` answers it now; `done` once it was answered or dropped. */
export interface Parked { done: boolean; finish(answer: boolean): void }

/**
 * Parks a long-poll request (Fetch, ShareFetch) until `finish(true)`, `waitMs` on the broker's clock (and, on a
 * manual clock, also in real time), or its connection closes (false: it is dropped unanswered). `watch` subscribes
 * to what may answer it and returns the unsubscribers, called once it is done.
 */
export function park(ctx: RequestContext, waitMs: number, watch: (parked: Parked) => Array<() => void>): Promise<boolean> {
  const { broker: { clock }, signal } = ctx;
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    let unwatch: Array<() => void> = [];
    const parked: Parked = {
      done: false,
      finish(answer: boolean): void {
        if (parked.done) return;
        parked.done = true;
        timer.cancel();
        realTimer?.cancel();
        signal.removeEventListener('abort', onAbort);
        for (const stop of unwatch) stop();
        resolve(answer);
      },
    };
    const onAbort = (): void => parked.finish(false);
    const timer = clock.setTimeout(() => parked.finish(true), waitMs);
    // Clients time requests in real time: on a manual clock a long poll also ends after max_wait_ms of real time, so
    // a consumer never waits on a clock nobody advances (kafkajs heartbeats only between its fetches).
    const realTimer = clock === realClock ? null : realClock.setTimeout(() => parked.finish(true), waitMs);
    setMaxListeners(0, signal); // every request a connection has in flight may be a parked one listening here
    signal.addEventListener('abort', onAbort, { once: true });
    unwatch = watch(parked);
  });
}
