// ElectLeaders v0-2 on a cluster member: forwarded to the active controller, which runs
// the PREFERRED or UNCLEAN election (a broker never picks a leader itself). Registered
// only in a cluster; a one-node broker leads everything already.

import { ElectLeaders } from '../../protocol/43-elect-leaders.ts'
import { defineHandler } from '../handler.ts'

export const electLeadersHandler = defineHandler(ElectLeaders, async ({ broker }, request) => {
  if (broker.admin === null) throw new Error('programmer error: ElectLeaders is registered only in a cluster')
  return await broker.admin.electLeaders(request)
})
