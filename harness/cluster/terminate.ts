// Ending a broker child process the way every local backend does: SIGTERM so the broker can
// shut down in order (a controlled shutdown for clustered nodes), SIGCONT first when it is
// paused (a stopped process cannot act on SIGTERM), and SIGKILL once the grace time passes.

import type { ChildProcess } from 'node:child_process'

/** Resolves once the child has exited; `exited` is its exit promise, `paused` whether it is SIGSTOPped. */
export async function terminateChild (child: ChildProcess, exited: Promise<void>, options: { paused: boolean, graceMs: number }): Promise<void> {
  if (options.paused) child.kill('SIGCONT')
  child.kill('SIGTERM')
  const timer = setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') }, options.graceMs)
  await exited
  clearTimeout(timer)
}
