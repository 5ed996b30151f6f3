/** SaslAuthenticate 0-1: checks the PLAIN token (see server/sasl.ts); needs a SaslHandshake first. */
import { handler } from './handler.js';
import { SaslAuthenticateApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { authenticatePlain, parseUsers } from '../server/sasl.js';

const EMPTY = Buffer.alloc(0);

export default handler(SaslAuthenticateApi, (req, { sasl, broker }) => {
  if (sasl.mechanism === null) {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate before SaslHandshake', authBytes: EMPTY, sessionLifetimeMs: 0 };
  }
  const result = authenticatePlain(req.authBytes, parseUsers(broker.config.get('sasl.plain.users')));
  if ('error' in result) return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: result.error, authBytes: EMPTY, sessionLifetimeMs: 0 };
  sasl.user = result.user;
  return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: EMPTY, sessionLifetimeMs: 0 };
});
