// A seeded generator of long, clean histories in the harness's format, for checking the
// checker at scale without a chaos run: processes send unique increasing values to keys
// (most ok, some `info` that were or were not written, some `fail` that were not), poll the
// keys they assigned from where they left off, retire after an `info` op and come back as
// fresh processes that assign again; the history ends with final polls reading every key
// from the start. Every invariant holds, so a correct checker finds it valid. Ops are
// yielded one at a time and the generator keeps only the keys' logs (4 bytes per written
// value), so a history of tens of millions of ops can be streamed to a file.

import type { Op } from '../check/history.ts'
import { Prng } from './prng.ts'

export interface SyntheticOptions {
  seed: number
  /** Ops before the final polls (invokes and completions both count). */
  ops: number
  processes?: number
  keys?: number
  /** Records returned per poll at most. */
  pollRecordsMax?: number
}

const SEND_INFO_P = 0.01
const SEND_FAIL_P = 0.005
const FINAL_POLL_RECORDS_MAX = 1000

/** A growable list of int32 values: one key's log (value at each offset). */
class IntLog {
  #values = new Int32Array(64)
  length = 0
  push (value: number): void {
    if (this.length === this.#values.length) {
      const grown = new Int32Array(this.#values.length * 2)
      grown.set(this.#values)
      this.#values = grown
    }
    this.#values[this.length++] = value
  }

  at (offset: number): number {
    return this.#values[offset]!
  }
}

interface Slot {
  process: number
  /** key index -> next offset to read */
  positions: Int32Array
}

export function * syntheticHistory (options: SyntheticOptions): Generator<Op> {
  const prng = new Prng(options.seed)
  const processes = options.processes ?? 8
  const keyCount = options.keys ?? 32
  const pollRecordsMax = options.pollRecordsMax ?? 4
  const logs = Array.from({ length: keyCount }, () => new IntLog())
  const nextValue = new Int32Array(keyCount)
  let index = 0
  let nextProcess = 0
  const op = (process: number, type: Op['type'], f: Op['f'], value: unknown, final = false): Op => {
    const made: Op = { index, timeNs: index * 1000, process, type, f, value }
    if (final) made.final = true
    index++
    return made
  }
  const keysOfAll = Array.from({ length: keyCount }, (_, k) => String(k))
  function * freshSlot (): Generator<Op, Slot> {
    const slot = { process: nextProcess++, positions: new Int32Array(keyCount) }
    yield op(slot.process, 'invoke', 'assign', { keys: keysOfAll })
    yield op(slot.process, 'ok', 'assign', { keys: keysOfAll })
    return slot
  }
  const slots: Slot[] = []
  for (let i = 0; i < processes; i++) slots.push(yield * freshSlot())

  while (index < options.ops) {
    const s = prng.int(processes)
    const slot = slots[s]!
    const k = prng.int(keyCount)
    const key = String(k)
    if (prng.chance(0.5)) {
      const value = ++nextValue[k]!
      yield op(slot.process, 'invoke', 'send', [['send', key, value]])
      const roll = prng.float()
      if (roll < SEND_FAIL_P) {
        yield op(slot.process, 'fail', 'send', [['send', key, [null, value]]])
      } else if (roll < SEND_FAIL_P + SEND_INFO_P) {
        // Written or not: an indeterminate send may have reached the log.
        if (prng.chance(0.5)) logs[k]!.push(value)
        yield op(slot.process, 'info', 'send', [['send', key, [null, value]]])
        slots[s] = yield * freshSlot()
      } else {
        logs[k]!.push(value)
        yield op(slot.process, 'ok', 'send', [['send', key, [logs[k]!.length - 1, value]]])
      }
      continue
    }
    const from = slot.positions[k]!
    const to = Math.min(logs[k]!.length, from + 1 + prng.int(pollRecordsMax))
    const records: Array<[number, number]> = []
    for (let offset = from; offset < to; offset++) records.push([offset, logs[k]!.at(offset)])
    slot.positions[k] = to
    yield op(slot.process, 'invoke', 'poll', [['poll']])
    yield op(slot.process, 'ok', 'poll', [['poll', records.length === 0 ? {} : { [key]: records }]])
  }
  const reader = nextProcess++
  for (let k = 0; k < keyCount; k++) {
    const log = logs[k]!
    for (let from = 0; from < log.length || from === 0; from += FINAL_POLL_RECORDS_MAX) {
      const records: Array<[number, number]> = []
      for (let offset = from; offset < Math.min(log.length, from + FINAL_POLL_RECORDS_MAX); offset++) records.push([offset, log.at(offset)])
      yield op(reader, 'invoke', 'poll', [['poll']], true)
      yield op(reader, 'ok', 'poll', [['poll', { [String(k)]: records }]], true)
      if (log.length === 0) break
    }
  }
}
