// An open file of the log, as the storage layer hands it out (storage.ts opens it). Every
// writev, read, fsync and truncate passes the fault hooks first (storage-faults.ts), counts
// itself in the stats, and moves the durability ledger only once an fsync has resolved.

import { prefixOf, readAllSync, SHORT_IO_RETRIES_MAX, SYNC_IO_BYTES_MAX, writeAll, writeAllSync } from './file-io.ts'
import type { PooledHandle } from './file-pool.ts'
import { injectedError, parentOf, storageError } from './storage-core.ts'
import type { StorageCore } from './storage-core.ts'

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
    if (this.#core.faults.writeDelayMs > 0) await new Promise(resolve => setTimeout(resolve, this.#core.faults.writeDelayMs))
    if (this.#core.faults.stallEndMs > 0) await this.#core.faults.waitStall()
    const fault = this.#core.faults.takeWriteFault(this.file)
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
    const fault = this.#core.faults.takeReadFault(this.file)
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
    if (this.#core.faults.stallEndMs > 0) await this.#core.faults.waitStall()
    const fault = this.#core.faults.takeSyncFault(this.file)
    if (fault !== null) throw injectedError('fsync', this.file, fault.cause)
    const durableBytes = this.#sizeBytes
    try {
      this.#core.stats.syncCalls++
      await this.#handle.use(h => h.sync())
      if (this.#parentDirUnsynced) {
        await this.#core.syncDir(parentOf(this.file))
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
