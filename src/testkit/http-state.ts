/**
 * The state half of the test kit over HTTP, on the admin port, for tests in any language:
 *
 *   POST /v1/reset                     empties the cluster (as `broker.reset()`)
 *   GET  /v1/clock                     {"now", "manual"}
 *   POST /v1/clock/advance {"ms": n}   moves a manual clock; 409 (40901) on the real clock
 *   GET  /v1/groups                    every group: type (classic, consumer, share), state, members, generation or epoch, committed offsets
 *   GET  /v1/groups/{id}               one group; 404 (40410) when there is none
 *   GET  /v1/topics                    topics other than the internal ones, with their partitions' offsets
 *   GET  /v1/topics/{topic}/records?partition=&offset=&limit=&encoding=
 *                                      decoded records; keys, values and header values as UTF-8 text, or base64
 *                                      (`encoding=base64`, or for a record whose bytes are not valid UTF-8: its
 *                                      `encoding` field says which); 404 (40411) for an unknown topic
 *
 * Errors have Confluent's shape, {"error_code": …, "message": …}. Each path prefix is its own router, so the fault
 * half's routes (/v1/faults, /v1/nodes, /v1/partitions) mount beside these.
 */
import { HttpError, HttpErrors, Router, type HttpHost, type HttpRequest } from '../http/index.js';
import { TestkitError } from './errors.js';
import type { InspectedRecord } from './inspect.js';
import type { BrokerState } from './state.js';

const MAX_RECORDS = 10_000;

export function intParam(query: URLSearchParams, name: string, min: number): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw HttpErrors.badRequest(`Query parameter '${name}' must be an integer >= ${min}`);
  return n;
}

const isUtf8 = (b: Buffer | null): boolean => b === null || Buffer.from(b.toString('utf8'), 'utf8').equals(b);

/** A record as JSON: bytes as text when every byte string of it is valid UTF-8 (and text was not refused), else base64. */
function jsonRecord(r: InspectedRecord, forceBase64: boolean): Record<string, unknown> {
  const encoding = !forceBase64 && isUtf8(r.key) && isUtf8(r.value) && r.headers.every((h) => isUtf8(h.value)) ? 'utf8' : 'base64';
  const text = (b: Buffer | null) => b && b.toString(encoding);
  return {
    partition: r.partition, offset: r.offset, timestamp: r.timestamp, timestampType: r.timestampType, encoding,
    key: text(r.key), value: text(r.value), headers: r.headers.map((h) => ({ key: h.key, value: text(h.value) })),
    producerId: r.producerId, producerEpoch: r.producerEpoch, transactional: r.transactional, control: r.control,
  };
}

async function advanceBody(req: HttpRequest): Promise<number> {
  const body = await req.body();
  const ms = (body as { ms?: unknown } | null)?.ms;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw HttpErrors.badRequest("Field 'ms' must be a number >= 0");
  return ms;
}

export function mountStateRoutes(admin: HttpHost, kit: BrokerState): void {
  admin.mount('/v1/reset', new Router().route('/', {
    POST: async () => {
      const started = performance.now();
      await kit.reset();
      return { reset: true, ms: Math.round((performance.now() - started) * 100) / 100 };
    },
  }));
  admin.mount('/v1/clock', new Router()
    .route('/', { GET: () => ({ now: kit.clock.now(), manual: kit.clock.manual }) })
    .route('/advance', {
      POST: async (req) => {
        const ms = await advanceBody(req);
        if (!kit.clock.manual) throw new HttpError(409, 40901, "The broker runs on the real clock: start it with clock 'manual' to advance time");
        try {
          await kit.clock.advance(ms);
        } catch (err) {
          if (err instanceof RangeError) throw HttpErrors.badRequest(err.message);
          throw err;
        }
        return { now: kit.clock.now(), manual: true };
      },
    }));
  admin.mount('/v1/groups', new Router()
    .route('/', { GET: () => kit.groups() })
    .route('/:group', {
      GET: (req) => kit.group(req.params.group) ?? (() => { throw new HttpError(404, 40410, `Group '${req.params.group}' not found`); })(),
    }));
  admin.mount('/v1/topics', new Router()
    .route('/', { GET: () => kit.topics() })
    .route('/:topic/records', {
      GET: (req) => {
        const partition = intParam(req.query, 'partition', 0);
        const offset = intParam(req.query, 'offset', 0);
        const limit = Math.min(intParam(req.query, 'limit', 1) ?? MAX_RECORDS, MAX_RECORDS);
        const encoding = req.query.get('encoding') ?? 'utf8';
        if (encoding !== 'utf8' && encoding !== 'base64') throw HttpErrors.badRequest("Query parameter 'encoding' must be utf8 or base64");
        try {
          return kit.records(req.params.topic, partition, { offset, limit }).map((r) => jsonRecord(r, encoding === 'base64'));
        } catch (err) {
          if (err instanceof TestkitError && err.code === 'SAMSA_UNKNOWN_TOPIC') throw new HttpError(404, 40411, `Topic '${req.params.topic}' not found`);
          if (err instanceof TestkitError && err.code === 'SAMSA_UNKNOWN_PARTITION') throw new HttpError(404, 40412, err.message);
          throw err;
        }
      },
    }));
}
