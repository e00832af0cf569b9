// Offset checkpoint files in Kafka's text format, e.g. `recovery-point-offset-checkpoint`:
//
//   0                      version
//   2                      number of entries
//   orders 0 1200          topic partition offset
//   orders 1 977
//
// Written atomically through the storage layer (temp file, fsync, rename, fsync dir), so a
// crash leaves the old file or the new one. Writes are coalesced: while one is in flight,
// any number of requests share the single write that follows it.

import type { Storage } from './storage.ts'

export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint'
const CHECKPOINT_VERSION = 0
/** Bounds: no broker here holds a million partitions, and the file is read whole. */
const CHECKPOINT_ENTRIES_MAX = 1_000_000
const CHECKPOINT_BYTES_MAX = 64 * 1024 * 1024

export interface CheckpointEntry {
  topic: string
  partition: number
  offset: number
}

export function encodeOffsetCheckpoint (entries: readonly CheckpointEntry[]): Buffer {
  let text = `${CHECKPOINT_VERSION}\n${entries.length}\n`
  for (const { topic, partition, offset } of entries) text += `${topic} ${partition} ${offset}\n`
  return Buffer.from(text, 'utf8')
}

/** Parses a checkpoint file; throws a RangeError saying what is wrong with a malformed one. */
export function parseOffsetCheckpoint (text: string): CheckpointEntry[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines[0]?.trim() !== String(CHECKPOINT_VERSION)) throw new RangeError(`unsupported checkpoint version ${JSON.stringify(lines[0])}`)
  const count = Number(lines[1])
  if (!Number.isInteger(count) || count < 0 || count > CHECKPOINT_ENTRIES_MAX) throw new RangeError(`bad entry count ${JSON.stringify(lines[1])}`)
  if (lines.length !== count + 2) throw new RangeError(`checkpoint declares ${count} entries but has ${lines.length - 2}`)
  const entries: CheckpointEntry[] = []
  for (let i = 2; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/)
    const partition = Number(fields[1])
    const offset = Number(fields[2])
    if (fields.length !== 3 || fields[0]!.length === 0 || !Number.isSafeInteger(partition) || partition < 0 || !Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`bad checkpoint line ${i + 1}: ${JSON.stringify(lines[i])}`)
    }
    entries.push({ topic: fields[0]!, partition, offset })
  }
  return entries
}

function keyOf (topic: string, partition: number): string {
  return `${topic} ${partition}`
}

export class OffsetCheckpointFile {
  readonly file: string
  /** Why the file on disk was ignored (unreadable or malformed), or null. */
  readonly loadError: string | null
  readonly #storage: Storage
  readonly #offsets = new Map<string, CheckpointEntry>()
  #dirty = false
  #inFlight: Promise<void> | null = null
  #next: Promise<void> | null = null

  private constructor (storage: Storage, file: string, entries: CheckpointEntry[], loadError: string | null) {
    this.#storage = storage
    this.file = file
    this.loadError = loadError
    for (const entry of entries) this.#offsets.set(keyOf(entry.topic, entry.partition), entry)
  }

  /** Reads the file; a missing file is empty, a malformed one is ignored (recovery then scans everything). */
  static async load (storage: Storage, file: string): Promise<OffsetCheckpointFile> {
    const data = await storage.readFile(file, CHECKPOINT_BYTES_MAX)
    if (data === null) return new OffsetCheckpointFile(storage, file, [], null)
    try {
      return new OffsetCheckpointFile(storage, file, parseOffsetCheckpoint(data.toString('utf8')), null)
    } catch (error) {
      return new OffsetCheckpointFile(storage, file, [], (error as Error).message)
    }
  }

  get dirty (): boolean {
    return this.#dirty
  }

  get (topic: string, partition: number): number | undefined {
    return this.#offsets.get(keyOf(topic, partition))?.offset
  }

  set (topic: string, partition: number, offset: number): void {
    const key = keyOf(topic, partition)
    if (this.#offsets.get(key)?.offset === offset) return
    this.#offsets.set(key, { topic, partition, offset })
    this.#dirty = true
  }

  delete (topic: string, partition: number): void {
    if (this.#offsets.delete(keyOf(topic, partition))) this.#dirty = true
  }

  entries (): CheckpointEntry[] {
    return [...this.#offsets.values()]
  }

  /** Writes the current offsets; concurrent calls share at most one extra write. */
  write (): Promise<void> {
    if (this.#next !== null) return this.#next
    if (this.#inFlight !== null) {
      const next = this.#inFlight.then(() => {}, () => {}).then(() => {
        this.#next = null
        return this.#writeNow()
      })
      this.#next = next
      return next
    }
    return this.#writeNow()
  }

  #writeNow (): Promise<void> {
    const data = encodeOffsetCheckpoint(this.entries())
    this.#dirty = false
    const write = this.#storage.writeFileAtomic(this.file, data).catch((error: unknown) => {
      this.#dirty = true
      throw error
    })
    this.#inFlight = write
    const clear = (): void => {
      if (this.#inFlight === write) this.#inFlight = null
    }
    write.then(clear, clear)
    return write
  }
}
