// The replication simulator's world: three brokers (sim-broker.ts) replicating one partition
// under a controller (controller-model.ts), with the requests between them done as direct
// calls: follower fetches and epoch checks served by the leader's LeaderPartition and the
// shared epoch functions, AlterPartition, metadata syncs and heartbeats, producers (acks=1
// and acks=all) and consumers. Faults are its other methods: crashes (losing the un-fsynced
// tail in lossy runs), restarts, SIGSTOP, network cuts, fsyncs. It keeps what the checker
// needs: acknowledged acks=all writes, records consumers saw, and whether a failure beyond
// the guarantee (an unclean election; a lossy crash while, with it, min ISR replicas are down,
// fenced, out of the ISR or still missing a lost tail) voids it.

import { currentLeaderEpochError, divergingEpoch, endOffsetForEpoch } from '../../broker/cluster/replica/epochs.ts'
import { ErrorCode } from '../../broker/protocol/errors.ts'
import { ControllerModel } from './controller-model.ts'
import { SimBroker, type BrokerSettings, type Isolation } from './sim-broker.ts'

export const SESSION_MS = 9_000

export interface ClusterOptions extends Omit<BrokerSettings, 'isEligible'> {
  replicas: readonly number[]
  lossy: boolean
  uncleanElection: boolean
  /** The sim's own debug rules (see scenario.ts). */
  skipLeaderEpochBump: boolean
  consumerReadsLogEnd: boolean
  skipFetchEpochCheck: boolean
  /** ISR eligibility by fencing alone, as broker/cluster/node/replica-manager.ts wires it today (no KIP-903). */
  eligibleByFencingOnly: boolean
  /** Unclean elections do not void the guarantees: the checker must then see the loss. */
  strictUnclean: boolean
}

export interface Record { offset: number, value: string }
export interface ClusterStats { produced: number, acked: number, consumed: number, crashes: number, lostEntries: number, truncations: number }

export class SimCluster {
  readonly brokers: SimBroker[]
  readonly controller: ControllerModel
  readonly acked: Record[] = []
  readonly consumed = new Map<number, string>()
  /** The same records in the order they were first read. */
  readonly consumedInOrder: Record[] = []
  readonly stats: ClusterStats = { produced: 0, acked: 0, consumed: 0, crashes: 0, lostEntries: 0, truncations: 0 }
  /** Why the acks=all and consumer guarantees no longer apply in this run (null: they do). */
  voidReason: string | null = null
  nowMs = 0
  #seq = 0
  /** Per broker: did its last crash lose entries. */
  readonly #pendingLoss = new Map<number, boolean>()

  readonly opts: ClusterOptions
  readonly tag: string

  constructor (opts: ClusterOptions, tag: string) {
    this.opts = opts
    this.tag = tag
    const settings: BrokerSettings = { ...opts, isEligible: (leader, id) => this.#isEligible(leader, id) }
    this.brokers = [...opts.replicas].sort((a, b) => a - b).map(id => new SimBroker(id, settings))
    this.controller = new ControllerModel({ replicas: opts.replicas, uncleanElection: opts.uncleanElection, skipLeaderEpochBump: opts.skipLeaderEpochBump })
    for (const b of this.brokers) b.applyMetadata(this.controller.state, 0)
  }

  broker (id: number): SimBroker { return this.brokers.find(b => b.id === id)! }

  /**
   * Kafka's isReplicaIsrEligible: unfenced, and (KIP-903) the leader's view of the follower
   * comes from a fetch of its current incarnation. Without the second part a follower that
   * restarted after losing its un-fsynced tail rejoins the ISR on the log end it had before.
   */
  #isEligible (leader: SimBroker, id: number): boolean {
    if (this.controller.fenced.has(id)) return false
    return this.opts.eligibleByFencingOnly || leader.fetchedBy.get(id) === this.broker(id).incarnation
  }

  /** Metadata and a heartbeat: the broker catches up with the controller; a fenced one is unfenced. */
  sync (b: SimBroker): void {
    if (!b.reachesController) return
    b.silentSinceMs = null
    const stalled = b.follower?.phase === 'awaitingMetadata' // a fenced fetcher is handed the image again
    if (stalled || b.seenPartitionEpoch !== this.controller.state.partitionEpoch) b.applyMetadata(this.controller.state, this.nowMs)
    if (this.controller.fenced.has(b.id)) {
      this.controller.unfence(b.id)
      this.#afterControllerChange()
    }
  }

  #afterControllerChange (): void {
    if (this.controller.uncleanElections > 0 && this.voidReason === null && !this.opts.strictUnclean) this.voidReason = 'unclean election'
    for (const b of this.brokers) {
      if (b.lostTail && b.up && this.controller.state.isr.includes(b.id) && !this.controller.fenced.has(b.id)) b.lostTail = false
    }
    this.#updateVoid()
  }

  /** The controller fences every broker it has not heard from for SESSION_MS. */
  fenceSilent (): void {
    for (const b of this.brokers) {
      if (b.reachesController) continue
      b.silentSinceMs ??= this.nowMs
      if (this.nowMs - b.silentSinceMs >= SESSION_MS && !this.controller.fenced.has(b.id)) {
        this.controller.fence(b.id)
        this.#afterControllerChange()
      }
    }
  }

  preferredElection (): void {
    this.controller.preferredElection()
    this.#afterControllerChange()
  }

  crash (b: SimBroker): void {
    if (!b.up) return
    const lost = b.crash(this.opts.lossy)
    this.stats.crashes++
    this.stats.lostEntries += lost
    b.silentSinceMs = this.nowMs
    this.#pendingLoss.set(b.id, lost > 0)
    this.#updateVoid()
  }

  /**
   * Kafka's promise holds while fewer than min ISR replicas fail; without fsync, a crash that
   * lost entries is a failure until the replica is back in the ISR. Once min ISR replicas are
   * down, fenced, out of the ISR or missing a lost tail, and one of them lost entries, it no
   * longer applies (the last ISR member losing its tail is Kafka's "last replica standing"
   * loss, which KIP-966's eligible leader replicas address; this controller has no ELR).
   */
  #updateVoid (): void {
    if (this.voidReason !== null) return
    const lossy = this.brokers.filter(b => b.lostTail || (!b.up && this.#pendingLoss.get(b.id) === true))
    if (lossy.length === 0) return
    const s = this.controller.state
    const failed = this.brokers.filter(b => !b.up || b.lostTail || this.controller.fenced.has(b.id) || !s.isr.includes(b.id))
    if (failed.length >= this.opts.minInsyncReplicas) {
      this.voidReason = `brokers ${failed.map(b => b.id).join(',')} failed, ${lossy.map(b => b.id).join(',')} losing un-fsynced entries`
    }
  }

  /** A new incarnation registers: the controller fences the old one at once. */
  restart (b: SimBroker): void {
    if (b.up) return
    b.restart(this.#pendingLoss.get(b.id) ?? false)
    this.controller.fence(b.id)
    this.#afterControllerChange()
  }

  pause (b: SimBroker): void { if (b.up) b.paused = true }
  isolate (b: SimBroker, how: Isolation): void { if (b.up) b.isolation = how }
  heal (b: SimBroker): void { b.paused = false; b.isolation = 'none' }

  /** A producer that believes `b` leads (it reaches any running broker that thinks so). */
  produce (b: SimBroker, acksAll: boolean): void {
    const lp = b.leader
    if (lp === null || !b.running) return
    if (acksAll && lp.minIsrCheck() !== ErrorCode.NONE) return
    const value = `${this.tag}v${this.#seq++}`
    b.log.append({ epoch: lp.leaderEpoch, value })
    lp.onLocalAppend(b.log.logEndOffset, this.nowMs)
    this.stats.produced++
    if (acksAll) b.parked.push({ requiredOffset: b.log.logEndOffset, value, leaderEpoch: lp.leaderEpoch })
  }

  /** A consumer fetch from `b` (a broker that thinks it leads): records below the HW. */
  consume (b: SimBroker, fromOffset: number, maxCount: number): string | null {
    const lp = b.leader
    if (lp === null || !b.running) return null
    const limit = this.opts.consumerReadsLogEnd ? b.log.logEndOffset : lp.highWatermark
    for (let o = fromOffset; o < Math.min(limit, fromOffset + maxCount); o++) {
      const value = b.log.entries[o]!.value
      const seen = this.consumed.get(o)
      if (seen !== undefined && seen !== value && this.voidReason === null) return `a consumer read ${value} at ${o} from broker ${b.id}, where it had read ${seen} before`
      if (seen === undefined) {
        this.stats.consumed++
        this.consumedInOrder.push({ offset: o, value })
      }
      this.consumed.set(o, value)
    }
    return null
  }

  /** acks=all produces parked on `b` that its HW now completes. */
  completeParked (b: SimBroker): void {
    const lp = b.leader
    if (lp === null || !b.running) return
    lp.tick(this.nowMs)
    while (b.parked.length > 0 && lp.acksAllStatus(b.parked[0]!.requiredOffset).done) {
      const p = b.parked.shift()!
      if (lp.acksAllStatus(p.requiredOffset).errorCode !== ErrorCode.NONE) continue
      const offset = p.requiredOffset - 1
      // The premise of the guarantee: the write reached min ISR replicas (those that crashed since
      // count). After an unclean election a zombie leader's view of its followers may be long gone.
      const holders = this.brokers.filter(x => x.log.entries[offset]?.value === p.value || !x.up || x.lostTail)
      if (holders.length < this.opts.minInsyncReplicas && this.voidReason === null) {
        throw new Error(`broker ${b.id} acknowledged acks=all write ${p.value} at offset ${offset} held by ${holders.length} replica(s) (${holders.map(x => x.id).join(',')}), fewer than min ISR ${this.opts.minInsyncReplicas}`)
      }
      this.acked.push({ offset, value: p.value })
      this.stats.acked++
    }
  }

  /**
   * The leader proposes an ISR change, or the in-flight one reaches the controller. Each new
   * ISR member goes with a broker epoch: the one its last fetch came from (KIP-903), or, as
   * replica-manager.ts does today (eligibleByFencingOnly), the one the image has at sending.
   */
  alterIsr (b: SimBroker): void {
    const lp = b.leader
    if (lp === null || !b.running) return
    if (b.inFlight === null) {
      const proposal = lp.isrChange(this.nowMs)
      if (proposal === null) return
      const brokerEpochs = new Map(proposal.newIsr.map(id => [id, id === b.id ? b.incarnation : b.fetchedBy.get(id) ?? -1]))
      b.inFlight = { proposal, brokerEpochs }
      return
    }
    if (!b.reachesController) return
    const { proposal, brokerEpochs } = b.inFlight
    b.inFlight = null
    const stale = !this.opts.eligibleByFencingOnly && proposal.newIsr.some(id => brokerEpochs.get(id) !== this.broker(id).incarnation)
    const reply = this.controller.alterPartition(b.id, proposal, stale)
    this.#afterControllerChange()
    lp.onAlterPartitionReply(reply, proposal)
  }

  /** One step of `b`'s replica fetcher. */
  fetchStep (b: SimBroker, maxEntries: number): void {
    const fp = b.follower
    if (fp === null || !b.running) return
    const action = fp.nextAction(b.log)
    if (action.kind === 'truncate') {
      if (action.offset < b.log.logEndOffset) this.stats.truncations++
      b.log.truncateTo(action.offset)
      fp.onTruncated(b.log)
      return
    }
    if (action.kind === 'truncateFullyAndStartAt') throw new Error('the simulated log never moves its start: no full truncation expected')
    if (action.kind === 'wait') return
    const l = fp.leaderId < 0 ? null : this.broker(fp.leaderId)
    if (l === null || !b.reachesBrokers || !l.reachesBrokers) return // no answer: the fetcher retries later
    const lp = l.leader
    const epochError = lp === null ? ErrorCode.NOT_LEADER_OR_FOLLOWER
      : this.opts.skipFetchEpochCheck ? ErrorCode.NONE : currentLeaderEpochError(action.currentLeaderEpoch, lp.leaderEpoch)
    if (action.kind === 'epochCheck') {
      const answer = endOffsetForEpoch(l.log.epochs, action.leaderEpoch, l.log.logEndOffset)
      fp.onEpochAnswer({ errorCode: epochError, leaderEpoch: answer.epoch, endOffset: answer.endOffset }, b.log)
    } else if (action.kind === 'leaderOffsets') {
      fp.onLeaderOffsets({ errorCode: epochError, logStartOffset: 0, logEndOffset: l.log.logEndOffset }, b.log)
    } else if (lp === null || epochError !== ErrorCode.NONE) {
      fp.onFetchResponse({ errorCode: epochError, highWatermark: -1 }, b.log)
    } else {
      const diverging = fp.useDivergingEpoch ? divergingEpoch(l.log.epochs, action.lastFetchedEpoch, action.fetchOffset, l.log.logEndOffset) : null
      if (diverging !== null) {
        fp.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: lp.highWatermark, divergingEpoch: diverging }, b.log)
        return
      }
      l.fetchedBy.set(b.id, b.incarnation)
      const code = lp.onFollowerFetch(b.id, action.fetchOffset, this.nowMs)
      if (code !== ErrorCode.NONE) {
        fp.onFetchResponse({ errorCode: code, highWatermark: lp.highWatermark }, b.log)
        return
      }
      try {
        b.log.appendFrom(l.log, maxEntries)
      } catch (err) { // the leader epochs of a replica's log went backwards: it took batches across a divergence
        throw new Error(`follower ${b.id} (epoch ${action.currentLeaderEpoch}) fetching at ${action.fetchOffset} from broker ${l.id} (epoch ${lp.leaderEpoch}): ${(err as Error).message}`)
      }
      fp.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: lp.highWatermark }, b.log)
      this.completeParked(l)
    }
  }
}
