// results/<run-id>/: one directory per run, and files written atomically into it.
//
// A run id sorts by time and says what ran: 20250114T153012Z-smoke-3fa9c1 (UTC start time,
// workload name, six random hex digits so two runs started in the same second never
// collide). Every file is written to a temporary name, flushed and renamed over the old
// one, so a reader (or a crash mid-write) sees either the previous complete file or the
// new one. That is what lets the runner rewrite a partial result.json at any moment, e.g.
// each time an interval closes or when a broker dies.

import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, symlink } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'

/** The longest workload name kept in a run id; the rest is cut. */
const RUN_ID_NAME_CHARS_MAX = 48

export class RunDirError extends Error {
  readonly code = 'ERR_RUN_DIR'
  readonly retriable = false
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RunDirError'
  }
}

/** A workload name made safe for a path segment: letters, digits, '-', '_' and '.'. */
export function slugify (name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, RUN_ID_NAME_CHARS_MAX)
  return slug.length > 0 ? slug : 'run'
}

function compactUtc (date: Date): string {
  // 2025-01-14T15:30:12.345Z -> 20250114T153012Z
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '')
}

export function makeRunId (workloadName: string, startTime: Date = new Date(), random: () => string = () => randomBytes(3).toString('hex')): string {
  return `${compactUtc(startTime)}-${slugify(workloadName)}-${random()}`
}

/**
 * Writes `data` to `path` so that the file is at every moment either the old content or
 * the new: temporary file in the same directory, fsync, rename.
 */
export async function writeFileAtomic (path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let renamed = false
  try {
    const handle = await open(temporary, 'w')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
    renamed = true
  } finally {
    if (!renamed) await rm(temporary, { force: true })
  }
}

export class RunDir {
  readonly id: string
  readonly path: string

  constructor (id: string, path: string) {
    this.id = id
    this.path = path
  }

  /** The path of a file in the run directory; refuses names that would leave it. */
  file (name: string): string {
    if (name.length === 0 || name !== basename(name) || name === '.' || name === '..') {
      throw new RunDirError(`not a plain file name: ${JSON.stringify(name)}`)
    }
    return join(this.path, name)
  }

  async write (name: string, data: string | Uint8Array): Promise<string> {
    const path = this.file(name)
    await writeFileAtomic(path, data)
    return path
  }
}

/**
 * Creates results/<run-id>/ under `resultsDir` (made if missing). Fails rather than reuse
 * an existing directory, so one run can never overwrite another's files.
 */
export async function createRunDir (resultsDir: string, workloadName: string, startTime: Date = new Date()): Promise<RunDir> {
  await mkdir(resultsDir, { recursive: true })
  const id = makeRunId(workloadName, startTime)
  const path = join(resultsDir, id)
  try {
    await mkdir(path)
  } catch (error) {
    throw new RunDirError(`cannot create the run directory ${path}: ${(error as Error).message}`, { cause: error })
  }
  return new RunDir(id, path)
}

/** The name of the link to the newest run (or series of runs) in a results directory. */
export const LATEST_LINK = 'latest'

/**
 * Points `<resultsDir>/latest` at `target` (a run or series directory inside it), replacing
 * the old link atomically. Readers that walk results directories do not follow links, so a
 * run is never counted twice. Failing to link is not worth failing a run for: the caller
 * gets false and can say so.
 */
export async function pointLatest (resultsDir: string, target: string): Promise<boolean> {
  const temporary = join(resultsDir, `.${LATEST_LINK}.${process.pid}.${randomBytes(4).toString('hex')}`)
  try {
    await symlink(relative(resultsDir, target), temporary)
    await rename(temporary, join(resultsDir, LATEST_LINK))
    return true
  } catch {
    await rm(temporary, { force: true })
    return false
  }
}
