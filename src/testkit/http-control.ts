/**
 * The test kit over HTTP, on the admin port, so a test suite in any language can break the broker on purpose:
 *
 *   POST   /v1/faults                                {type: inject|delay|drop, api, error, topic, partition, node, times, ms, when}
 *   GET    /v1/faults                                every fault with its hit count
 *   GET    /v1/faults/{id}     DELETE /v1/faults/{id}     DELETE /v1/faults (all)
 *   GET    /v1/nodes                                 [{id, live}]
 *   POST   /v1/nodes/{id}/stop     POST /v1/nodes/{id}/start
 *   POST   /v1/partitions/{topic}/{partition}/leader {node}
 *   POST   /v1/coordinators/{key}                    {node}   (a group or transactional id)
 *
 * Bad input is refused with nothing changed, in Confluent's error shape ({"error_code": 40001, "message": ...}):
 * 400 for bad input, 404 for an unknown fault or partition, 409 for what the cluster's state does not allow.
 */
import { HttpError, Router, type HttpHost, type HttpRequest } from '../http/index.js';
import { TestkitError } from './errors.js';
import type { FaultInjector, FaultHandle } from './faults.js';
import type { ClusterControl } from './cluster-control.js';

/** Confluent-style error codes: the HTTP status times 100 plus a number per reason. */
const ERROR_CODES: Record<string, number> = {
  SAMSA_BAD_REQUEST: 40001,
  SAMSA_UNKNOWN_API: 40002,
  SAMSA_UNKNOWN_ERROR: 40003,
  SAMSA_BAD_FAULT: 40004,
  SAMSA_NO_ERROR_FIELD: 40005,
  SAMSA_UNKNOWN_NODE: 40006,
  SAMSA_UNKNOWN_FAULT: 40401,
  SAMSA_UNKNOWN_PARTITION: 40402,
  SAMSA_NODE_STOPPED: 40901,
  SAMSA_LAST_LIVE_NODE: 40902,
  SAMSA_LISTEN_FAILED: 40903,
};

const FAULT_FIELDS: Record<string, readonly string[]> = {
  inject: ['api', 'error', 'topic', 'partition', 'node', 'times'],
  delay: ['api', 'ms', 'topic', 'partition', 'node', 'times'],
  drop: ['api', 'when', 'topic', 'partition', 'node', 'times'],
};

const bad = (message: string) => new TestkitError('SAMSA_BAD_REQUEST', message);

/** Runs a control call; a TestkitError becomes its HTTP error. */
async function answer(fn: () => unknown): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TestkitError) throw new HttpError(err.status, ERROR_CODES[err.code] ?? err.status * 100, err.message);
    throw err;
  }
}

async function jsonObject(req: HttpRequest): Promise<Record<string, unknown>> {
  const body = await req.body();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 40001, 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function integerParam(text: string, what: string): number {
  if (!/^-?(0|[1-9]\d*)$/.test(text)) throw bad(`${what} must be an integer, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** The body's `node`, the one field the leader and coordinator moves take (`usage` says what it names). */
function nodeField(body: Record<string, unknown>, usage: string): number {
  const unknown = Object.keys(body).filter((k) => k !== 'node');
  if (unknown.length > 0) throw bad(`unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (the body is ${usage})`);
  if (!Number.isInteger(body.node)) throw bad(`the body must name ${usage}`);
  return body.node as number;
}

function addFault(faults: FaultInjector, body: Record<string, unknown>): FaultHandle {
  const { type, ...options } = body;
  const fields = typeof type === 'string' && Object.hasOwn(FAULT_FIELDS, type) ? FAULT_FIELDS[type] : undefined;
  if (!fields) throw bad(`type must be one of ${Object.keys(FAULT_FIELDS).join(', ')}, not ${JSON.stringify(type)}`);
  const unknown = Object.keys(options).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw bad(`unknown field${unknown.length > 1 ? 's' : ''} for a ${type} fault: ${unknown.join(', ')} (known: ${fields.join(', ')})`);
  // JSON null means "not given"; the injector checks every value's type.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== null)) as any;
  if (type === 'inject') return faults.inject(given);
  if (type === 'delay') return faults.delay(given);
  return faults.dropConnection(given);
}

export function controlRoutes(faults: FaultInjector, cluster: ClusterControl): Record<string, Router> {
  const faultOf = (id: string): FaultHandle => {
    const fault = faults.get(integerParam(id, 'a fault id'));
    if (!fault) throw new TestkitError('SAMSA_UNKNOWN_FAULT', `no fault ${id}`, 404);
    return fault;
  };
  const nodeOf = (id: string) => integerParam(id, 'a node id');
  return {
    '/v1/faults': new Router()
      .route('/', {
        GET: () => faults.list(),
        POST: (req) => answer(async () => addFault(faults, await jsonObject(req)).info()),
        DELETE: () => { faults.clear(); },
      })
      .route('/:id', {
        GET: (req) => answer(() => faultOf(req.params.id).info()),
        DELETE: (req) => answer(() => { faultOf(req.params.id).remove(); }),
      }),
    '/v1/nodes': new Router()
      .route('/', { GET: () => cluster.nodes })
      .route('/:id/stop', { POST: (req) => answer(async () => { await cluster.stopNode(nodeOf(req.params.id)); return cluster.nodes; }) })
      .route('/:id/start', { POST: (req) => answer(async () => { await cluster.startNode(nodeOf(req.params.id)); return cluster.nodes; }) }),
    '/v1/partitions': new Router()
      .route('/:topic/:partition/leader', {
        POST: (req) => answer(async () => {
          const node = nodeField(await jsonObject(req), 'the new leader: {"node": <id>}');
          const { topic } = req.params;
          const partition = integerParam(req.params.partition, 'a partition');
          const leaderEpoch = cluster.moveLeader(topic, partition, node);
          return { topic, partition, leader: node, leaderEpoch };
        }),
      }),
    '/v1/coordinators': new Router()
      .route('/:key', {
        POST: (req) => answer(async () => {
          const node = nodeField(await jsonObject(req), 'the new coordinator: {"node": <id>}');
          cluster.moveCoordinator(req.params.key, node);
          return { key: req.params.key, node };
        }),
      }),
  };
}

/** Mounts the control routes on the admin host. */
export function mountControl(admin: HttpHost, faults: FaultInjector, cluster: ClusterControl): void {
  for (const [prefix, router] of Object.entries(controlRoutes(faults, cluster))) admin.mount(prefix, router);
}
