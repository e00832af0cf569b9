/**
 * One pass over a history that turns ops into the plain facts every checker needs: which values
 * were sent with which outcome, what each ok poll read, when a consumer's position was reset,
 * which offsets were committed, and the transform topology. Checkers work on this digest (and on
 * the version order built from it) instead of re-parsing op values each.
 */
import { HistoryError, validateOp } from './history.ts'
import type { Op, Process } from './history.ts'
import { decodeCommit, decodeMicroOps, decodeRebalanceProcess, decodeTransform } from './op-values.ts'
import type { Commit } from './op-values.ts'

export interface SendEvent {
  key: string
  value: number
  offset: number | null
  /** Outcome of the op carrying the send; for a `txn`, the outcome of the transaction. */
  type: 'ok' | 'fail' | 'info'
  /**
   * Known to have taken effect: the op ended ok, or it ended `info` and an ok read observed
   * this value (or, for a `txn`, any value the transaction wrote). Set by `finishDigest`.
   */
  committed: boolean
  process: Process
  /** Index of the completion op. */
  op: number
}

/** When an op was invoked and completed (ns since the run began), for real-time order. */
export interface OpTimes {
  /** -1 when the history has no invoke for the op: it is then ordered after nothing. */
  invokeNs: number
  completeNs: number
}

/** The sends of one completed send or txn op, in micro-op order. */
export interface SendOpEvent extends OpTimes {
  op: number
  process: Process
  type: 'ok' | 'fail' | 'info'
  sends: SendEvent[]
}

/**
 * A completed op that returned poll results (a `poll`, or a `txn` containing polls), whatever
 * its outcome: what a poll returned is a fact even when the op ended `fail` or `info`.
 */
export interface PollEvent extends OpTimes {
  kind: 'poll'
  op: number
  process: Process
  type: 'ok' | 'fail' | 'info'
  /** The op's `f`: reads inside a `txn` belong to a transaction. */
  f: 'poll' | 'txn'
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
  /** Indexes of completed `txn` ops. */
  txnOps: Set<number>
  stats: DigestStats
}

export function emptyStats(ops: number): DigestStats {
  return {
    ops, sendsOk: 0, sendsFail: 0, sendsInfo: 0, polls: 0, pollsFinal: 0, keys: 0, valuesRead: 0,
    commits: 0, rebalances: 0, crashes: 0, nemesisOps: 0,
  }
}

function addSendsAndPolls(digest: Digest, op: Op, keys: Map<string, string>, invokeNs: number): void {
  if (op.type === 'invoke') return
  const type = op.type
  const times: OpTimes = { invokeNs, completeNs: op.timeNs }
  const sends: SendEvent[] = []
  const reads = new Map<string, Array<[number, number]>>()
  for (const micro of decodeMicroOps(op)) {
    if (micro.f === 'send') {
      // A failed send's offset is not a fact; an `info` send's offset, when the client learnt
      // one, counts once the send is proven committed.
      const offset = type === 'fail' ? null : micro.offset
      sends.push({ key: intern(keys, micro.key), value: micro.value, offset, type, committed: type === 'ok', process: op.process, op: op.index })
      continue
    }
    for (const [key, records] of micro.reads) {
      const existing = reads.get(key)
      if (existing === undefined) reads.set(intern(keys, key), records)
      else for (const record of records) existing.push(record)
    }
  }
  if (sends.length > 0) {
    // slice() keeps the list exactly as long as it is (push() left spare capacity).
    digest.sendOps.push({ op: op.index, process: op.process, type, sends: sends.slice(), ...times })
    for (const send of sends) digest.sends.push(send)
    const stats = digest.stats
    if (type === 'ok') stats.sendsOk += sends.length
    else if (type === 'fail') stats.sendsFail += sends.length
    else stats.sendsInfo += sends.length
  }
  const returnedPolls = reads.size > 0 || (op.f === 'poll' && type === 'ok')
  if (returnedPolls) addPoll(digest, op, type, reads, times)
  // After a failed or indeterminate op a client rolls its consumer back (or sets it up again),
  // so the process's next poll is not a continuation: poll-order tracking restarts.
  if (type !== 'ok' && op.f !== 'send') digest.consumerTimeline.push({ kind: 'reset', op: op.index, process: op.process })
}

function addPoll(digest: Digest, op: Op, type: 'ok' | 'fail' | 'info', reads: Map<string, Array<[number, number]>>, times: OpTimes): void {
  const f = op.f === 'txn' ? 'txn' : 'poll'
  const final = op.final === true
  if (type === 'ok') digest.stats.polls++
  if (final && type === 'ok') digest.stats.pollsFinal++
  let records = 0
  for (const list of reads.values()) records += list.length
  digest.stats.valuesRead += records
  // A poll that returned nothing changes no position and proves nothing: counted, not kept,
  // which matters in long runs where most polls of a caught-up consumer are empty.
  if (records === 0) return
  const poll: PollEvent = { kind: 'poll', op: op.index, process: op.process, type, f, final, reads, ...times }
  digest.polls.push(poll)
  digest.consumerTimeline.push(poll)
}

/** One string object per key however many ops name it: keys repeat in every op of a long history. */
function intern(keys: Map<string, string>, key: string): string {
  const known = keys.get(key)
  if (known !== undefined) return known
  keys.set(key, key)
  return key
}

/**
 * Marks `info` sends that must have committed: an ok read observed the value, or, in a
 * transaction (all or nothing), any value the transaction wrote. As in Jepsen's Kafka checker.
 */
function markCommitted(digest: Digest): void {
  const okReads = new Map<string, Set<number>>()
  for (const poll of digest.polls) {
    if (poll.type !== 'ok') continue
    for (const [key, records] of poll.reads) {
      let values = okReads.get(key)
      if (values === undefined) okReads.set(key, (values = new Set()))
      for (const [, value] of records) values.add(value)
    }
  }
  const wasRead = (send: SendEvent): boolean => okReads.get(send.key)?.has(send.value) === true
  for (const sendOp of digest.sendOps) {
    if (sendOp.type !== 'info') continue
    const transactional = digest.txnOps.has(sendOp.op)
    const anyRead = transactional && sendOp.sends.some(wasRead)
    for (const send of sendOp.sends) send.committed = anyRead || wasRead(send)
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

/**
 * Builds the digest one op at a time, so a history file can be checked without holding its
 * ops: only the facts checkers need are kept. Throws a HistoryError on a malformed op.
 */
export class Digester {
  readonly #digest: Digest = {
    sends: [], sendOps: [], polls: [], consumerTimeline: [], commits: [], transform: new Map(), txnOps: new Set(), stats: emptyStats(0),
  }
  readonly #keys = new Map<string, string>()
  /** Invoke time of each process's op in flight. */
  readonly #invokedNs = new Map<Process, number>()
  #lastIndex = -1

  /** Adds the next op; its index must be greater than the previous op's. */
  add(op: Op): void {
    if (op.index <= this.#lastIndex) {
      throw new HistoryError(`op ${op.index} (entry ${this.#digest.stats.ops}) does not come after op ${this.#lastIndex}: indexes must strictly increase`, {
        field: 'index',
      })
    }
    this.#lastIndex = op.index
    this.#digest.stats.ops++
    if (op.type === 'invoke') {
      this.#invokedNs.set(op.process, op.timeNs)
      return
    }
    const invokeNs = this.#invokedNs.get(op.process) ?? -1
    this.#invokedNs.delete(op.process)
    addOp(this.#digest, op, this.#keys, invokeNs)
  }

  finish(): Digest {
    this.#digest.stats.keys = this.#keys.size
    markCommitted(this.#digest)
    return this.#digest
  }
}

/** Adds a completion (or a standalone op such as a nemesis event). */
function addOp(digest: Digest, op: Op, keys: Map<string, string>, invokeNs: number): void {
  switch (op.f) {
    case 'send':
    case 'poll':
    case 'txn':
      if (op.f === 'txn') digest.txnOps.add(op.index)
      addSendsAndPolls(digest, op, keys, invokeNs)
      break
    case 'assign':
    case 'subscribe':
      digest.consumerTimeline.push({ kind: 'reset', op: op.index, process: op.process })
      break
    case 'crash':
      // A crash is one event: its invoke (skipped above) is not counted again.
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

/** Builds the digest of ops held in memory. Throws a HistoryError on a malformed op. */
export function digestHistory(ops: readonly Op[]): Digest {
  const digester = new Digester()
  // In-memory histories skip the file reader's validation; an op of unknown type or f must
  // make the verdict unknown rather than be silently miscounted.
  for (const op of ops) digester.add(validateOp(op))
  return digester.finish()
}
