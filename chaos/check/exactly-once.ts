/**
 * exactly-once, for consume-transform-produce runs (topology declared by a `transform` op, see
 * history.ts): every acknowledged input value appears in its output key exactly once, and no
 * consumer group's committed offset for a partition ever moves backwards.
 *
 * Cases carry a `kind`:
 * - missing: an acknowledged input value never appeared in the output (decided only when the
 *   history has final polls; `key` is the input key);
 * - duplicated: an output value at more than one offset of the output key;
 * - unexpected: an output value whose input send failed or was never made;
 * - commit-backwards: a group committed a lower offset for a partition than before. Checked on
 *   every history with commits, since a backwards commit re-delivers records in any run.
 * Inputs whose send ended `info` may appear once or not at all.
 */
import { addCase, sortedKeys } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import type { CommitEvent, SendEvent } from './digest.ts'
import { hasFinalPolls } from './unseen.ts'
import { valueObservers } from './duplicates.ts'
import { observersAt, offsetsOf, want } from './version-order.ts'

/**
 * Commit-backwards, one commit at a time: keeps only the last committed offset per group and
 * partition, so the bounded check (bounded-check.ts) can judge commits as it streams a history.
 */
export class CommitOrder {
  readonly #last = new Map<string, { offset: number, op: number }>()

  add(commit: CommitEvent, findings: Findings): void {
    for (const [partition, offset] of commit.offsets) {
      const slot = `${commit.group}\u0000${partition}`
      const previous = this.#last.get(slot)
      this.#last.set(slot, { offset, op: commit.op })
      if (previous === undefined || offset >= previous.offset) continue
      addCase(findings, 'exactly-once', {
        kind: 'commit-backwards',
        group: commit.group,
        partition,
        values: [],
        offsets: [previous.offset, offset],
        ops: [previous.op, commit.op],
        process: commit.process,
        note: `group "${commit.group}" moved its committed offset for "${partition}" back from ${previous.offset} to ${offset}`,
      })
    }
  }
}

function checkCommits(context: CheckContext, findings: Findings): void {
  const order = new CommitOrder()
  for (const commit of context.digest.commits) order.add(commit, findings)
}

function inputsOf(sends: Iterable<SendEvent>, inputKeys: ReadonlyMap<string, string>): Map<string, { acked: Map<number, SendEvent>; maybe: Set<number> }> {
  const inputs = new Map<string, { acked: Map<number, SendEvent>; maybe: Set<number> }>()
  for (const key of inputKeys.keys()) inputs.set(key, { acked: new Map(), maybe: new Set() })
  for (const send of sends) {
    const input = inputs.get(send.key)
    if (input === undefined) continue
    if (send.type === 'ok' && !input.acked.has(send.value)) input.acked.set(send.value, send)
    else if (send.type === 'info') input.maybe.add(send.value)
  }
  return inputs
}

function checkOutputs(context: CheckContext, findings: Findings): void {
  const { transform } = context.digest
  const inputs = inputsOf(context.digest.sends, transform)
  const missingDecidable = hasFinalPolls(context)
  // Output values seen more than once or never sent need evidence: one scan finds their ops.
  const suspects = new Map<string, number[]>()
  const wanted = new Map<string, Set<number>>()
  for (const [inputKey, outputKey] of transform) {
    const output = context.order.get(outputKey)
    if (output === undefined) continue
    const { acked, maybe } = inputs.get(inputKey)!
    const values = [...output.offsetOf.keys()].filter((value) => output.moreOffsetsOf.has(value) || !(acked.has(value) || maybe.has(value)))
    suspects.set(outputKey, values.sort((a, b) => a - b))
    for (const value of values) for (const offset of offsetsOf(output, value)) want(wanted, outputKey, offset)
  }
  const observers = wanted.size === 0 ? new Map() : observersAt(context.digest, wanted)
  for (const inputKey of sortedKeys(transform)) {
    const outputKey = transform.get(inputKey)!
    const { acked, maybe } = inputs.get(inputKey)!
    const output = context.order.get(outputKey)
    for (const value of suspects.get(outputKey) ?? []) {
      const offsets = offsetsOf(output!, value)
      const known = acked.has(value) || maybe.has(value)
      addCase(findings, 'exactly-once', {
        kind: known ? 'duplicated' : 'unexpected',
        key: outputKey,
        values: [value],
        offsets,
        ops: valueObservers(observers, outputKey, offsets, value),
        note: known
          ? `input value ${value} of "${inputKey}" appears ${offsets.length} times in output "${outputKey}"`
          : `output value ${value} was never successfully sent to input "${inputKey}"`,
      })
    }
    if (!missingDecidable) continue
    for (const value of [...acked.keys()].sort((a, b) => a - b)) {
      if (output?.offsetOf.has(value) === true) continue
      const send = acked.get(value)!
      addCase(findings, 'exactly-once', {
        kind: 'missing',
        key: inputKey,
        values: [value],
        offsets: [send.offset],
        ops: [send.op],
        process: send.process,
        note: `acknowledged input value ${value} never appeared in output "${outputKey}"`,
      })
    }
  }
}

export function checkExactlyOnce(context: CheckContext): Findings {
  const findings: Findings = {}
  checkCommits(context, findings)
  checkOutputs(context, findings)
  return findings
}

export const exactlyOnceChecker: Checker = { name: 'exactly-once', check: checkExactlyOnce }
