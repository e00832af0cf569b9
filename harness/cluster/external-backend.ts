// A cluster someone else runs (real Kafka, Redpanda, a broker started by hand), given by
// its bootstrap addresses. Starting it only checks that every address answers
// ApiVersions within a timeout; stopping it does nothing. Faults need control of the
// processes: without a fault command, kill, pause and restart throw ERR_UNSUPPORTED; with
// one (`--fault-command`, fault-command.ts) each is that command, told which fault and which
// broker through its environment, so a user can wire ssh, systemctl or docker to a chaos run.

import { runFaultCommand } from './fault-command.ts'
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
  /** A shell command that applies kill, pause, resume and restart (fault-command.ts). */
  faultCommand?: string
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
  return Promise.reject(new ClusterError('ERR_UNSUPPORTED', `the external backend cannot ${what} a broker: it does not control the broker processes; give --fault-command, or use the process, docker or kafka backend for faults`))
}

class ExternalBroker implements BrokerHandle {
  readonly id: number
  readonly kafkaAddress: string
  readonly httpUrl = null
  readonly dataDir = null
  readonly logFile = null
  readonly #faultCommand: string | null
  #killed = false

  constructor (id: number, address: string, faultCommand: string | null) {
    this.id = id
    this.kafkaAddress = address
    this.#faultCommand = faultCommand
  }

  /** Unknown without asking: alive unless our own fault command killed it and it was not restarted. */
  alive (): boolean {
    return !this.#killed
  }

  async kill (): Promise<void> {
    await this.#apply('kill')
    this.#killed = true
  }

  pause (): Promise<void> { return this.#apply('pause') }
  resume (): Promise<void> { return this.#apply('resume') }

  async restart (): Promise<void> {
    await this.#apply('restart')
    this.#killed = false
  }

  #apply (fault: 'kill' | 'pause' | 'resume' | 'restart'): Promise<void> {
    if (this.#faultCommand === null) return unsupported(fault)
    return runFaultCommand(this.#faultCommand, { fault, index: this.id, address: this.kafkaAddress })
  }
}

class ExternalCluster implements Cluster {
  readonly backend: BackendName = 'external'
  readonly bootstrap: string[]
  readonly brokers: readonly BrokerHandle[]

  constructor (bootstrap: string[], faultCommand: string | null) {
    this.bootstrap = bootstrap
    this.brokers = bootstrap.map((address, i) => new ExternalBroker(i, address, faultCommand))
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
  readonly #faultCommand: string | null

  constructor (opts: ExternalBackendOptions) {
    this.#bootstrap = parseBootstrap(opts.bootstrap)
    this.#reachTimeoutMs = opts.reachTimeoutMs ?? REACH_TIMEOUT_MS_DEFAULT
    this.#tcpOnly = opts.tcpOnly === true
    this.#faultCommand = opts.faultCommand?.trim() === '' ? null : opts.faultCommand ?? null
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
    return new ExternalCluster(this.#bootstrap, this.#faultCommand)
  }
}
