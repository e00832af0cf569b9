/**
 * The history of a chaos run: what every client and nemesis did, one operation per entry.
 * Only the interpreter writes it; checkers read it and never change it (style.md point 9).
 *
 * On disk a history is JSON Lines, one `Op` per line (see history-file.ts):
 *
 *   {"index":17,"timeNs":1234567,"process":3,"type":"invoke","f":"send","value":[["send","7",42]]}
 *   {"index":18,"timeNs":1239876,"process":3,"type":"ok","f":"send","value":[["send","7",[1031,42]]]}
 *   {"index":40,"timeNs":2000000,"process":9,"type":"ok","f":"poll","final":true,"value":[["poll",{"7":[[1031,42]]}]]}
 *
 * Fields:
 * - `index`: position of the op in the history, strictly increasing. Anomaly evidence cites it.
 * - `process`: the client that did it (a non-negative integer), or "nemesis". A process whose op
 *   ended `info` is retired and a fresh id takes its place, so one process has one op in flight.
 * - `type`: `invoke` (started), `ok` (definitely happened), `fail` (definitely did not happen),
 *   `info` (unknown outcome). Checkers read completions (`ok`, `fail`, `info`), never invokes.
 * - `final` (optional, top level): true on the polls of the final phase, which read every key from
 *   the beginning until its highest acknowledged offset was seen. `unseen` and the "missing
 *   output" half of `exactly-once` are only decided when at least one final poll exists.
 *
 * Values by `f` (decoded and validated in op-values.ts):
 * - `send`, `poll`, `txn`: an array of micro-ops. A send is `["send", key, value]` when invoked and
 *   `["send", key, [offset | null, value]]` on completion (a bare value is accepted too and means
 *   the offset is unknown). A poll is `["poll"]` when invoked and `["poll", {key: [[offset, value],
 *   ...]}]` on completion. A `txn` mixes both; a `txn` that ends `fail` was aborted.
 *   Keys are strings (numbers in a send are converted: JSON object keys are strings anyway).
 *   Values are integers, unique and increasing per key, so every value names exactly one send.
 * - `assign`: `{keys: [...]}` or `{partitions: [...]}`; `subscribe`: the topics. Both restart the
 *   process's poll-order tracking, as does a `crash` of the process and an `info` poll.
 * - `rebalance` (type `info`): `{process?, keys? | partitions?}`, the consumer whose assignment
 *   changed (defaults to the op's process). Poll skips and re-reads across it are legal.
 * - `commit`: `{group, offsets: {partitionKey: offset}}`, committed consumer offsets.
 * - `nemesis`, `crash`: free-form values; the checkers ignore nemesis ops.
 * - `transform`: consume-transform-produce runs. A `transform` op whose value has a `keys` field
 *   declares the topology: `{group?, keys: {inputKey: outputKey}}`. Producers write the input keys
 *   with ordinary sends; the transformer copies every value it consumes from an input key,
 *   unchanged, to its output key (one output key per input key, so output values stay unique per
 *   key); the final phase reads the output keys with final polls. The transformer's own sends are
 *   not recorded as `send` ops (they may be recorded as other `transform` ops, which checkers
 *   ignore). The exactly-once check is then multiset(output values) == set(acknowledged inputs).
 */

export const OP_TYPES = ['invoke', 'ok', 'fail', 'info'] as const
export type OpType = (typeof OP_TYPES)[number]

export const OP_FS = [
  'send', 'poll', 'txn', 'assign', 'subscribe', 'commit', 'crash', 'nemesis', 'rebalance', 'transform',
] as const
export type OpF = (typeof OP_FS)[number]

export type Process = number | 'nemesis'

export interface Op {
  index: number
  timeNs: number
  process: Process
  type: OpType
  f: OpF
  value: unknown
  final?: boolean
}

/** A history that cannot be read or does not follow the format above. Never retriable. */
export class HistoryError extends Error {
  readonly code = 'HISTORY_INVALID'
  readonly retriable = false
  /** The offending field, as a path such as `value[0][2]`, when one field is to blame. */
  readonly field: string | undefined
  /** 1-based line of the history file, when the op came from a file. */
  readonly line: number | undefined

  constructor(message: string, options: { field?: string; line?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HistoryError'
    this.field = options.field
    this.line = options.line
  }
}

/** Renders a value for an error message, short enough to keep the message one line. */
export function describeValue(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Throws a HistoryError naming the op and the field. */
export function fieldError(opIndex: number | undefined, field: string, expected: string, got: unknown): never {
  const where = opIndex === undefined ? '' : `op ${opIndex}: `
  throw new HistoryError(`${where}field "${field}" must be ${expected} (got ${describeValue(got)})`, { field })
}

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
}

export function isNonNegativeInteger(raw: unknown): raw is number {
  return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
}

/**
 * Checks the envelope of one op (not its value: see op-values.ts) and returns a clean copy
 * holding only the known fields. Throws a HistoryError that names the bad field.
 */
export function validateOp(raw: unknown): Op {
  if (!isRecord(raw)) fieldError(undefined, '(op)', 'a JSON object', raw)
  const index = raw.index
  if (!isNonNegativeInteger(index)) fieldError(undefined, 'index', 'a non-negative integer', index)
  const timeNs = raw.timeNs
  if (typeof timeNs !== 'number' || !Number.isFinite(timeNs) || timeNs < 0) {
    fieldError(index, 'timeNs', 'a non-negative number', timeNs)
  }
  const process = raw.process
  if (process !== 'nemesis' && !isNonNegativeInteger(process)) {
    fieldError(index, 'process', 'a non-negative integer or "nemesis"', process)
  }
  const type = raw.type
  if (!(OP_TYPES as readonly unknown[]).includes(type)) fieldError(index, 'type', `one of ${OP_TYPES.join(', ')}`, type)
  const f = raw.f
  if (!(OP_FS as readonly unknown[]).includes(f)) fieldError(index, 'f', `one of ${OP_FS.join(', ')}`, f)
  const op: Op = { index, timeNs, process, type: type as OpType, f: f as OpF, value: raw.value ?? null }
  if (raw.final !== undefined) {
    if (typeof raw.final !== 'boolean') fieldError(index, 'final', 'a boolean', raw.final)
    op.final = raw.final
  }
  return op
}

/** Asserts that op indexes strictly increase, so that evidence names exactly one op. */
export function assertIndexesIncrease(ops: readonly Op[]): void {
  for (let i = 1; i < ops.length; i++) {
    const previous = ops[i - 1]!.index
    const current = ops[i]!.index
    if (current <= previous) {
      throw new HistoryError(`op ${current} (entry ${i}) does not come after op ${previous}: indexes must strictly increase`, {
        field: 'index',
      })
    }
  }
}
