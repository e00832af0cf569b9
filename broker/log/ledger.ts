// The durability ledger: a record, outside the broker's memory, of how many bytes of each
// data file are known to be on stable storage. It models what a machine crash would keep,
// LazyFS-style, without a special file system: the chaos harness SIGKILLs the broker, calls
// loseUnsyncedWrites(dataDir), and restarts it on exactly what fsync had promised.
//
// `<dataDir>/durability-ledger.jsonl`, one JSON object per line, the last line for a file wins:
//   {"file":"orders-0/00000000000000000000.log","durableBytes":0,"event":"create"}   exists, nothing durable yet
//   {"file":"orders-0/00000000000000000000.log","durableBytes":4096,"event":"sync"}  fsync resolved at 4096 bytes
//   {"file":"orders-0/00000000000000000000.log","deleted":true,"event":"delete"}
// Only a process crash can interrupt the ledger itself, and the page cache survives those, so
// its own writes need no fsync; each line is written (write(2) returned) before the operation
// it describes is reported done, so an acknowledged append is always covered.

import { open, readFile, readdir, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { KafkaStorageError } from './errors.ts'

export const LEDGER_FILE = 'durability-ledger.jsonl'
const LEDGER_TEMP_FILE = `${LEDGER_FILE}.tmp`
/** Rewrite the ledger from its in-memory state once appends have made it this large. */
const LEDGER_BYTES_MAX = 1024 * 1024
/** A state value meaning "the file exists but no fsync of it has resolved yet". */
const NOT_DURABLE = -1
/** Bound on directory depth when walking a data dir (it is two levels deep by design). */
const WALK_DEPTH_MAX = 8

interface LedgerLine {
  file?: unknown
  durableBytes?: unknown
  deleted?: unknown
  event?: unknown
}

/** Parses ledger text into file -> durable bytes (NOT_DURABLE = -1). Unparseable lines (a torn last line) are skipped. */
export function parseLedger (text: string): Map<string, number> {
  const state = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line.length === 0) continue
    let entry: LedgerLine
    try {
      entry = JSON.parse(line) as LedgerLine
    } catch {
      continue
    }
    if (typeof entry !== 'object' || entry === null || typeof entry.file !== 'string') continue
    if (entry.event === 'delete' || entry.deleted === true) state.delete(entry.file)
    else if (entry.event === 'create') state.set(entry.file, NOT_DURABLE)
    else if (typeof entry.durableBytes === 'number' && entry.durableBytes >= 0) state.set(entry.file, entry.durableBytes)
  }
  return state
}

function lineFor (file: string, durableBytes: number): string {
  return durableBytes === NOT_DURABLE
    ? JSON.stringify({ file, durableBytes: 0, event: 'create' }) + '\n'
    : JSON.stringify({ file, durableBytes, event: 'sync' }) + '\n'
}

interface Waiter {
  resolve: () => void
  reject: (error: Error) => void
}

export class DurabilityLedger {
  readonly #dataDir: string
  readonly #state: Map<string, number>
  #handle: FileHandle
  #sizeBytes: number
  #pendingLines: string[] = []
  #pendingWaiters: Waiter[] = []
  #writing = false

  private constructor (dataDir: string, state: Map<string, number>, handle: FileHandle, sizeBytes: number) {
    this.#dataDir = dataDir
    this.#state = state
    this.#handle = handle
    this.#sizeBytes = sizeBytes
  }

  static async open (dataDir: string): Promise<DurabilityLedger> {
    const path = join(dataDir, LEDGER_FILE)
    let text = ''
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    const handle = await open(path, 'a')
    return new DurabilityLedger(dataDir, parseLedger(text), handle, Buffer.byteLength(text))
  }

  /** Durable bytes of `file`: undefined if unknown, -1 if it exists but was never made durable. */
  durableBytes (file: string): number | undefined {
    return this.#state.get(file)
  }

  created (file: string): Promise<void> {
    this.#state.set(file, NOT_DURABLE)
    return this.#append(lineFor(file, NOT_DURABLE))
  }

  synced (file: string, durableBytes: number): Promise<void> {
    this.#state.set(file, durableBytes)
    return this.#append(lineFor(file, durableBytes))
  }

  deleted (file: string): Promise<void> {
    if (!this.#state.delete(file)) return Promise.resolve()
    return this.#append(JSON.stringify({ file, deleted: true, event: 'delete' }) + '\n')
  }

  async close (): Promise<void> {
    while (this.#writing) await new Promise<void>((resolve, reject) => this.#pendingWaiters.push({ resolve, reject }))
    await this.#handle.close()
  }

  #append (line: string): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.#pendingLines.push(line)
    this.#pendingWaiters.push({ resolve, reject })
    if (!this.#writing) void this.#writeLoop()
    return promise
  }

  // Lines that arrive while a write is in flight go out together in the next write, in
  // order: the thread pool could otherwise reorder two concurrent appends to the file.
  async #writeLoop (): Promise<void> {
    this.#writing = true
    while (this.#pendingWaiters.length > 0) {
      const text = this.#pendingLines.join('')
      const waiters = this.#pendingWaiters
      this.#pendingLines = []
      this.#pendingWaiters = []
      try {
        if (text.length > 0) {
          await this.#handle.write(text)
          this.#sizeBytes += Buffer.byteLength(text)
          if (this.#sizeBytes > LEDGER_BYTES_MAX) await this.#compact()
        }
        for (const waiter of waiters) waiter.resolve()
      } catch (error) {
        const wrapped = new KafkaStorageError(`durability ledger write failed: ${(error as Error).message}`, { cause: error })
        for (const waiter of waiters) waiter.reject(wrapped)
      }
    }
    this.#writing = false
  }

  // Rewrites the ledger as one line per live file. The rename is atomic, so a crash leaves
  // either the old ledger or the new one, never a mix.
  async #compact (): Promise<void> {
    let text = ''
    for (const [file, durableBytes] of this.#state) text += lineFor(file, durableBytes)
    const tempPath = join(this.#dataDir, LEDGER_TEMP_FILE)
    await writeFile(tempPath, text)
    await rename(tempPath, join(this.#dataDir, LEDGER_FILE))
    await this.#handle.close()
    this.#handle = await open(join(this.#dataDir, LEDGER_FILE), 'a')
    this.#sizeBytes = Buffer.byteLength(text)
  }
}

async function walkFiles (root: string, relative: string, depth: number, out: string[]): Promise<void> {
  if (depth > WALK_DEPTH_MAX) return
  const entries = await readdir(join(root, relative), { withFileTypes: true })
  for (const entry of entries) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`
    if (entry.isDirectory()) await walkFiles(root, child, depth + 1, out)
    else if (entry.isFile()) out.push(child)
  }
}

export interface LostWrites {
  truncated: Array<{ file: string, fromBytes: number, toBytes: number }>
  removed: string[]
}

/**
 * Simulates a machine crash on a dead broker's data dir: every file the ledger knows is cut
 * to its last durable length, and every file that was never made durable (or that the
 * ledger has never heard of) is removed. Directories are left alone: the storage layer
 * fsyncs their parents when it creates them. Call only while no broker uses `dataDir`.
 */
export async function loseUnsyncedWrites (dataDir: string): Promise<LostWrites> {
  let text: string | null = null
  try {
    text = await readFile(join(dataDir, LEDGER_FILE), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const files: string[] = []
  await walkFiles(dataDir, '', 0, files)
  const dataFiles = files.filter(file => file !== LEDGER_FILE && file !== LEDGER_TEMP_FILE)
  if (text === null && dataFiles.length > 0) {
    throw new KafkaStorageError(`${dataDir} holds data files but no ${LEDGER_FILE}; refusing to guess what was durable`)
  }
  const state = parseLedger(text ?? '')
  const result: LostWrites = { truncated: [], removed: [] }
  for (const file of dataFiles.sort()) {
    const path = join(dataDir, file)
    const durableBytes = state.get(file)
    if (durableBytes === undefined || durableBytes === NOT_DURABLE) {
      await unlink(path)
      result.removed.push(file)
      continue
    }
    const { size } = await stat(path)
    if (size > durableBytes) {
      await truncate(path, durableBytes)
      result.truncated.push({ file, fromBytes: size, toBytes: durableBytes })
    }
  }
  return result
}
