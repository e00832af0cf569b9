// The `kafka` cluster backend: N real Apache Kafka nodes in KRaft combined mode as local JVMs
// (kafka-node.ts), configured by kafka-config.ts, from the jars kafka-dist.ts finds.
//
// Start: find Kafka and Java; reserve two free ports per node (client and controller: every
// node's controller address is in every node's config, so all must be known up front); ask
// advertisedFor for the proxy each node should advertise; write server.properties and format
// every node's storage with one cluster id (kafka.tools.StorageTool, in parallel); start all
// JVMs; ready when every node answers Metadata listing all N brokers and a controller, and
// the group coordinator answers (__consumer_offsets exists with a leader per partition).
// Then DescribeConfigs on node 0 tells which workload keys Kafka does not know (reported).
//
// Stop: without keepData the JVMs get SIGKILL (the data is deleted anyway, and a controlled
// shutdown of all nodes at once waits on a quorum that is leaving); with keepData, SIGTERM.

import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { ConfigResourceType, ConfigType, DescribeConfigs } from '../../broker/protocol/32-describe-configs.ts'
import { parseAddress } from '../../broker/client/kafka-client.ts'
import { Connection } from '../../broker/client/connection.ts'
import { ClusterError, type BackendName, type Cluster, type ClusterBackend, type ClusterInfo, type ClusterSpec } from './cluster.ts'
import { registerChild, registerTempDir, unregisterTempDir } from './child-registry.ts'
import { checkBrokerConfig, formatConfigKeyReport, renderServerProperties, reportConfigKeys, type KafkaNodePorts } from './kafka-config.ts'
import { describeDist, javaArgs, LOG4J_NODE_FILE, LOG4J_TOOL_FILE, locateKafka, type KafkaDist, type LocateOptions } from './kafka-dist.ts'
import { KafkaNode, waitForGroupCoordinator } from './kafka-node.ts'
import { reservePort } from './ports.ts'

export interface KafkaBackendOptions extends LocateOptions {
  /** Heap of each node's JVM; 384 MiB lets three nodes and the tools share a small machine. */
  heapMb?: number
  startTimeoutMs?: number
  stopTimeoutMs?: number
  /** Fixed client ports by node (the controller ports stay free ones); free ports when absent. */
  kafkaPorts?: readonly number[]
}

const NODES_MAX = 9
const HEAP_MB_DEFAULT = 384
const FORMAT_HEAP_MB = 128
const START_TIMEOUT_MS_DEFAULT = 180_000
const STOP_TIMEOUT_MS_DEFAULT = 15_000
const FORMAT_TIMEOUT_MS = 120_000

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-' (as Uuid.randomUuid). */
export function newClusterId (): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

export class KafkaCluster implements Cluster {
  readonly backend: BackendName = 'kafka'
  readonly brokers: readonly KafkaNode[]
  readonly workDir: string
  readonly dist: KafkaDist
  readonly clusterId: string
  /** What the workload's brokerConfig keys mean to each broker, for reports. */
  configNotes: string[] = []
  readonly #advertised: ReadonlyArray<string | undefined>
  readonly #ownsWorkDir: boolean
  readonly #keepData: boolean
  #stopped: Promise<void> | null = null

  constructor (init: { nodes: KafkaNode[], advertised: Array<string | undefined>, workDir: string, ownsWorkDir: boolean, keepData: boolean, dist: KafkaDist, clusterId: string }) {
    this.brokers = init.nodes
    this.#advertised = init.advertised
    this.workDir = init.workDir
    this.#ownsWorkDir = init.ownsWorkDir
    this.#keepData = init.keepData
    this.dist = init.dist
    this.clusterId = init.clusterId
  }

  get bootstrap (): string[] {
    return this.brokers.map((b, i) => this.#advertised[i] ?? b.kafkaAddress)
  }

  info (): ClusterInfo {
    const n = this.brokers.length
    return {
      backend: 'kafka',
      brokers: n,
      bootstrap: this.bootstrap,
      description: `${n} Apache Kafka ${this.dist.kafkaVersion} node${n === 1 ? '' : 's'} (KRaft, broker+controller) as local JVMs on 127.0.0.1, cluster id ${this.clusterId}, work dir ${this.workDir}`,
      software: describeDist(this.dist),
      ...(this.configNotes.length > 0 ? { notes: [...this.configNotes] } : {}),
    }
  }

  stop (): Promise<void> {
    this.#stopped ??= (async () => {
      await Promise.all(this.brokers.map(b => this.#keepData ? b.stop() : b.kill()))
      unregisterTempDir(this.workDir)
      if (this.#keepData) return
      if (this.#ownsWorkDir) rmSync(this.workDir, { recursive: true, force: true })
      else for (const b of this.brokers) rmSync(b.dataDir, { recursive: true, force: true })
    })()
    return this.#stopped
  }
}

/** The broker-level keys Kafka knows, from DescribeConfigs v3 on one node; null if it cannot say. */
async function kafkaConfigKeys (address: string, nodeId: number): Promise<Set<string> | null> {
  try {
    const { host, port } = parseAddress(address)
    const connection = await Connection.connect({ host, port, clientId: 'sluice-kafka-backend', connectTimeoutMs: 5000, requestTimeoutMs: 10_000 })
    try {
      const res = await connection.request(DescribeConfigs, {
        resources: [{ resourceType: ConfigResourceType.broker, resourceName: String(nodeId), configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: true,
      })
      const result = res.results[0]
      if (result === undefined || result.errorCode !== 0) return null
      // Kafka lists every key it was given, known or not; unknown ones come without a type
      // (v3+), which is how they are told apart.
      return new Set(result.configs.filter(c => c.configType !== ConfigType.unknown).map(c => c.name))
    } finally {
      connection.close()
    }
  } catch {
    return null
  }
}

export class KafkaBackend implements ClusterBackend {
  readonly name: BackendName = 'kafka'
  readonly #opts: KafkaBackendOptions

  constructor (opts: KafkaBackendOptions = {}) {
    this.#opts = opts
  }

  async start (spec: ClusterSpec): Promise<KafkaCluster> {
    if (!Number.isInteger(spec.brokers) || spec.brokers < 1 || spec.brokers > NODES_MAX) {
      throw new ClusterError('ERR_CLUSTER_SPEC', `brokers must be an integer from 1 to ${NODES_MAX} for the kafka backend (got ${spec.brokers})`)
    }
    const fixed = this.#opts.kafkaPorts
    if (fixed !== undefined && fixed.length < spec.brokers) throw new ClusterError('ERR_CLUSTER_SPEC', `kafkaPorts names ${fixed.length} ports for ${spec.brokers} nodes`)
    checkBrokerConfig(spec.brokerConfig)
    const dist = await locateKafka(this.#opts)
    const ownsWorkDir = spec.workDir === undefined
    const workDir = spec.workDir ?? mkdtempSync(join(tmpdir(), 'sluice-kafka-'))
    mkdirSync(workDir, { recursive: true })
    if (ownsWorkDir && spec.keepData !== true) registerTempDir(workDir)
    const clusterId = newClusterId()
    const heapMb = this.#opts.heapMb ?? HEAP_MB_DEFAULT
    const ports: KafkaNodePorts[] = []
    for (let i = 0; i < spec.brokers; i++) ports.push({ kafka: fixed?.[i] ?? await reservePort(), controller: await reservePort() })
    const advertised: Array<string | undefined> = []
    const nodes: KafkaNode[] = []
    for (let i = 0; i < spec.brokers; i++) {
      advertised.push(spec.advertisedFor === undefined ? undefined : await spec.advertisedFor(i, ports[i]!.kafka))
      const dataDir = join(workDir, `kafka-${i}`, 'data')
      mkdirSync(dataDir, { recursive: true })
      const propertiesFile = join(workDir, `kafka-${i}`, 'server.properties')
      writeFileSync(propertiesFile, renderServerProperties({ nodeId: i, ports, advertised: advertised[i], logDir: dataDir, brokerConfig: spec.brokerConfig }))
      nodes.push(new KafkaNode({
        nodeId: i, dist, propertiesFile, log4jFile: LOG4J_NODE_FILE, dataDir, logFile: join(workDir, `kafka-${i}.log`), kafkaPort: ports[i]!.kafka, heapMb,
        startTimeoutMs: this.#opts.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT,
        stopTimeoutMs: this.#opts.stopTimeoutMs ?? STOP_TIMEOUT_MS_DEFAULT,
      }))
    }
    const cluster = new KafkaCluster({ nodes, advertised, workDir, ownsWorkDir, keepData: spec.keepData === true, dist, clusterId })
    try {
      spec.log?.(`kafka backend: ${describeDist(dist).kafka}; ${describeDist(dist).java}; formatting ${spec.brokers} node(s), cluster id ${clusterId}`)
      await Promise.all(nodes.map(node => this.#format(dist, workDir, node, clusterId)))
      for (const node of nodes) node.spawn()
      const deadline = Date.now() + (this.#opts.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT)
      await Promise.all(nodes.map(node => node.waitReady(deadline, ids => ids.length === spec.brokers)))
      await waitForGroupCoordinator(nodes[0]!.kafkaAddress, deadline)
    } catch (error) {
      // Keep the logs of a failed start (the error names them), drop the data.
      await Promise.all(nodes.map(n => n.kill()))
      unregisterTempDir(workDir)
      for (const n of nodes) rmSync(n.dataDir, { recursive: true, force: true })
      throw error
    }
    cluster.configNotes = formatConfigKeyReport(reportConfigKeys(spec.brokerConfig, await kafkaConfigKeys(nodes[0]!.kafkaAddress, 0)))
    for (const note of cluster.configNotes) spec.log?.(note)
    for (const n of nodes) spec.log?.(`kafka node ${n.id} ready: pid ${n.pid}, kafka ${n.kafkaAddress}${advertised[n.id] === undefined ? '' : ` (advertised ${advertised[n.id]})`}, log ${n.logFile}`)
    return cluster
  }

  async #format (dist: KafkaDist, workDir: string, node: KafkaNode, clusterId: string): Promise<void> {
    const args = javaArgs(dist, {
      heapMb: FORMAT_HEAP_MB, log4jFile: LOG4J_TOOL_FILE, mainClass: 'kafka.tools.StorageTool',
      args: ['format', '-t', clusterId, '-c', join(workDir, `kafka-${node.id}`, 'server.properties')],
    })
    const subprocess = execa(dist.javaPath, args, { reject: false, timeout: FORMAT_TIMEOUT_MS, killSignal: 'SIGKILL', stdin: 'ignore', all: true, cleanup: false, forceKillAfterDelay: false })
    registerChild(subprocess.nodeChildProcess)
    const r = await subprocess
    writeFileSync(node.logFile, `--- ${new Date().toISOString()} format: ${dist.javaPath} ${args.join(' ')}\n${r.all ?? ''}\n`, { flag: 'a' })
    if (r.exitCode !== 0) {
      throw new ClusterError('ERR_BROKER_START', `formatting kafka node ${node.id}'s storage failed (exit ${r.exitCode ?? r.signal}): ${(r.all ?? r.message).trim().split('\n').slice(-5).join(' | ')}. Log: ${node.logFile}`)
    }
  }
}
