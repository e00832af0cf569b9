// State shared by Storage (storage.ts) and the files it opens (storage-file.ts): the data dir,
// the durability ledger, the open-file budget, the counters and the fault hooks. Only those
// two modules reach in; everything else sees Storage and StorageFile.

import { open } from 'node:fs/promises'
import { posix, join } from 'node:path'
import { KafkaStorageError } from './errors.ts'
import type { DataDirLock } from './data-dir-lock.ts'
import { FilePool } from './file-pool.ts'
import { LEDGER_FILE } from './ledger.ts'
import type { DurabilityLedger } from './ledger.ts'
import { StorageFaults } from './storage-faults.ts'

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

export function errnoOf (error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** Every failure of the storage layer surfaces as KafkaStorageError, naming the operation and file. */
export function storageError (op: string, file: string, error: unknown): KafkaStorageError {
  if (error instanceof KafkaStorageError) return error
  return new KafkaStorageError(`${op} ${file}: ${(error as Error).message}`, { cause: error, syscallCode: errnoOf(error) })
}

/** The error an injected fault surfaces as: the given cause, or an EIO like the kernel's. */
export function injectedError (op: string, file: string, cause: Error | undefined): KafkaStorageError {
  const reason = cause ?? Object.assign(new Error(`EIO: i/o error, ${op} (injected)`), { code: 'EIO', errno: -5, syscall: op })
  return new KafkaStorageError(`${op} ${file}: ${reason.message}`, { cause: reason, syscallCode: errnoOf(reason) ?? 'EIO' })
}

/** The directory holding `file`, '' for the data dir itself. */
export function parentOf (file: string): string {
  const parent = posix.dirname(file)
  return parent === '.' ? '' : parent
}

export class StorageCore {
  readonly dataDir: string
  readonly ledger: DurabilityLedger | null
  lock: DataDirLock | null = null
  readonly files: FilePool
  readonly stats: StorageStats = { writeCalls: 0, writtenBytes: 0, syncCalls: 0, dirSyncCalls: 0, readCalls: 0, readBytes: 0, writeCallsByExtension: {} }
  readonly faults = new StorageFaults()

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
