// replication-offset-checkpoint: the high watermark of every partition this broker hosts,
// written every replica.high.watermark.checkpoint.interval.ms and at close, atomically
// (temp file, fsync, rename) in Kafka's text format (version 0, a count, then
// "topic partition offset" lines). A restarted replica starts from it, so the high
// watermark it reports never goes back below what it reported before the restart.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const HW_CHECKPOINT_FILE = 'replication-offset-checkpoint'

export class HighWatermarkCheckpoint {
  readonly #file: string
  readonly #log: (line: string) => void
  readonly #values = new Map<string, { topic: string, partition: number, offset: number }>()
  #dirty = false
  readonly #timer: NodeJS.Timeout

  constructor (dataDir: string, intervalMs: number, log: (line: string) => void) {
    this.#file = join(dataDir, HW_CHECKPOINT_FILE)
    this.#log = log
    this.#read()
    this.#timer = setInterval(() => { this.#write() }, intervalMs)
    this.#timer.unref()
  }

  get (topic: string, partition: number): number | undefined {
    return this.#values.get(`${topic}\u0000${partition}`)?.offset
  }

  /** Records a high watermark; lower values than the one held are ignored (it never goes back). */
  set (topic: string, partition: number, offset: number): void {
    const k = `${topic}\u0000${partition}`
    const held = this.#values.get(k)
    if (held !== undefined && held.offset >= offset) return
    this.#values.set(k, { topic, partition, offset })
    this.#dirty = true
  }

  /** The replica is gone (topic deleted or reassigned away). */
  forget (topic: string, partition: number): void {
    if (this.#values.delete(`${topic}\u0000${partition}`)) this.#dirty = true
  }

  close (): void {
    clearInterval(this.#timer)
    this.#write()
  }

  #read (): void {
    let text: string
    try {
      text = readFileSync(this.#file, 'utf8')
    } catch {
      return
    }
    const lines = text.split('\n').filter(l => l.trim() !== '')
    if (lines[0] !== '0' || Number(lines[1]) !== lines.length - 2) {
      this.#log(`${this.#file}: not a version 0 checkpoint with its count; high watermarks start from the logs`)
      return
    }
    for (const line of lines.slice(2)) {
      const parts = line.split(' ')
      const offset = Number(parts.at(-1))
      const partition = Number(parts.at(-2))
      const topic = parts.slice(0, -2).join(' ')
      if (topic !== '' && Number.isSafeInteger(partition) && Number.isSafeInteger(offset) && offset >= 0) this.#values.set(`${topic}\u0000${partition}`, { topic, partition, offset })
    }
  }

  #write (): void {
    if (!this.#dirty) return
    this.#dirty = false
    const entries = [...this.#values.values()]
    const text = ['0', String(entries.length), ...entries.map(e => `${e.topic} ${e.partition} ${e.offset}`)].join('\n') + '\n'
    const tmp = `${this.#file}.tmp`
    try {
      const fd = openSync(tmp, 'w')
      try {
        writeSync(fd, text)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(tmp, this.#file)
    } catch (err) {
      this.#dirty = true
      this.#log(`writing ${this.#file} failed: ${(err as Error).message}`)
    }
  }
}
