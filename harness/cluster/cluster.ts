// Where the brokers under test come from. Backends: `process` (default: reference brokers
// spawned as local processes), `external` (any Kafka-protocol cluster by bootstrap
// address), `docker` (a docker-compose cluster, where a Docker engine exists), `kafka` (real
// Apache Kafka nodes in KRaft mode as local JVMs).
//
// One broker per process or container; with N > 1 the process backend starts one KRaft
// cluster. The chaos harness drives faults through BrokerHandle.

import type { NemesisBroker } from '../../chaos/nemesis/nemesis.ts'

export type BackendName = 'process' | 'external' | 'docker' | 'kafka'

export interface ClusterSpec {
  brokers: number
  /** Kafka-style broker config keys, passed to every broker. */
  brokerConfig: Record<string, string | number | boolean>
  /**
   * What each broker should advertise in Metadata (e.g. a Toxiproxy listener in front of
   * it), by broker index; undefined = its own listener.
   */
  advertisedFor?: (brokerIndex: number, kafkaPort: number) => Promise<string | undefined> | string | undefined
  /**
   * Where broker `from` should reach broker `to`'s `listener` (its Kafka listener for
   * replication, its controller listener for the quorum), e.g. a proxy on that one link, or
   * undefined for the listener itself. Only backends that can route each node separately
   * use it (process, brokers > 1); `linksRouted` on the cluster says whether it did.
   */
  linkFor?: (from: number, to: number, listener: 'kafka' | 'controller', port: number) => Promise<string | undefined> | string | undefined
  /** Directory for data dirs and logs; a temp dir when absent. */
  workDir?: string
  /** Keep data dirs after stop (for post-mortems). */
  keepData?: boolean
  log?: (line: string) => void
}

/** A broker the harness started: the process controls nemeses use (chaos's NemesisBroker), plus where to reach it. */
export interface BrokerHandle extends NemesisBroker {
  readonly id: number
  /** The broker's own Kafka listener, host:port. */
  readonly kafkaAddress: string
  /** Base URL of the broker's HTTP API, when it has one. */
  readonly httpUrl: string | null
  readonly logFile: string | null
  /** Its OS process id while it runs, where the harness started a process of its own. */
  readonly pid?: number | null
  /** The Node flags it runs with (reference brokers: process and docker backends). */
  readonly nodeFlags?: readonly string[]
}

export interface ClusterInfo {
  backend: BackendName
  brokers: number
  bootstrap: string[]
  /** Free text for reports, e.g. "3 reference broker processes on 127.0.0.1". */
  description: string
  /** Which broker software (and runtime) ran, e.g. { kafka: 'Apache Kafka 4.1.1 ...', java: '...' }. */
  software?: Record<string, string>
  /** What the run should know about the cluster's config, e.g. keys a broker does not know. */
  notes?: string[]
}

export interface Cluster {
  readonly backend: BackendName
  /** host:port the clients should use (advertised addresses when a proxy is in front). */
  readonly bootstrap: string[]
  readonly brokers: readonly BrokerHandle[]
  info (): ClusterInfo
  /** Stops every broker this backend started (SIGTERM, then SIGKILL) and removes temp dirs. */
  stop (): Promise<void>
}

export interface ClusterBackend {
  readonly name: BackendName
  start (spec: ClusterSpec): Promise<Cluster>
}

export class ClusterError extends Error {
  readonly code: string
  readonly retriable = false
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ClusterError'
    this.code = code
  }
}
