// The one layer every file operation of the log goes through (house style 8): open, writev,
// read, fsync, truncate, rename, unlink, list, mkdir, async on node:fs/promises (writes and
// reads up to SYNC_IO_BYTES_MAX run synchronously, see file-io.ts). Having a
// single choke point buys three things:
//   - fault injection for tests: fail the next write or fsync, or tear the next write;
//   - the durability ledger (ledger.ts), updated only after an fsync resolves, which the chaos
//     harness uses to drop what a machine crash would have dropped;
//   - counters, so tests can assert "one writev per group" instead of guessing.
// Paths are relative to the data dir and use '/'. Every failure surfaces as KafkaStorageError.

import { constants, open, mkdir, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { posix, join, resolve } from 'node:path'
import { KafkaStorageError, LogError } from './errors.ts'
import { DataDirLock } from './data-dir-lock.ts'
import { prefixOf, readAllSync, SHORT_IO_RETRIES_MAX, SYNC_IO_BYTES_MAX, writeAll, writeAllSync } from './file-io.ts'
import { FilePool, PooledHandle } from './file-pool.ts'
import { DurabilityLedger, LEDGER_FILE } from './ledger.ts'

export { loseUnsyncedWrites, LEDGER_FILE } from './ledger.ts'
export type { LostWrites } from './ledger.ts'

/** How often a write waiting out a disk stall checks whether it has ended. */
const STALL_CHECK_MS = 20

/** Log files open at once unless told otherwise (sluice.log.open.files.max). */
export const OPEN_FILES_MAX_DEFAULT = 4096

export interface StorageStats {
  writeCalls: number
  writtenBytes: number
  syncCalls: number
  dirSyncCalls: number
  readCalls: number
  readBytes: number
  /** writev calls by file extension ('.log', '.index', ...): lets tests count group commits. */
  writeCallsByExtension: Record<string, number>
}

export interface StorageEntry {
  name: string
  isDirectory: boolean
  isFile: boolean
}

interface Fault {
  /** Bytes to write before failing; 0 fails without writing anything. */
  tearBytes: number
  cause: Error | undefined
  fileMatches: RegExp | undefined
}

function errnoOf (error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function storageError (op: string, file: string, error: unknown): KafkaStorageError {
  if (error instanceof KafkaStorageError) return error
  return new KafkaStorageError(`${op} ${file}: ${(error as Error).message}`, { cause: error, syscallCode: errnoOf(error) })
}

function injectedError (op: string, file: string, cause: Error | undefined): KafkaStorageError {
  const reason = cause ?? Object.assign(new Error(`EIO: i/o error, ${op} (injected)`), { code: 'EIO', errno: -5, syscall: op })
  return new KafkaStorageError(`${op} ${file}: ${reason.message}`, { cause: reason, syscallCode: errnoOf(reason) ?? 'EIO' })
}

// State shared by Storage and the files it opens. Not exported: only this module reaches in.
class StorageCore {
  readonly dataDir: string
  readonly ledger: DurabilityLedger | null
  lock: DataDirLock | null = null
  readonly files: FilePool
  readonly stats: StorageStats = { writeCalls: 0, writtenBytes: 0, syncCalls: 0, dirSyncCalls: 0, readCalls: 0, readBytes: 0, writeCallsByExtension: {} }
  writeFault: Fault | null = null
  syncFault: Fault | null = null
  readFault: Fault | null = null
  /** Every log writev waits this long first (slow-disk fault; 0: off). */
  writeDelayMs = 0
  /** Until this wall-clock time every writev and fsync waits (a stalled disk; 0: off). */
  stallEndMs = 0

  /** Waits out a disk stall, checking often so that ending it early takes effect at once. */
  async waitStall (): Promise<void> {
    while (Date.now() < this.stallEndMs) {
      await new Promise(resolve => setTimeout(resolve, Math.min(STALL_CHECK_MS, this.stallEndMs - Date.now())))
    }
  }

  constructor (dataDir: string, ledger: DurabilityLedger | null, openFilesMax: number) {
    this.dataDir = dataDir
    this.ledger = ledger
    this.files = new FilePool(openFilesMax)
  }

  path (file: string): string {
    const normal = posix.normalize(file)
    if (normal.startsWith('..') || posix.isAbsolute(normal) || normal === LEDGER_FILE) {
      throw new KafkaStorageError(`path ${file} is outside the data dir or reserved`)
    }
    return join(this.dataDir, normal)
  }

  takeWriteFault (file: string): Fault | null {
    const fault = this.writeFault
    if (fault === null || (fault.fileMatches !== undefined && !fault.fileMatches.test(file))) return null
    this.writeFault = null
    return fault
  }

  takeSyncFault (file: string): Fault | null {
    const fault = this.syncFault
    if (fault === null || (fault.fileMatches !== undefined && !fault.fileMatches.test(file))) return null
    this.syncFault = null
    return fault
  }

  takeReadFault (file: string): Fault | null {
    const fault = this.readFault
    if (fault === null || (fault.fileMatches !== undefined && !fault.fileMatches.test(file))) return null
    this.readFault = null
    return fault
  }

  countWrite (file: string, bytes: number): void {
    this.stats.writeCalls++
    this.stats.writtenBytes += bytes
    const extension = posix.extname(file)
    this.stats.writeCallsByExtension[extension] = (this.stats.writeCallsByExtension[extension] ?? 0) + 1
  }

  async syncDir (dir: string): Promise<void> {
    this.stats.dirSyncCalls++
    const handle = await open(dir === '' ? this.dataDir : this.path(dir), 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }
}

/** An open file of the log. Tracks its size (end of completed writes) and its durable length. */
export class StorageFile {
  readonly file: string
  readonly #core: StorageCore
  readonly #handle: PooledHandle
  #sizeBytes: number
  #durableBytes: number
  #parentDirUnsynced: boolean

  constructor (core: StorageCore, file: string, handle: PooledHandle, sizeBytes: number, durableBytes: number, isNew: boolean) {
    this.#core = core
    this.file = file
    this.#handle = handle
    this.#sizeBytes = sizeBytes
    this.#durableBytes = durableBytes
    this.#parentDirUnsynced = isNew
  }

  get sizeBytes (): number {
    return this.#sizeBytes
  }

  get durableBytes (): number {
    return this.#durableBytes
  }

  /** Writes every buffer, in order, at `position` with one writev call (libuv splits past IOV_MAX). */
  async writev (buffers: Buffer[], position: number): Promise<void> {
    if (this.#core.writeDelayMs > 0) await new Promise(resolve => setTimeout(resolve, this.#core.writeDelayMs))
    if (this.#core.stallEndMs > 0) await this.#core.waitStall()
    const fault = this.#core.takeWriteFault(this.file)
    try {
      if (fault !== null) {
        if (fault.tearBytes > 0) {
          const written = await this.#handle.use(h => writeAll(h, prefixOf(buffers, fault.tearBytes), position))
          this.#sizeBytes = Math.max(this.#sizeBytes, position + written)
        }
        throw injectedError('write', this.file, fault.cause)
      }
      let bytes = 0
      for (const buffer of buffers) bytes += buffer.length
      // Small writes in place: see file-io.ts (no thread-pool round trip on the ack path).
      const written = bytes <= SYNC_IO_BYTES_MAX
        ? await this.#handle.use(async h => writeAllSync(h.fd, buffers, position))
        : await this.#handle.use(h => writeAll(h, buffers, position))
      this.#core.countWrite(this.file, written)
      this.#sizeBytes = Math.max(this.#sizeBytes, position + written)
    } catch (error) {
      throw storageError('write', this.file, error)
    }
  }

  /** Reads up to `length` bytes at `position` into `target`; fewer only at end of file. */
  async read (target: Buffer, targetOffset: number, length: number, position: number): Promise<number> {
    let done = 0
    const fault = this.#core.takeReadFault(this.file)
    if (fault !== null) throw injectedError('read', this.file, fault.cause)
    try {
      await this.#handle.use(async handle => {
        // Small reads (a fetch at the log's tail) in place: see file-io.ts.
        if (length <= SYNC_IO_BYTES_MAX) {
          done = readAllSync(handle.fd, target, targetOffset, length, position)
          return
        }
        for (let attempt = 0; done < length && attempt < SHORT_IO_RETRIES_MAX; attempt++) {
          const { bytesRead } = await handle.read(target, targetOffset + done, length - done, position + done)
          if (bytesRead === 0) break
          done += bytesRead
        }
      })
    } catch (error) {
      throw storageError('read', this.file, error)
    }
    this.#core.stats.readCalls++
    this.#core.stats.readBytes += done
    return done
  }

  /**
   * fsync. Once it resolves, the bytes written before the call are durable: the ledger says so
   * before this promise resolves. The first sync of a new file also fsyncs its directory,
   * so the file's name is as durable as its contents.
   */
  async sync (): Promise<void> {
    if (this.#core.stallEndMs > 0) await this.#core.waitStall()
    const fault = this.#core.takeSyncFault(this.file)
    if (fault !== null) throw injectedError('fsync', this.file, fault.cause)
    const durableBytes = this.#sizeBytes
    try {
      this.#core.stats.syncCalls++
      await this.#handle.use(h => h.sync())
      if (this.#parentDirUnsynced) {
        await this.#core.syncDir(posix.dirname(this.file) === '.' ? '' : posix.dirname(this.file))
        this.#parentDirUnsynced = false
      }
      // Concurrent syncs may resolve out of order; the durable length only ever grows here.
      if (durableBytes > this.#durableBytes || this.#core.ledger?.durableBytes(this.file) === -1) {
        this.#durableBytes = Math.max(durableBytes, this.#durableBytes)
        await this.#core.ledger?.synced(this.file, this.#durableBytes)
      }
    } catch (error) {
      throw storageError('fsync', this.file, error)
    }
  }

  /** Cuts the file to `lengthBytes` and makes the cut durable at once (recovery only). */
  async truncate (lengthBytes: number): Promise<void> {
    try {
      await this.#handle.use(async h => {
        await h.truncate(lengthBytes)
        await h.sync()
      })
      this.#sizeBytes = lengthBytes
      this.#durableBytes = lengthBytes
      await this.#core.ledger?.synced(this.file, lengthBytes)
    } catch (error) {
      throw storageError('truncate', this.file, error)
    }
  }

  /** Closes the file for good; Node waits for operations already started on it. Does not fsync. */
  async close (): Promise<void> {
    try {
      await this.#handle.close()
    } catch (error) {
      throw storageError('close', this.file, error)
    }
  }
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
    this.#core.writeFault = { tearBytes: 0, cause, fileMatches }
  }

  /** The next write writes only its first `bytes` bytes, then fails. */
  tearNextWrite (bytes: number, cause?: Error, fileMatches?: RegExp): void {
    this.#core.writeFault = { tearBytes: bytes, cause, fileMatches }
  }

  /** Test hook: a slow disk, every writev takes at least `delayMs` from now on (0 turns it off). */
  slowWrites (delayMs: number): void {
    this.#core.writeDelayMs = delayMs
  }

  /**
   * Fault hook: the disk stalls for `durationMs` from now: every writev and fsync waits until
   * then (0 ends a stall at once). Reads are served, as from the page cache.
   */
  stallDisk (durationMs: number): void {
    this.#core.stallEndMs = durationMs > 0 ? Date.now() + durationMs : 0
  }

  /** Milliseconds left of a disk stall (0: none). */
  get diskStallMs (): number {
    return Math.max(0, this.#core.stallEndMs - Date.now())
  }

  /** The next fsync fails without syncing; the durable length does not advance. */
  failNextSync (cause?: Error, fileMatches?: RegExp): void {
    this.#core.syncFault = { tearBytes: 0, cause, fileMatches }
  }

  /** The next read fails with an EIO-like error. */
  failNextRead (cause?: Error, fileMatches?: RegExp): void {
    this.#core.readFault = { tearBytes: 0, cause, fileMatches }
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
        const fault = core.takeWriteFault(file)
        if (fault !== null) throw injectedError('write', tempFile, fault.cause)
        await writeAll(handle, [data], 0)
        core.countWrite(tempFile, data.length)
        const syncFault = core.takeSyncFault(file)
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

function parentOf (file: string): string {
  const parent = posix.dirname(file)
  return parent === '.' ? '' : parent
}
