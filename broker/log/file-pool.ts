// A budget on the file descriptors the log holds. Every segment has three files (.log,
// .index, .timeindex); keeping them all open made 10,000 partitions, or a few thousand
// segments, exhaust the process's descriptors, after which new topics failed and even a
// restart failed with EMFILE. Here a file is a PooledHandle that opens on first use and is
// closed again when idle and its slot is wanted: at most `openFilesMax` are open at once,
// least recently used closed first. A handle in use (an operation in flight) is never closed
// under it; when every slot is busy, an open waits for one to come free. An operation holds
// one file at a time, so waiting cannot deadlock.
//
// Linux fsyncs an inode, not a descriptor, so reopening a file and fsyncing it makes
// everything written through an earlier descriptor durable too.

import { constants, open, type FileHandle } from 'node:fs/promises'

export class PooledHandle {
  readonly path: string
  readonly #pool: FilePool
  #handle: FileHandle | null = null
  #opening: Promise<FileHandle> | null = null
  #inUse = 0
  #closed = false

  private constructor (pool: FilePool, path: string) {
    this.#pool = pool
    this.path = path
  }

  /** Opens `path` with `flags` (O_CREAT, O_TRUNC as needed) once a slot is free. */
  static async open (pool: FilePool, path: string, flags: number): Promise<PooledHandle> {
    const pooled = new PooledHandle(pool, path)
    await pooled.#openWith(flags, false)
    return pooled
  }

  get isIdle (): boolean {
    return this.#inUse === 0 && this.#opening === null
  }

  /** Runs `operation` with the file open; the descriptor stays open until it settles. */
  async use<T> (operation: (handle: FileHandle) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error(`${this.path} is closed`)
    this.#inUse++
    try {
      const handle = this.#handle ?? await (this.#opening ??= this.#openWith(constants.O_RDWR, true))
      this.#pool.touch(this)
      return await operation(handle)
    } finally {
      if (--this.#inUse === 0) this.#pool.released(this)
    }
  }

  // Reopening uses read-write without O_CREAT: the file must still be where it was created.
  async #openWith (flags: number, isReopen: boolean): Promise<FileHandle> {
    await this.#pool.reserve()
    let handle: FileHandle
    try {
      handle = await open(this.path, flags, 0o644)
    } catch (error) {
      this.#pool.unreserve()
      throw error
    } finally {
      this.#opening = null
    }
    if (this.#closed) {
      this.#pool.unreserve()
      await handle.close()
      throw new Error(`${this.path} is closed`)
    }
    this.#handle = handle
    this.#pool.opened(this, isReopen)
    return handle
  }

  /** Closes the descriptor to free a slot; the next use opens the file again. */
  evict (): void {
    const handle = this.#handle
    if (handle === null || !this.isIdle) return
    this.#handle = null
    this.#pool.closed(this)
    handle.close().catch(() => {})
  }

  /** Closes for good (waits for operations already started on the descriptor). */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#opening?.catch(() => {})
    const handle = this.#handle
    this.#handle = null
    if (handle !== null) {
      this.#pool.closed(this)
      await handle.close()
    }
  }
}

export class FilePool {
  readonly openFilesMax: number
  /** Open handles, least recently used first (a Set keeps insertion order). */
  readonly #open = new Set<PooledHandle>()
  /** Slots taken by opens in progress. */
  #reserved = 0
  readonly #waiters: Array<() => void> = []
  /** Files opened again after being closed for the budget (for tests and metrics). */
  reopens = 0

  constructor (openFilesMax: number) {
    this.openFilesMax = openFilesMax
  }

  get openCount (): number {
    return this.#open.size
  }

  /** Takes a slot for an open, closing the least recently used idle file or waiting for one. */
  async reserve (): Promise<void> {
    while (this.#open.size + this.#reserved >= this.openFilesMax) {
      if (!this.#closeOneIdle()) await new Promise<void>(resolve => this.#waiters.push(resolve))
    }
    this.#reserved++
  }

  unreserve (): void {
    this.#reserved--
    this.#waiters.shift()?.()
  }

  opened (handle: PooledHandle, isReopen: boolean): void {
    this.#reserved--
    if (isReopen) this.reopens++
    this.#open.add(handle)
  }

  touch (handle: PooledHandle): void {
    if (!this.#open.has(handle)) return
    this.#open.delete(handle)
    this.#open.add(handle)
  }

  /** A handle's last operation ended: give its slot to a waiting open, if any. */
  released (handle: PooledHandle): void {
    if (this.#waiters.length > 0) handle.evict()
  }

  closed (handle: PooledHandle): void {
    if (this.#open.delete(handle)) this.#waiters.shift()?.()
  }

  #closeOneIdle (): boolean {
    for (const handle of this.#open) {
      if (handle.isIdle) {
        handle.evict()
        return true
      }
    }
    return false
  }
}
