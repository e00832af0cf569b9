// Every broker process the harness starts is registered here, so that none outlives the
// harness: on normal exit, on Ctrl-C and on SIGTERM they all get SIGKILL (which also
// ends a SIGSTOPped one). The handlers are installed once, on the first registration.

import type { ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()
let installed = false

function killAll (): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  children.clear()
}

function onSignal (signal: NodeJS.Signals): void {
  killAll()
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  // Our handler replaced the default "exit on signal"; if nobody else listens, restore
  // that behaviour by raising the signal again.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function install (): void {
  if (installed) return
  installed = true
  process.on('exit', killAll)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

export function registerChild (child: ChildProcess): void {
  install()
  children.add(child)
  child.once('exit', () => children.delete(child))
}

export function liveChildren (): number {
  return children.size
}
