// A cluster broker's partition replicas (Kafka's ReplicaManager, the part that keeps them in
// sync): for each partition it leads, the LeaderPartition state machine (follower log ends,
// high watermark, ISR changes) fed by local appends, follower fetches and a periodic tick,
// with ISR changes sent to the controller as AlterPartition and acks=all produces parked
// until the high watermark passes them; for each partition it follows, a FollowerPartition
// driven by the fetcher of its leader. Roles change only when the metadata log says so.

import type { BrokerConfig } from '../../config/config.ts'
import { ErrorCode } from '../../protocol/errors.ts'
import { AlterPartition } from '../../protocol/56-alter-partition.ts'
import type { PartitionLog } from '../../log/partition-log.ts'
import type { Broker } from '../../server/broker.ts'
import type { ReplicaStateView, Replication } from '../../server/cluster-hooks.ts'
import type { MetadataImage, PartitionState } from '../image.ts'
import type { LocalChanges } from '../local-changes.ts'
import { LeaderPartition, type IsrProposal } from '../replica/leader-state.ts'
import type { ControllerChannel } from './controller-channel.ts'
import { AcksWaiters } from './acks-waiters.ts'
import { ReplicaFetchers } from './replica-fetchers.ts'
import { HighWatermarkCheckpoint } from './hw-checkpoint.ts'
import { OFFSETS_TOPIC } from '../../group/offsets-store.ts'

interface Led {
  topic: string
  topicId: string
  partition: number
  log: PartitionLog
  state: LeaderPartition
  unsubscribe: () => void
  /**
   * The broker epoch each follower had (in this broker's metadata) when its last fetch came
   * in. An ISR change names these (KIP-903), so the controller refuses to put back a follower
   * whose fetch state is from an incarnation that has since restarted (KAFKA-14139).
   */
  fetchEpochs: Map<number, number>
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`
const epochsText = (log: PartitionLog): string => `[${log.leaderEpochs().map(e => `${e.epoch}@${e.startOffset}`).join(' ')}]`
const ISR_CHECK_INTERVAL_MS_MAX = 1000

export class ReplicaManager implements Replication {
  readonly #broker: Broker
  readonly #channel: ControllerChannel
  readonly #brokerEpoch: () => number
  readonly #led = new Map<string, Led>()
  readonly #acks = new AcksWaiters()
  readonly fetchers: ReplicaFetchers
  readonly #checkpoint: HighWatermarkCheckpoint
  readonly #lagMs: number
  #isrShrinks = 0
  #isrExpands = 0
  #timer: NodeJS.Timeout
  #image: () => MetadataImage

  constructor (broker: Broker, config: BrokerConfig, channel: ControllerChannel, image: () => MetadataImage, brokerEpoch: () => number) {
    this.#broker = broker
    this.#channel = channel
    this.#image = image
    this.#brokerEpoch = brokerEpoch
    this.#lagMs = config.int('replica.lag.time.max.ms')
    this.#checkpoint = new HighWatermarkCheckpoint(config.dataDir, config.int('replica.high.watermark.checkpoint.interval.ms'), broker.log)
    this.fetchers = new ReplicaFetchers(broker, config, image, this.#checkpoint)
    this.#timer = setInterval(() => { this.#tick() }, Math.min(ISR_CHECK_INTERVAL_MS_MAX, Math.max(10, Math.floor(this.#lagMs / 2))))
    this.#timer.unref()
  }

  /** The high watermark consumers may read up to, for a partition this broker leads. */
  highWatermark (topic: string, partition: number): number | undefined {
    return this.#led.get(key(topic, partition))?.state.highWatermark
  }

  offsetsAvailable (topic: string, partition: number): boolean {
    const led = this.#led.get(key(topic, partition))?.state
    return led === undefined || led.highWatermark >= led.epochStartOffset
  }

  leaderState (topic: string, partition: number): LeaderPartition | undefined {
    return this.#led.get(key(topic, partition))?.state
  }

  replicaState (topic: string, partition: number): ReplicaStateView {
    const topicId = this.#image().topicIdsByName.get(topic) ?? null
    const led = this.#led.get(key(topic, partition))?.state
    if (led !== undefined) return { role: 'leader', highWatermark: led.highWatermark, leadingEpoch: led.leaderEpoch, topicId }
    const learned = this.fetchers.highWatermarkOf(topic, partition)
    return learned !== undefined ? { role: 'follower', highWatermark: learned, leadingEpoch: null, topicId } : { role: 'none', highWatermark: null, leadingEpoch: null, topicId }
  }

  /** Roles from a metadata change, once the local logs it asked for exist. */
  apply (changes: LocalChanges): void {
    const nowMs = Date.now()
    for (const c of changes.leaders) {
      const k = key(c.topicName, c.partitionId)
      const current = this.#led.get(k)
      const isrBefore = current?.state.isr.length ?? 0
      const outcome = current?.state.onImageChange(c.state, nowMs)
      if (current !== undefined && outcome !== 'notLeaderInThisEpoch') {
        // The ISR change may reach this broker through the metadata log before the AlterPartition answer.
        if (outcome === 'applied') this.#countIsrChange(isrBefore, current.state.isr.length)
        // A new ISR may move the HW: checkpoint it, answer acks=all waiters, wake fetches.
        this.#advanced(current)
        continue
      }
      this.#dropLeader(k)
      this.fetchers.stopFollowing(c.topicName, c.partitionId)
      const log = this.#broker.logs.partition(c.topicName, c.partitionId)
      if (log === undefined) continue
      this.#lead(c.topicName, c.topicId, c.partitionId, log, c.state, nowMs)
    }
    for (const c of changes.followers) {
      this.#dropLeader(key(c.topicName, c.partitionId))
      const log = this.#broker.logs.partition(c.topicName, c.partitionId)
      if (log !== undefined) this.fetchers.follow(c.topicName, c.partitionId, log, c.state)
    }
    for (const r of changes.removed) {
      this.#dropLeader(key(r.topicName, r.partitionId))
      this.fetchers.stopFollowing(r.topicName, r.partitionId)
      this.#checkpoint.forget(r.topicName, r.partitionId)
    }
  }

  #lead (topic: string, topicId: string, partition: number, log: PartitionLog, state: PartitionState, nowMs: number): void {
    const learned = this.fetchers.highWatermarkOf(topic, partition) ?? this.#checkpoint.get(topic, partition) ?? 0
    // The epoch starts here, before any write in it, so OffsetForLeaderEpoch answers every
    // older epoch a follower holds (KAFKA-7415): without it a restarted old leader heard
    // UNDEFINED, kept its unreplicated tail and fetched on above it (a divergence below the HW).
    const epochStart = log.assignEpochStart(state.leaderEpoch)
    this.#broker.log(`${topic}-${partition}: leader in epoch ${state.leaderEpoch} from offset ${epochStart}; leader epochs ${epochsText(log)}`)
    const leo = log.highWatermark
    const leader = new LeaderPartition({
      localBrokerId: this.#broker.nodeId,
      replicaLagTimeMaxMs: this.#lagMs,
      minInsyncReplicas: this.#broker.topicSettings(topic).minInsyncReplicas,
      isEligible: id => this.#image().isActive(id),
      debug: this.#broker.debug, // historical bugs 2 and 3, only when their debug keys are on
    }, { state, logEndOffset: leo, highWatermark: Math.min(learned, leo), nowMs })
    const led: Led = { topic, topicId, partition, log, state: leader, unsubscribe: () => {}, fetchEpochs: new Map() }
    led.unsubscribe = log.onHighWatermark(end => {
      if (leader.onLocalAppend(end, Date.now())) this.#advanced(led)
    })
    this.#led.set(key(topic, partition), led)
    this.#advanced(led)
    // groups hook: the group coordinator serves the groups of the offsets partitions led here.
    if (topic === OFFSETS_TOPIC) this.#broker.groups.onElection(partition, leader.leaderEpoch)
  }

  #dropLeader (k: string): void {
    const led = this.#led.get(k)
    if (led === undefined) return
    led.unsubscribe()
    this.#led.delete(k)
    this.#acks.failAll(led.log, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    if (led.topic === OFFSETS_TOPIC) this.#broker.groups.onResignation(led.partition) // groups hook
  }

  /** A follower fetched `fetchOffset`: returns the error for its partition, or NONE. */
  onFollowerFetch (topic: string, partition: number, replicaId: number, fetchOffset: number): number {
    const led = this.#led.get(key(topic, partition))
    if (led === undefined) return ErrorCode.NOT_LEADER_OR_FOLLOWER
    const before = led.state.highWatermark
    led.fetchEpochs.set(replicaId, this.#image().brokers.get(replicaId)?.epoch ?? -1)
    const code = led.state.onFollowerFetch(replicaId, fetchOffset, Date.now(), led.log.highWatermark)
    if (led.state.highWatermark > before) this.#advanced(led)
    return code
  }

  /**
   * acks=all: resolves with NONE once the high watermark passes `requiredOffset` (the batch's
   * last offset + 1), NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR fell below min ISR by then,
   * NOT_LEADER_OR_FOLLOWER if leadership is lost, REQUEST_TIMED_OUT after `timeoutMs`.
   */
  waitForAcks (topic: string, partition: number, requiredOffset: number, timeoutMs: number): Promise<number> {
    const led = this.#led.get(key(topic, partition))
    if (led === undefined) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    const status = led.state.acksAllStatus(requiredOffset)
    if (status.done) return Promise.resolve(status.errorCode)
    return this.#acks.wait(led.log, requiredOffset, timeoutMs)
  }

  /**
   * Replication metrics in Prometheus text, under Kafka's JMX names as the Prometheus JMX
   * exporter spells them, plus per-partition leader, leader epoch and ISR size of the
   * partitions this broker leads (what chaos runs sample to draw leaders and ISR over time).
   */
  renderMetrics (): string {
    const led = [...this.#led.values()]
    const offline = [...this.#image().topics.values()].reduce((n, t) => n + t.partitions.filter(p => p.leader < 0).length, 0)
    const lines = [
      '# HELP kafka_server_replicamanager_underreplicatedpartitions Partitions led here whose ISR is smaller than their replica set.',
      '# TYPE kafka_server_replicamanager_underreplicatedpartitions gauge',
      `kafka_server_replicamanager_underreplicatedpartitions ${led.filter(l => l.state.underReplicated).length}`,
      '# HELP kafka_server_replicamanager_underminisrpartitioncount Partitions led here whose ISR is below min.insync.replicas.',
      '# TYPE kafka_server_replicamanager_underminisrpartitioncount gauge',
      `kafka_server_replicamanager_underminisrpartitioncount ${led.filter(l => l.state.underMinIsr).length}`,
      '# HELP kafka_controller_kafkacontroller_offlinepartitionscount Partitions without a leader, as this broker\'s metadata says.',
      '# TYPE kafka_controller_kafkacontroller_offlinepartitionscount gauge',
      `kafka_controller_kafkacontroller_offlinepartitionscount ${offline}`,
      '# HELP kafka_server_replicamanager_isrshrinks_total ISR shrinks this broker got committed as leader.',
      '# TYPE kafka_server_replicamanager_isrshrinks_total counter',
      `kafka_server_replicamanager_isrshrinks_total ${this.#isrShrinks}`,
      '# HELP kafka_server_replicamanager_isrexpands_total ISR expansions this broker got committed as leader.',
      '# TYPE kafka_server_replicamanager_isrexpands_total counter',
      `kafka_server_replicamanager_isrexpands_total ${this.#isrExpands}`,
      '# HELP sluice_partition_leader_epoch Leader epoch of each partition led here.',
      '# TYPE sluice_partition_leader_epoch gauge',
      ...led.map(l => `sluice_partition_leader_epoch{topic="${l.topic}",partition="${l.partition}"} ${l.state.leaderEpoch}`),
      '# HELP sluice_partition_isr_size ISR size of each partition led here.',
      '# TYPE sluice_partition_isr_size gauge',
      ...led.map(l => `sluice_partition_isr_size{topic="${l.topic}",partition="${l.partition}"} ${l.state.isr.length}`),
    ]
    return lines.join('\n') + '\n'
  }

  close (): void {
    clearInterval(this.#timer)
    for (const k of [...this.#led.keys()]) this.#dropLeader(k)
    this.fetchers.close()
    this.#checkpoint.close()
  }

  #advanced (led: Led): void {
    const hw = led.state.highWatermark
    this.#checkpoint.set(led.topic, led.partition, hw)
    this.#acks.complete(led.log, required => {
      const status = led.state.acksAllStatus(required)
      return status.done ? status.errorCode : null
    })
    this.#broker.fetchWaiters.poke(led.log)
  }

  #countIsrChange (sizeBefore: number, sizeAfter: number): void {
    if (sizeAfter < sizeBefore) this.#isrShrinks++
    else if (sizeAfter > sizeBefore) this.#isrExpands++
  }

  /** The broker epoch to name for an ISR member: its own for this broker, the one its last fetch came with for a follower. */
  #isrEpoch (led: Led, brokerId: number): number {
    if (brokerId === this.#broker.nodeId) return this.#brokerEpoch()
    return led.fetchEpochs.get(brokerId) ?? this.#image().brokers.get(brokerId)?.epoch ?? -1
  }

  #tick (): void {
    const nowMs = Date.now()
    for (const led of this.#led.values()) {
      if (led.state.tick(nowMs)) this.#advanced(led)
      const proposal = led.state.isrChange(nowMs)
      if (proposal !== null) this.#sendIsrChange(led, proposal)
    }
  }

  #sendIsrChange (led: Led, proposal: IsrProposal): void {
    const epoch = this.#brokerEpoch()
    this.#broker.log(`${led.topic}-${led.partition}: ISR ${proposal.kind} to [${proposal.newIsr.join(',')}] (leader epoch ${proposal.leaderEpoch}, partition epoch ${proposal.partitionEpoch})`)
    this.#channel.send(AlterPartition, {
      brokerId: this.#broker.nodeId, brokerEpoch: epoch,
      topics: [{
        topicName: led.topic, topicId: led.topicId,
        partitions: [{ partitionIndex: led.partition, leaderEpoch: proposal.leaderEpoch, newIsr: proposal.newIsr.map(brokerId => ({ brokerId, brokerEpoch: this.#isrEpoch(led, brokerId) })), leaderRecoveryState: proposal.leaderRecoveryState, partitionEpoch: proposal.partitionEpoch }],
      }],
    }, r => r.errorCode === ErrorCode.NOT_CONTROLLER, 10_000).then(response => {
      const reply = response.topics[0]?.partitions[0]
      const outcome = reply === undefined
        ? led.state.onAlterPartitionReply({ partitionIndex: led.partition, errorCode: response.errorCode, leaderId: -1, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1 }, proposal)
        : led.state.onAlterPartitionReply(reply, proposal)
      if (outcome === 'committed') this.#countIsrChange(proposal.kind === 'shrink' ? 1 : 0, proposal.kind === 'shrink' ? 0 : 1)
      if (outcome === 'committed' || outcome === 'reverted') this.#advanced(led)
    }, (err: Error) => {
      // Never reached the controller: nothing changed there, so the change is dropped and may be proposed again.
      this.#broker.log(`${led.topic}-${led.partition}: AlterPartition failed: ${err.message}`)
      led.state.onAlterPartitionReply({ partitionIndex: led.partition, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED, leaderId: -1, leaderEpoch: -1, isr: [], leaderRecoveryState: 0, partitionEpoch: -1 }, proposal)
    })
  }
}
