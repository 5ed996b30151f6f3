/**
 * Operator surfaces of the admin HTTP host: Prometheus metrics at `/metrics` (metrics.ts) and the Kafka REST API v3
 * at `/v3` (rest.ts); the web console at `/` and `/console` (src/console/).
 */
import type { Broker } from '../broker.js';
import type { HttpHost } from '../http/index.js';
import { metricsRouter } from './metrics.js';
import { restRouter } from './rest.js';
import { mountConsole } from '../console/index.js';

export function mountOperator(broker: Broker, host: HttpHost): void {
  host.mount('/metrics', metricsRouter(broker));
  host.mount('/v3', restRouter(broker));
  mountConsole(broker, host);
}
