// lose-un-fsynced-writes: a machine crash, simulated LazyFS-style on one broker. The broker
// is SIGKILLed, then every data file is cut back to the length its durability ledger says
// fsync made durable (files never made durable are removed: broker/log/ledger.ts), and the
// broker is restarted on what remains once the fault's duration is over. With fsync before
// every ack (log.flush.interval.messages=1) nothing acknowledged is lost; without it the
// broker forgets acknowledged writes, which the checkers must notice.

import { loseUnsyncedWrites } from '../../broker/log/ledger.ts'
import { faultStep, NemesisError } from './nemesis.ts'
import type { ActiveFault, FaultTarget } from './nemesis.ts'
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
