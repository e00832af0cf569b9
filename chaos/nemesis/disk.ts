// lose-un-fsynced-writes: a machine crash, simulated LazyFS-style on one broker. The broker
// is SIGKILLed, then every data file is cut back to the length its durability ledger says
// fsync made durable (files never made durable are removed: broker/log/ledger.ts), and the
// broker is restarted on what remains once the fault's duration is over. With fsync before
// every ack (log.flush.interval.messages=1) nothing acknowledged is lost; without it the
// broker forgets acknowledged writes, which the checkers must notice.
//
// disk-stall: the broker's disk stops for the fault's duration: every log write and fsync
// waits (reads are served, as from the page cache), through the reference broker's debug
// fault endpoint. The stall is set a little longer than the fault and ended by the heal, so
// a harness that dies mid-fault leaves no broker stalled for long.

import { loseUnsyncedWrites } from '../../broker/log/ledger.ts'
import { faultStep, NemesisError } from './nemesis.ts'
import type { ActiveFault, FaultTarget, NemesisEntry } from './nemesis.ts'
import { restartIfDead } from './process.ts'

export async function startLoseUnsyncedWrites (target: FaultTarget): Promise<ActiveFault> {
  const dataDir = target.broker.dataDir
  if (dataDir === null) {
    throw new NemesisError('ERR_NEMESIS_TARGET', `lose-unfsynced-writes needs the data dir of ${target.name}, which this cluster backend does not expose`)
  }
  await faultStep('ERR_NEMESIS_FAULT', `kill ${target.name}`, () => target.broker.kill())
  // Only now is no process using the files: the ledger may be applied.
  const lost = await faultStep('ERR_NEMESIS_FAULT', `truncate ${target.name} to its durable lengths`, () => loseUnsyncedWrites(dataDir))
  const bytesLost = lost.truncated.reduce((sum, t) => sum + t.fromBytes - t.toBytes, 0)
  return {
    detail: {
      signal: 'SIGKILL',
      filesTruncated: lost.truncated.length,
      filesRemoved: lost.removed.length,
      bytesLost,
    },
    heal: () => restartIfDead(target.broker, target.name),
  }
}

/** Extra stall beyond the fault's duration, which the heal ends early. */
const STALL_MARGIN_MS = 5000

export async function startDiskStall (target: FaultTarget, entry: NemesisEntry): Promise<ActiveFault> {
  const broker = target.broker
  if (broker.stallDisk === undefined) {
    throw new NemesisError('ERR_NEMESIS_TARGET', `disk-stall needs the reference broker's fault endpoint, which the backend of ${target.name} does not reach; use the process backend`)
  }
  const stallMs = entry.durationSeconds * 1000 + STALL_MARGIN_MS
  await faultStep('ERR_NEMESIS_FAULT', `stall the disk of ${target.name}`, () => broker.stallDisk!(stallMs))
  return {
    detail: { stallMs: entry.durationSeconds * 1000 },
    heal: async () => {
      // A broker killed meanwhile has no stall left to end.
      if (!broker.alive()) return
      await faultStep('ERR_NEMESIS_HEAL', `end the disk stall of ${target.name}`, () => broker.stallDisk!(0))
    },
  }
}
