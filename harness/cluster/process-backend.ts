// The default cluster backend: reference brokers as local processes on 127.0.0.1, each
// with its own data dir and log file under the work dir (a temp dir unless the spec names
// one). One broker is the one-node broker; N > 1 are ONE KRaft cluster: every node is
// broker and controller (combined mode), node ids 0..N-1, one cluster.id, every listener's
// port reserved before any node starts, and the cluster is ready when a controller is
// elected and every node is registered and unfenced. The handles give the chaos harness
// kill, pause/resume and restart-on-the-same-ports.
//
// Ports: every Kafka (and controller) port is reserved before the broker starts
// (ports.ts), below the kernel's ephemeral range: a proxy in front needs its upstream, the
// broker needs --advertise, and a restart binds the same port again.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ClusterError, type BackendName, type Cluster, type ClusterBackend, type ClusterInfo, type ClusterSpec } from './cluster.ts'
import { registerTempDir, unregisterTempDir } from './child-registry.ts'
import { ProcessBroker } from './process-broker.ts'
import { brokerNodeFlags } from './broker-node-flags.ts'
import { waitForClusterReady } from './ready.ts'
import { reservePorts } from './ports.ts'
import { randomUuid } from '../../broker/protocol/uuid.ts'

export interface ProcessBackendOptions {
  /** Node binary for the brokers; this process's own by default. */
  nodePath?: string
  /** Repository root holding harness/cli.ts; this checkout by default. */
  repoRoot?: string
  startTimeoutMs?: number
  stopTimeoutMs?: number
  /** A taskset(1) CPU list for every broker process (bench --broker-cpus); null: not pinned. */
  brokerCpus?: string | null
}

const BROKERS_MAX = 32
const START_TIMEOUT_MS_DEFAULT = 30_000
const STOP_TIMEOUT_MS_DEFAULT = 10_000
const START_ATTEMPTS_MAX = 3
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * The KRaft keys of each node of an N-node cluster: combined roles, node id = index, a
 * controller listener on a reserved port, and one random cluster.id.
 */
function clusterConfigs (kafkaPorts: readonly number[], controllerPorts: readonly number[]): Array<Record<string, string>> {
  const voters = controllerPorts.map((port, id) => `${id}@127.0.0.1:${port}`).join(',')
  const clusterId = randomUuid()
  return kafkaPorts.map((kafkaPort, id) => ({
    'node.id': String(id),
    'process.roles': 'broker,controller',
    'controller.quorum.voters': voters,
    'controller.listener.names': 'CONTROLLER',
    listeners: `PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPorts[id]}`,
    'cluster.id': clusterId,
  }))
}

/**
 * Per node, the voter list and inter-broker addresses that send its traffic to every other
 * node through `linkFor` (a proxy per directed link, for the chaos harness's split).
 */
async function routeLinks (keys: Array<Record<string, string>>, kafkaPorts: readonly number[], controllerPorts: readonly number[], linkFor: NonNullable<ClusterSpec['linkFor']>): Promise<void> {
  for (let from = 0; from < keys.length; from++) {
    const voters: string[] = []
    const peers: string[] = []
    for (let to = 0; to < keys.length; to++) {
      const controller = from === to ? undefined : await linkFor(from, to, 'controller', controllerPorts[to]!)
      voters.push(`${to}@${controller ?? `127.0.0.1:${controllerPorts[to]}`}`)
      const kafka = from === to ? undefined : await linkFor(from, to, 'kafka', kafkaPorts[to]!)
      if (kafka !== undefined) peers.push(`${to}@${kafka}`)
    }
    keys[from]!['controller.quorum.voters'] = voters.join(',')
    if (peers.length > 0) keys[from]!['sluice.inter.broker.addresses'] = peers.join(',')
  }
}

export class ProcessCluster implements Cluster {
  readonly backend: BackendName = 'process'
  readonly brokers: readonly ProcessBroker[]
  readonly workDir: string
  /** Each node's controller listener (host:port) in a multi-node cluster; empty for one broker. */
  readonly controllerAddresses: readonly string[]
  readonly #advertised: ReadonlyArray<string | undefined>
  readonly #ownsWorkDir: boolean
  readonly #keepData: boolean
  #stopped: Promise<void> | null = null

  constructor (brokers: ProcessBroker[], advertised: Array<string | undefined>, workDir: string, ownsWorkDir: boolean, keepData: boolean, controllerAddresses: string[] = []) {
    this.brokers = brokers
    this.controllerAddresses = controllerAddresses
    this.#advertised = advertised
    this.workDir = workDir
    this.#ownsWorkDir = ownsWorkDir
    this.#keepData = keepData
  }

  get bootstrap (): string[] {
    return this.brokers.map((b, i) => this.#advertised[i] ?? b.kafkaAddress)
  }

  info (): ClusterInfo {
    const n = this.brokers.length
    return {
      backend: 'process',
      brokers: n,
      bootstrap: this.bootstrap,
      description: n === 1
        ? `1 reference broker process on 127.0.0.1 (a one-node cluster), work dir ${this.workDir}`
        : `a ${n}-node reference cluster (KRaft, combined broker+controller processes) on 127.0.0.1, work dir ${this.workDir}`,
    }
  }

  stop (): Promise<void> {
    this.#stopped ??= (async () => {
      await Promise.all(this.brokers.map(b => b.stop()))
      unregisterTempDir(this.workDir)
      if (this.#keepData) return
      if (this.#ownsWorkDir) rmSync(this.workDir, { recursive: true, force: true })
      else for (const b of this.brokers) rmSync(b.dataDir, { recursive: true, force: true })
    })()
    return this.#stopped
  }
}

export class ProcessBackend implements ClusterBackend {
  readonly name: BackendName = 'process'
  readonly #opts: Required<ProcessBackendOptions>

  constructor (opts: ProcessBackendOptions = {}) {
    this.#opts = {
      nodePath: opts.nodePath ?? process.execPath,
      repoRoot: opts.repoRoot ?? REPO_ROOT,
      startTimeoutMs: opts.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT,
      stopTimeoutMs: opts.stopTimeoutMs ?? STOP_TIMEOUT_MS_DEFAULT,
      brokerCpus: opts.brokerCpus ?? null,
    }
  }

  async start (spec: ClusterSpec): Promise<ProcessCluster> {
    if (!Number.isInteger(spec.brokers) || spec.brokers < 1 || spec.brokers > BROKERS_MAX) {
      throw new ClusterError('ERR_CLUSTER_SPEC', `brokers must be an integer from 1 to ${BROKERS_MAX} (got ${spec.brokers})`)
    }
    const nodeFlags = brokerNodeFlags()
    const ownsWorkDir = spec.workDir === undefined
    const workDir = spec.workDir ?? mkdtempSync(join(tmpdir(), 'sluice-cluster-'))
    if (ownsWorkDir && spec.keepData !== true) registerTempDir(workDir)
    // A reserved port can be taken by another program before the broker binds it; then the
    // whole cluster starts again on fresh ports (voter lists name them all).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#startOnce(spec, workDir, ownsWorkDir, nodeFlags)
      } catch (error) {
        if (attempt >= START_ATTEMPTS_MAX || !/is already in use/.test((error as Error).message)) throw error
        spec.log?.(`a reserved port was taken before a broker bound it; starting again on other ports (attempt ${attempt + 1} of ${START_ATTEMPTS_MAX})`)
        if (ownsWorkDir && spec.keepData !== true) registerTempDir(workDir)
      }
    }
  }

  async #startOnce (spec: ClusterSpec, workDir: string, ownsWorkDir: boolean, nodeFlags: readonly string[]): Promise<ProcessCluster> {
    const brokers: ProcessBroker[] = []
    const advertised: Array<string | undefined> = []
    const clustered = spec.brokers > 1
    // Client, HTTP and controller ports of every node are reserved together, always: a restart
    // binds the same ports again, and a port the kernel chose could be a client's by then
    // (an HTTP port from port 0 once failed a restart in CI exactly so).
    const reserved = await reservePorts(spec.brokers * (clustered ? 3 : 2))
    const kafkaPorts = reserved.slice(0, spec.brokers)
    const httpPorts = reserved.slice(spec.brokers, 2 * spec.brokers)
    const controllerPorts = reserved.slice(2 * spec.brokers)
    const clusterKeys = clustered ? clusterConfigs(kafkaPorts, controllerPorts) : null
    if (clusterKeys !== null && spec.linkFor !== undefined) await routeLinks(clusterKeys, kafkaPorts, controllerPorts, spec.linkFor)
    for (let i = 0; i < spec.brokers; i++) {
      const dataDir = join(workDir, `broker-${i}`, 'data')
      mkdirSync(dataDir, { recursive: true })
      const kafkaPort = kafkaPorts[i]!
      const advertise = spec.advertisedFor === undefined ? undefined : await spec.advertisedFor(i, kafkaPort)
      advertised.push(advertise)
      brokers.push(new ProcessBroker({
        index: i,
        nodePath: this.#opts.nodePath,
        cliPath: join(this.#opts.repoRoot, 'harness', 'cli.ts'),
        cwd: this.#opts.repoRoot,
        dataDir,
        logFile: join(workDir, `broker-${i}.log`),
        brokerConfig: { ...spec.brokerConfig, ...clusterKeys?.[i] },
        kafkaPort,
        httpPort: httpPorts[i]!,
        advertise,
        startTimeoutMs: this.#opts.startTimeoutMs,
        stopTimeoutMs: this.#opts.stopTimeoutMs,
        cpus: this.#opts.brokerCpus,
        nodeFlags,
      }))
    }
    const controllerAddresses = clusterKeys?.map(k => k.listeners!.split(',')[1]!.replace('CONTROLLER://', '')) ?? []
    const cluster = new ProcessCluster(brokers, advertised, workDir, ownsWorkDir, spec.keepData === true, controllerAddresses)
    const started = await Promise.allSettled(brokers.map(b => b.start()))
    const failed = started.find(r => r.status === 'rejected')
    if (failed !== undefined) {
      // Keep the logs of a failed start: the error message points at them.
      await Promise.all(brokers.map(b => b.stop()))
      unregisterTempDir(workDir)
      for (const b of brokers) rmSync(b.dataDir, { recursive: true, force: true })
      throw failed.reason
    }
    if (clustered) {
      await waitForClusterReady(brokers.map(b => b.kafkaAddress), spec.brokers, this.#opts.startTimeoutMs).catch(async (err: Error) => {
        await cluster.stop()
        throw new ClusterError('ERR_CLUSTER_START', `${err.message}; broker logs: ${brokers.map(b => b.logFile).join(', ')}`)
      })
    }
    for (const b of brokers) spec.log?.(`broker ${b.id} ready: kafka ${b.kafkaAddress}, http ${b.httpUrl}, log ${b.logFile}`)
    return cluster
  }
}
