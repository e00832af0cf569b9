// Reference brokers in containers: the repository's docker-compose.yml driven through the
// npm package `docker-compose` (Compose v2 or v1), against Docker or podman's Docker API
// (engine.ts starts one for the run where podman is installed and nothing answers).
//
// Each run is its own Compose project (`sluice-<pid>-<n>`) on its own private network, so
// runs never share containers; brokers publish their listeners on reserved 127.0.0.1 ports
// and keep their data in bind-mounted host directories, where the harness can read (and
// the disk nemesis truncate) the files. Faults go to the container by id through the
// docker CLI: kill = SIGKILL, pause/resume = the cgroup freezer, stop = SIGTERM,
// restart = start the same container, disconnect/connect = leave and rejoin the network.
// Everything the run started (containers, network, volumes, the podman service) is
// removed by stop(), on a failed start, and on exit or Ctrl-C (child-registry.ts).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import { registerExitCleanup, unregisterExitCleanup } from './child-registry.ts'
import { ClusterError, type BackendName, type BrokerHandle, type Cluster, type ClusterBackend, type ClusterInfo, type ClusterSpec } from './cluster.ts'
import { ComposeProject, detectComposeExecutable } from './compose.ts'
import { brokerNodeFlags } from './broker-node-flags.ts'
import { composeEnv, FILE_BROKERS, imageTag, NETWORK, overrideDocument, profilesFor, PROXY_PORT_BASE, serviceName, type BrokerPorts } from './compose-layout.ts'
import { ensureContainerEngine, type ContainerEngine } from './engine.ts'
import { reservePort } from './ports.ts'
import { waitForApiVersions } from './ready.ts'

export interface DockerBackendOptions {
  composeFile?: string
  /** Compose project name; unique per run when absent. */
  project?: string
  /** Also start the proxy container (`sluice toxiproxy`) on the brokers' network. */
  toxiproxy?: boolean
  readyTimeoutMs?: number
  /** An engine the caller manages; by default one is found or started for the run. */
  engine?: ContainerEngine
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const READY_TIMEOUT_MS_DEFAULT = 60_000
const BROKERS_MAX = 16
const LOG_TAIL_LINES = 20
let projectSeq = 0

class DockerBroker implements BrokerHandle {
  readonly id: number
  readonly service: string
  readonly dataDir: string
  readonly logFile: string
  readonly kafkaAddress: string
  readonly httpUrl: string
  /** The proxy container's listener in front of this broker: its address inside, and published on the host. */
  readonly proxy: { listen: string, published: string } | null
  /** Node flags the container's broker runs with (broker-node-flags.ts). */
  readonly nodeFlags: readonly string[]
  containerId = ''
  #alive = false
  #paused = false
  #connected = true
  /** Container verbs take 0.1-2 s; overlapping faults on one broker run one at a time. */
  #queue: Promise<unknown> = Promise.resolve()
  readonly #cluster: DockerCluster

  constructor (id: number, ports: BrokerPorts, logFile: string, cluster: DockerCluster, nodeFlags: readonly string[]) {
    this.id = id
    this.nodeFlags = nodeFlags
    this.service = serviceName(id)
    this.dataDir = ports.dataDir
    this.logFile = logFile
    this.kafkaAddress = `127.0.0.1:${ports.kafka}`
    this.httpUrl = `http://127.0.0.1:${ports.http}`
    this.proxy = ports.proxy === null ? null : { listen: `0.0.0.0:${PROXY_PORT_BASE + id}`, published: `127.0.0.1:${ports.proxy}` }
    this.#cluster = cluster
  }

  alive (): boolean {
    return this.#alive
  }

  paused (): boolean {
    return this.#paused
  }

  async started (): Promise<void> {
    this.containerId = await this.#cluster.project.containerId(this.service)
    this.#alive = true
    await this.#cluster.waitReady(this)
  }

  #serial (action: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(action)
    this.#queue = next.catch(() => {})
    return next
  }

  /** SIGKILL, and waits until the container has stopped (its files are then quiet). */
  kill (): Promise<void> {
    return this.#serial(() => this.#kill())
  }

  async #kill (): Promise<void> {
    if (!this.#alive) return
    // podman cannot signal a frozen container: thaw it first.
    await this.#resume()
    await this.#docker(['kill', '--signal', 'KILL', this.containerId])
    await this.#docker(['wait', this.containerId])
    this.#alive = false
  }

  /** The cgroup freezer; a broker that is not running (killed meanwhile) stays as it is. */
  pause (): Promise<void> {
    return this.#serial(async () => {
      if (!this.#alive || this.#paused) return
      await this.#docker(['pause', this.containerId])
      this.#paused = true
    })
  }

  resume (): Promise<void> {
    return this.#serial(() => this.#resume())
  }

  async #resume (): Promise<void> {
    if (!this.#paused) return
    await this.#docker(['unpause', this.containerId])
    this.#paused = false
  }

  /** SIGTERM (the init passes it to the broker, which flushes and exits), SIGKILL after 15 s. */
  stop (): Promise<void> {
    return this.#serial(async () => {
      if (!this.#alive) return
      await this.#resume()
      await this.#docker(['stop', '--time', '15', this.containerId])
      this.#alive = false
    })
  }

  /** Starts the same container again (same data, ports, address); a running one is killed first. */
  restart (): Promise<void> {
    return this.#serial(async () => {
      await this.#kill()
      await this.#docker(['start', this.containerId])
      this.#alive = true
      // A partitioned broker cannot be reached yet; connect() waits for it instead.
      if (this.#connected) await this.#cluster.waitReady(this)
    })
  }

  /** Takes the container off the cluster network: a partition from its peers and clients. */
  disconnect (): Promise<void> {
    return this.#serial(async () => {
      if (!this.#connected) return
      await this.#docker(['network', 'disconnect', this.#cluster.network, this.containerId])
      this.#connected = false
    })
  }

  connect (): Promise<void> {
    return this.#serial(async () => {
      if (this.#connected) return
      // The service name is the alias peers and proxies use; a reconnect must bring it back.
      await this.#docker(['network', 'connect', '--alias', this.service, this.#cluster.network, this.containerId])
      this.#connected = true
      if (this.#alive) await this.#cluster.waitReady(this)
    })
  }

  #docker (args: string[]): Promise<string> {
    return this.#cluster.project.docker(args)
  }
}

export class DockerCluster implements Cluster {
  readonly backend: BackendName = 'docker'
  readonly brokers: DockerBroker[]
  readonly project: ComposeProject
  readonly network: string
  /** The proxy container's API, when it runs. */
  readonly toxiproxyUrl: string | null
  readonly #advertised: string[]
  readonly #readyTimeoutMs: number
  readonly #ownedDirs: string[]
  readonly #engine: ContainerEngine
  readonly #cleanup: () => void
  #stopped: Promise<void> | null = null

  constructor (options: { project: ComposeProject, ports: BrokerPorts[], workDir: string, toxiproxyPort: number | null, readyTimeoutMs: number, ownedDirs: string[], engine: ContainerEngine, nodeFlags: readonly string[] }) {
    this.project = options.project
    this.network = options.project.networkName(NETWORK)
    this.toxiproxyUrl = options.toxiproxyPort === null ? null : `http://127.0.0.1:${options.toxiproxyPort}`
    this.#advertised = options.ports.map(p => p.advertise)
    this.#readyTimeoutMs = options.readyTimeoutMs
    this.#ownedDirs = options.ownedDirs
    this.#engine = options.engine
    this.brokers = options.ports.map((p, i) => new DockerBroker(i, p, join(options.workDir, `broker-${i}.log`), this, options.nodeFlags))
    this.#cleanup = () => {
      this.project.downSync()
      for (const dir of this.#ownedDirs) rmSync(dir, { recursive: true, force: true })
    }
    registerExitCleanup(this.#cleanup)
  }

  get bootstrap (): string[] {
    return [...this.#advertised]
  }

  async waitReady (broker: DockerBroker): Promise<void> {
    const problem = await waitForApiVersions(broker.kafkaAddress, this.#readyTimeoutMs)
    if (problem === null) return
    const logs = await this.project.logs(broker.service, LOG_TAIL_LINES).catch((error: Error) => error.message)
    throw new ClusterError('ERR_BROKER_START', `container ${broker.service} did not answer ApiVersions on ${broker.kafkaAddress}: ${problem}. Last log lines:\n${logs}`)
  }

  info (): ClusterInfo {
    return { backend: 'docker', brokers: this.brokers.length, bootstrap: this.bootstrap, description: `${this.brokers.length} reference broker container(s) via Compose (${this.#engine.description})` }
  }

  /** Keeps each broker's log, removes containers, network, volumes and owned dirs, then the engine if started here. */
  stop (): Promise<void> {
    this.#stopped ??= (async () => {
      try {
        await Promise.allSettled(this.brokers.map(async b => {
          if (b.containerId === '') return
          writeFileSync(b.logFile, await this.project.docker(['logs', b.containerId]).catch((error: Error) => error.message))
          await b.resume()
        }))
        await this.project.down(true)
      } finally {
        unregisterExitCleanup(this.#cleanup)
        for (const dir of this.#ownedDirs) rmSync(dir, { recursive: true, force: true })
        await this.#engine.stop()
      }
    })()
    return this.#stopped
  }
}

export class DockerBackend implements ClusterBackend {
  readonly name: BackendName = 'docker'
  readonly #opts: DockerBackendOptions

  constructor (opts: DockerBackendOptions = {}) {
    this.#opts = opts
  }

  async start (spec: ClusterSpec): Promise<DockerCluster> {
    if (!Number.isInteger(spec.brokers) || spec.brokers < 1 || spec.brokers > BROKERS_MAX) {
      throw new ClusterError('ERR_CLUSTER_SPEC', `brokers must be an integer from 1 to ${BROKERS_MAX} (got ${spec.brokers})`)
    }
    const engine = this.#opts.engine ?? await ensureContainerEngine(spec.log === undefined ? {} : { log: spec.log })
    const ownedDirs: string[] = []
    try {
      const executable = await detectComposeExecutable(engine.env)
      const workDir = spec.workDir ?? mkdtempSync(join(tmpdir(), 'sluice-docker-'))
      if (spec.workDir === undefined && spec.keepData !== true) ownedDirs.push(workDir)
      mkdirSync(workDir, { recursive: true })
      const toxiproxy = this.#opts.toxiproxy === true
      const ports = await this.#reservePorts(spec, workDir, toxiproxy)
      const brokerPorts = ports.slice(0, spec.brokers)
      const toxiproxyPort = toxiproxy ? await reservePort() : null
      const overrideDir = mkdtempSync(join(tmpdir(), 'sluice-compose-'))
      ownedDirs.push(overrideDir)
      const composeFile = this.#opts.composeFile ?? join(REPO_ROOT, 'docker-compose.yml')
      const override = join(overrideDir, 'override.yml')
      const user = typeof process.getuid === 'function' && process.getuid() !== 0 ? `${process.getuid()}:${process.getgid?.() ?? 0}` : null
      const nodeFlags = brokerNodeFlags()
      writeFileSync(override, stringify(overrideDocument({ composeFile, ports: brokerPorts, config: spec.brokerConfig, user, nodeFlags })))
      const project = new ComposeProject({
        executable,
        files: [composeFile, override],
        project: this.#opts.project ?? `sluice-${process.pid}-${projectSeq++}`,
        profiles: profilesFor(spec.brokers, toxiproxy),
        cwd: dirname(composeFile),
        env: { ...engine.env, ...composeEnv(ports, toxiproxyPort), SLUICE_IMAGE_TAG: imageTag(REPO_ROOT, engine.env.SLUICE_BASE_IMAGE ?? process.env.SLUICE_BASE_IMAGE ?? 'node:24-slim') },
      })
      const cluster = new DockerCluster({ project, ports: brokerPorts, workDir, toxiproxyPort, readyTimeoutMs: this.#opts.readyTimeoutMs ?? READY_TIMEOUT_MS_DEFAULT, ownedDirs, engine, nodeFlags })
      try {
        await project.up([...cluster.brokers.map(b => b.service), ...(toxiproxy ? ['toxiproxy'] : [])])
        await Promise.all(cluster.brokers.map(b => b.started()))
      } catch (error) {
        await cluster.stop().catch(() => {})
        throw error
      }
      spec.log?.(`docker cluster ready (${project.options.project}): ${cluster.bootstrap.join(',')}`)
      return cluster
    } catch (error) {
      // Repeats what a failed cluster's stop() did, harmlessly; covers failures before it existed.
      for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true })
      await engine.stop()
      throw error
    }
  }

  async #reservePorts (spec: ClusterSpec, workDir: string, toxiproxy: boolean): Promise<BrokerPorts[]> {
    const ports: BrokerPorts[] = []
    // The proxy container publishes the file's three listeners whatever the cluster size.
    for (let i = 0; i < Math.max(spec.brokers, toxiproxy ? FILE_BROKERS : 0); i++) {
      const dataDir = join(workDir, `broker-${i}`, 'data')
      const kafka = await reservePort()
      const p: BrokerPorts = { kafka, http: await reservePort(), proxy: toxiproxy ? await reservePort() : null, advertise: `127.0.0.1:${kafka}`, dataDir }
      if (i < spec.brokers) {
        mkdirSync(dataDir, { recursive: true })
        p.advertise = (await spec.advertisedFor?.(i, kafka)) ?? p.advertise
      }
      ports.push(p)
    }
    return ports
  }
}
