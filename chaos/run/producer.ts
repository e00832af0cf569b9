// The chaos clients' producer: kafkajs, one instance per logical process, one record per
// send, so the history's send op is exactly one Produce request (plus whatever retries
// kafkajs makes on its own). kafkajs is chosen for its retry behaviour: with idempotence off
// and retries on, it re-sends a request whose response was lost, which is the seeded
// duplicate failure; with retries 0 it never re-sends, so every value is written at most
// once and the harness's "never retry" rule holds end to end.
//
// - Partitions are chosen by the harness (topology.ts, Java murmur2) and passed explicitly.
// - acks, idempotence and retries come from the workload's producer block. kafkajs retries
//   are capped (RETRIES_MAX) with short backoff (100 ms doubling to 1 s) so a retrying send
//   resolves within a few seconds of a fault healing, not minutes later.
// - requestTimeout and the broker-side ack timeout are the op timeout; the worker's own
//   deadline decides `info` in any case.
// - With acks=0 the broker sends no response, so the offset is unknown (null).

import kafkajs from 'kafkajs'
import type { Kafka as KafkaType, Producer } from 'kafkajs'
import type { Acks } from '../../broker/client/kafka-client.ts'
import { withDeadline } from './sleep.ts'
import { keyPartition } from './topology.ts'

const { Kafka, Partitioners, logLevel } = kafkajs

/** kafkajs retries at most this often per send, whatever the workload asks. */
export const RETRIES_MAX = 20
const CONNECT_TIMEOUT_MS_MAX = 3000
const CLOSE_TIMEOUT_MS = 2000

export interface KafkajsSettings {
  bootstrap: readonly string[]
  clientId: string
  opTimeoutMs: number
  retries: number
}

/** A kafkajs client tuned for chaos runs: quiet, bounded timeouts, short backoff. */
export function chaosKafka (settings: KafkajsSettings): KafkaType {
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(CONNECT_TIMEOUT_MS_MAX, settings.opTimeoutMs),
    requestTimeout: settings.opTimeoutMs,
    enforceRequestTimeout: true,
    retry: { retries: Math.min(settings.retries, RETRIES_MAX), initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2, multiplier: 2 },
  })
}

export interface ChaosProducerOptions extends KafkajsSettings {
  topic: string
  partitions: number
  acks: Acks
  idempotent: boolean
}

export class ChaosProducer {
  readonly #options: ChaosProducerOptions
  readonly #kafka: KafkaType
  readonly #producer: Producer
  #connected: Promise<void> | null = null

  constructor (options: ChaosProducerOptions) {
    this.#options = options
    this.#kafka = chaosKafka(options)
    this.#producer = this.#kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: options.idempotent,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: Math.min(options.retries, RETRIES_MAX), initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2, multiplier: 2 },
    })
  }

  /** Writes `value` to `key`; resolves with the acknowledged offset (null when unknown). */
  async send (key: string, value: number): Promise<number | null> {
    this.#connected ??= this.#producer.connect()
    try {
      await this.#connected
    } catch (error) {
      this.#connected = null
      throw error
    }
    const o = this.#options
    const metadata = await this.#producer.send({
      topic: o.topic,
      acks: o.acks,
      timeout: o.opTimeoutMs,
      messages: [{ key, value: String(value), partition: keyPartition(key, o.partitions) }],
    })
    const baseOffset = metadata[0]?.baseOffset
    if (baseOffset === undefined || baseOffset === null) return null
    const offset = Number(baseOffset)
    return Number.isSafeInteger(offset) && offset >= 0 ? offset : null
  }

  /** Disconnects, bounded: a producer stuck on a dead broker is abandoned, not awaited. */
  async close (): Promise<void> {
    // A connect still under way would finish after this disconnect: disconnect again then.
    void this.#connected?.then(() => this.#producer.disconnect(), () => this.#producer.disconnect()).catch(() => {})
    await withDeadline(this.#producer.disconnect(), CLOSE_TIMEOUT_MS, 'producer disconnect').catch(() => {})
  }
}
