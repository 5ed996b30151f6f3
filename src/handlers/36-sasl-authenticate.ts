/**
 * SaslAuthenticate 0-2: one SASL token of the exchange SaslHandshake v1 started (see server/sasl.ts). v1 adds the
 * session lifetime (KIP-368), v2 is flexible. A failure is SASL_AUTHENTICATION_FAILED with Kafka's message, and the
 * connection closes after the answer.
 */
import { handler } from './handler.js';
import { SaslAuthenticateApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { saslStep } from '../server/sasl.js';

const EMPTY = Buffer.alloc(0);

export default handler(SaslAuthenticateApi, async (req, { sasl, broker, clientHost }) => {
  if (sasl.exchange === null || sasl.rawTokenNext) {
    sasl.closeAfterResponse = true;
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'Unexpected SaslAuthenticate request: no SaslHandshake v1 in progress', authBytes: EMPTY, sessionLifetimeMs: 0 };
  }
  const { errorMessage, authBytes, sessionLifetimeMs } = await saslStep(broker, sasl, clientHost, req.authBytes);
  return { errorCode: errorMessage === null ? ErrorCode.NONE : ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage, authBytes, sessionLifetimeMs };
});
