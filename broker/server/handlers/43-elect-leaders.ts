// ElectLeaders v0-2 on a cluster member: forwarded to the active controller, which runs
// the PREFERRED or UNCLEAN election (a broker never picks a leader itself). Registered
// only in a cluster; a one-node broker leads everything already.

import { ElectLeaders } from '../../protocol/43-elect-leaders.ts'
import { forwardElectLeaders } from '../../cluster/node/forward.ts'
import { defineHandler } from '../handler.ts'

export const electLeadersHandler = defineHandler(ElectLeaders, ({ broker }, request) => forwardElectLeaders(broker, request))
