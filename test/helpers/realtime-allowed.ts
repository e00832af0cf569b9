// Whether this machine lets the tests' user run a thread under SCHED_FIFO, probed on its own
// (chrt running `true` at priority 1) rather than inferred from being root: root in a
// container without CAP_SYS_NICE may not.

import { execFileSync } from 'node:child_process'

let allowed: boolean | null = null

export function realtimeAllowed (): boolean {
  if (allowed === null) {
    try {
      execFileSync('chrt', ['-f', '1', 'true'], { stdio: 'ignore', timeout: 5000 })
      allowed = true
    } catch {
      allowed = false
    }
  }
  return allowed
}
