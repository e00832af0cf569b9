/**
 * Where the digest keeps its sends and polls: in typed-array columns (columns.ts), about 25
 * bytes a send and 20 a record read, not as objects. Checkers still see plain event objects:
 * each pass builds them afresh, one at a time, and lets them go (young-generation garbage is
 * cheap; a long-lived object per op is what made long histories run out of memory).
 */
import { Float64Column, Int32Column, IntegerColumn, KeyTable, Uint8Column } from './columns.ts'
import type { Process } from './history.ts'

export type Outcome = 'ok' | 'fail' | 'info'
const OUTCOMES: readonly Outcome[] = ['ok', 'fail', 'info']
const NEMESIS = -1
const NO_OFFSET = -1

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

/** A list the digest hands to checkers: its length, and its events, built as iterated. */
export interface EventList<T> extends Iterable<T> {
  readonly length: number
}

export function encodeProcess (process: Process): number { return process === 'nemesis' ? NEMESIS : process }
export function decodeProcess (code: number): Process { return code === NEMESIS ? 'nemesis' : code }
export function encodeOutcome (type: Outcome): number { return OUTCOMES.indexOf(type) }

/** Fields common to completed ops: index, process, outcome and times. */
export class OpColumns {
  readonly op = new IntegerColumn()
  readonly process = new Int32Column()
  readonly type = new Uint8Column()
  readonly invokeNs = new Float64Column()
  readonly completeNs = new Float64Column()

  pushOp (op: number, process: Process, type: Outcome, invokeNs: number, completeNs: number): void {
    this.op.push(op)
    this.process.push(encodeProcess(process))
    this.type.push(encodeOutcome(type))
    this.invokeNs.push(invokeNs)
    this.completeNs.push(completeNs)
  }

  outcome (i: number): Outcome { return OUTCOMES[this.type.get(i)]! }

  trimOps (): void {
    for (const column of [this.op, this.process, this.type, this.invokeNs, this.completeNs]) column.trim()
  }
}

/** Sends, grouped by the op that carried them (a send op or a txn). */
export class SendColumns extends OpColumns {
  /** Per op: its first send; its sends run to the next op's first. */
  readonly first = new Int32Column()
  readonly keyId = new Int32Column()
  readonly value = new IntegerColumn()
  readonly offset = new IntegerColumn()
  readonly committed = new Uint8Column()
  /** Per send: the op (row of the op columns) that carried it. */
  readonly row = new Int32Column()

  startOp (op: number, process: Process, type: Outcome, invokeNs: number, completeNs: number): void {
    this.first.push(this.keyId.length)
    this.pushOp(op, process, type, invokeNs, completeNs)
  }

  pushSend (keyId: number, value: number, offset: number | null, committed: boolean): void {
    this.keyId.push(keyId)
    this.value.push(value)
    this.offset.push(offset ?? NO_OFFSET)
    this.committed.push(committed ? 1 : 0)
    this.row.push(this.op.length - 1)
  }

  get sendCount (): number { return this.keyId.length }

  sendEnd (row: number): number { return row + 1 < this.op.length ? this.first.get(row + 1) : this.keyId.length }

  trim (): void {
    this.trimOps()
    for (const column of [this.first, this.keyId, this.value, this.offset, this.committed, this.row]) column.trim()
  }
}

/** Polls that returned records: per op the fields, and each record's key, offset and value. */
export class PollColumns extends OpColumns {
  readonly txn = new Uint8Column()
  readonly final = new Uint8Column()
  /** Per poll: its first record; records run to the next poll's first, grouped by key. */
  readonly first = new Int32Column()
  readonly keyId = new Int32Column()
  readonly offset = new IntegerColumn()
  readonly value = new IntegerColumn()

  startPoll (op: number, process: Process, type: Outcome, txn: boolean, final: boolean, invokeNs: number, completeNs: number): void {
    this.first.push(this.keyId.length)
    this.txn.push(txn ? 1 : 0)
    this.final.push(final ? 1 : 0)
    this.pushOp(op, process, type, invokeNs, completeNs)
  }

  pushRecord (keyId: number, offset: number, value: number): void {
    this.keyId.push(keyId)
    this.offset.push(offset)
    this.value.push(value)
  }

  recordEnd (row: number): number { return row + 1 < this.op.length ? this.first.get(row + 1) : this.keyId.length }

  trim (): void {
    this.trimOps()
    for (const column of [this.txn, this.final, this.first, this.keyId, this.offset, this.value]) column.trim()
  }
}

/** Resets of a consumer's poll order (assign, crash, rebalance, a poll that did not end ok). */
export class ResetColumns {
  readonly op = new IntegerColumn()
  readonly process = new Int32Column()
  push (op: number, process: Process): void {
    this.op.push(op)
    this.process.push(encodeProcess(process))
  }

  trim (): void { this.op.trim(); this.process.trim() }
}

/** A list view over `count` rows that builds row i's event with `at(i)` as it is iterated. */
export function eventList<T> (count: () => number, at: (i: number) => T): EventList<T> {
  return {
    get length () { return count() },
    * [Symbol.iterator] () {
      const n = count()
      for (let i = 0; i < n; i++) yield at(i)
    },
  }
}


/** The columns a digest reads its events from. */
export interface EventColumns {
  keys: KeyTable
  sends: SendColumns
  polls: PollColumns
  resets: ResetColumns
}

function sendAt (c: EventColumns, i: number): SendEvent {
  const s = c.sends
  const row = s.row.get(i)
  const offset = s.offset.get(i)
  return {
    key: c.keys.key(s.keyId.get(i)),
    value: s.value.get(i),
    offset: offset === NO_OFFSET ? null : offset,
    type: s.outcome(row),
    committed: s.committed.get(i) === 1,
    process: decodeProcess(s.process.get(row)),
    op: s.op.get(row),
  }
}

function sendOpAt (c: EventColumns, row: number): SendOpEvent {
  const s = c.sends
  const end = s.sendEnd(row)
  const sends: SendEvent[] = []
  for (let i = s.first.get(row); i < end; i++) sends.push(sendAt(c, i))
  return {
    op: s.op.get(row),
    process: decodeProcess(s.process.get(row)),
    type: s.outcome(row),
    sends,
    invokeNs: s.invokeNs.get(row),
    completeNs: s.completeNs.get(row),
  }
}

function pollAt (c: EventColumns, row: number): PollEvent {
  const p = c.polls
  const reads = new Map<string, Array<[number, number]>>()
  const end = p.recordEnd(row)
  let list: Array<[number, number]> | undefined
  let listKey = -1
  for (let i = p.first.get(row); i < end; i++) {
    const keyId = p.keyId.get(i)
    if (keyId !== listKey) {
      const key = c.keys.key(keyId)
      list = reads.get(key)
      if (list === undefined) reads.set(key, (list = []))
      listKey = keyId
    }
    list!.push([p.offset.get(i), p.value.get(i)])
  }
  return {
    kind: 'poll',
    op: p.op.get(row),
    process: decodeProcess(p.process.get(row)),
    type: p.outcome(row),
    f: p.txn.get(row) === 1 ? 'txn' : 'poll',
    final: p.final.get(row) === 1,
    reads,
    invokeNs: p.invokeNs.get(row),
    completeNs: p.completeNs.get(row),
  }
}

/** Polls and resets merged in history order (a poll before the reset its own op caused). */
function * timeline (c: EventColumns): Generator<PollEvent | ResetEvent> {
  const polls = c.polls.op.length
  const resets = c.resets.op.length
  let p = 0
  let r = 0
  while (p < polls || r < resets) {
    if (r >= resets || (p < polls && c.polls.op.get(p) <= c.resets.op.get(r))) {
      yield pollAt(c, p++)
    } else {
      yield { kind: 'reset', op: c.resets.op.get(r), process: decodeProcess(c.resets.process.get(r)) }
      r++
    }
  }
}

export function sendEvents (c: EventColumns): EventList<SendEvent> {
  return eventList(() => c.sends.sendCount, (i) => sendAt(c, i))
}

export function sendOpEvents (c: EventColumns): EventList<SendOpEvent> {
  return eventList(() => c.sends.op.length, (row) => sendOpAt(c, row))
}

export function pollEvents (c: EventColumns): EventList<PollEvent> {
  return eventList(() => c.polls.op.length, (row) => pollAt(c, row))
}

export function timelineEvents (c: EventColumns): EventList<PollEvent | ResetEvent> {
  return { get length () { return c.polls.op.length + c.resets.op.length }, [Symbol.iterator]: () => timeline(c) }
}
