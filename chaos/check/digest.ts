/**
 * One pass over a history that turns ops into the plain facts every checker needs: which values
 * were sent with which outcome, what each ok poll read, when a consumer's position was reset,
 * which offsets were committed, and the transform topology. Checkers work on this digest (and on
 * the version order built from it) instead of re-parsing op values each.
 *
 * Sends and poll records are kept in typed-array columns (event-store.ts), about 40 bytes per
 * op of a typical history, and handed to checkers as lists that build each event object as it
 * is iterated: a checker that needs an event later keeps its own copy of what it needs.
 */
import { HistoryError, validateOp } from './history.ts'
import type { Op, Process } from './history.ts'
import { decodeCommit, decodeMicroOps, decodeRebalanceProcess, decodeTransform } from './op-values.ts'
import type { Commit, MicroOp } from './op-values.ts'
import { KeyTable } from './columns.ts'
import { PollColumns, pollEvents, ResetColumns, SendColumns, sendEvents, sendOpEvents, timelineEvents } from './event-store.ts'
import type { EventColumns, EventList, OpTimes, PollEvent, ResetEvent, SendEvent, SendOpEvent } from './event-store.ts'

export type { OpTimes, PollEvent, ResetEvent, SendEvent, SendOpEvent }

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
  /** Every send of a completed send or txn op, in history order. */
  sends: EventList<SendEvent>
  sendOps: EventList<SendOpEvent>
  /** Completed ops that returned records, in history order. */
  polls: EventList<PollEvent>
  /** Polls and resets in history order, for the poll-order checkers. */
  consumerTimeline: EventList<PollEvent | ResetEvent>
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

/** The digest being built and the columns its event lists read. */
interface Building {
  digest: Digest
  columns: EventColumns
}

/** The envelope of a completed op, as the digest files it. */
export interface OpHead {
  index: number
  process: Process
  type: 'ok' | 'fail' | 'info'
  f: Op['f']
  final?: boolean
  timeNs: number
}

/**
 * Counts a completed send, poll or txn op into the stats, as the digest does: the bounded
 * check (bounded-check.ts) counts the whole history with this while its keys go to buckets.
 */
export function tallyMicroOps(stats: DigestStats, op: OpHead, micros: readonly MicroOp[]): void {
  let sendCount = 0
  let records = 0
  let readKeys = false
  for (const micro of micros) {
    if (micro.f === 'send') {
      sendCount++
      continue
    }
    if (micro.reads.size > 0) readKeys = true
    for (const list of micro.reads.values()) records += list.length
  }
  if (op.type === 'ok') stats.sendsOk += sendCount
  else if (op.type === 'fail') stats.sendsFail += sendCount
  else stats.sendsInfo += sendCount
  // A poll that returned nothing changes no position and proves nothing: counted, not kept,
  // which matters in long runs where most polls of a caught-up consumer are empty.
  if (readKeys || (op.f === 'poll' && op.type === 'ok')) {
    if (op.type === 'ok') stats.polls++
    if (op.final === true && op.type === 'ok') stats.pollsFinal++
    stats.valuesRead += records
  }
}

/** True when a completed op restarts its process's poll order (see addSendsAndPolls). */
export function resetsPollOrder(op: OpHead): boolean {
  return op.type !== 'ok' && op.f !== 'send'
}

function addSendsAndPolls(b: Building, op: OpHead, micros: readonly MicroOp[], invokeNs: number): void {
  const type = op.type
  const { sends, polls, keys } = b.columns
  let sendCount = 0
  let pollRow = -1
  for (const micro of micros) {
    if (micro.f === 'send') {
      if (sendCount++ === 0) sends.startOp(op.index, op.process, type, invokeNs, op.timeNs)
      // A failed send's offset is not a fact; an `info` send's offset, when the client learnt
      // one, counts once the send is proven committed.
      sends.pushSend(keys.id(micro.key), micro.value, type === 'fail' ? null : micro.offset, type === 'ok')
      continue
    }
    for (const [key, list] of micro.reads) {
      if (list.length === 0) continue
      if (pollRow === -1) {
        polls.startPoll(op.index, op.process, type, op.f === 'txn', op.final === true, invokeNs, op.timeNs)
        pollRow = polls.op.length - 1
      }
      const keyId = keys.id(key)
      for (const [offset, value] of list) polls.pushRecord(keyId, offset, value)
    }
  }
  tallyMicroOps(b.digest.stats, op, micros)
  // After a failed or indeterminate op a client rolls its consumer back (or sets it up again),
  // so the process's next poll is not a continuation: poll-order tracking restarts.
  if (resetsPollOrder(op)) b.columns.resets.push(op.index, op.process)
}

/**
 * Marks `info` sends that must have committed: an ok read observed the value, or, in a
 * transaction (all or nothing), any value the transaction wrote. As in Jepsen's Kafka checker.
 * Only the values of `info` sends are looked up, so this keeps little beside the columns.
 */
function markCommitted(b: Building, txnsRead: Set<number>): void {
  const { sends, polls } = b.columns
  const wanted = new Map<number, Set<number>>()
  for (let i = 0; i < sends.sendCount; i++) {
    if (sends.outcome(sends.row.get(i)) !== 'info') continue
    const keyId = sends.keyId.get(i)
    let values = wanted.get(keyId)
    if (values === undefined) wanted.set(keyId, (values = new Set()))
    values.add(sends.value.get(i))
  }
  if (wanted.size === 0) return
  const read = new Map<number, Set<number>>()
  for (let row = 0; row < polls.op.length; row++) {
    if (polls.outcome(row) !== 'ok') continue
    for (let i = polls.first.get(row), end = polls.recordEnd(row); i < end; i++) {
      const keyId = polls.keyId.get(i)
      const value = polls.value.get(i)
      if (wanted.get(keyId)?.has(value) !== true) continue
      let values = read.get(keyId)
      if (values === undefined) read.set(keyId, (values = new Set()))
      values.add(value)
    }
  }
  const wasRead = (i: number): boolean => read.get(sends.keyId.get(i))?.has(sends.value.get(i)) === true
  for (let row = 0; row < sends.op.length; row++) {
    if (sends.outcome(row) !== 'info') continue
    const first = sends.first.get(row)
    const end = sends.sendEnd(row)
    let anyRead = false
    const op = sends.op.get(row)
    if (b.digest.txnOps.has(op)) {
      anyRead = txnsRead.has(op)
      for (let i = first; i < end && !anyRead; i++) anyRead = wasRead(i)
      if (anyRead) txnsRead.add(op)
    }
    for (let i = first; i < end; i++) sends.committed.set(i, anyRead || wasRead(i) ? 1 : 0)
  }
}

/** Adds a `transform` op's mapping to `transform`; throws when it clashes with what is there. */
export function addTransform(transform: Map<string, string>, op: Op): void {
  const mapping = decodeTransform(op)
  if (mapping === null) return
  const outputs = new Set(transform.values())
  for (const [input, output] of mapping) {
    const known = transform.get(input)
    if (known === output) continue
    // One output key per input key, and no key on both sides: otherwise output values of two
    // inputs could collide and a duplicate could not be told from two different inputs.
    const remapped = known !== undefined
    const sharedOutput = outputs.has(output)
    const bothSides = output === input || transform.has(output) || outputs.has(input)
    if (remapped || sharedOutput || bothSides) {
      throw new HistoryError(
        `op ${op.index}: transform maps "${input}" -> "${output}", which clashes with an earlier mapping or uses a key both as input and output`,
        { field: 'value.keys' },
      )
    }
    transform.set(input, output)
    outputs.add(output)
  }
}

/**
 * Builds the digest one op at a time, so a history file can be checked without holding its
 * ops: only the facts checkers need are kept, in typed-array columns. Throws a HistoryError on
 * a malformed op.
 */
export class Digester {
  readonly #building: Building
  /** Invoke time of each process's op in flight. */
  readonly #invokedNs = new Map<Process, number>()
  #lastIndex = -1

  constructor() {
    const columns: EventColumns = { keys: new KeyTable(), sends: new SendColumns(), polls: new PollColumns(), resets: new ResetColumns() }
    const digest: Digest = {
      sends: sendEvents(columns),
      sendOps: sendOpEvents(columns),
      polls: pollEvents(columns),
      consumerTimeline: timelineEvents(columns),
      commits: [],
      transform: new Map(),
      txnOps: new Set(),
      stats: emptyStats(0),
    }
    this.#building = { digest, columns }
  }

  /** Adds the next op; its index must be greater than the previous op's. */
  add(op: Op): void {
    const stats = this.#building.digest.stats
    if (op.index <= this.#lastIndex) {
      throw new HistoryError(`op ${op.index} (entry ${stats.ops}) does not come after op ${this.#lastIndex}: indexes must strictly increase`, {
        field: 'index',
      })
    }
    this.#lastIndex = op.index
    stats.ops++
    if (op.type === 'invoke') {
      this.#invokedNs.set(op.process, op.timeNs)
      return
    }
    const invokeNs = this.#invokedNs.get(op.process) ?? -1
    this.#invokedNs.delete(op.process)
    addOp(this.#building, op, invokeNs)
  }

  /**
   * Adds a completed op already decoded (the bounded check's buckets hold ops that way): its
   * micro-ops, possibly only those of some keys, and its invoke time.
   */
  addDecoded(op: OpHead, micros: readonly MicroOp[], invokeNs: number): void {
    this.#building.digest.stats.ops++
    if (op.f === 'txn') this.#building.digest.txnOps.add(op.index)
    addSendsAndPolls(this.#building, op, micros, invokeNs)
  }

  /** Adds an op that restarts a process's poll order and carries nothing else for the checkers. */
  addReset(index: number, process: Process): void {
    this.#building.digest.stats.ops++
    this.#building.columns.resets.push(index, process)
  }

  /**
   * Ends the digest. `txnsRead`: indeterminate transactions known to have committed (a read
   * of one of their values elsewhere); on return it also holds those this digest proved.
   */
  finish(txnsRead = new Set<number>()): Digest {
    const { digest, columns } = this.#building
    for (const store of [columns.sends, columns.polls, columns.resets]) store.trim()
    digest.stats.keys = columns.keys.size
    markCommitted(this.#building, txnsRead)
    return digest
  }
}

/** Adds a completion (or a standalone op such as a nemesis event). */
function addOp(b: Building, op: Op, invokeNs: number): void {
  const digest = b.digest
  switch (op.f) {
    case 'send':
    case 'poll':
    case 'txn':
      if (op.f === 'txn') digest.txnOps.add(op.index)
      addSendsAndPolls(b, op as OpHead, decodeMicroOps(op), invokeNs)
      break
    case 'assign':
    case 'subscribe':
      b.columns.resets.push(op.index, op.process)
      break
    case 'crash':
      // A crash is one event: its invoke (skipped above) is not counted again.
      digest.stats.crashes++
      b.columns.resets.push(op.index, op.process)
      break
    case 'rebalance':
      digest.stats.rebalances++
      b.columns.resets.push(op.index, decodeRebalanceProcess(op))
      break
    case 'commit':
      if (op.type !== 'ok') break
      digest.stats.commits++
      digest.commits.push({ ...decodeCommit(op), op: op.index, process: op.process })
      break
    case 'transform':
      addTransform(digest.transform, op)
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
