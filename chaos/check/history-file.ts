/**
 * Reading and writing histories as JSON Lines (one op per line, format in history.ts).
 * The reader streams the file and rejects the first bad line with its line number and the field
 * to blame, so a corrupt or hand-edited history fails loudly instead of being checked wrongly.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { HistoryError, validateOp } from './history.ts'
import type { Op } from './history.ts'
import { validateOpValue } from './op-values.ts'

/** Longest line accepted, checked before the line is buffered further. */
export const HISTORY_LINE_CHARS_MAX = 16 * 1024 * 1024

/** Renders one op as its JSONL line (without the newline), with fields in the documented order. */
export function formatOpLine(op: Op): string {
  const { index, timeNs, process, type, f, value, final } = op
  return JSON.stringify(final === undefined
    ? { index, timeNs, process, type, f, value }
    : { index, timeNs, process, type, f, final, value })
}

/**
 * Parses and validates one line. `line` is 1-based and only used in error messages. With
 * `validateValue` false only the envelope is checked: for a caller that decodes the value
 * itself (the checker's digest) and would otherwise decode every value twice.
 */
export function parseOpLine(text: string, line: number, validateValue = true): Op {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new HistoryError(`line ${line}: not valid JSON: ${reason}`, { line, cause: error })
  }
  try {
    const op = validateOp(raw)
    if (validateValue) validateOpValue(op)
    return op
  } catch (error) {
    throw atLine(error, line)
  }
}

/** A HistoryError that names the line; other errors pass unchanged. */
export function atLine(error: unknown, line: number): unknown {
  if (!(error instanceof HistoryError)) return error
  const options = error.field === undefined ? { line, cause: error } : { line, field: error.field, cause: error }
  return new HistoryError(`line ${line}: ${error.message}`, options)
}

/** Yields the lines of a UTF-8 file without loading it whole; line numbers are 1-based. */
export async function* readLines(path: string, lineCharsMax = HISTORY_LINE_CHARS_MAX): AsyncGenerator<[string, number]> {
  let pending = ''
  let line = 0
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    pending += chunk as string
    let start = 0
    let newline = pending.indexOf('\n', start)
    while (newline !== -1) {
      line++
      yield [pending.slice(start, newline), line]
      start = newline + 1
      newline = pending.indexOf('\n', start)
    }
    pending = pending.slice(start)
    if (pending.length > lineCharsMax) {
      throw new HistoryError(`line ${line + 1}: longer than ${lineCharsMax} characters`, { line: line + 1 })
    }
  }
  if (pending.length > 0) yield [pending, line + 1]
}

export interface ReadOptions {
  lineCharsMax?: number
  /** Called every `progressEveryOps` ops with the ops read so far. */
  onProgress?: (opsRead: number) => void
  progressEveryOps?: number
  /** false: check only each op's envelope and leave its value to `onOp` (default true). */
  validateValues?: boolean
}

/**
 * Streams a history file op by op without keeping the ops: what a caller keeps is its own
 * business (the checker keeps only its digest). Blank lines are skipped; indexes must strictly
 * increase. `onOp` also gets the op's 1-based line number, for evidence that points at lines.
 */
export async function forEachHistoryOp(path: string, onOp: (op: Op, line: number) => void, options: ReadOptions = {}): Promise<number> {
  const progressEveryOps = options.progressEveryOps ?? 1_000_000
  let previousIndex = -1
  let count = 0
  for await (const [text, line] of readLines(path, options.lineCharsMax ?? HISTORY_LINE_CHARS_MAX)) {
    if (text.trim().length === 0) continue
    const op = parseOpLine(text.endsWith('\r') ? text.slice(0, -1) : text, line, options.validateValues ?? true)
    if (count > 0 && op.index <= previousIndex) {
      throw new HistoryError(`line ${line}: field "index" must be greater than the previous op's ${previousIndex} (got ${op.index})`, {
        line,
        field: 'index',
      })
    }
    previousIndex = op.index
    count++
    onOp(op, line)
    if (options.onProgress !== undefined && count % progressEveryOps === 0) options.onProgress(count)
  }
  return count
}

/** Reads a whole history file into memory (for small histories and tests). */
export async function readHistoryFile(path: string, options: { lineCharsMax?: number } = {}): Promise<Op[]> {
  const ops: Op[] = []
  await forEachHistoryOp(path, (op) => ops.push(op), options)
  return ops
}

/** Writes ops as JSON Lines, replacing the file. Written in chunks so huge histories stay cheap. */
export async function writeHistoryFile(path: string, ops: Iterable<Op>): Promise<void> {
  const chunkCharsMin = 64 * 1024
  const file = await open(path, 'w')
  try {
    let chunk = ''
    for (const op of ops) {
      chunk += `${formatOpLine(op)}\n`
      if (chunk.length >= chunkCharsMin) {
        await file.write(chunk)
        chunk = ''
      }
    }
    if (chunk.length > 0) await file.write(chunk)
  } finally {
    await file.close()
  }
}
