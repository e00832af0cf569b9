// The native driver's producer: Kafka's producer design in miniature, on Sluice's own
// client.
//
// - Partitioning: keyed records go where Java's murmur2 rule says; unkeyed records stick
//   to one partition until its batch is sealed, then move on (Java's sticky partitioner).
// - Accumulation: one BatchBuilder per partition encodes records as they arrive. A batch
//   is sealed when it reaches batchSizeBytes or when the producer's linger timer fires
//   (one coarse timer per producer, armed by the first record after a quiet spell;
//   lingerMs 0 means "at the end of this event-loop turn").
// - Sending: sealed batches go to their partition's leader, one batch per partition per
//   Produce request, at most maxInFlight requests per broker. Each send() promise is
//   settled when its batch is: acks 1 / -1 on the broker's answer, acks 0 once the
//   request is written to the socket (the Java client does the same).
// - Failures: retriable codes (and lost connections) are retried up to `retries` times
//   after a 100 ms pause and a metadata refresh; the rest reject every record of the
//   batch with a DriverError carrying the Kafka code.
// - Bounds: at most bufferBytesMax bytes wait unsent; beyond that send() rejects with
//   ERR_BUFFER_FULL instead of growing without limit.
// - Allocation: sendTimed() (the load generator's path) allocates nothing per record: the
//   record is encoded into the open batch, its times go into TimedRecords arrays, and an
//   acknowledged batch's memory goes back to its builder for a later batch. send() still
//   makes the promise its interface asks for.

import { partitionForKey } from '../../broker/protocol/partitioner.ts'
import { ErrorCode } from '../../broker/protocol/errors.ts'
import { BatchBuilder } from '../client/batch-builder.ts'
import type { KafkaClient } from '../../broker/client/kafka-client.ts'
import { checkCompression, compressBatch, type CompressionName } from '../../broker/client/compression.ts'
import { isRetriableKafkaError, KafkaClientError, kafkaError } from '../../broker/client/errors.ts'
import { monotonicUs, TIMESTAMP_HEADER } from '../measure/clock.ts'
import { toDriverError } from './common.ts'
import { DriverError, type BenchmarkProducer, type ProducerSettings, type RecordHeaders, type SendListener } from './driver.ts'
import { TimedRecords } from './timed-records.ts'

const RETRY_BACKOFF_MS = 100
const PRODUCE_TIMEOUT_MS = 30_000
const BUFFER_BYTES_MAX_DEFAULT = 64 * 1024 * 1024
/** Upper bound of a record's framing (length, attributes, deltas, lengths) and the send-time header. */
const RECORD_OVERHEAD_BYTES = 64
/** Room assumed for caller-supplied headers when deciding whether a record still fits. */
const HEADERS_ESTIMATE_BYTES = 256
/** Emptied TimedRecords kept for later batches. */
const SPARE_TIMED_MAX = 64

// The settle functions of each record's promise, kept in two parallel arrays so that a
// send() allocates no closure of its own.
interface Accumulator {
  builder: BatchBuilder
  resolves: Array<() => void>
  rejects: Array<(err: Error) => void>
  timed: TimedRecords
}

interface ReadyBatch {
  partition: number
  batch: Buffer
  resolves: Array<() => void>
  rejects: Array<(err: Error) => void>
  timed: TimedRecords
  attempts: number
  notBeforeMs: number
}

function wallOffsetMs (): number {
  return Date.now() - monotonicUs() / 1000
}

export class NativeProducer implements BenchmarkProducer {
  readonly #client: KafkaClient
  readonly #topic: string
  readonly #settings: ProducerSettings
  readonly #bufferBytesMax: number
  readonly #accumulators: Array<Accumulator | undefined>
  #leaders: number[]
  #ready: ReadyBatch[] = []
  readonly #inFlight = new Map<number, number>()
  #bufferedBytes = 0
  #sticky: number
  #lingerArmed = false
  #lingerTimer: NodeJS.Timeout | null = null
  /** Monotonic µs at which the armed linger is due; a record arriving later seals at once. */
  #lingerDueUs = 0
  #retryTimer: NodeJS.Timeout | null = null
  #refreshing: Promise<void> | null = null
  #closed = false
  #idle: Array<() => void> = []
  readonly #spareTimed: TimedRecords[] = []
  /** Wall-clock ms minus monotonic ms, refreshed at every linger (so a clock step is followed). */
  #wallOffsetMs = wallOffsetMs()

  private constructor (client: KafkaClient, topic: string, leaders: number[], settings: ProducerSettings, bufferBytesMax: number) {
    this.#client = client
    this.#topic = topic
    this.#settings = settings
    this.#leaders = leaders
    this.#bufferBytesMax = bufferBytesMax
    this.#accumulators = new Array(leaders.length)
    this.#sticky = Math.floor(Math.random() * leaders.length)
  }

  static async create (client: KafkaClient, topic: string, settings: ProducerSettings, bufferBytesMax = BUFFER_BYTES_MAX_DEFAULT): Promise<NativeProducer> {
    if (settings.idempotent) throw new DriverError('native driver: idempotent producers need InitProducerId, which the native client does not implement yet; use platformatic or kafkajs', { code: 'ERR_UNSUPPORTED' })
    try {
      checkCompression(settings.compression)
    } catch (err) {
      throw toDriverError(err, 'native producer')
    }
    const info = await client.topic(topic, true).catch((err: unknown) => { throw toDriverError(err, `native producer for "${topic}"`) })
    return new NativeProducer(client, topic, info.partitions.map(p => p.leaderId), settings, bufferBytesMax)
  }

  send (key: Buffer | null, payload: Buffer, headers?: RecordHeaders): Promise<void> {
    const refused = this.#refusal()
    if (refused !== null) return Promise.reject(refused)
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    // The builder writes the send-time header itself (clock.ts's encoding, no Buffer per
    // record) unless the caller already stamped one.
    const sendTimestampUs = headers !== undefined && headers[TIMESTAMP_HEADER] !== undefined ? -1 : monotonicUs()
    const partition = this.#append(key, payload, headers, Date.now(), sendTimestampUs)
    const acc = this.#accumulators[partition]!
    acc.resolves.push(resolve)
    acc.rejects.push(reject)
    this.#afterAppend(partition, sendTimestampUs >= 0 ? sendTimestampUs : monotonicUs())
    return promise
  }

  sendTimed (key: Buffer | null, payload: Buffer, intendedUs: number, sentUs: number, listener: SendListener): void {
    const refused = this.#refusal()
    if (refused !== null) {
      listener.failed(refused)
      return
    }
    // The record's CreateTime is the send time on the wall clock, derived from sentUs
    // rather than read again: one clock reading per record instead of two.
    const partition = this.#append(key, payload, undefined, Math.floor(sentUs / 1000 + this.#wallOffsetMs), sentUs)
    this.#accumulators[partition]!.timed.push(intendedUs, sentUs, payload.length, listener)
    this.#afterAppend(partition, sentUs)
  }

  #refusal (): DriverError | null {
    if (this.#closed) return new DriverError('producer is closed', { code: 'ERR_CLOSED' })
    if (this.#bufferedBytes >= this.#bufferBytesMax) {
      return new DriverError(`${this.#bufferedBytes} bytes wait unsent (limit ${this.#bufferBytesMax}); the broker is not keeping up`, { code: 'ERR_BUFFER_FULL', retriable: true })
    }
    return null
  }

  /** Encodes the record into its partition's open batch; returns the partition. */
  #append (key: Buffer | null, payload: Buffer, headers: RecordHeaders | undefined, timestampMs: number, sendTimestampUs: number): number {
    let partition = key === null ? this.#sticky : partitionForKey(key, this.#leaders.length)
    let acc = this.#accumulator(partition)
    // A record that would take the open batch past batchSizeBytes starts the next batch
    // (as Java's producer does) instead of growing it: growing copied the whole batch into
    // a buffer twice its size, for most 1 KiB records that ended a 256 KiB batch.
    const recordBytes = payload.length + (key === null ? 0 : key.length) + RECORD_OVERHEAD_BYTES + (headers === undefined ? 0 : HEADERS_ESTIMATE_BYTES)
    if (acc.builder.count > 0 && acc.builder.sizeBytes + recordBytes > this.#settings.batchSizeBytes) {
      this.#seal(partition)
      this.#drain()
      if (key === null) acc = this.#accumulator(partition = this.#sticky)
    }
    // A fresh batch also brings its 61-byte header into the buffer.
    const before = acc.builder.count === 0 ? 0 : acc.builder.sizeBytes
    acc.builder.append(key, payload, headers, timestampMs, sendTimestampUs)
    this.#bufferedBytes += acc.builder.sizeBytes - before
    return partition
  }

  #accumulator (partition: number): Accumulator {
    let acc = this.#accumulators[partition]
    if (acc === undefined) {
      acc = { builder: new BatchBuilder(Math.min(this.#settings.batchSizeBytes + 1024, 1024 * 1024)), resolves: [], rejects: [], timed: this.#takeTimed() }
      this.#accumulators[partition] = acc
    }
    return acc
  }

  /**
   * Seals a full batch, or arms the linger timer for the open ones. Timers fire on
   * millisecond ticks, so linger 1 ms often meant nearly 2; a record that arrives once the
   * linger is due (nowUs, the send time) seals the open batches itself, so at any steady
   * rate a batch waits its linger give or take one record's spacing.
   */
  #afterAppend (partition: number, nowUs: number): void {
    if (this.#accumulators[partition]!.builder.sizeBytes >= this.#settings.batchSizeBytes) {
      this.#seal(partition)
      this.#drain()
    } else if (!this.#lingerArmed) {
      this.#lingerArmed = true
      if (this.#settings.lingerMs <= 0) {
        setImmediate(this.#onLingerBound)
      } else {
        this.#lingerDueUs = nowUs + this.#settings.lingerMs * 1000
        this.#lingerTimer = setTimeout(this.#onLingerBound, this.#settings.lingerMs)
      }
    } else if (this.#settings.lingerMs > 0 && nowUs >= this.#lingerDueUs) {
      this.#onLinger()
    }
  }

  readonly #onLingerBound = (): void => { this.#onLinger() }

  #takeTimed (): TimedRecords {
    return this.#spareTimed.pop() ?? new TimedRecords()
  }

  #onLinger (): void {
    this.#lingerArmed = false
    if (this.#lingerTimer !== null) {
      clearTimeout(this.#lingerTimer)
      this.#lingerTimer = null
    }
    this.#wallOffsetMs = wallOffsetMs()
    for (let p = 0; p < this.#accumulators.length; p++) {
      if (this.#accumulators[p] !== undefined && this.#accumulators[p]!.builder.count > 0) this.#seal(p)
    }
    this.#drain()
  }

  #seal (partition: number): void {
    const acc = this.#accumulators[partition]!
    this.#ready.push({ partition, batch: acc.builder.seal(), resolves: acc.resolves, rejects: acc.rejects, timed: acc.timed, attempts: 0, notBeforeMs: 0 })
    acc.resolves = []
    acc.rejects = []
    acc.timed = this.#takeTimed()
    if (partition === this.#sticky) this.#sticky = (this.#sticky + 1) % this.#leaders.length
  }

  /** Sends every ready batch its leader has room for, oldest first, one per partition per request. */
  #drain (): void {
    const now = Date.now()
    for (;;) {
      const requests = new Map<number, ReadyBatch[]>()
      const blocked = new Set<number>()
      const rest: ReadyBatch[] = []
      for (const rb of this.#ready) {
        const leader = this.#leaders[rb.partition] ?? -1
        if (blocked.has(rb.partition) || rb.notBeforeMs > now || leader < 0 || (this.#inFlight.get(leader) ?? 0) >= this.#settings.maxInFlight) {
          blocked.add(rb.partition)
          rest.push(rb)
          continue
        }
        blocked.add(rb.partition)
        let list = requests.get(leader)
        if (list === undefined) requests.set(leader, list = [])
        list.push(rb)
      }
      this.#ready = rest
      if (requests.size === 0) break
      for (const [leader, batches] of requests) this.#sendRequest(leader, batches)
    }
    if (this.#ready.length > 0 && this.#retryTimer === null) {
      const wakeMs = Math.max(1, Math.min(...this.#ready.map(rb => rb.notBeforeMs)) - now)
      this.#retryTimer = setTimeout(() => { this.#retryTimer = null; this.#drain() }, Math.min(wakeMs, RETRY_BACKOFF_MS))
    }
    this.#checkIdle()
  }

  #sendRequest (leader: number, batches: ReadyBatch[]): void {
    this.#inFlight.set(leader, (this.#inFlight.get(leader) ?? 0) + 1)
    const acks = this.#settings.acks
    const compression = this.#settings.compression as CompressionName
    const send = async (): Promise<void> => {
      const encoded = compression === 'none' ? batches : await Promise.all(batches.map(async rb => ({ ...rb, batch: await compressBatch(rb.batch, compression) })))
      const res = await this.#client.produce(leader, this.#topic, encoded.map(rb => ({ partition: rb.partition, batch: rb.batch })), { acks, timeoutMs: PRODUCE_TIMEOUT_MS })
      const codes = new Map<number, { code: number, message: string | null }>()
      for (const t of res?.topics ?? []) for (const p of t.partitions) codes.set(p.partitionIndex, { code: p.errorCode, message: p.errorMessage })
      for (const rb of batches) {
        const result = res === null ? { code: ErrorCode.NONE, message: null } : codes.get(rb.partition) ?? { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: 'partition missing from the response' }
        if (result.code === ErrorCode.NONE) this.#settle(rb, null)
        else this.#fail(rb, kafkaError(result.code, `Produce to ${this.#topic}-${rb.partition}`, result.message))
      }
    }
    send().catch((err: unknown) => {
      for (const rb of batches) this.#fail(rb, err)
    }).finally(() => {
      this.#inFlight.set(leader, this.#inFlight.get(leader)! - 1)
      this.#drain()
    })
  }

  #fail (rb: ReadyBatch, err: unknown): void {
    const retriable = err instanceof KafkaClientError ? err.retriable : err instanceof DriverError ? err.retriable : false
    if (retriable && rb.attempts < this.#settings.retries && !this.#closed) {
      rb.attempts++
      rb.notBeforeMs = Date.now() + RETRY_BACKOFF_MS
      this.#ready.unshift(rb)
      const code = err instanceof KafkaClientError ? err.kafkaErrorCode : null
      if (code === null || isRetriableKafkaError(code)) this.#refreshLeaders()
      return
    }
    this.#settle(rb, toDriverError(err, `native producer, ${this.#topic}-${rb.partition}`))
  }

  #settle (rb: ReadyBatch, err: Error | null): void {
    this.#bufferedBytes -= rb.batch.length
    if (err === null) {
      if (rb.timed.count > 0) rb.timed.ackAll(monotonicUs())
      for (const resolve of rb.resolves) resolve()
      // The broker has answered, so nothing reads the batch any more: its memory can
      // carry a later batch of the same partition.
      this.#accumulators[rb.partition]?.builder.recycle(rb.batch)
    } else {
      rb.timed.failAll(err)
      for (const reject of rb.rejects) reject(err)
    }
    if (this.#spareTimed.length < SPARE_TIMED_MAX) this.#spareTimed.push(rb.timed)
  }

  #refreshLeaders (): void {
    this.#refreshing ??= this.#client.topic(this.#topic, true)
      .then(info => { if (info.partitions.length === this.#leaders.length) this.#leaders = info.partitions.map(p => p.leaderId) }, () => {})
      .finally(() => { this.#refreshing = null })
  }

  #checkIdle (): void {
    if (this.#idle.length === 0 || this.#ready.length > 0 || this.#lingerArmed) return
    for (const n of this.#inFlight.values()) if (n > 0) return
    for (const wake of this.#idle.splice(0)) wake()
  }

  /** Sends what is buffered, waits for every outstanding send, then refuses new ones. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#onLinger()
    await new Promise<void>(resolve => {
      this.#idle.push(resolve)
      this.#checkIdle()
    })
    this.#closed = true
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer)
  }
}
