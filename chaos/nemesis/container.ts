// Faults only a container backend can make, through the cluster backend's broker handle (NemesisBroker):
// - partition: the broker's container is taken off the cluster network (`docker network
//   disconnect`), healed by connecting it again. Its peers, the proxy container and the
//   published client port all lose it at once; open connections stall instead of being
//   reset, as in a real partition.
// - restart: a clean stop (SIGTERM: the broker flushes and exits), started again on the
//   same data once the fault's duration is over. Works with every backend that can stop a
//   broker gracefully (the process backend too).

import { faultStep, NemesisError } from './nemesis.ts'
import type { ActiveFault, FaultTarget, NemesisBroker } from './nemesis.ts'
import { restartIfDead } from './process.ts'

function need<K extends 'disconnect' | 'stop'> (target: FaultTarget, method: K, fault: string): NonNullable<NemesisBroker[K]> {
  const fn = target.broker[method]
  if (fn === undefined) throw new NemesisError('ERR_NEMESIS_TARGET', `${fault} needs a backend that can ${method} ${target.name}; use backend: docker`)
  return fn.bind(target.broker) as NonNullable<NemesisBroker[K]>
}

export async function startPartition (target: FaultTarget): Promise<ActiveFault> {
  const disconnect = need(target, 'disconnect', 'partition')
  const broker = target.broker
  await faultStep('ERR_NEMESIS_FAULT', `disconnect ${target.name} from its network`, disconnect)
  return {
    detail: { network: 'disconnected' },
    heal: () => faultStep('ERR_NEMESIS_HEAL', `connect ${target.name} to its network`, () => broker.connect!()),
  }
}

export async function startRestart (target: FaultTarget): Promise<ActiveFault> {
  const stop = need(target, 'stop', 'restart')
  const wasAlive = target.broker.alive()
  await faultStep('ERR_NEMESIS_FAULT', `stop ${target.name}`, stop)
  return {
    detail: { signal: 'SIGTERM', wasAlive },
    heal: () => restartIfDead(target.broker, target.name),
  }
}
