// ListGroups v0-2. Every group this broker coordinates (all of them), including groups that
// only store offsets (protocol type '').

import { ErrorCode } from '../../protocol/errors.ts'
import { ListGroups } from '../../protocol/16-list-groups.ts'
import { defineHandler } from '../handler.ts'

export const listGroupsHandler = defineHandler(ListGroups, ({ broker }) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  groups: broker.groups.list(),
}))
