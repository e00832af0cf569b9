// `sluice check <history.jsonl>`: re-check a saved chaos history offline. The verdict's
// summary comes first, then each anomaly with its first cases and the history lines to open.
// Exit codes (a CI gate can trust them): 0 valid, 1 anomalies found, 2 unknown (nothing or
// not everything could be checked: an empty, truncated or unreadable history, one without
// final polls, or a checker that failed).

import { readFile, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { checkHistoryFile } from '../../chaos/check/checker.ts'
import type { Verdict } from '../../chaos/check/checker.ts'
import { emptyStats } from '../../chaos/check/digest.ts'
import { formatVerdict } from '../../chaos/check/format-verdict.ts'
import { HistoryError } from '../../chaos/check/history.ts'

export const CHECK_EXIT = { valid: 0, anomalies: 1, unknown: 2 } as const

export const CHECK_EXIT_HELP = `
Exit codes:
  0  valid: every checker ran and found nothing
  1  anomalies found (the history proves a guarantee was broken)
  2  unknown: nothing or not everything could be checked (empty, truncated or unreadable
     history, no final polls, a checker that failed); never a pass`

export function exitCodeOfVerdict (verdict: Verdict): number {
  return verdict.valid === true ? CHECK_EXIT.valid : verdict.valid === false ? CHECK_EXIT.anomalies : CHECK_EXIT.unknown
}

/** A verdict for a history that could not be read: unknown, with the reason. */
function unreadable (message: string): Verdict {
  return {
    valid: 'unknown', anomalies: {}, anomalyCounts: {}, errors: [{ checker: 'history', message }], unchecked: [],
    unknownReasons: [`the history could not be read: ${message}`], checkers: [],
    stats: emptyStats(0),
  }
}

async function checkPath (path: string, progress: boolean): Promise<Verdict> {
  const info = await stat(path).catch(() => null)
  if (info === null) throw new Error(`${path}: no such file; pass the history.jsonl a chaos run wrote (results/<run-id>/history.jsonl)`)
  if (info.isDirectory()) throw new Error(`${path} is a directory; pass the history.jsonl inside it (e.g. ${path.replace(/\/$/, '')}/history.jsonl)`)
  const startMs = Date.now()
  let long = false
  const onProgress = (ops: number): void => {
    long = true
    const seconds = (Date.now() - startMs) / 1000
    process.stderr.write(`checking: ${ops.toLocaleString('en-US')} ops read in ${seconds.toFixed(1)} s (${Math.round(ops / seconds).toLocaleString('en-US')} ops/s)\n`)
  }
  // After reading, a long history's checkers take a while too: one line each, only for a
  // check long enough to have printed read progress.
  const onChecker = (name: string, position: number, checkers: number): void => {
    if (long) process.stderr.write(`checking: ${name} (${position}/${checkers}) at ${((Date.now() - startMs) / 1000).toFixed(1)} s\n`)
  }
  try {
    return await checkHistoryFile(path, { requireFinalPolls: true, ...(progress ? { onProgress, onChecker } : {}) })
  } catch (error) {
    if (!(error instanceof HistoryError)) throw error
    if (info.size <= WHOLE_JSON_BYTES_MAX && await isOneJsonDocument(path)) {
      throw new Error(`${path} is one JSON document (a result.json?), not a history of one JSON op per line: pass the history.jsonl beside it (${join(dirname(path), 'history.jsonl')})`)
    }
    return unreadable(error.message)
  }
}

/** Files up to this size are tried as one JSON document when their first line is not JSON. */
const WHOLE_JSON_BYTES_MAX = 64 * 1024 * 1024

async function isOneJsonDocument (path: string): Promise<boolean> {
  try {
    JSON.parse(await readFile(path, 'utf8'))
    return true
  } catch {
    return false
  }
}

export function registerCheck (program: Command): void {
  program.command('check')
    .description('check a saved history.jsonl for lost, duplicated, reordered and wrongly committed messages')
    .argument('<history>', 'path to a history.jsonl written by `sluice chaos`')
    .option('--json', 'print the verdict as JSON')
    .option('--quiet', 'no progress lines on stderr')
    .addHelpText('after', CHECK_EXIT_HELP)
    .action(async (path: string, flags: { json?: boolean, quiet?: boolean }) => {
      const verdict = await checkPath(path, flags.quiet !== true)
      process.stdout.write(flags.json === true ? JSON.stringify(verdict, null, 2) + '\n' : formatVerdict(verdict) + '\n')
      process.exitCode = exitCodeOfVerdict(verdict)
    })
}
