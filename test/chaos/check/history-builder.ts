/**
 * Builds small hand-written histories for checker tests. Each client call appends an invoke and
 * its completion and returns the completion's index, so tests can assert the evidence names it:
 *
 *   const h = new HistoryBuilder()
 *   const sent = h.send(1, 'k', 1, 0)          // process 1 sends value 1 to key k, acked at offset 0
 *   const read = h.poll(2, { k: [[0, 1]] })    // process 2 polls and reads it
 */
import { expect } from 'vitest'
import type { AnomalyName } from '../../../chaos/check/anomaly.ts'
import type { Verdict } from '../../../chaos/check/checker.ts'
import type { Op, OpF, OpType, Process } from '../../../chaos/check/history.ts'

export type Reads = Record<string, Array<[number, number]>>

export class HistoryBuilder {
  readonly ops: Op[] = []

  /** Appends one op and returns its index. */
  add(process: Process, type: OpType, f: OpF, value: unknown, final?: boolean): number {
    const index = this.ops.length
    const op: Op = { index, timeNs: index * 1_000, process, type, f, value }
    if (final !== undefined) op.final = final
    this.ops.push(op)
    return index
  }

  /** A send; `offset` is what the broker acknowledged (ignored unless the outcome is ok). */
  send(process: number, key: string, value: number, offset: number | null, type: 'ok' | 'fail' | 'info' = 'ok'): number {
    this.add(process, 'invoke', 'send', [['send', key, value]])
    return this.add(process, type, 'send', [['send', key, [type === 'ok' ? offset : null, value]]])
  }

  sendFail(process: number, key: string, value: number): number {
    return this.send(process, key, value, null, 'fail')
  }

  sendInfo(process: number, key: string, value: number): number {
    return this.send(process, key, value, null, 'info')
  }

  poll(process: number, reads: Reads, options: { final?: boolean } = {}): number {
    this.add(process, 'invoke', 'poll', [['poll']], options.final)
    return this.add(process, 'ok', 'poll', [['poll', reads]], options.final)
  }

  /** A transaction; `micro` are the completed micro-ops, e.g. `['send', 'k', [0, 1]]`. */
  txn(process: number, micro: unknown[], type: 'ok' | 'fail' | 'info' = 'ok'): number {
    const invoked = micro.map((m) => {
      const [f, key, written] = m as [string, string, unknown]
      if (f === 'poll') return ['poll']
      return ['send', key, Array.isArray(written) ? written[1] : written]
    })
    this.add(process, 'invoke', 'txn', invoked)
    return this.add(process, type, 'txn', type === 'ok' ? micro : invoked)
  }

  assign(process: number, keys: string[]): number {
    this.add(process, 'invoke', 'assign', { keys })
    return this.add(process, 'ok', 'assign', { keys })
  }

  subscribe(process: number, topics: string[]): number {
    this.add(process, 'invoke', 'subscribe', topics)
    return this.add(process, 'ok', 'subscribe', topics)
  }

  rebalance(process: number, keys: string[]): number {
    return this.add('nemesis', 'info', 'rebalance', { process, keys })
  }

  crash(process: number): number {
    return this.add(process, 'info', 'crash', null)
  }

  commit(process: number, group: string, offsets: Record<string, number>): number {
    this.add(process, 'invoke', 'commit', { group, offsets })
    return this.add(process, 'ok', 'commit', { group, offsets })
  }

  transform(keys: Record<string, string>, group = 'transform'): number {
    return this.add('nemesis', 'info', 'transform', { group, keys })
  }

  nemesis(value: unknown): number {
    return this.add('nemesis', 'info', 'nemesis', value)
  }
}

/** Asserts the verdict is invalid with exactly the named anomaly and returns its cases. */
export function onlyAnomaly(verdict: Verdict, name: AnomalyName) {
  expect(verdict.errors).toEqual([])
  expect(Object.keys(verdict.anomalies)).toEqual([name])
  expect(verdict.valid).toBe(false)
  return verdict.anomalies[name]!
}

/** Asserts the verdict is valid: no anomaly, no checker error. */
export function expectValid(verdict: Verdict): void {
  expect(verdict.errors).toEqual([])
  expect(verdict.anomalies).toEqual({})
  expect(verdict.valid).toBe(true)
}
