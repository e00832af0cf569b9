// The native driver's consumer. It does NOT join a consumer group: it assigns itself every
// partition of the topic and fetches them all from offset 0, keeping its positions in
// memory. Each subscription name therefore gets its own independent position (two
// consumers on one subscription both read everything), nothing is committed, and a
// restarted consumer reads from 0 again. That is enough to measure the broker's fetch
// path; group semantics are measured with the platformatic and kafkajs drivers.
//
// Loop: one Fetch per partition leader per round (in parallel across leaders), long
// polling with fetchMaxWaitMs / fetchMinBytes; records at or after the position are
// delivered in offset order per partition; control batches are skipped. Errors never end
// the loop: OFFSET_OUT_OF_RANGE resets to the earliest offset; other failures are counted
// by code, refresh metadata and back off (100 ms doubling to 2 s).
//
// pause() stops issuing fetches; a fetch already in flight still delivers its records.
//
// Two ways to deliver: create() builds a ConsumedMessage per record (batch-reader.ts);
// createTimed() walks each batch in place and hands a ReceiveListener only the value size
// and the decoded timestamp header (record-walk.ts), allocating nothing per record: the
// load generator's path, where the message objects were most of the consumer's cost.
// createTimed() may also be given the FrameArena its client joins large frames into: the
// listener sees no bytes, so once a round of fetches is delivered nothing refers to those
// frames and the arena takes them back for the next round.

import { ListOffsetsTimestamp } from '../../broker/protocol/02-list-offsets.ts'
import { ErrorCode, errorName } from '../../broker/protocol/errors.ts'
import { decodeFetchedRecords, type FetchedRecord } from '../../broker/client/batch-reader.ts'
import { walkFetchedRecords, type RecordVisit } from '../../broker/client/record-walk.ts'
import type { FrameArena } from '../../broker/client/frame-arena.ts'
import type { KafkaClient } from '../../broker/client/kafka-client.ts'
import { KafkaClientError } from '../../broker/client/errors.ts'
import { toDriverError } from './common.ts'
import { readTimestampHeader, TIMESTAMP_HEADER } from '../measure/clock.ts'
import type { BenchmarkConsumer, ConsumedMessage, ConsumerSettings, ReceiveListener } from './driver.ts'

const FETCH_MAX_BYTES = 50 * 1024 * 1024
const PARTITION_MAX_BYTES = 1024 * 1024
const BACKOFF_MS_MIN = 100
const BACKOFF_MS_MAX = 2000
const TIMESTAMP_HEADER_NAME = Buffer.from(TIMESTAMP_HEADER)

/** One of the two ways to deliver: a message per record, or the listener's counts. */
type Sink = { onMessage: (message: ConsumedMessage) => void } | { listener: ReceiveListener, arena: FrameArena | null }

export class NativeConsumer implements BenchmarkConsumer {
  readonly #client: KafkaClient
  readonly #topic: string
  readonly #settings: ConsumerSettings
  readonly #onMessage: ((message: ConsumedMessage) => void) | null
  /** Set for createTimed(): made once, so the walk allocates no closure per fetch. */
  readonly #visit: RecordVisit | null
  readonly #arena: FrameArena | null
  readonly #positions: number[]
  #leaders: number[]
  #paused = false
  #closed = false
  #wake: (() => void) | null = null
  #backoffMs = 0
  #loop: Promise<void> = Promise.resolve()
  /** Failures seen, by Kafka error name or client error code. */
  readonly errorCounts = new Map<string, number>()
  readonly #batch: FetchedRecord[] = []

  private constructor (client: KafkaClient, topic: string, leaders: number[], settings: ConsumerSettings, sink: Sink) {
    this.#client = client
    this.#topic = topic
    this.#leaders = leaders
    this.#positions = new Array<number>(leaders.length).fill(0)
    this.#settings = settings
    if ('listener' in sink) {
      const listener = sink.listener
      this.#arena = sink.arena
      this.#onMessage = null
      this.#visit = (valueBytes, source, headerAt, headerBytes) =>
        listener.received(valueBytes, headerAt < 0 ? null : readTimestampHeader(source, headerAt, headerBytes))
    } else {
      this.#onMessage = sink.onMessage
      this.#visit = null
      this.#arena = null
    }
  }

  static async create (client: KafkaClient, topic: string, settings: ConsumerSettings, onMessage: (message: ConsumedMessage) => void): Promise<NativeConsumer> {
    return await NativeConsumer.#start(client, topic, settings, { onMessage })
  }

  /**
   * A consumer that reports each record's value size and sluice-ts-us header to `listener`.
   * `arena`: the FrameArena `client` was made with, if any; this consumer must then be the
   * client's only user, as it releases the arena after each round of fetches.
   */
  static async createTimed (client: KafkaClient, topic: string, settings: ConsumerSettings, listener: ReceiveListener, arena: FrameArena | null = null): Promise<NativeConsumer> {
    return await NativeConsumer.#start(client, topic, settings, { listener, arena })
  }

  static async #start (client: KafkaClient, topic: string, settings: ConsumerSettings, sink: Sink): Promise<NativeConsumer> {
    const info = await client.topic(topic, true).catch((err: unknown) => { throw toDriverError(err, `native consumer for "${topic}"`) })
    const consumer = new NativeConsumer(client, topic, info.partitions.map(p => p.leaderId), settings, sink)
    consumer.#loop = consumer.#run()
    return consumer
  }

  /** Next offset to read, per partition. */
  get positions (): readonly number[] {
    return this.#positions
  }

  async #run (): Promise<void> {
    while (!this.#closed) {
      if (this.#paused) {
        await new Promise<void>(resolve => { this.#wake = resolve })
        continue
      }
      const byLeader = new Map<number, number[]>()
      for (let p = 0; p < this.#leaders.length; p++) {
        const leader = this.#leaders[p]!
        let list = byLeader.get(leader)
        if (list === undefined) byLeader.set(leader, list = [])
        list.push(p)
      }
      const results = await Promise.all([...byLeader].map(([leader, partitions]) =>
        leader < 0 ? Promise.resolve(false) : this.#fetchOnce(leader, partitions).then(() => true, (err: unknown) => { this.#count(err); return false })))
      // Every fetch of the round is delivered and none is in flight: no frame is in use.
      this.#arena?.releaseAll()
      if (results.every(ok => ok)) {
        this.#backoffMs = 0
        continue
      }
      await this.#backOff()
    }
  }

  async #fetchOnce (leader: number, partitions: number[]): Promise<void> {
    const res = await this.#client.fetch(leader, this.#topic,
      partitions.map(p => ({ partition: p, offset: this.#positions[p]!, partitionMaxBytes: PARTITION_MAX_BYTES })),
      { maxWaitMs: this.#settings.fetchMaxWaitMs, minBytes: this.#settings.fetchMinBytes, maxBytes: FETCH_MAX_BYTES })
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaClientError('ERR_KAFKA', `Fetch failed with ${errorName(res.errorCode)}`, { kafkaErrorCode: res.errorCode, retriable: true })
    let failed: unknown = null
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          const earliest = await this.#client.listOffsets(this.#topic, [p.partitionIndex], ListOffsetsTimestamp.earliest)
          this.#positions[p.partitionIndex] = earliest.get(p.partitionIndex) ?? 0
          this.#count(new KafkaClientError('ERR_KAFKA', 'offset out of range', { kafkaErrorCode: p.errorCode }))
          continue
        }
        if (p.errorCode !== ErrorCode.NONE) {
          failed = new KafkaClientError('ERR_KAFKA', `Fetch ${this.#topic}-${p.partitionIndex} failed with ${errorName(p.errorCode)}`, { kafkaErrorCode: p.errorCode, retriable: true })
          continue
        }
        // Most partitions of a long poll answered at low rates are empty: no await for them.
        const records = p.records as Buffer | null
        if (records !== null && records.length > 0) await this.#deliver(p.partitionIndex, records)
      }
    }
    if (failed !== null) throw failed
  }

  async #deliver (partition: number, records: Buffer | null): Promise<void> {
    if (this.#visit !== null) {
      this.#positions[partition] = await walkFetchedRecords(records, this.#positions[partition]!, TIMESTAMP_HEADER_NAME, this.#visit)
      return
    }
    const out = this.#batch
    out.length = 0
    this.#positions[partition] = await decodeFetchedRecords(records, this.#topic, partition, this.#positions[partition]!, out)
    for (let i = 0; i < out.length; i++) this.#onMessage!(out[i]!)
    out.length = 0
  }

  #count (err: unknown): void {
    if (this.#closed) return
    const name = err instanceof KafkaClientError && err.kafkaErrorCode !== null ? errorName(err.kafkaErrorCode) : (err as { code?: string }).code ?? 'ERR_UNKNOWN'
    this.errorCounts.set(name, (this.errorCounts.get(name) ?? 0) + 1)
  }

  async #backOff (): Promise<void> {
    this.#backoffMs = Math.min(BACKOFF_MS_MAX, Math.max(BACKOFF_MS_MIN, this.#backoffMs * 2))
    await new Promise<void>(resolve => {
      this.#wake = resolve
      setTimeout(resolve, this.#backoffMs)
    })
    this.#wake = null
    if (this.#closed) return
    try {
      const info = await this.#client.topic(this.#topic, true)
      if (info.partitions.length === this.#leaders.length) this.#leaders = info.partitions.map(p => p.leaderId)
    } catch (err) {
      this.#count(err)
    }
  }

  pause (): void {
    this.#paused = true
  }

  resume (): void {
    this.#paused = false
    const wake = this.#wake
    this.#wake = null
    wake?.()
  }

  /** Stops the loop and closes the consumer's connections. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const wake = this.#wake
    this.#wake = null
    wake?.()
    // Closing the client first fails the fetch in flight at once instead of waiting out
    // its long poll; the loop sees #closed and ends.
    this.#client.close()
    await this.#loop
  }
}
