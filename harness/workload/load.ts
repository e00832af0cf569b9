// Reading workload files: YAML text -> document -> (overrides) -> validated Workload.
// YAML problems are reported with line and column; everything after that is reported by
// field path. Files are small by nature, so anything past a mebibyte is refused unread.

import { readFile, stat } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import { WorkloadError } from './errors.ts'
import type { WorkloadIssue } from './errors.ts'
import { buildWorkload } from './normalise.ts'
import { buildOverridden, overrideDocument } from './overrides.ts'
import type { Workload } from './types.ts'

export const WORKLOAD_FILE_BYTES_MAX = 1024 * 1024
/** YAML aliases can expand exponentially ("billion laughs"); workloads need few if any. */
const YAML_ALIAS_COUNT_MAX = 100
const YAML_ERRORS_SHOWN_MAX = 10
const SOURCE_LINE_SHOWN_MAX = 80

/** Reads, validates and normalises a workload file; `overrides` as for applyOverrides. */
export async function loadWorkload (path: string, overrides: Readonly<Record<string, string>> = {}): Promise<Workload> {
  let text: string
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new Error('not a regular file')
    if (info.size > WORKLOAD_FILE_BYTES_MAX) {
      throw new WorkloadError('ERR_WORKLOAD_READ', path, [{ path: '', message: `the file is ${info.size} bytes; a workload file may have at most ${WORKLOAD_FILE_BYTES_MAX}` }])
    }
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error instanceof WorkloadError) throw error
    throw new WorkloadError('ERR_WORKLOAD_READ', path, [{ path: '', message: `cannot read the workload file: ${(error as Error).message}` }])
  }
  return parseWorkload(text, path, overrides)
}

/** Parses workload YAML; `sourceName` names it in messages (usually the file path). */
export function parseWorkload (text: string, sourceName: string, overrides: Readonly<Record<string, string>> = {}): Workload {
  const document = parseYaml(text, sourceName)
  if (Object.keys(overrides).length === 0) return buildWorkload(document, sourceName)
  return buildOverridden(overrideDocument(document, overrides, sourceName), sourceName, overrides)
}

/** YAML text to plain data, or a WorkloadError naming line and column of each problem. */
export function parseYaml (text: string, sourceName: string): unknown {
  if (text.length > WORKLOAD_FILE_BYTES_MAX) {
    throw new WorkloadError('ERR_WORKLOAD_YAML', sourceName, [{ path: '', message: `the text is ${text.length} characters; a workload may have at most ${WORKLOAD_FILE_BYTES_MAX}` }])
  }
  const parsed = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (parsed.errors.length > 0) {
    const lines = text.split('\n')
    const issues = parsed.errors.slice(0, YAML_ERRORS_SHOWN_MAX).map((error): WorkloadIssue => {
      const reason = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')
      const position = error.linePos?.[0]
      if (position === undefined) return { path: '', message: `YAML syntax error: ${reason}` }
      const sourceLine = (lines[position.line - 1] ?? '').slice(0, SOURCE_LINE_SHOWN_MAX)
      return { path: '', message: `line ${position.line}, column ${position.col}: YAML syntax error: ${reason} (the line reads ${JSON.stringify(sourceLine)})` }
    })
    throw new WorkloadError('ERR_WORKLOAD_YAML', sourceName, issues)
  }
  try {
    return parsed.toJS({ maxAliasCount: YAML_ALIAS_COUNT_MAX })
  } catch (error) {
    // Alias problems surface only when the document is converted.
    throw new WorkloadError('ERR_WORKLOAD_YAML', sourceName, [{ path: '', message: `YAML error: ${(error as Error).message}` }])
  }
}
