// Process faults, through the cluster backend's broker handle (NemesisBroker):
// - kill: SIGKILL (the page cache survives, as after a real process crash), healed by a
//   restart on the same ports and data dir once the fault's duration is over;
// - pause: SIGSTOP, healed by SIGCONT. Peers see a silent broker (timeouts), not resets.
// Healing is idempotent: restarting a broker that is already up, or resuming one that is
// not paused (or was killed meanwhile by an overlapping fault) does nothing.

import { faultStep } from './nemesis.ts'
import type { ActiveFault, FaultTarget, NemesisBroker } from './nemesis.ts'

/** Starts a dead broker again; a running one is left alone. */
export async function restartIfDead (broker: NemesisBroker, name: string): Promise<void> {
  if (broker.alive()) return
  await faultStep('ERR_NEMESIS_HEAL', `restart ${name}`, () => broker.restart())
}

export async function startKill (target: FaultTarget): Promise<ActiveFault> {
  const wasAlive = target.broker.alive()
  await faultStep('ERR_NEMESIS_FAULT', `kill ${target.name}`, () => target.broker.kill())
  return {
    detail: { signal: 'SIGKILL', wasAlive },
    heal: () => restartIfDead(target.broker, target.name),
  }
}

export async function startPause (target: FaultTarget): Promise<ActiveFault> {
  const broker = target.broker
  if (!broker.alive()) return { detail: { skipped: 'broker not running' }, heal: async () => {} }
  await faultStep('ERR_NEMESIS_FAULT', `pause ${target.name}`, () => broker.pause())
  let healed = false
  return {
    detail: { signal: 'SIGSTOP' },
    heal: async () => {
      if (healed) return
      healed = true
      // A broker killed while paused has nothing left to resume; the kill's heal restarts it.
      if (broker.alive()) await faultStep('ERR_NEMESIS_HEAL', `resume ${target.name}`, () => broker.resume())
    },
  }
}
