// Heartbeat v0-3 (min 0 for librdkafka). Keeps a member's session alive. REBALANCE_IN_PROGRESS
// tells it to rejoin; ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and FENCED_INSTANCE_ID tell it
// it is no longer part of the current generation.

import { Heartbeat } from '../../protocol/12-heartbeat.ts'
import { defineHandler } from '../handler.ts'

export const heartbeatHandler = defineHandler(Heartbeat, ({ broker }, request) => ({
  throttleTimeMs: 0,
  errorCode: broker.groups.heartbeat(request),
}))
