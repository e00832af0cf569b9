// ListGroups v0-4. Every group this broker coordinates (all of them), including groups that
// only store offsets (protocol type ''). v4 filters by state, matching Kafka's state names
// case-insensitively (clients send "Stable" or "STABLE").

import { ErrorCode } from '../../protocol/errors.ts'
import { ListGroups } from '../../protocol/16-list-groups.ts'
import { defineHandler } from '../handler.ts'

export const listGroupsHandler = defineHandler(ListGroups, ({ broker }, request) => {
  const wanted = new Set((request.statesFilter ?? []).map(s => s.replaceAll('_', '').toLowerCase()))
  const groups = broker.groups.list().filter(g => wanted.size === 0 || wanted.has(g.groupState!.toLowerCase()))
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups }
})
