// Linger-and-batch for client libraries whose send() call is one produce request
// (kafkajs, @platformatic/kafka) and for the HTTP driver: records collect until
// batchSizeBytes or lingerMs, then go out in one call; at most maxInFlight calls run at
// once and later batches queue behind them. Each record's promise settles with its
// batch. This is what the Java producer does internally and what these libraries leave
// to the caller; without it every record would be its own request.
//
// Settle functions are kept in parallel arrays, so adding a record allocates no closure.

import { toDriverError } from './common.ts'
import { DriverError } from './driver.ts'

export interface LingerSettings {
  lingerMs: number
  batchSizeBytes: number
  maxInFlight: number
  /** Bytes waiting (collecting or queued) before add() rejects with ERR_BUFFER_FULL. */
  bufferBytesMax?: number
}

interface Batch<T> {
  items: T[]
  bytes: number
  resolves: Array<() => void>
  rejects: Array<(err: Error) => void>
}

const BUFFER_BYTES_MAX_DEFAULT = 64 * 1024 * 1024

function emptyBatch<T> (): Batch<T> {
  return { items: [], bytes: 0, resolves: [], rejects: [] }
}

export class LingerBatcher<T> {
  readonly #settings: LingerSettings
  readonly #flush: (items: T[]) => Promise<void>
  readonly #context: string
  #open: Batch<T> = emptyBatch()
  readonly #queue: Array<Batch<T>> = []
  #inFlight = 0
  #bufferedBytes = 0
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null
  #closed = false
  #idle: Array<() => void> = []

  constructor (settings: LingerSettings, context: string, flush: (items: T[]) => Promise<void>) {
    this.#settings = settings
    this.#context = context
    this.#flush = flush
  }

  add (item: T, bytes: number): Promise<void> {
    if (this.#closed) return Promise.reject(new DriverError(`${this.#context}: producer is closed`, { code: 'ERR_CLOSED' }))
    const bufferBytesMax = this.#settings.bufferBytesMax ?? BUFFER_BYTES_MAX_DEFAULT
    if (this.#bufferedBytes >= bufferBytesMax) {
      return Promise.reject(new DriverError(`${this.#context}: ${this.#bufferedBytes} bytes wait unsent (limit ${bufferBytesMax}); the broker is not keeping up`, { code: 'ERR_BUFFER_FULL', retriable: true }))
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const batch = this.#open
    batch.items.push(item)
    batch.bytes += bytes
    batch.resolves.push(resolve)
    batch.rejects.push(reject)
    this.#bufferedBytes += bytes
    if (batch.bytes >= this.#settings.batchSizeBytes) this.#seal()
    else if (this.#timer === null) {
      this.#timer = this.#settings.lingerMs <= 0 ? setImmediate(() => this.#onLinger()) : setTimeout(() => this.#onLinger(), this.#settings.lingerMs)
    }
    return promise
  }

  #onLinger (): void {
    this.#timer = null
    if (this.#open.items.length > 0) this.#seal()
  }

  #seal (): void {
    this.#queue.push(this.#open)
    this.#open = emptyBatch()
    this.#pump()
  }

  #pump (): void {
    while (this.#queue.length > 0 && this.#inFlight < Math.max(1, this.#settings.maxInFlight)) {
      const batch = this.#queue.shift()!
      this.#inFlight++
      this.#flush(batch.items).then(() => {
        for (const resolve of batch.resolves) resolve()
      }, (err: unknown) => {
        const e = toDriverError(err, this.#context)
        for (const reject of batch.rejects) reject(e)
      }).finally(() => {
        this.#inFlight--
        this.#bufferedBytes -= batch.bytes
        this.#pump()
      })
    }
    if (this.#inFlight === 0 && this.#queue.length === 0 && this.#open.items.length === 0) {
      for (const wake of this.#idle.splice(0)) wake()
    }
  }

  /** Sends what is collected, waits for every call to finish, then refuses new records. */
  async close (): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer as NodeJS.Timeout)
      clearImmediate(this.#timer as NodeJS.Immediate)
      this.#timer = null
    }
    if (this.#open.items.length > 0) this.#seal()
    await new Promise<void>(resolve => {
      this.#idle.push(resolve)
      this.#pump()
    })
    this.#closed = true
  }
}
