/**
 * ApiVersions 0-4: the list of every API we serve, from the router's table, so advertising and serving can never
 * disagree. v3 tells us the client's software name and version (kept on the connection's session). Unsupported
 * ApiVersions versions are answered by the connection itself (error 35, v0 body).
 */
import { handler } from './handler.js';
import { ApiVersionsApi } from '../protocol/generated/index.js';

export default handler(ApiVersionsApi, (req, { router, session, version }) => {
  if (version >= 3 && req.clientSoftwareName !== '') session.clientSoftware = { name: req.clientSoftwareName, version: req.clientSoftwareVersion };
  return { errorCode: 0, apiKeys: router.served(), throttleTimeMs: 0 };
});
