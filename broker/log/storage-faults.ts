// The fault hooks of the storage layer (house style 8): fail or tear the next write, fail the
// next fsync or read, slow every write, stall the disk. Storage exposes them to tests and to
// the debug fault endpoints; StorageFile consults them at the start of each operation, so a
// fault lands exactly where a real disk error would. Losing what was never fsynced is the
// other half of disk faults; that works on the files after a crash (ledger.ts).

/** How often a write waiting out a disk stall checks whether it has ended. */
const STALL_CHECK_MS = 20

export interface Fault {
  /** Bytes to write before failing; 0 fails without writing anything. */
  tearBytes: number
  cause: Error | undefined
  fileMatches: RegExp | undefined
}

// A one-shot fault fires on the first operation whose file matches, then is gone.
function matches (fault: Fault | null, file: string): fault is Fault {
  return fault !== null && (fault.fileMatches === undefined || fault.fileMatches.test(file))
}

export class StorageFaults {
  #writeFault: Fault | null = null
  #syncFault: Fault | null = null
  #readFault: Fault | null = null
  /** Every log writev waits this long first (slow-disk fault; 0: off). */
  writeDelayMs = 0
  /** Until this wall-clock time every writev and fsync waits (a stalled disk; 0: off). */
  stallEndMs = 0

  /** The next write (optionally only to a file matching `fileMatches`) fails with an EIO-like error. */
  failNextWrite (cause?: Error, fileMatches?: RegExp): void {
    this.#writeFault = { tearBytes: 0, cause, fileMatches }
  }

  /** The next write writes only its first `bytes` bytes, then fails. */
  tearNextWrite (bytes: number, cause?: Error, fileMatches?: RegExp): void {
    this.#writeFault = { tearBytes: bytes, cause, fileMatches }
  }

  /** The next fsync fails without syncing; the durable length does not advance. */
  failNextSync (cause?: Error, fileMatches?: RegExp): void {
    this.#syncFault = { tearBytes: 0, cause, fileMatches }
  }

  /** The next read fails with an EIO-like error. */
  failNextRead (cause?: Error, fileMatches?: RegExp): void {
    this.#readFault = { tearBytes: 0, cause, fileMatches }
  }

  /** A slow disk: every writev takes at least `delayMs` from now on (0 turns it off). */
  slowWrites (delayMs: number): void {
    this.writeDelayMs = delayMs
  }

  /** The disk stalls for `durationMs` from now (0 ends a stall at once). */
  stallDisk (durationMs: number): void {
    this.stallEndMs = durationMs > 0 ? Date.now() + durationMs : 0
  }

  /** Milliseconds left of a disk stall (0: none). */
  get stallMs (): number {
    return Math.max(0, this.stallEndMs - Date.now())
  }

  /** Waits out a disk stall, checking often so that ending it early takes effect at once. */
  async waitStall (): Promise<void> {
    while (Date.now() < this.stallEndMs) {
      await new Promise(resolve => setTimeout(resolve, Math.min(STALL_CHECK_MS, this.stallEndMs - Date.now())))
    }
  }

  takeWriteFault (file: string): Fault | null {
    const fault = this.#writeFault
    if (!matches(fault, file)) return null
    this.#writeFault = null
    return fault
  }

  takeSyncFault (file: string): Fault | null {
    const fault = this.#syncFault
    if (!matches(fault, file)) return null
    this.#syncFault = null
    return fault
  }

  takeReadFault (file: string): Fault | null {
    const fault = this.#readFault
    if (!matches(fault, file)) return null
    this.#readFault = null
    return fault
  }
}
