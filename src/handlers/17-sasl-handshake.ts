/**
 * SaslHandshake 0-1: picks the mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER as
 * sasl.enabled.mechanisms allows). v0 switches the connection to raw SASL tokens until the exchange ends
 * (kafka-python); v1 tokens come in SaslAuthenticate. On an authenticated connection a v1 handshake starts
 * re-authentication (KIP-368), with the same mechanism. An unsupported mechanism is answered with the list, then
 * the connection closes, as on Kafka.
 */
import { handler } from './handler.js';
import { SaslHandshakeApi } from '../protocol/generated/index.js';
import { ErrorCode } from '../protocol/generated/errors.js';
import { enabledMechanisms, startExchange } from '../server/sasl.js';

export default handler(SaslHandshakeApi, (req, { sasl, version, broker, clientHost }) => {
  const mechanisms = enabledMechanisms(broker);
  const refuse = (errorCode: number) => {
    sasl.closeAfterResponse = true;
    return { errorCode, mechanisms };
  };
  if (!mechanisms.includes(req.mechanism)) return refuse(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  if (sasl.exchange !== null) return refuse(ErrorCode.ILLEGAL_SASL_STATE);
  if (sasl.user !== null && (version === 0 || req.mechanism !== sasl.mechanism)) return refuse(ErrorCode.ILLEGAL_SASL_STATE);
  sasl.mechanism = req.mechanism;
  sasl.exchange = startExchange(broker, req.mechanism, clientHost);
  sasl.rawTokenNext = version === 0;
  return { errorCode: ErrorCode.NONE, mechanisms };
});
