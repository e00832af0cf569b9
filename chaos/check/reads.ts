/**
 * What ok polls read of each key (as in Jepsen, only reads of ops that succeeded count as seen): the set of values and the highest offset read (with the op that
 * read it). Shared by the lost-write and unseen checkers, which must agree on what was "seen".
 */
import type { Digest } from './digest.ts'

export interface KeyReads {
  values: Set<number>
  offsetMax: number
  /** Index of the first op that read `offsetMax`. */
  offsetMaxOp: number
}

export function summarizeReads(digest: Digest): Map<string, KeyReads> {
  const reads = new Map<string, KeyReads>()
  for (const poll of digest.polls) {
    if (poll.type !== 'ok') continue
    for (const [key, records] of poll.reads) {
      let keyReads = reads.get(key)
      for (const [offset, value] of records) {
        if (keyReads === undefined) {
          keyReads = { values: new Set(), offsetMax: offset, offsetMaxOp: poll.op }
          reads.set(key, keyReads)
        }
        keyReads.values.add(value)
        if (offset > keyReads.offsetMax) {
          keyReads.offsetMax = offset
          keyReads.offsetMaxOp = poll.op
        }
      }
    }
  }
  return reads
}

/**
 * True when an acknowledged write sits at or below the highest offset anyone read of its key but
 * was never read itself: readers went past it, so it cannot be merely "not read yet".
 */
export function isLost(reads: KeyReads | undefined, value: number, offset: number | null): boolean {
  if (reads === undefined || offset === null || reads.values.has(value)) return false
  return offset <= reads.offsetMax
}
