// JoinGroup v0-5 (min 0 for librdkafka). The answer waits until the rebalance completes:
// every known member rejoined, or the rebalance timeout dropped the stragglers. From v4 a
// first join without a member id (and without group.instance.id) is answered at once with
// MEMBER_ID_REQUIRED and a generated id; v0-3 get the generated id with their generation.
// Refused without changing anything: empty group id (INVALID_GROUP_ID), session timeout
// outside group.min/max.session.timeout.ms (INVALID_SESSION_TIMEOUT), no protocol type or
// no protocol shared with the members (INCONSISTENT_GROUP_PROTOCOL), more than 1 MiB of
// protocol metadata or 64 protocols (INVALID_REQUEST), an id the group does not know
// (UNKNOWN_MEMBER_ID), a static instance now held by another member (FENCED_INSTANCE_ID).

import { JoinGroup } from '../../protocol/11-join-group.ts'
import { defineHandler } from '../handler.ts'

export const joinGroupHandler = defineHandler(JoinGroup, async ({ broker, header, clientHost }, request, version) => {
  const result = await broker.groups.join({
    groupId: request.groupId,
    memberId: request.memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: header.clientId ?? '',
    clientHost,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols,
    requireKnownMemberId: version >= 4,
  })
  return { throttleTimeMs: 0, ...result }
})
