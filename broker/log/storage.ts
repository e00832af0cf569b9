// The one layer every file operation of the log goes through (house style 8): open, writev,
// read, fsync, truncate, rename, unlink, list, mkdir, async on node:fs/promises (writes and
// reads up to SYNC_IO_BYTES_MAX run synchronously, see file-io.ts). Having a
// single choke point buys three things:
//   - fault injection for tests: fail the next write or fsync, or tear the next write
//     (storage-faults.ts; Storage only exposes the hooks);
//   - the durability ledger (ledger.ts), updated only after an fsync resolves, which the chaos
//     harness uses to drop what a machine crash would have dropped;
//   - counters, so tests can assert "one writev per group" instead of guessing.
// Paths are relative to the data dir and use '/'. Every failure surfaces as KafkaStorageError.
// This module holds the data dir's operations; the open file is storage-file.ts, the state
// both share (ledger, counters, faults, path checks) storage-core.ts.

import { constants, open, mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { posix, resolve } from 'node:path'
import { KafkaStorageError, LogError } from './errors.ts'
import { DataDirLock } from './data-dir-lock.ts'
import { writeAll } from './file-io.ts'
import { BACKGROUND_SYNCS_MAX, SyncGate } from './sync-gate.ts'
import { PooledHandle } from './file-pool.ts'
import { DurabilityLedger } from './ledger.ts'
import { errnoOf, injectedError, parentOf, StorageCore, storageError } from './storage-core.ts'
import type { StorageStats } from './storage-core.ts'
import { StorageFile } from './storage-file.ts'

export { loseUnsyncedWrites, LEDGER_FILE } from './ledger.ts'
export type { LostWrites } from './ledger.ts'
export type { StorageStats } from './storage-core.ts'

/** Log files open at once unless told otherwise (sluice.log.open.files.max). */
export const OPEN_FILES_MAX_DEFAULT = 4096

export interface StorageEntry {
  name: string
  isDirectory: boolean
  isFile: boolean
}

export interface OpenFileOptions {
  /** Create the file if it is missing. */
  create?: boolean
  /** Start from an empty file (implies create). */
  truncate?: boolean
}

export interface StorageOptions {
  /** Keep the durability ledger (default true). Without it, loseUnsyncedWrites refuses to run. */
  ledger?: boolean
  /** Budget of log files open at once (file-pool.ts). */
  openFilesMax?: number
}

export class Storage {
  readonly dataDir: string
  /** Background fsyncs of every log on this storage take turns here (sync-gate.ts). */
  readonly backgroundSyncs = new SyncGate(BACKGROUND_SYNCS_MAX)
  readonly #core: StorageCore

  private constructor (core: StorageCore) {
    this.#core = core
    this.dataDir = core.dataDir
  }

  static async open (dataDir: string, options: StorageOptions = {}): Promise<Storage> {
    const absolute = resolve(dataDir)
    let lock: DataDirLock | null = null
    try {
      await mkdir(absolute, { recursive: true })
      // Before anything reads or writes the dir: a second broker must not even open the ledger.
      lock = await DataDirLock.acquire(absolute)
      const ledger = options.ledger === false ? null : await DurabilityLedger.open(absolute)
      const core = new StorageCore(absolute, ledger, options.openFilesMax ?? OPEN_FILES_MAX_DEFAULT)
      core.lock = lock
      return new Storage(core)
    } catch (error) {
      await lock?.release()
      if (error instanceof LogError) throw error
      throw storageError('open data dir', absolute, error)
    }
  }

  get stats (): StorageStats {
    return this.#core.stats
  }

  /** Log files open now, and how often one was reopened after being closed for the budget. */
  get openFiles (): { count: number, max: number, reopens: number } {
    const files = this.#core.files
    return { count: files.openCount, max: files.openFilesMax, reopens: files.reopens }
  }

  /** The next write (optionally only to a file matching `fileMatches`) fails with an EIO-like error. */
  failNextWrite (cause?: Error, fileMatches?: RegExp): void {
    this.#core.faults.failNextWrite(cause, fileMatches)
  }

  /** The next write writes only its first `bytes` bytes, then fails. */
  tearNextWrite (bytes: number, cause?: Error, fileMatches?: RegExp): void {
    this.#core.faults.tearNextWrite(bytes, cause, fileMatches)
  }

  /** Test hook: a slow disk, every writev takes at least `delayMs` from now on (0 turns it off). */
  slowWrites (delayMs: number): void {
    this.#core.faults.slowWrites(delayMs)
  }

  /**
   * Fault hook: the disk stalls for `durationMs` from now: every writev and fsync waits until
   * then (0 ends a stall at once). Reads are served, as from the page cache.
   */
  stallDisk (durationMs: number): void {
    this.#core.faults.stallDisk(durationMs)
  }

  /** Milliseconds left of a disk stall (0: none). */
  get diskStallMs (): number {
    return this.#core.faults.stallMs
  }

  /** The next fsync fails without syncing; the durable length does not advance. */
  failNextSync (cause?: Error, fileMatches?: RegExp): void {
    this.#core.faults.failNextSync(cause, fileMatches)
  }

  /** The next read fails with an EIO-like error. */
  failNextRead (cause?: Error, fileMatches?: RegExp): void {
    this.#core.faults.failNextRead(cause, fileMatches)
  }

  async openFile (file: string, options: OpenFileOptions = {}): Promise<StorageFile> {
    const core = this.#core
    const path = core.path(file)
    const create = options.create === true || options.truncate === true
    try {
      const existed = await stat(path).then(() => true, (error: unknown) => {
        if (errnoOf(error) === 'ENOENT') return false
        throw error
      })
      let flags = constants.O_RDWR
      if (create) flags |= constants.O_CREAT
      if (options.truncate === true) flags |= constants.O_TRUNC
      const handle = await PooledHandle.open(core.files, path, flags)
      const { size } = await handle.use(h => h.stat())
      let durableBytes = core.ledger?.durableBytes(file) ?? size
      if (!existed || options.truncate === true) {
        await core.ledger?.created(file)
        durableBytes = 0
      } else if (core.ledger !== null && core.ledger.durableBytes(file) === undefined) {
        // A file from before the ledger existed: make it durable now so the ledger can vouch for it.
        await handle.use(h => h.sync())
        await core.ledger.synced(file, size)
      }
      return new StorageFile(core, file, handle, size, Math.max(durableBytes, 0), !existed)
    } catch (error) {
      throw storageError('open', file, error)
    }
  }

  /** The whole file, or null if it does not exist. Refuses files over `maxBytes`. */
  async readFile (file: string, maxBytes: number): Promise<Buffer | null> {
    const path = this.#core.path(file)
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return null
      throw storageError('open', file, error)
    }
    try {
      const { size } = await handle.stat()
      if (size > maxBytes) throw new KafkaStorageError(`${file} is ${size} bytes, more than the ${maxBytes} allowed`)
      const buffer = Buffer.allocUnsafe(size)
      const { bytesRead } = await handle.read(buffer, 0, size, 0)
      this.#core.stats.readCalls++
      this.#core.stats.readBytes += bytesRead
      return buffer.subarray(0, bytesRead)
    } catch (error) {
      throw storageError('read', file, error)
    } finally {
      await handle.close()
    }
  }

  /** Replaces `file` atomically and durably: temp file, fsync, rename, fsync the directory. */
  async writeFileAtomic (file: string, data: Buffer): Promise<void> {
    const core = this.#core
    const tempFile = `${file}.tmp`
    try {
      const handle = await open(core.path(tempFile), 'w', 0o644)
      try {
        const fault = core.faults.takeWriteFault(file)
        if (fault !== null) throw injectedError('write', tempFile, fault.cause)
        await writeAll(handle, [data], 0)
        core.countWrite(tempFile, data.length)
        const syncFault = core.faults.takeSyncFault(file)
        if (syncFault !== null) throw injectedError('fsync', tempFile, syncFault.cause)
        core.stats.syncCalls++
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(core.path(tempFile), core.path(file))
      await core.syncDir(parentOf(file))
      await core.ledger?.synced(file, data.length)
    } catch (error) {
      throw storageError('write atomically', file, error)
    }
  }

  /** Creates `dir` (and missing parents) and fsyncs the parents, so the directory survives a crash. */
  async mkdir (dir: string): Promise<void> {
    const core = this.#core
    try {
      const first = await mkdir(core.path(dir), { recursive: true })
      if (first === undefined) return
      // Every directory from the first one created down to `dir` is a new name in its parent.
      const created = posix.relative(core.dataDir, first.split('\\').join('/'))
      let current = dir
      for (let depth = 0; depth < 64; depth++) {
        await core.syncDir(parentOf(current))
        if (current === created || parentOf(current) === '') break
        current = parentOf(current)
      }
    } catch (error) {
      throw storageError('mkdir', dir, error)
    }
  }

  async list (dir: string): Promise<StorageEntry[]> {
    try {
      const entries = await readdir(dir === '' ? this.#core.dataDir : this.#core.path(dir), { withFileTypes: true })
      return entries.map(entry => ({ name: entry.name, isDirectory: entry.isDirectory(), isFile: entry.isFile() }))
    } catch (error) {
      throw storageError('list', dir, error)
    }
  }

  async rename (from: string, to: string): Promise<void> {
    const core = this.#core
    try {
      await rename(core.path(from), core.path(to))
      await core.syncDir(parentOf(to))
      if (parentOf(from) !== parentOf(to)) await core.syncDir(parentOf(from))
      const durableBytes = core.ledger?.durableBytes(from)
      if (durableBytes !== undefined && durableBytes >= 0) await core.ledger?.synced(to, durableBytes)
      else await core.ledger?.created(to)
      await core.ledger?.deleted(from)
    } catch (error) {
      throw storageError('rename', from, error)
    }
  }

  /** Removes `file` (a missing file is fine) and makes the removal durable. */
  async unlink (file: string): Promise<void> {
    const core = this.#core
    try {
      await unlink(core.path(file)).catch((error: unknown) => {
        if (errnoOf(error) !== 'ENOENT') throw error
      })
      await core.syncDir(parentOf(file))
      await core.ledger?.deleted(file)
    } catch (error) {
      throw storageError('unlink', file, error)
    }
  }

  /** Removes an empty directory. */
  async rmdir (dir: string): Promise<void> {
    try {
      await rmdir(this.#core.path(dir))
      await this.#core.syncDir(parentOf(dir))
    } catch (error) {
      throw storageError('rmdir', dir, error)
    }
  }

  /** Closes the ledger and gives up the data dir's lock. */
  async close (): Promise<void> {
    try {
      await this.#core.ledger?.close()
    } finally {
      await this.#core.lock?.release()
    }
  }
}
