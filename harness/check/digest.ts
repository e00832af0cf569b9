/**
 * One pass over a history that turns ops into the plain facts every checker needs: which values
 * were sent with which outcome, what each ok poll read, when a consumer's position was reset,
 * which offsets were committed, and the transform topology. Checkers work on this digest (and on
 * the version order built from it) instead of re-parsing op values each.
 */
import { assertIndexesIncrease, HistoryError, validateOp } from './history.ts'
import type { Op, Process } from './history.ts'
import { decodeCommit, decodeMicroOps, decodeRebalanceProcess, decodeTransform } from './op-values.ts'
import type { Commit } from './op-values.ts'

export interface SendEvent {
  key: string
  value: number
  offset: number | null
  /** Outcome of the op carrying the send; for a `txn`, the outcome of the transaction. */
  type: 'ok' | 'fail' | 'info'
  process: Process
  /** Index of the completion op. */
  op: number
}

/** The sends of one completed send or txn op, in micro-op order. */
export interface SendOpEvent {
  op: number
  process: Process
  type: 'ok' | 'fail' | 'info'
  sends: SendEvent[]
}

/** An ok op that returned poll results (a `poll`, or a `txn` containing polls). */
export interface PollEvent {
  kind: 'poll'
  op: number
  process: Process
  final: boolean
  /** key -> [offset, value] in the order read, all poll micro-ops of the op concatenated. */
  reads: Map<string, Array<[number, number]>>
}

/** Something after which a consumer's position may legally jump: poll order restarts. */
export interface ResetEvent {
  kind: 'reset'
  op: number
  process: Process
}

export interface CommitEvent extends Commit {
  op: number
  process: Process
}

export interface DigestStats {
  ops: number
  sendsOk: number
  sendsFail: number
  sendsInfo: number
  polls: number
  pollsFinal: number
  keys: number
  valuesRead: number
  commits: number
  rebalances: number
  crashes: number
  nemesisOps: number
}

export interface Digest {
  sends: SendEvent[]
  sendOps: SendOpEvent[]
  polls: PollEvent[]
  /** Polls and resets in history order, for the poll-order checkers. */
  consumerTimeline: Array<PollEvent | ResetEvent>
  commits: CommitEvent[]
  /** inputKey -> outputKey of a consume-transform-produce run; empty otherwise. */
  transform: Map<string, string>
  stats: DigestStats
}

export function emptyStats(ops: number): DigestStats {
  return {
    ops, sendsOk: 0, sendsFail: 0, sendsInfo: 0, polls: 0, pollsFinal: 0, keys: 0, valuesRead: 0,
    commits: 0, rebalances: 0, crashes: 0, nemesisOps: 0,
  }
}

function addSendsAndPolls(digest: Digest, op: Op, keys: Set<string>): void {
  if (op.type === 'invoke') return
  const type = op.type
  const sends: SendEvent[] = []
  const reads = new Map<string, Array<[number, number]>>()
  for (const micro of decodeMicroOps(op)) {
    if (micro.f === 'send') {
      sends.push({ key: micro.key, value: micro.value, offset: type === 'ok' ? micro.offset : null, type, process: op.process, op: op.index })
      keys.add(micro.key)
      continue
    }
    for (const [key, records] of micro.reads) {
      const existing = reads.get(key)
      if (existing === undefined) reads.set(key, [...records])
      else for (const record of records) existing.push(record)
    }
  }
  if (sends.length > 0) {
    digest.sendOps.push({ op: op.index, process: op.process, type, sends })
    for (const send of sends) digest.sends.push(send)
    const stats = digest.stats
    if (type === 'ok') stats.sendsOk += sends.length
    else if (type === 'fail') stats.sendsFail += sends.length
    else stats.sendsInfo += sends.length
  }
  // Reads are only facts when the op succeeded; an `info` poll may have moved the consumer's
  // position without telling us, so its process restarts poll-order tracking.
  if (type === 'info' && op.f !== 'send') digest.consumerTimeline.push({ kind: 'reset', op: op.index, process: op.process })
  const returnedPolls = op.f === 'poll' || reads.size > 0
  if (type !== 'ok' || !returnedPolls) return
  const poll: PollEvent = { kind: 'poll', op: op.index, process: op.process, final: op.final === true, reads }
  digest.polls.push(poll)
  digest.consumerTimeline.push(poll)
  digest.stats.polls++
  if (poll.final) digest.stats.pollsFinal++
  for (const [key, records] of reads) {
    keys.add(key)
    digest.stats.valuesRead += records.length
  }
}

function addTransform(digest: Digest, op: Op): void {
  const mapping = decodeTransform(op)
  if (mapping === null) return
  const outputs = new Set(digest.transform.values())
  for (const [input, output] of mapping) {
    const known = digest.transform.get(input)
    if (known === output) continue
    // One output key per input key, and no key on both sides: otherwise output values of two
    // inputs could collide and a duplicate could not be told from two different inputs.
    const remapped = known !== undefined
    const sharedOutput = outputs.has(output)
    const bothSides = output === input || digest.transform.has(output) || outputs.has(input)
    if (remapped || sharedOutput || bothSides) {
      throw new HistoryError(
        `op ${op.index}: transform maps "${input}" -> "${output}", which clashes with an earlier mapping or uses a key both as input and output`,
        { field: 'value.keys' },
      )
    }
    digest.transform.set(input, output)
    outputs.add(output)
  }
}

/** Builds the digest. Throws a HistoryError on a malformed op. */
export function digestHistory(ops: readonly Op[]): Digest {
  assertIndexesIncrease(ops)
  const digest: Digest = {
    sends: [], sendOps: [], polls: [], consumerTimeline: [], commits: [], transform: new Map(), stats: emptyStats(ops.length),
  }
  const keys = new Set<string>()
  for (const op of ops) {
    // In-memory histories skip the file reader's validation; an op of unknown type or f must
    // make the verdict unknown rather than be silently miscounted.
    validateOp(op)
    switch (op.f) {
      case 'send':
      case 'poll':
      case 'txn':
        addSendsAndPolls(digest, op, keys)
        break
      case 'assign':
      case 'subscribe':
        digest.consumerTimeline.push({ kind: 'reset', op: op.index, process: op.process })
        break
      case 'crash':
        digest.stats.crashes++
        digest.consumerTimeline.push({ kind: 'reset', op: op.index, process: op.process })
        break
      case 'rebalance':
        digest.stats.rebalances++
        digest.consumerTimeline.push({ kind: 'reset', op: op.index, process: decodeRebalanceProcess(op) })
        break
      case 'commit':
        if (op.type !== 'ok') break
        digest.stats.commits++
        digest.commits.push({ ...decodeCommit(op), op: op.index, process: op.process })
        break
      case 'transform':
        addTransform(digest, op)
        break
      case 'nemesis':
        digest.stats.nemesisOps++
        break
    }
  }
  digest.stats.keys = keys.size
  return digest
}
