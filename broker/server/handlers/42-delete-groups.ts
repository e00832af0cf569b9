// DeleteGroups v0-2. Each named group answers on its own: NONE, GROUP_ID_NOT_FOUND,
// NON_EMPTY_GROUP (it still has members) or INVALID_GROUP_ID.

import { DeleteGroups } from '../../protocol/42-delete-groups.ts'
import { defineHandler } from '../handler.ts'

export const deleteGroupsHandler = defineHandler(DeleteGroups, async ({ broker }, request) => ({
  throttleTimeMs: 0,
  results: await broker.groups.deleteGroups(request.groupsNames),
}))
