// The `platformatic` driver: @platformatic/kafka 2.x.
//
// - Partitioning: `compatibilityPartitioner` (murmur2 & 0x7fffffff, then % partitions),
//   which matches Java. The library's default uses `>>> 0` and disagrees with Java when
//   the partition count is not a power of two, so it is never used here.
// - Batching: the library's send() is one Produce request, so records go through a
//   LingerBatcher (lingerMs, batchSizeBytes, maxInFlight calls at once).
// - acks: passed through (ProduceAcks: -1 all, 0 none, 1 leader); compression: the
//   library's codecs by name; idempotent: the library's own; retries: its `retries`.
// - Consumer: a real consumer group (`groupId` = the subscription) through the library's
//   messages stream, mode `committed` with fallback `earliest`: a new subscription reads
//   from the beginning, a known one resumes from its commits. autoCommit maps to the
//   library's `autocommit` (the interval in ms, or false). pause() pauses the messages
//   stream: delivery stops at once, fetching once the stream's buffer is full.
// - Headers are sent as Map<Buffer, Buffer>; sluice-ts-us carries the send time (clock.ts).

import type { SaslMechanism } from '../workload/client-config.ts'
import { tlsOptions, type TlsFiles } from './security.ts'
import { Admin, compatibilityPartitioner, Consumer, Producer, type Message, type MessagesStream, type MessageToProduce } from '@platformatic/kafka'
import { TIMESTAMP_HEADER } from '../measure/clock.ts'
import { headersFrom, sendTimestampHeader, toDriverError } from './common.ts'
import type { BenchmarkConsumer, BenchmarkDriver, BenchmarkProducer, ConsumedMessage, DriverName, DriverOptions, RecordHeaders } from './driver.ts'
import { LingerBatcher } from './linger-batcher.ts'

const TS_HEADER_KEY = Buffer.from(TIMESTAMP_HEADER)
const headerKeys = new Map<string, Buffer>([[TIMESTAMP_HEADER, TS_HEADER_KEY]])

function headerKey (name: string): Buffer {
  let key = headerKeys.get(name)
  if (key === undefined) {
    key = Buffer.from(name)
    // Header names in a benchmark are few; cap the cache anyway.
    if (headerKeys.size < 1000) headerKeys.set(name, key)
  }
  return key
}

function toMessage (topic: string, key: Buffer | null, payload: Buffer, headers: RecordHeaders | undefined): MessageToProduce {
  const map = new Map<Buffer, Buffer>()
  if (headers !== undefined) for (const name in headers) map.set(headerKey(name), headers[name]!)
  const stamp = sendTimestampHeader(headers)
  if (stamp !== undefined) map.set(TS_HEADER_KEY, stamp)
  const message: MessageToProduce = { topic, value: payload, headers: map, timestamp: BigInt(Date.now()) }
  if (key !== null) message.key = key
  return message
}

function fromMessage (m: Message): ConsumedMessage {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: Number(m.offset),
    key: m.key === undefined || m.key === null ? null : m.key,
    value: m.value === undefined || m.value === null ? null : m.value,
    headers: headersFrom(m.headers),
    timestampMs: Number(m.timestamp),
  }
}

export class PlatformaticDriver implements BenchmarkDriver {
  readonly name: DriverName = 'platformatic'
  readonly #options: DriverOptions
  readonly #open = new Set<{ close (): Promise<void> }>()
  #count = 0

  constructor (options: DriverOptions) {
    this.#options = options
  }

  #base (role: string): { clientId: string, bootstrapBrokers: string[], tls?: TlsFiles, sasl?: { mechanism: SaslMechanism, username: string, password: string } } {
    const { security } = this.#options
    const tls = tlsOptions(security)
    return {
      clientId: `${this.#options.clientId}-${role}-${this.#count++}`,
      bootstrapBrokers: [...this.#options.bootstrap],
      ...(tls === null ? {} : { tls }),
      ...(security.sasl === null ? {} : { sasl: { ...security.sasl } }),
    }
  }

  async createTopic (topic: string, partitions: number, replicationFactor = 1): Promise<void> {
    const admin = new Admin(this.#base('admin'))
    try {
      const existing = await admin.listTopics()
      if (!existing.includes(topic)) await admin.createTopics({ topics: [topic], partitions, replicas: replicationFactor })
    } catch (err) {
      throw toDriverError(err, `create topic "${topic}"`)
    } finally {
      await admin.close()
    }
  }

  async createProducer (topic: string): Promise<BenchmarkProducer> {
    const s = this.#options.producer
    const producer = new Producer({
      ...this.#base('producer'),
      partitioner: compatibilityPartitioner,
      acks: s.acks,
      compression: s.compression,
      idempotent: s.idempotent,
      retries: s.retries,
      autocreateTopics: false,
    })
    const batcher = new LingerBatcher<MessageToProduce>(s, `platformatic producer for "${topic}"`, async messages => {
      // acks goes with every send: @platformatic/kafka reads it from the send options only
      // and falls back to acks=1 (leader), whatever the constructor was given.
      await producer.send({ messages, acks: s.acks })
    })
    const handle = {
      send: (key: Buffer | null, payload: Buffer, headers?: RecordHeaders) => batcher.add(toMessage(topic, key, payload, headers), payload.length + (key?.length ?? 0) + 64),
      close: async () => {
        this.#open.delete(handle)
        await batcher.close()
        await producer.close()
      },
    }
    this.#open.add(handle)
    return handle
  }

  async createConsumer (topic: string, subscription: string, onMessage: (message: ConsumedMessage) => void): Promise<BenchmarkConsumer> {
    const s = this.#options.consumer
    const consumer = new Consumer({
      ...this.#base(`consumer-${subscription}`),
      groupId: subscription,
      autocommit: s.autoCommit ? s.autoCommitIntervalMs : false,
      maxWaitTime: s.fetchMaxWaitMs,
      minBytes: s.fetchMinBytes,
    })
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>
    try {
      stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest' })
    } catch (err) {
      await consumer.close(true).catch(() => {})
      throw toDriverError(err, `platformatic consumer for "${topic}" in group "${subscription}"`)
    }
    stream.on('data', (m: Message) => onMessage(fromMessage(m)))
    // Errors after joining (rebalances, lost connections) are the library's to retry; an
    // unhandled 'error' event would crash the harness instead, so they are counted.
    const errorCounts = new Map<string, number>()
    stream.on('error', (err: unknown) => {
      const code = toDriverError(err, 'consumer').code
      errorCounts.set(code, (errorCounts.get(code) ?? 0) + 1)
    })
    const handle = {
      errorCounts,
      pause: () => { stream.pause() },
      resume: () => { stream.resume() },
      close: async () => {
        this.#open.delete(handle)
        await stream.close().catch(() => {})
        await consumer.close(true).catch(() => {})
      },
    }
    this.#open.add(handle)
    return handle
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.#open].map(h => h.close()))
  }
}
