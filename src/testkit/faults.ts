/**
 * Faults a test injects into the broker, as kfake's control functions and Toxiproxy do: the request pipeline's faults
 * stage (see server/pipeline.ts) asks this injector about every request. Each fault names an API (by Kafka's name,
 * 'Produce' or 'PRODUCE' alike, or by key) and may narrow itself to a topic, a partition, the node the client is
 * connected to, and a number of requests (`times`; default: until removed).
 *
 * - inject: answer with a Kafka error code where the API's clients look for it (see error-response.ts); only the
 *   matching partitions fail. An injected error on an acks=0 Produce closes the connection, as Kafka does.
 * - delay: hold the request for `ms` on the broker's clock before handling it (a ManualClock ends it on advance).
 * - dropConnection: close the socket instead of answering, `before` the handler runs (the request is lost) or
 *   `after` it took effect (the answer is lost: the case idempotent producers exist for).
 * - control: a function that may answer a decoded request itself (kfake's ControlKey); undefined passes it on.
 *
 * Faults apply in the order they were added; a delay and an error can stack. Metadata errors are set on the handler's
 * real answer (its broker list must stay), per topic, or per partition with a partition filter.
 */
import type { Broker } from '../broker.js';
import type { ApiCodec } from '../protocol/api.js';
import { ErrorCode, errorInfo } from '../protocol/generated/errors.js';
import { MetadataApi, type MetadataResponse } from '../protocol/generated/index.js';
import type { Handler, RequestContext } from '../handlers/handler.js';
import { ConnectionRefusal, type HandlerResult, type Interceptor, type RequestCall } from '../server/pipeline.js';
import type { Router } from '../server/router.js';
import { TestkitError } from './errors.js';
import { errorResponse, errorShape, requestedPartitions, type Wants } from './error-response.js';

/** An API by Kafka's name ('Produce', 'FIND_COORDINATOR') or key (0). */
export type ApiRef = string | number;

export interface FaultTarget {
  api: ApiRef;
  /** Only requests naming this topic (and only its partitions fail). */
  topic?: string;
  /** Only this partition (of `topic`, or of any topic). */
  partition?: number;
  /** Only requests a client sent to this node. */
  node?: number;
  /** Only this many requests; default: every matching request until removed. */
  times?: number;
}

export interface InjectOptions extends FaultTarget {
  /** A Kafka error by name ('NOT_LEADER_OR_FOLLOWER') or code (6). */
  error: string | number;
}

export interface DelayOptions extends FaultTarget {
  ms: number;
}

export interface DropOptions extends FaultTarget {
  /** 'before' the handler runs (default), or 'after' it took effect. */
  when?: 'before' | 'after';
}

/** Answers a decoded request itself (a response, or a promise of one), or returns undefined to pass it on. */
export type ControlFunction = (request: any, ctx: RequestContext) => unknown;

export type FaultType = 'inject' | 'delay' | 'drop' | 'control';

/** A fault as the control API lists it. */
export interface FaultInfo {
  id: number;
  type: FaultType;
  api: string;
  topic?: string;
  partition?: number;
  node?: number;
  times?: number;
  error?: string;
  ms?: number;
  when?: 'before' | 'after';
  /** Requests it acted on so far. */
  hits: number;
  /** Whether it still acts (false once `times` requests were hit). */
  active: boolean;
}

export interface FaultHandle {
  readonly id: number;
  /** Requests it acted on so far. */
  readonly hits: number;
  /** Stops it; requests it already holds (delays) finish. */
  remove(): void;
  info(): FaultInfo;
}

/** Applies the rest of the chain's answer to `fn`, whether it came at once or as a promise. */
function then(result: HandlerResult, fn: (value: unknown) => unknown): HandlerResult {
  return result instanceof Promise ? result.then(fn) : fn(result);
}

type Act = (fault: Fault, call: RequestCall, next: () => HandlerResult) => HandlerResult;

class Fault implements FaultHandle {
  hits = 0;

  constructor(readonly id: number, private readonly owner: FaultInjector, readonly handler: Handler,
    private readonly target: Omit<FaultTarget, 'api'>, private readonly details: Omit<FaultInfo, 'id' | 'api' | 'hits' | 'active'>,
    private readonly act: Act) {}

  get active(): boolean {
    return this.target.times === undefined || this.hits < this.target.times;
  }

  /** Whether a (topic, partition) of a request is one this fault is about (partition -1: a topic without partitions). */
  readonly wants: Wants = (topic, partition) =>
    (this.target.topic === undefined || topic === this.target.topic) && (this.target.partition === undefined || partition === this.target.partition);

  matches(call: RequestCall): boolean {
    if (!this.active || call.handler.api.key !== this.handler.api.key) return false;
    if (this.target.node !== undefined && call.ctx.node !== this.target.node) return false;
    if (this.target.topic === undefined && this.target.partition === undefined) return true;
    const request = call.request as Record<string, unknown>;
    if (call.handler.api.key === MetadataApi.key) {
      // Metadata for every topic (null) names the filtered one too; partitions are checked on the answer.
      const topics = request.topics as Array<{ name: string }> | null;
      return this.target.topic === undefined || topics === null || topics.length === 0 || topics.some((t) => t.name === this.target.topic);
    }
    const shape = errorShape(call.handler.api, call.ctx.version);
    const paths = shape?.kind === 'resources' || shape?.kind === 'top-level' || shape?.kind === 'partitions' ? shape.request : null;
    return requestedPartitions(request, paths, this.owner.topicNames).some(([t, p]) => this.wants(t, p));
  }

  apply(call: RequestCall, next: () => HandlerResult): HandlerResult {
    return this.active ? this.act(this, call, next) : next();
  }

  remove(): void {
    this.owner.remove(this.id);
  }

  info(): FaultInfo {
    return { id: this.id, api: this.handler.api.name, ...this.details, ...this.target, hits: this.hits, active: this.active };
  }
}

export class FaultInjector implements Interceptor {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly broker: Broker, private readonly router: Router) {}

  /** Names of the topics requests address by id (Fetch 13+), so faults on a topic name match them too. */
  readonly topicNames = (id: Buffer): string | undefined => this.broker.topics.getById(id)?.name;

  intercept(call: RequestCall, next: () => HandlerResult): HandlerResult {
    if (this.faults.length === 0) return next();
    const matching = this.faults.filter((f) => f.matches(call));
    if (matching.length === 0) return next();
    const run = (i: number): HandlerResult => (i < matching.length ? matching[i].apply(call, () => run(i + 1)) : next());
    return run(0);
  }

  /** Answers matching requests with a Kafka error. */
  inject(options: InjectOptions): FaultHandle {
    const handler = this.handlerOf(options.api);
    const { name, code } = this.errorOf(options.error);
    for (let v = handler.versions.min; v <= handler.versions.max; v++) {
      if (handler.api.key !== MetadataApi.key && !errorShape(handler.api, v)) {
        throw new TestkitError('SAMSA_NO_ERROR_FIELD', `${handler.api.name} v${v} responses have no error code to inject`);
      }
    }
    return this.add(handler, options, { type: 'inject', error: name }, (fault, call, next) => {
      if (call.handler.api.key === MetadataApi.key) {
        fault.hits++;
        return then(next(), (res) => failMetadata(res as MetadataResponse, code, fault.wants, options.partition !== undefined));
      }
      const request = call.request as Record<string, unknown>;
      const built = errorResponse(call.handler.api, call.ctx.version, request, code, fault.wants, this.topicNames);
      if (!built) return next();
      fault.hits++;
      // acks=0: no answer to carry the error, so Kafka closes the connection (after handling what did not fail).
      const noAnswer = request.acks === 0;
      if (!built.rest) {
        if (noAnswer) throw new ConnectionRefusal(`injected ${name} on an acks=0 ${call.handler.api.name}`);
        return built.response;
      }
      call.request = built.rest;
      return then(next(), (res) => {
        if (noAnswer) throw new ConnectionRefusal(`injected ${name} on an acks=0 ${call.handler.api.name}`);
        return res === null ? null : built.merge(res as Record<string, unknown>);
      });
    });
  }

  /** Holds matching requests for `ms` on the broker's clock, then handles them. */
  delay(options: DelayOptions): FaultHandle {
    const handler = this.handlerOf(options.api);
    const ms = options.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TestkitError('SAMSA_BAD_FAULT', `ms must be a number of milliseconds >= 0, not ${JSON.stringify(ms)}`);
    return this.add(handler, options, { type: 'delay', ms }, (fault, _call, next) => {
      fault.hits++;
      return new Promise<void>((resolve) => this.broker.clock.setTimeout(resolve, ms)).then(next);
    });
  }

  /** Closes the connection instead of answering matching requests. */
  dropConnection(options: DropOptions): FaultHandle {
    const handler = this.handlerOf(options.api);
    const when = options.when ?? 'before';
    if (when !== 'before' && when !== 'after') throw new TestkitError('SAMSA_BAD_FAULT', `when must be 'before' or 'after', not ${JSON.stringify(when)}`);
    return this.add(handler, options, { type: 'drop', when }, (fault, call, next) => {
      fault.hits++;
      const refusal = () => new ConnectionRefusal(`fault ${fault.id}: dropped the connection ${when} ${call.handler.api.name}`);
      if (when === 'before') throw refusal();
      return then(next(), () => { throw refusal(); });
    });
  }

  /** Lets `fn` answer requests of `api` itself; when it returns undefined the request goes on as usual. */
  control(api: ApiRef, fn: ControlFunction): FaultHandle {
    const handler = this.handlerOf(api);
    if (typeof fn !== 'function') throw new TestkitError('SAMSA_BAD_FAULT', 'control needs a function');
    return this.add(handler, { api }, { type: 'control' }, (fault, call, next) => then(fn(call.request, call.ctx), (answer) => {
      if (answer === undefined) return next();
      fault.hits++;
      return answer;
    }));
  }

  /** Every fault added and not removed, in the order they apply. */
  list(): FaultInfo[] {
    return this.faults.map((f) => f.info());
  }

  get(id: number): FaultHandle | undefined {
    return this.faults.find((f) => f.id === id);
  }

  /** Removes one fault; false when there is none with that id. */
  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }

  private add(handler: Handler, target: FaultTarget, details: Omit<FaultInfo, 'id' | 'api' | 'hits' | 'active'>, act: Act): FaultHandle {
    const { topic, partition, node, times } = target;
    if (topic !== undefined && (typeof topic !== 'string' || topic === '')) throw new TestkitError('SAMSA_BAD_FAULT', `topic must be a topic name, not ${JSON.stringify(topic)}`);
    if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) throw new TestkitError('SAMSA_BAD_FAULT', `partition must be an integer >= 0, not ${JSON.stringify(partition)}`);
    if (times !== undefined && (!Number.isInteger(times) || times < 1)) throw new TestkitError('SAMSA_BAD_FAULT', `times must be an integer >= 1, not ${JSON.stringify(times)}`);
    if (node !== undefined && !this.broker.placement.nodeIds.includes(node)) {
      throw new TestkitError('SAMSA_UNKNOWN_NODE', `no node ${JSON.stringify(node)} in this cluster (nodes: ${this.broker.placement.nodeIds.join(', ')})`);
    }
    if ((topic !== undefined || partition !== undefined) && !namesPartitions(handler, partition !== undefined)) {
      throw new TestkitError('SAMSA_BAD_FAULT', `${handler.api.name} requests name no ${partition !== undefined ? 'partitions' : 'topics'} to filter on`);
    }
    const clean = Object.fromEntries(Object.entries({ topic, partition, node, times }).filter(([, v]) => v !== undefined));
    const fault = new Fault(this.nextId++, this, handler, clean, details, act);
    this.faults.push(fault);
    this.broker.logger.info({ fault: fault.info() }, 'fault added');
    return fault;
  }

  private handlerOf(api: ApiRef): Handler {
    if (typeof api !== 'string' && typeof api !== 'number') throw new TestkitError('SAMSA_UNKNOWN_API', 'api must be an API name (e.g. "Produce") or key');
    const normal = (s: string) => s.replace(/[_\-\s]/g, '').toLowerCase();
    const served = this.router.served().map((s) => this.router.handlerOf(s.apiKey)!);
    const found = typeof api === 'number' ? served.find((h) => h.api.key === api) : served.find((h) => normal(h.api.name) === normal(api));
    if (!found) {
      throw new TestkitError('SAMSA_UNKNOWN_API', `no API ${JSON.stringify(api)} is served by this broker (served: ${served.map((h) => h.api.name).join(', ')})`);
    }
    return found;
  }

  private errorOf(error: string | number): { name: string; code: number } {
    const code = typeof error === 'number' ? error
      : typeof error === 'string' ? (ErrorCode as Record<string, number>)[error.toUpperCase()] : undefined;
    const info = code === undefined ? undefined : errorInfo.get(code);
    if (!info || code === ErrorCode.NONE) throw new TestkitError('SAMSA_UNKNOWN_ERROR', `${JSON.stringify(error)} is not a Kafka error name or code (e.g. NOT_LEADER_OR_FOLLOWER)`);
    return { name: info[0], code: code! };
  }
}

/** Whether some served version of the API's requests names topics (and partitions, when asked). */
function namesPartitions(handler: Handler, partitions: boolean): boolean {
  if (handler.api.key === MetadataApi.key) return true;
  for (let v = handler.versions.min; v <= handler.versions.max; v++) {
    const shape = errorShape(handler.api as ApiCodec<unknown, unknown>, v);
    if (shape?.request && (!partitions || shape.request.partitions)) return true;
  }
  return false;
}

/** Metadata's own answer with the error on the wanted topics (their partitions dropped, as Kafka does) or partitions. */
function failMetadata(res: MetadataResponse, code: number, wants: Wants, perPartition: boolean): MetadataResponse {
  for (const topic of res.topics) {
    if (!perPartition) {
      if (wants(topic.name ?? '', -1)) Object.assign(topic, { errorCode: code, partitions: [] });
      continue;
    }
    for (const p of topic.partitions) if (wants(topic.name ?? '', p.partitionIndex)) p.errorCode = code;
  }
  return res;
}
