/** SaslHandshake 0-1: PLAIN only. v0 switches the connection to raw SASL tokens for the next frame. */
import { handler } from './handler.js';
import { SaslHandshakeApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { SASL_MECHANISMS } from '../server/sasl.js';

export default handler(SaslHandshakeApi, (req, { sasl, version }) => {
  const mechanisms = [...SASL_MECHANISMS];
  if (!mechanisms.includes(req.mechanism as (typeof SASL_MECHANISMS)[number])) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
  sasl.mechanism = req.mechanism;
  sasl.rawTokenNext = version === 0;
  return { errorCode: ErrorCode.NONE, mechanisms };
});
