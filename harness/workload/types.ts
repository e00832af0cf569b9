// The normalised workload the runners consume: every default filled in, durations in
// seconds, acks as a number, keys resolved from keyDistributor or the keys block. OMB field
// names are kept alongside, so results can echo the workload in terms an OMB user knows.

import type { ClientSecurity } from './client-config.ts'
import type { ChaosWorkload } from './schema-chaos.ts'
import type { Acks } from '../../broker/client/kafka-client.ts'
import type { CommitMode, Fault, NemesisEntry, NemesisSpec, NemesisTargets, ProxyStream } from '../../chaos/spec.ts'

export type KeyDistributor = 'NO_KEY' | 'KEY_ROUND_ROBIN' | 'RANDOM_NANO'
export type KeyDistribution = 'uniform' | 'zipf' | 'sequential'
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export type Driver = 'native' | 'platformatic' | 'kafkajs' | 'http' | 'java'
export type RunMode = 'throughput' | 'backlog-drain'
export type BrokerConfigValue = string | number | boolean
export type { Acks, ChaosWorkload, CommitMode, Fault, NemesisEntry, NemesisSpec, NemesisTargets, ProxyStream }

export interface KeySpec {
  readonly count: number
  readonly distribution: KeyDistribution
  /** Meaningful for zipf only; 1 otherwise. */
  readonly zipfExponent: number
}

export interface ProducerSpec {
  readonly acks: Acks
  readonly lingerMs: number
  readonly batchSizeBytes: number
  readonly compression: Compression
  readonly idempotent: boolean
  readonly maxInFlight: number
  readonly retries: number
}

export interface ConsumerSpec {
  readonly autoCommit: boolean
  readonly autoCommitIntervalMs: number
  readonly fetchMaxWaitMs: number
  readonly fetchMinBytes: number
}

export interface MaxRateSpec {
  readonly startRate: number
  readonly stepFactor: number
  readonly stepSeconds: number
  readonly maxSteps: number
  readonly refineSteps: number
  readonly latencyUsP99Max: number
  readonly backlogMaxMessages: number
}

export interface ChaosSpec {
  readonly workload: ChaosWorkload
  /** Transform processors; null in a register workload. */
  readonly processors: number | null
  /** How transform processors commit; null in a register workload. */
  readonly commitMode: CommitMode | null
  readonly processes: number
  readonly keysPerProcess: number
  readonly maxWritesPerKey: number
  readonly opsPerSecond: number
  readonly subscribeVia: 'assign' | 'subscribe'
  readonly opTimeoutMs: number
  readonly finalPollSeconds: number
  readonly crashClientIntervalSeconds: number
}

export interface Workload {
  /** Where it came from (a file path or a label), for messages and results. */
  readonly sourceName: string

  // OMB fields, with OMB's defaults.
  readonly name: string
  readonly topics: number
  readonly partitionsPerTopic: number
  readonly messageSize: number
  readonly payloadFile: string | null
  readonly useRandomizedPayloads: boolean
  readonly randomBytesRatio: number
  readonly randomizedPayloadPoolSize: number
  readonly keyDistributor: KeyDistributor
  readonly subscriptionsPerTopic: number
  readonly consumerPerSubscription: number
  readonly producersPerTopic: number
  /** Messages per second over all producers; 0 = find the maximum (see maxRate). */
  readonly producerRate: number
  readonly consumerBacklogSizeGB: number
  readonly backlogDrainRatio: number
  /** durationSeconds / 60, possibly fractional when the file or an override gave seconds. */
  readonly testDurationMinutes: number
  readonly warmupDurationMinutes: number

  // Normalised and Sluice fields.
  readonly durationSeconds: number
  readonly warmupSeconds: number
  /** consumerBacklogSizeGB in bytes (GiB, as OMB computes it). */
  readonly backlogSizeBytes: number
  readonly mode: RunMode
  /** null: records are sent without keys. */
  readonly keys: KeySpec | null
  readonly producer: ProducerSpec
  readonly consumer: ConsumerSpec
  /** From commonConfig/producerConfig/consumerConfig: TLS and SASL for every client. */
  readonly security: ClientSecurity
  /** client.id from the client configs; null lets the harness name its clients. */
  readonly clientId: string | null
  readonly replicationFactor: number
  readonly brokers: number
  /** Where chaos runs start their brokers. */
  readonly backend: 'process' | 'docker' | 'kafka'
  readonly brokerConfig: Readonly<Record<string, BrokerConfigValue>>
  readonly driver: Driver
  /** Used only when producerRate is 0. */
  readonly maxRate: MaxRateSpec
  readonly nemesis: NemesisSpec | null
  /** Non-null makes this a chaos run. */
  readonly chaos: ChaosSpec | null

  /** The document as written plus applied overrides; applyOverrides starts from this. */
  readonly document: Readonly<Record<string, unknown>>
}
