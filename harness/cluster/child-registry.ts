// Every broker process the harness starts is registered here, so that none outlives the
// harness: on normal exit, on Ctrl-C and on SIGTERM they all get SIGKILL (which also
// ends a SIGSTOPped one), registered clean-ups run (the docker backend's `compose down`,
// the podman service it started), and temp work dirs the backend created are removed. The
// handlers are installed once, before the first spawn.
//
// A signal handler replaces Node's default "exit on signal". After killing the children
// ours removes itself and, if no other listener is left, raises the signal again so the
// harness still exits as the user asked; if the application has listeners of its own,
// they decide (and the exit handler still kills what is left).

import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'

const children = new Set<ChildProcess>()
const tempDirs = new Set<string>()
/** Synchronous clean-ups of things that are not child processes (containers, engine services). */
const exitCleanups = new Set<() => void>()
let exitInstalled = false
let signalsInstalled = false

function killAll (): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL')
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  children.clear()
  // Last registered first: a cluster goes before the engine it runs on.
  for (const cleanup of [...exitCleanups].reverse()) {
    exitCleanups.delete(cleanup)
    try {
      cleanup()
    } catch {
      // Best effort on the way out: the next clean-up must still run.
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

function onSignal (signal: NodeJS.Signals): void {
  killAll()
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  signalsInstalled = false
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

export function installExitHandlers (): void {
  if (!exitInstalled) {
    exitInstalled = true
    process.on('exit', killAll)
  }
  if (!signalsInstalled) {
    signalsInstalled = true
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
}

export function registerChild (child: ChildProcess): void {
  installExitHandlers()
  children.add(child)
  child.once('exit', () => children.delete(child))
}

export function liveChildren (): number {
  return children.size
}

/** A temp dir to remove if the harness exits or is interrupted before cluster.stop(). */
export function registerTempDir (dir: string): void {
  tempDirs.add(dir)
}

export function unregisterTempDir (dir: string): void {
  tempDirs.delete(dir)
}

/** Runs `cleanup` (synchronously) if the harness exits or is interrupted before it is unregistered. */
export function registerExitCleanup (cleanup: () => void): void {
  installExitHandlers()
  exitCleanups.add(cleanup)
}

export function unregisterExitCleanup (cleanup: () => void): void {
  exitCleanups.delete(cleanup)
}
