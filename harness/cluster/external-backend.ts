// A cluster someone else runs (real Kafka, Redpanda, a broker started by hand), given by
// its bootstrap addresses. Starting it only checks that every address answers
// ApiVersions within a timeout; stopping it does nothing. Faults need control of the
// processes, so kill, pause and restart throw ERR_UNSUPPORTED.

import { ClusterError, type BackendName, type BrokerHandle, type Cluster, type ClusterBackend, type ClusterInfo, type ClusterSpec } from './cluster.ts'
import { probeTcp, reasonOf, waitForApiVersions } from './ready.ts'

export interface ExternalBackendOptions {
  /** host:port of each bootstrap broker (`--bootstrap host:port,...`). */
  bootstrap: string[] | string
  /** How long each address may take to answer ApiVersions. */
  reachTimeoutMs?: number
  /**
   * Only check that each address accepts TCP: for a cluster that needs TLS or SASL, which
   * the harness's own client does not speak (the drivers that do will connect for real).
   */
  tcpOnly?: boolean
}

const REACH_TIMEOUT_MS_DEFAULT = 5000
const ADDRESS = /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/

export function parseBootstrap (bootstrap: string[] | string): string[] {
  const list = (Array.isArray(bootstrap) ? bootstrap : bootstrap.split(',')).map(s => s.trim()).filter(s => s !== '')
  if (list.length === 0) throw new ClusterError('ERR_CLUSTER_SPEC', 'the external backend needs --bootstrap host:port[,host:port...]')
  for (const address of list) {
    if (!ADDRESS.test(address)) throw new ClusterError('ERR_CLUSTER_SPEC', `"${address}" is not host:port (e.g. 127.0.0.1:9092)`)
  }
  return list
}

function unsupported (what: string): Promise<never> {
  return Promise.reject(new ClusterError('ERR_UNSUPPORTED', `the external backend cannot ${what} a broker: it does not control the broker processes; use the process or docker backend for faults`))
}

class ExternalBroker implements BrokerHandle {
  readonly id: number
  readonly kafkaAddress: string
  readonly httpUrl = null
  readonly dataDir = null
  readonly logFile = null

  constructor (id: number, address: string) {
    this.id = id
    this.kafkaAddress = address
  }

  /** Unknown without asking; the backend only knows it answered at start. */
  alive (): boolean {
    return true
  }

  kill (): Promise<void> { return unsupported('kill') }
  pause (): Promise<void> { return unsupported('pause') }
  resume (): Promise<void> { return unsupported('resume') }
  restart (): Promise<void> { return unsupported('restart') }
}

class ExternalCluster implements Cluster {
  readonly backend: BackendName = 'external'
  readonly bootstrap: string[]
  readonly brokers: readonly BrokerHandle[]

  constructor (bootstrap: string[]) {
    this.bootstrap = bootstrap
    this.brokers = bootstrap.map((address, i) => new ExternalBroker(i, address))
  }

  info (): ClusterInfo {
    return { backend: 'external', brokers: this.brokers.length, bootstrap: this.bootstrap, description: `external cluster at ${this.bootstrap.join(',')}` }
  }

  async stop (): Promise<void> {}
}

export class ExternalBackend implements ClusterBackend {
  readonly name: BackendName = 'external'
  readonly #bootstrap: string[]
  readonly #reachTimeoutMs: number
  readonly #tcpOnly: boolean

  constructor (opts: ExternalBackendOptions) {
    this.#bootstrap = parseBootstrap(opts.bootstrap)
    this.#reachTimeoutMs = opts.reachTimeoutMs ?? REACH_TIMEOUT_MS_DEFAULT
    this.#tcpOnly = opts.tcpOnly === true
  }

  async start (spec: ClusterSpec): Promise<Cluster> {
    const problems = await Promise.all(this.#bootstrap.map(async address => {
      const problem = this.#tcpOnly ? await probeTcp(address, this.#reachTimeoutMs).then(() => null, (e: Error) => e.message) : await waitForApiVersions(address, this.#reachTimeoutMs)
      if (problem === null) return null
      const reason = reasonOf(problem, address)
      // A peer that answered is running; only a silent one prompts the question.
      return /bad response frame/.test(reason) ? `${address} is not a Kafka listener: ${reason}` : `cannot reach ${address}: ${reason} — is a broker running there?`
    }))
    const failures = problems.filter(p => p !== null)
    if (failures.length > 0) throw new ClusterError('ERR_UNREACHABLE', failures.join('\n'))
    spec.log?.(`external cluster reachable at ${this.#bootstrap.join(',')}`)
    return new ExternalCluster(this.#bootstrap)
  }
}
