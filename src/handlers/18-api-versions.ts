/**
 * ApiVersions 0-3: the list of every API we serve, built from the handler table, so advertising and serving can
 * never disagree. Unsupported ApiVersions versions are answered by the connection itself (error 35, v0 body).
 */
import { handler } from './handler.js';
import { ApiVersionsApi } from '../protocol/generated/index.js';

export default handler(ApiVersionsApi, (_req, { broker }) => ({
  errorCode: 0,
  apiKeys: [...broker.handlers.values()].map(({ api }) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion })),
  throttleTimeMs: 0,
}));
