/**
 * JoinGroup 0-5: answered when the rebalance completes (see coordinator/group). v0 has no rebalance timeout (the
 * session timeout serves); v4+ first joins get MEMBER_ID_REQUIRED with the id to use; v5 static membership.
 * Only the leader's answer lists the members.
 */
import { handler } from './handler.js';
import { JoinGroupApi } from '../protocol/generated/index.js';
import { memberHost } from '../coordinator/group/index.js';

export default handler(JoinGroupApi, async (req, { broker, version, clientId, clientHost }) => ({
  throttleTimeMs: 0,
  ...await broker.groups.joinGroup({
    groupId: req.groupId,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: clientId ?? '',
    clientHost: memberHost(clientHost),
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: version === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    requireKnownMemberId: version >= 4,
  }),
}));
