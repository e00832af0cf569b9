// Reference brokers in Docker, through the `docker compose` CLI (or the standalone
// `docker-compose`) and the repository's docker-compose.yml: profile `single` for one
// broker, `trio` for three, plus `toxiproxy` on request. Broker config overrides go
// into a generated override file that rewrites each broker's command with `-o key=value`.
//
// Faults map to compose verbs: kill = `kill -s SIGKILL`, pause/resume = `pause`/`unpause`
// (the cgroup freezer, like SIGSTOP), restart = `start` after a kill; stop = `down`
// (with -v, dropping the data volumes, unless keepData). Without a Docker engine,
// start fails with ERR_DOCKER_UNAVAILABLE saying which check failed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { stringify } from 'yaml'
import { ClusterError, type BackendName, type BrokerHandle, type Cluster, type ClusterBackend, type ClusterInfo, type ClusterSpec } from './cluster.ts'
import { waitForApiVersions } from './ready.ts'

export interface DockerBackendOptions {
  composeFile?: string
  /** Compose project name (-p); lets two runs coexist. */
  project?: string
  /** Also start the Toxiproxy container. */
  toxiproxy?: boolean
  readyTimeoutMs?: number
  /** The compose command; detected (`docker compose`, then `docker-compose`) when absent. */
  composeCommand?: string[]
}

/** Services per cluster size, as named in docker-compose.yml. */
export const COMPOSE_LAYOUTS: Readonly<Record<number, { profile: string, services: string[] }>> = {
  1: { profile: 'single', services: ['sluice'] },
  3: { profile: 'trio', services: ['sluice-0', 'sluice-1', 'sluice-2'] },
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const READY_TIMEOUT_MS_DEFAULT = 120_000
const CLI_TIMEOUT_MS = 600_000

async function tryCommand (command: string[]): Promise<string | null> {
  const r = await execa(command[0]!, command.slice(1), { reject: false, timeout: 20_000, stdin: 'ignore' })
  if (r.exitCode === 0) return null
  const output = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n')[0] ?? ''
  return output !== '' ? output : (r.shortMessage ?? `exit code ${r.exitCode}`)
}

/** Finds a working compose CLI and a reachable engine, or throws ERR_DOCKER_UNAVAILABLE. */
export async function detectCompose (preferred?: string[]): Promise<string[]> {
  const candidates = preferred !== undefined ? [preferred] : [['docker', 'compose'], ['docker-compose']]
  const problems: string[] = []
  let compose: string[] | null = null
  for (const candidate of candidates) {
    const problem = await tryCommand([...candidate, 'version'])
    if (problem === null) {
      compose = candidate
      break
    }
    problems.push(`\`${candidate.join(' ')} version\` failed: ${problem}`)
  }
  if (compose === null) throw new ClusterError('ERR_DOCKER_UNAVAILABLE', `the docker backend needs the docker compose CLI: ${problems.join('; ')}. Use the process backend instead.`)
  const engine = await tryCommand(['docker', 'info', '--format', '{{.ServerVersion}}'])
  if (engine !== null) throw new ClusterError('ERR_DOCKER_UNAVAILABLE', `no Docker engine reachable (\`docker info\` failed: ${engine}). Start Docker, or use the process backend.`)
  return compose
}

class DockerBroker implements BrokerHandle {
  readonly id: number
  readonly service: string
  readonly dataDir = null
  readonly logFile = null
  kafkaAddress = ''
  httpUrl: string | null = null
  #alive = true
  readonly #cluster: DockerCluster

  constructor (id: number, service: string, cluster: DockerCluster) {
    this.id = id
    this.service = service
    this.#cluster = cluster
  }

  alive (): boolean {
    return this.#alive
  }

  async kill (): Promise<void> {
    await this.#cluster.compose(['kill', '-s', 'SIGKILL', this.service])
    this.#alive = false
  }

  async pause (): Promise<void> {
    await this.#cluster.compose(['pause', this.service])
  }

  async resume (): Promise<void> {
    await this.#cluster.compose(['unpause', this.service])
  }

  async restart (): Promise<void> {
    await this.#cluster.compose(this.#alive ? ['restart', this.service] : ['start', this.service])
    this.#alive = true
    await this.#cluster.waitReady(this)
  }
}

class DockerCluster implements Cluster {
  readonly backend: BackendName = 'docker'
  readonly brokers: DockerBroker[]
  readonly #base: string[]
  readonly #readyTimeoutMs: number
  readonly #overrideDir: string
  readonly #keepData: boolean

  constructor (base: string[], services: string[], readyTimeoutMs: number, overrideDir: string, keepData: boolean) {
    this.#base = base
    this.#readyTimeoutMs = readyTimeoutMs
    this.#overrideDir = overrideDir
    this.#keepData = keepData
    this.brokers = services.map((s, i) => new DockerBroker(i, s, this))
  }

  get bootstrap (): string[] {
    return this.brokers.map(b => b.kafkaAddress)
  }

  async compose (args: string[]): Promise<string> {
    const r = await execa(this.#base[0]!, [...this.#base.slice(1), ...args], { reject: false, timeout: CLI_TIMEOUT_MS, stdin: 'ignore' })
    if (r.exitCode !== 0) throw new ClusterError('ERR_DOCKER_COMMAND', `\`${[...this.#base, ...args].join(' ')}\` failed (exit ${r.exitCode}): ${String(r.stderr).trim().split('\n').slice(-5).join('\n')}`)
    return String(r.stdout).trim()
  }

  /** Learns the host ports Docker published, then waits for ApiVersions. */
  async waitReady (broker: DockerBroker): Promise<void> {
    broker.kafkaAddress = (await this.compose(['port', broker.service, '9092'])).split('\n')[0]!.replace('0.0.0.0', '127.0.0.1')
    const http = (await this.compose(['port', broker.service, '8082'])).split('\n')[0]
    broker.httpUrl = http !== undefined && http !== '' ? `http://${http.replace('0.0.0.0', '127.0.0.1')}` : null
    const problem = await waitForApiVersions(broker.kafkaAddress, this.#readyTimeoutMs)
    if (problem !== null) {
      const logs = await this.compose(['logs', '--tail', '20', broker.service]).catch((err: Error) => err.message)
      throw new ClusterError('ERR_BROKER_START', `docker service ${broker.service} did not answer ApiVersions on ${broker.kafkaAddress}: ${problem}. Last log lines:\n${logs}`)
    }
  }

  info (): ClusterInfo {
    return { backend: 'docker', brokers: this.brokers.length, bootstrap: this.bootstrap, description: `${this.brokers.length} reference broker container(s) via docker compose` }
  }

  async stop (): Promise<void> {
    try {
      await this.compose(['down', '--remove-orphans', ...(this.#keepData ? [] : ['-v'])])
    } finally {
      rmSync(this.#overrideDir, { recursive: true, force: true })
    }
  }
}

export class DockerBackend implements ClusterBackend {
  readonly name: BackendName = 'docker'
  readonly #opts: DockerBackendOptions

  constructor (opts: DockerBackendOptions = {}) {
    this.#opts = opts
  }

  async start (spec: ClusterSpec): Promise<Cluster> {
    const layout = COMPOSE_LAYOUTS[spec.brokers]
    if (layout === undefined) throw new ClusterError('ERR_CLUSTER_SPEC', `docker-compose.yml defines clusters of ${Object.keys(COMPOSE_LAYOUTS).join(' or ')} brokers (asked for ${spec.brokers})`)
    if (spec.advertisedFor !== undefined) throw new ClusterError('ERR_UNSUPPORTED', 'the docker backend takes advertised addresses from SLUICE_ADVERTISE_* in docker-compose.yml, not advertisedFor')
    const composeCommand = await detectCompose(this.#opts.composeCommand)
    const overrideDir = mkdtempSync(join(tmpdir(), 'sluice-compose-'))
    const override = join(overrideDir, 'override.yml')
    writeFileSync(override, stringify({ services: Object.fromEntries(layout.services.map((service, i) => [service, { command: brokerCommand(service, i, spec.brokerConfig) }])) }))
    const profiles = [layout.profile, ...(this.#opts.toxiproxy === true ? ['toxiproxy'] : [])].flatMap(p => ['--profile', p])
    const base = [...composeCommand, '-f', this.#opts.composeFile ?? join(REPO_ROOT, 'docker-compose.yml'), '-f', override, '-p', this.#opts.project ?? 'sluice-harness', ...profiles]
    const cluster = new DockerCluster(base, layout.services, this.#opts.readyTimeoutMs ?? READY_TIMEOUT_MS_DEFAULT, overrideDir, spec.keepData === true)
    try {
      await cluster.compose(['up', '-d', '--build'])
      for (const broker of cluster.brokers) await cluster.waitReady(broker)
    } catch (err) {
      await cluster.stop().catch(() => {})
      throw err
    }
    spec.log?.(`docker cluster ready: ${cluster.bootstrap.join(',')}`)
    return cluster
  }
}

/** The service's command from docker-compose.yml plus one `-o key=value` per override. */
function brokerCommand (service: string, index: number, config: ClusterSpec['brokerConfig']): string[] {
  const advertiseVar = service === 'sluice' ? 'SLUICE_ADVERTISE' : `SLUICE_ADVERTISE_${index}`
  const defaultPort = service === 'sluice' ? 19092 : 19192 + index
  return ['broker', '--listen', '0.0.0.0:9092', '--http', '0.0.0.0:8082', '--data-dir', '/data', '--broker-id', String(index),
    '--advertise', `\${${advertiseVar}:-127.0.0.1:${defaultPort}}`,
    // Compose interpolates "$" in the override file; "$$" is a literal dollar.
    ...Object.entries(config).flatMap(([k, v]) => ['-o', `${k}=${String(v)}`.replaceAll('$', '$$$$')])]
}
