/**
 * SyncGroup 0-3: the leader sends every member's assignment; each member's answer (its own assignment) waits until
 * the leader's has been stored. Assignments are opaque bytes. v3 adds the group instance id.
 */
import { handler } from './handler.js';
import { SyncGroupApi } from '../protocol/generated/index.js';

export default handler(SyncGroupApi, async (req, { broker }) => ({ throttleTimeMs: 0, ...await broker.groups.syncGroup(req) }));
