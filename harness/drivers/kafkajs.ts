// The `kafkajs` driver: kafkajs 2.2.4.
//
// - Partitioning: `Partitioners.DefaultPartitioner`, kafkajs's Java-compatible murmur2
//   partitioner (set explicitly, which also silences kafkajs's v2 partitioner warning).
// - Batching: kafkajs's producer.send() is one Produce request, so records go through a
//   LingerBatcher (lingerMs, batchSizeBytes, at most maxInFlight send() calls at once);
//   kafkajs's own maxInFlightRequests is set to the same bound.
// - acks: passed through to send() (-1 all, 0 none, 1 leader); retries: kafkajs's retry
//   count; idempotent: kafkajs's own (it requires acks -1).
// - Compression: none and gzip only (kafkajs ships no other codec); others are refused.
// - Consumer: a real consumer group (`groupId` = the subscription), subscribed with
//   fromBeginning, delivering through eachBatch; autoCommit and its interval map to
//   kafkajs's run() options. pause()/resume() pause the topic in kafkajs.
// - Logging: logLevel NOTHING, so kafkajs's retries do not flood the harness's output.

import type { ClientSecurity } from '../workload/client-config.ts'
import { tlsOptions } from './security.ts'
import kafkajs from 'kafkajs'
import type { Consumer, EachBatchPayload, IHeaders, KafkaConfig, Message, Producer } from 'kafkajs'
import { TIMESTAMP_HEADER } from '../measure/clock.ts'
import { headersFrom, sendTimestampHeader, toDriverError } from './common.ts'
import { DriverError, type BenchmarkConsumer, type BenchmarkDriver, type BenchmarkProducer, type ConsumedMessage, type DriverName, type DriverOptions, type RecordHeaders } from './driver.ts'
import { LingerBatcher } from './linger-batcher.ts'

const { Kafka, Partitioners, logLevel, CompressionTypes } = kafkajs

const SEND_TIMEOUT_MS = 30_000

function compressionOf (name: DriverOptions['producer']['compression']): number {
  if (name === 'none') return CompressionTypes.None
  if (name === 'gzip') return CompressionTypes.GZIP
  throw new DriverError(`kafkajs ships only gzip compression; "${name}" needs a codec package (use the platformatic driver, or none/gzip)`, { code: 'ERR_UNSUPPORTED' })
}

function toMessage (key: Buffer | null, payload: Buffer, headers: RecordHeaders | undefined): Message {
  const out: IHeaders = headers === undefined ? {} : { ...headers }
  const stamp = sendTimestampHeader(headers)
  if (stamp !== undefined) out[TIMESTAMP_HEADER] = stamp
  return { key, value: payload, headers: out, timestamp: String(Date.now()) }
}

/** TLS and SASL in kafkajs's shape (ssl: Node TLS options; sasl: mechanism in lower case). */
function kafkajsSecurity (security: ClientSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const tls = tlsOptions(security)
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = tls === null ? {} : { ssl: tls }
  if (security.sasl === null) return out
  const { username, password } = security.sasl
  switch (security.sasl.mechanism) {
    case 'PLAIN': return { ...out, sasl: { mechanism: 'plain', username, password } }
    case 'SCRAM-SHA-256': return { ...out, sasl: { mechanism: 'scram-sha-256', username, password } }
    case 'SCRAM-SHA-512': return { ...out, sasl: { mechanism: 'scram-sha-512', username, password } }
  }
}

export class KafkajsDriver implements BenchmarkDriver {
  readonly name: DriverName = 'kafkajs'
  readonly #options: DriverOptions
  readonly #kafka: InstanceType<typeof Kafka>
  readonly #open = new Set<{ close (): Promise<void> }>()

  constructor (options: DriverOptions) {
    this.#options = options
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: options.producer.retries },
      ...kafkajsSecurity(options.security),
    })
  }

  async createTopic (topic: string, partitions: number, replicationFactor = 1): Promise<void> {
    const admin = this.#kafka.admin()
    try {
      await admin.connect()
      const existing = await admin.listTopics()
      if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true })
    } catch (err) {
      throw toDriverError(err, `create topic "${topic}"`)
    } finally {
      await admin.disconnect()
    }
  }

  async createProducer (topic: string): Promise<BenchmarkProducer> {
    const s = this.#options.producer
    const compression = compressionOf(s.compression)
    const producer: Producer = this.#kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: s.idempotent,
      maxInFlightRequests: Math.max(1, s.maxInFlight),
      allowAutoTopicCreation: false,
      retry: { retries: s.retries },
    })
    try {
      await producer.connect()
    } catch (err) {
      throw toDriverError(err, `kafkajs producer for "${topic}"`)
    }
    const batcher = new LingerBatcher<Message>(s, `kafkajs producer for "${topic}"`, async messages => {
      await producer.send({ topic, messages, acks: s.acks, timeout: SEND_TIMEOUT_MS, compression })
    })
    const handle = {
      send: (key: Buffer | null, payload: Buffer, headers?: RecordHeaders) => batcher.add(toMessage(key, payload, headers), payload.length + (key?.length ?? 0) + 64),
      close: async () => {
        this.#open.delete(handle)
        await batcher.close()
        await producer.disconnect()
      },
    }
    this.#open.add(handle)
    return handle
  }

  async createConsumer (topic: string, subscription: string, onMessage: (message: ConsumedMessage) => void): Promise<BenchmarkConsumer> {
    const s = this.#options.consumer
    const consumer: Consumer = this.#kafka.consumer({ groupId: subscription, maxWaitTimeInMs: s.fetchMaxWaitMs, minBytes: s.fetchMinBytes })
    const errorCounts = new Map<string, number>()
    consumer.on(consumer.events.CRASH, event => {
      const code = toDriverError((event.payload as { error: unknown }).error, 'consumer').code
      errorCounts.set(code, (errorCounts.get(code) ?? 0) + 1)
    })
    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        autoCommit: s.autoCommit,
        autoCommitInterval: s.autoCommitIntervalMs,
        eachBatch: async ({ batch }: EachBatchPayload) => {
          for (const m of batch.messages) {
            onMessage({
              topic: batch.topic,
              partition: batch.partition,
              offset: Number(m.offset),
              key: m.key,
              value: m.value,
              headers: headersFrom(m.headers),
              timestampMs: Number(m.timestamp),
            })
          }
        },
      })
    } catch (err) {
      await consumer.disconnect().catch(() => {})
      throw toDriverError(err, `kafkajs consumer for "${topic}" in group "${subscription}"`)
    }
    const handle = {
      errorCounts,
      pause: () => { consumer.pause([{ topic }]) },
      resume: () => { consumer.resume([{ topic }]) },
      close: async () => {
        this.#open.delete(handle)
        await consumer.disconnect()
      },
    }
    this.#open.add(handle)
    return handle
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.#open].map(h => h.close()))
  }
}
