// LeaveGroup v0-3. v0-2 name one member and answer one error; v3 names a batch (static
// members by group.instance.id) and answers per member. A member that leaves triggers a
// rebalance of the others at once instead of after its session timeout.

import { ErrorCode } from '../../protocol/errors.ts'
import { LeaveGroup, leavingMembers } from '../../protocol/13-leave-group.ts'
import { defineHandler } from '../handler.ts'

export const leaveGroupHandler = defineHandler(LeaveGroup, ({ broker }, request, version) => {
  const result = broker.groups.leave(request.groupId, leavingMembers(request, version))
  if (version >= 3) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members }
  const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : result.members[0]?.errorCode ?? ErrorCode.NONE
  return { throttleTimeMs: 0, errorCode, members: [] }
})
