// Finding and reading result.json files: for `sluice compare` (a results directory holds
// many runs, one directory each) and for re-rendering reports offline.

import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ResultError } from './result.ts'

export const RESULT_FILE_NAME = 'result.json'
/** A 1-second series of a week-long run is far below this; anything bigger is not ours. */
export const RESULT_FILE_BYTES_MAX = 512 * 1024 * 1024
/** Bounds on the directory walk, so a wrong path (say /) fails fast instead of crawling. */
export const RESULT_FILES_MAX = 10_000
const WALK_DEPTH_MAX = 8
const WALK_ENTRIES_MAX = 200_000

/**
 * The result.json files named by `paths`: a file is taken as is, a directory is searched
 * recursively (skipping dot-directories and node_modules). Sorted within each directory
 * so runs come in id (= time) order. Throws ResultError naming the path that does not exist
 * or holds no result.
 */
export async function findResultFiles (paths: readonly string[]): Promise<string[]> {
  const found: string[] = []
  for (const path of paths) {
    let info
    try {
      info = await stat(path)
    } catch (error) {
      throw new ResultError('ERR_RESULT_READ', `${path}: no such file or directory`, { cause: error })
    }
    if (info.isFile()) {
      found.push(path)
    } else if (info.isDirectory()) {
      const before = found.length
      await walk(path, 0, found, { entries: 0 })
      if (found.length === before) throw new ResultError('ERR_RESULT_READ', `${path}: no ${RESULT_FILE_NAME} in this directory or below it`)
    } else {
      throw new ResultError('ERR_RESULT_READ', `${path}: neither a file nor a directory`)
    }
    if (found.length > RESULT_FILES_MAX) throw new ResultError('ERR_RESULT_READ', `more than ${RESULT_FILES_MAX} result files under ${path}`)
  }
  return found
}

async function walk (dir: string, depth: number, found: string[], budget: { entries: number }): Promise<void> {
  if (depth > WALK_DEPTH_MAX) return
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
  budget.entries += entries.length
  if (budget.entries > WALK_ENTRIES_MAX) throw new ResultError('ERR_RESULT_READ', `${dir}: too many entries to search for ${RESULT_FILE_NAME}; name the run directories instead`)
  for (const entry of entries) {
    if (entry.isFile() && entry.name === RESULT_FILE_NAME) found.push(join(dir, entry.name))
  }
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') {
      await walk(join(dir, entry.name), depth + 1, found, budget)
    }
  }
}

/** Parses one result file; the object is returned as is (OMB results are accepted too). */
export async function readResultFile (path: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    const info = await stat(path)
    if (info.size > RESULT_FILE_BYTES_MAX) throw new Error(`${info.size} bytes is more than the ${RESULT_FILE_BYTES_MAX} allowed`)
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ResultError('ERR_RESULT_READ', `${path}: cannot read: ${(error as Error).message}`, { cause: error })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ResultError('ERR_RESULT_READ', `${path}: not JSON: ${(error as Error).message}`, { cause: error })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ResultError('ERR_RESULT_READ', `${path}: a result must be a JSON object`)
  }
  return parsed as Record<string, unknown>
}
