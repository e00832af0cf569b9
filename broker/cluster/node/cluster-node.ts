// One member of a KRaft-style cluster, put together: the metadata quorum (every node runs
// one; voters vote, others observe), the controller on voters, and on brokers the replayed
// metadata image that the request handlers read, the local logs it asks for, and
// membership (registration, heartbeats, controlled shutdown). Committed metadata flows one
// way: quorum -> controller's committed image and broker's image -> local logs.

import { randomInt } from 'node:crypto'
import type { BrokerConfig } from '../../config/config.ts'
import type { ApiHandler } from '../../server/handler.ts'
import type { Broker } from '../../server/broker.ts'
import { controllerOptionsFromConfig } from '../context.ts'
import { BrokerMetadata } from '../broker-metadata.ts'
import { decodeSnapshot, encodeSnapshot } from '../snapshot.ts'
import type { Entry, Snapshot } from '../raft/types.ts'
import { ImageView } from '../view.ts'
import { ControllerService, recordRuns } from './controller-service.ts'
import { controllerHandlers, type ControllerGateway } from './controller-apis.ts'
import { ControllerChannel } from './controller-channel.ts'
import { BrokerLifecycle } from './broker-lifecycle.ts'
import { ReplicaHost } from './replica-host.ts'
import { ReplicaManager } from './replica-manager.ts'
import { ForwardingAdmin } from './forward.ts'
import { SecurityProtocol } from '../records.ts'
import { notController } from '../controller.ts'
import { QuorumDriver } from '../quorum/driver.ts'
import { DiskRaftLog } from '../quorum/disk-log.ts'
import { join } from 'node:path'

/** Where the metadata log lives in the data dir, as in Kafka. */
export const METADATA_LOG_DIR = '__cluster_metadata-0'

/** Controlled shutdown waits at most this long for the controller to move leaderships. */
const CONTROLLED_SHUTDOWN_TIMEOUT_MS = 5_000

export class ClusterNode {
  readonly quorum: QuorumDriver
  readonly controller: ControllerService | null
  readonly metadata: BrokerMetadata
  readonly channel: ControllerChannel
  readonly #broker: Broker
  readonly #replicas: ReplicaHost
  #metadataLog: DiskRaftLog | null = null
  #lifecycle: BrokerLifecycle | null = null
  readonly #isBroker: boolean
  /** Followers, high watermarks, ISR changes and acks=all on a broker; null on a pure controller. */
  readonly replication: ReplicaManager | null

  private constructor (broker: Broker, quorum: QuorumDriver, controller: ControllerService | null, metadata: BrokerMetadata, channel: ControllerChannel, isBroker: boolean) {
    this.#broker = broker
    this.quorum = quorum
    this.controller = controller
    this.metadata = metadata
    this.channel = channel
    this.#replicas = new ReplicaHost(broker.logs, broker.log)
    this.#isBroker = isBroker
    this.replication = isBroker ? new ReplicaManager(broker, broker.config, channel, () => metadata.image, () => this.#lifecycle?.brokerEpoch ?? -1) : null
    broker.replicas = this.replication
  }

  static async open (broker: Broker, config: BrokerConfig): Promise<ClusterNode> {
    const cluster = config.cluster!
    const voters = new Map(cluster.voters.map(v => [v.id, { host: v.host, port: v.port }]))
    const metadata = new BrokerMetadata(config.brokerId)
    const isController = cluster.roles.has('controller')
    let node: ClusterNode | null = null
    const metadataDir = join(config.dataDir, METADATA_LOG_DIR)
    const log = await DiskRaftLog.open({ storage: broker.logs.storage, log: broker.log })
    const quorum = await QuorumDriver.open({
      nodeId: config.brokerId,
      clusterId: broker.clusterId,
      voters,
      log,
      metadataDir,
      timing: {
        electionTimeoutMs: config.int('controller.quorum.election.timeout.ms'),
        fetchTimeoutMs: config.int('controller.quorum.fetch.timeout.ms'),
      },
      listener: {
        onCommitted: entries => { if (node !== null) node.#onCommitted(entries) },
        onLoadSnapshot: snapshot => { if (node !== null) node.#onSnapshot(snapshot) },
        onLeaderReady: () => node?.controller?.onLeaderReady(),
        onLeaderLost: () => node?.controller?.onLeaderLost(),
        snapshot: () => ({ endOffset: metadata.lastOffset + 1, data: encodeSnapshot(metadata.image) }),
      },
      logLine: broker.log,
      snapshotAfterEntries: config.int('sluice.metadata.snapshot.interval.records'),
      random: { int: max => randomInt(max) },
    })
    const controller = isController ? new ControllerService(controllerOptionsFromConfig(config, broker.clusterId), quorum, broker.log) : null
    const channel = new ControllerChannel({ leaderId: () => quorum.status().leaderId, address: id => voters.get(id) }, `broker-${config.brokerId}`)
    node = new ClusterNode(broker, quorum, controller, metadata, channel, cluster.roles.has('broker'))
    node.#metadataLog = log
    broker.cluster = new ImageView(() => metadata.image, clientListenerName(config), () => quorum.status().leaderId)
    broker.admin = new ForwardingAdmin(broker, channel)
    return node
  }

  /** What the controller listener serves: the quorum's RPCs and the controller's APIs. */
  controllerListenerHandlers (): ApiHandler[] {
    const gateway: ControllerGateway = this.controller ?? { handle: async request => notController(request) as never }
    return [...this.quorum.handlers(), ...controllerHandlers(gateway)]
  }

  /** Starts the quorum, then (on a broker) registration and heartbeats with the listeners bound. */
  start (config: BrokerConfig, advertised: { host: string, port: number }): void {
    this.quorum.start()
    if (!this.#isBroker) return
    this.#lifecycle = new BrokerLifecycle({
      brokerId: config.brokerId,
      clusterId: this.#broker.clusterId,
      listeners: [{ name: clientListenerName(config), host: advertised.host, port: advertised.port, securityProtocol: SecurityProtocol.PLAINTEXT }],
      heartbeatIntervalMs: config.int('broker.heartbeat.interval.ms'),
      metadataOffset: () => this.metadata.lastOffset,
      log: this.#broker.log,
    }, this.channel)
    this.#lifecycle.start()
  }

  /** SIGTERM: move leaderships away first (controlled shutdown), then stop everything. */
  async close (controlled: boolean): Promise<void> {
    if (controlled && this.#lifecycle !== null) {
      const moved = await this.#lifecycle.shutDown(CONTROLLED_SHUTDOWN_TIMEOUT_MS)
      if (!moved) this.#broker.log(`controlled shutdown: leaderships not all moved within ${CONTROLLED_SHUTDOWN_TIMEOUT_MS} ms; stopping anyway`)
    }
    this.#lifecycle?.stop()
    this.replication?.close()
    this.channel.close()
    this.controller?.close()
    await this.quorum.close()
    await this.#replicas.settled()
    await this.#metadataLog?.close()
  }

  #onCommitted (entries: Entry[]): void {
    this.controller?.onCommitted(entries)
    for (const run of recordRuns(entries)) {
      const changes = this.metadata.apply(run.records, run.lastOffset)
      this.#replicas.apply(changes, this.metadata.image, () => this.replication?.apply(changes))
    }
  }

  #onSnapshot (snapshot: Snapshot): void {
    const image = decodeSnapshot(Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength))
    this.controller?.onSnapshot(image, snapshot.endOffset)
    const changes = this.metadata.restore(image, snapshot.endOffset - 1)
    this.#replicas.apply(changes, image, () => this.replication?.apply(changes))
  }
}

/** The listener clients use: the first that is not a controller listener. */
export function clientListenerName (config: BrokerConfig): string {
  const controllers = config.cluster?.controllerListenerNames ?? []
  return config.listeners.find(l => !controllers.includes(l.name))?.name ?? 'PLAINTEXT'
}

