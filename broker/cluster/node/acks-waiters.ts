// acks=all produces parked until their partition's high watermark passes them (Kafka's
// DelayedProduce purgatory), per partition log, each with its own deadline. The replica
// manager says when to look again (the HW moved, the ISR changed) and what a waiter's
// answer is; leadership loss fails every waiter of the partition at once.

import { ErrorCode } from '../../protocol/errors.ts'
import type { PartitionLog } from '../../log/partition-log.ts'

interface Waiter { requiredOffset: number, resolve: (errorCode: number) => void, timer: NodeJS.Timeout }

export class AcksWaiters {
  readonly #byLog = new Map<PartitionLog, Set<Waiter>>()

  wait (log: PartitionLog, requiredOffset: number, timeoutMs: number): Promise<number> {
    return new Promise(resolve => {
      let set = this.#byLog.get(log)
      if (set === undefined) this.#byLog.set(log, set = new Set())
      const waiters = set
      const waiter: Waiter = {
        requiredOffset,
        resolve: code => {
          clearTimeout(waiter.timer)
          waiters.delete(waiter)
          if (waiters.size === 0 && this.#byLog.get(log) === waiters) this.#byLog.delete(log)
          resolve(code)
        },
        timer: setTimeout(() => waiter.resolve(ErrorCode.REQUEST_TIMED_OUT), Math.max(0, timeoutMs)),
      }
      waiters.add(waiter)
    })
  }

  /** Answers every waiter of `log` for which `answer(requiredOffset)` is not null. */
  complete (log: PartitionLog, answer: (requiredOffset: number) => number | null): void {
    const set = this.#byLog.get(log)
    if (set === undefined) return
    for (const waiter of [...set]) {
      const code = answer(waiter.requiredOffset)
      if (code !== null) waiter.resolve(code)
    }
  }

  failAll (log: PartitionLog, errorCode: number): void {
    const set = this.#byLog.get(log)
    if (set !== undefined) for (const waiter of [...set]) waiter.resolve(errorCode)
  }
}
