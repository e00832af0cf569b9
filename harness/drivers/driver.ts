// One interface for every client library the harness can drive, shaped like the
// OpenMessaging Benchmark's driver API: create topics, create a producer with
// send(key, payload), create a consumer that calls back once per message.
//
// Drivers: native (Sluice's own codec: pre-encoded batches, the honest measure of the
// broker itself), platformatic (@platformatic/kafka), kafkajs, http (the broker's HTTP
// API). Every driver that picks partitions from keys uses Java's murmur2 rule.

import type { ClientSecurity } from '../workload/client-config.ts'

export type DriverName = 'native' | 'platformatic' | 'kafkajs' | 'http'

export interface ProducerSettings {
  /** 0, 1 or -1 (all). */
  acks: 0 | 1 | -1
  lingerMs: number
  batchSizeBytes: number
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  idempotent: boolean
  maxInFlight: number
  retries: number
}

export interface ConsumerSettings {
  autoCommit: boolean
  autoCommitIntervalMs: number
  fetchMaxWaitMs: number
  fetchMinBytes: number
}

export interface DriverOptions {
  /** host:port of each bootstrap broker. */
  bootstrap: string[]
  /** TLS and SASL (workload commonConfig); drivers that cannot do them refuse at creation. */
  security: ClientSecurity
  /** Base URLs of the brokers' HTTP APIs (http driver only). */
  httpUrls?: string[]
  clientId: string
  producer: ProducerSettings
  consumer: ConsumerSettings
}

export interface RecordHeaders {
  [name: string]: Buffer
}

/**
 * Where a producer with sendTimed() reports each record's outcome. intendedUs and sentUs
 * are what the caller passed; ackUs is the monotonic clock (measure/clock.ts) when the
 * broker's answer arrived. One listener object serves every record, so reporting
 * allocates nothing.
 */
export interface SendListener {
  acked (sizeBytes: number, intendedUs: number, sentUs: number, ackUs: number): void
  failed (error: unknown): void
}

export interface BenchmarkProducer {
  /**
   * Resolves when the broker acknowledged the record (at once for acks=0), rejects with a
   * DriverError carrying the Kafka error code when it failed.
   */
  send (key: Buffer | null, payload: Buffer, headers?: RecordHeaders): Promise<void>
  /**
   * Optional promise-free send, the load generator's path when a driver has it (native):
   * the producer writes sentUs as the record's sluice-ts-us header itself and reports the
   * outcome to `listener`, never by throwing. Nothing is allocated per record.
   */
  sendTimed? (key: Buffer | null, payload: Buffer, intendedUs: number, sentUs: number, listener: SendListener): void
  close (): Promise<void>
}

export interface ConsumedMessage {
  topic: string
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeaders
  /** Producer-side timestamp of the record, ms. */
  timestampMs: number
}

/**
 * Where a consumer made with createTimedConsumer() reports each record: the value's size
 * and the decoded sluice-ts-us header (null when absent). One listener serves every
 * record and the driver builds no message object, so receiving allocates nothing.
 */
export interface ReceiveListener {
  received (sizeBytes: number, producerTimestampUs: number | null): void
}

export interface BenchmarkConsumer {
  /** Stops fetching without leaving the group (backlog mode). */
  pause (): void
  resume (): void
  close (): Promise<void>
}

export interface BenchmarkDriver {
  readonly name: DriverName
  createTopic (topic: string, partitions: number, replicationFactor?: number): Promise<void>
  createProducer (topic: string): Promise<BenchmarkProducer>
  /** Joins `subscription` (a consumer group) on `topic`, reading from the beginning. */
  createConsumer (topic: string, subscription: string, onMessage: (message: ConsumedMessage) => void): Promise<BenchmarkConsumer>
  /** Optional allocation-free createConsumer, the load generator's path when a driver has it (native). */
  createTimedConsumer? (topic: string, subscription: string, listener: ReceiveListener): Promise<BenchmarkConsumer>
  close (): Promise<void>
}

export class DriverError extends Error {
  readonly code: string
  readonly kafkaErrorCode: number | null
  readonly retriable: boolean
  constructor (message: string, opts: { code?: string, kafkaErrorCode?: number | null, retriable?: boolean, cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'DriverError'
    this.code = opts.code ?? 'ERR_DRIVER'
    this.kafkaErrorCode = opts.kafkaErrorCode ?? null
    this.retriable = opts.retriable ?? false
  }
}
