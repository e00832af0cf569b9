/**
 * Decoders for the `value` of each kind of op (format in history.ts). Each one validates as it
 * goes and throws a HistoryError naming the op and the field path, so a bad history is rejected
 * with a pointer to the exact spot instead of producing a silently wrong verdict.
 */
import { fieldError, isNonNegativeInteger } from './history.ts'
import type { Op, Process } from './history.ts'

export interface SendMicroOp {
  f: 'send'
  key: string
  value: number
  /** The offset the broker acknowledged, or null when unknown (invokes, `info`, `fail`). */
  offset: number | null
}

export interface PollMicroOp {
  f: 'poll'
  /** key -> [offset, value] in the order the client returned them; empty for an invoke. */
  reads: Map<string, Array<[number, number]>>
}

export type MicroOp = SendMicroOp | PollMicroOp

/** Bound on micro-ops per op, so that one corrupt line cannot make a checker loop for long. */
export const MICRO_OPS_PER_OP_MAX = 100_000

function decodeKey(opIndex: number, field: string, raw: unknown): string {
  if (typeof raw === 'string' && raw.length > 0) return raw
  if (isNonNegativeInteger(raw)) return String(raw)
  return fieldError(opIndex, field, 'a key (non-empty string or non-negative integer)', raw)
}

function decodeInteger(opIndex: number, field: string, raw: unknown): number {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw
  return fieldError(opIndex, field, 'an integer', raw)
}

function decodeSend(op: Op, field: string, micro: unknown[]): SendMicroOp {
  if (micro.length !== 3) fieldError(op.index, field, '["send", key, value] or ["send", key, [offset, value]]', micro)
  const key = decodeKey(op.index, `${field}[1]`, micro[1])
  const written = micro[2]
  if (!Array.isArray(written)) return { f: 'send', key, value: decodeInteger(op.index, `${field}[2]`, written), offset: null }
  if (written.length !== 2) fieldError(op.index, `${field}[2]`, '[offset | null, value]', written)
  const offset = written[0]
  if (offset !== null && !isNonNegativeInteger(offset)) {
    fieldError(op.index, `${field}[2][0]`, 'a non-negative integer offset or null', offset)
  }
  return { f: 'send', key, value: decodeInteger(op.index, `${field}[2][1]`, written[1]), offset }
}

function decodePoll(op: Op, field: string, micro: unknown[]): PollMicroOp {
  const reads = new Map<string, Array<[number, number]>>()
  if (micro.length === 1) return { f: 'poll', reads }
  const byKey = micro[1]
  if (micro.length !== 2 || typeof byKey !== 'object' || byKey === null || Array.isArray(byKey)) {
    fieldError(op.index, field, '["poll"] or ["poll", {key: [[offset, value], ...]}]', micro)
  }
  for (const [rawKey, records] of Object.entries(byKey)) {
    const key = decodeKey(op.index, `${field}[1] key`, rawKey)
    const recordsField = `${field}[1]["${key}"]`
    if (!Array.isArray(records)) fieldError(op.index, recordsField, 'an array of [offset, value]', records)
    // map() sizes the list exactly; a list grown by push() keeps spare capacity, which adds up
    // over the millions of polls of a long history.
    const decoded = records.map((record: unknown, i: number): [number, number] => {
      const recordField = `${recordsField}[${i}]`
      if (!Array.isArray(record) || record.length !== 2) fieldError(op.index, recordField, '[offset, value]', record)
      const offset = record[0]
      if (!isNonNegativeInteger(offset)) fieldError(op.index, `${recordField}[0]`, 'a non-negative integer offset', offset)
      return [offset, decodeInteger(op.index, `${recordField}[1]`, record[1])]
    })
    const existing = reads.get(key)
    if (existing === undefined) reads.set(key, decoded)
    else for (const record of decoded) existing.push(record)
  }
  return { f: 'poll', reads }
}

/** Decodes the micro-ops of a `send`, `poll` or `txn` op. */
export function decodeMicroOps(op: Op): MicroOp[] {
  if (!Array.isArray(op.value)) return fieldError(op.index, 'value', 'an array of micro-ops', op.value)
  if (op.value.length > MICRO_OPS_PER_OP_MAX) {
    fieldError(op.index, 'value', `at most ${MICRO_OPS_PER_OP_MAX} micro-ops`, `${op.value.length} micro-ops`)
  }
  return op.value.map((micro: unknown, i: number): MicroOp => {
    const field = `value[${i}]`
    if (!Array.isArray(micro) || micro.length === 0) return fieldError(op.index, field, 'a micro-op array', micro)
    if (micro[0] === 'send' && op.f !== 'poll') return decodeSend(op, field, micro)
    if (micro[0] === 'poll' && op.f !== 'send') return decodePoll(op, field, micro)
    return fieldError(op.index, `${field}[0]`, op.f === 'txn' ? '"send" or "poll"' : `"${op.f}"`, micro[0])
  })
}

export interface Commit {
  group: string
  /** partitionKey -> committed offset */
  offsets: Map<string, number>
}

export function decodeCommit(op: Op): Commit {
  const value = op.value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fieldError(op.index, 'value', '{group, offsets}', value)
  }
  const { group, offsets } = value as { group?: unknown; offsets?: unknown }
  if (typeof group !== 'string') fieldError(op.index, 'value.group', 'a string', group)
  if (typeof offsets !== 'object' || offsets === null || Array.isArray(offsets)) {
    fieldError(op.index, 'value.offsets', 'an object {partitionKey: offset}', offsets)
  }
  const decoded = new Map<string, number>()
  for (const [partition, offset] of Object.entries(offsets)) {
    if (!isNonNegativeInteger(offset)) fieldError(op.index, `value.offsets["${partition}"]`, 'a non-negative integer', offset)
    decoded.set(partition, offset)
  }
  return { group, offsets: decoded }
}

/** Returns inputKey -> outputKey when the op declares a transform topology, else null. */
export function decodeTransform(op: Op): Map<string, string> | null {
  const value = op.value
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('keys' in value)) return null
  const keys = (value as { keys: unknown }).keys
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    return fieldError(op.index, 'value.keys', 'an object {inputKey: outputKey}', keys)
  }
  const mapping = new Map<string, string>()
  for (const [input, output] of Object.entries(keys)) {
    mapping.set(decodeKey(op.index, 'value.keys key', input), decodeKey(op.index, `value.keys["${input}"]`, output))
  }
  return mapping
}

/** The consumer whose assignment a `rebalance` op reports. */
export function decodeRebalanceProcess(op: Op): Process {
  const value = op.value
  if (typeof value !== 'object' || value === null || !('process' in value)) return op.process
  const process = (value as { process: unknown }).process
  if (process === 'nemesis' || isNonNegativeInteger(process)) return process
  return fieldError(op.index, 'value.process', 'a non-negative integer', process)
}

/** Validates the value of any op whose value the checkers read. */
export function validateOpValue(op: Op): void {
  if (op.f === 'send' || op.f === 'poll' || op.f === 'txn') decodeMicroOps(op)
  else if (op.f === 'commit' && op.type === 'ok') decodeCommit(op)
  else if (op.f === 'transform') decodeTransform(op)
  else if (op.f === 'rebalance') decodeRebalanceProcess(op)
}
