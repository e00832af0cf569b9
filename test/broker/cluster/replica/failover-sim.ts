// A seeded simulation of one partition on three brokers driven only through the replication
// state machines: acks=all produces, follower fetches (Fetch v12+ diverging epoch or
// OffsetsForLeaderEpoch), crashes and restarts (logs and HW checkpoints survive: fsynced),
// and a controller that elects the first live ISR member of AR, removes dead brokers from the
// ISR (never the last member) and validates AlterPartition like Kafka's. The invariants of
// replication.md are checked after every step; the first violation ends the run with a message.

import { Prng } from '../../../../chaos/run/prng.ts'
import type { PartitionState } from '../../../../broker/cluster/image.ts'
import { divergingEpoch, endOffsetForEpoch } from '../../../../broker/cluster/replica/epochs.ts'
import { FollowerPartition } from '../../../../broker/cluster/replica/follower-state.ts'
import { LeaderPartition, type IsrProposal } from '../../../../broker/cluster/replica/leader-state.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { MemoryReplicaLog } from './memory-replica-log.ts'

const LAG_MS = 30_000
const BROKERS = [1, 2, 3]

type Role = { kind: 'leader', lp: LeaderPartition } | { kind: 'follower', fp: FollowerPartition } | { kind: 'down' }

export interface SimOptions { seed: number, steps: number, useDivergingEpoch: boolean }
export interface SimResult { failure: string | null, elections: number, truncations: number, acked: number }

export function runFailoverSim (opts: SimOptions): SimResult {
  const rng = new Prng(opts.seed)
  const result: SimResult = { failure: null, elections: 0, truncations: 0, acked: 0 }
  let nowMs = 0
  let ctl: PartitionState = { replicas: [...BROKERS], isr: [...BROKERS], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }
  const logs = new Map(BROKERS.map(id => [id, new MemoryReplicaLog()]))
  const hwCheckpoint = new Map(BROKERS.map(id => [id, 0]))
  const roles = new Map<number, Role>(BROKERS.map(id => [id, { kind: 'down' }]))
  const acked: { offset: number, value: string }[] = []
  const parked: { requiredOffset: number, value: string, epoch: number }[] = []
  let inFlight: { proposal: IsrProposal, from: number } | null = null

  const fail = (msg: string): never => { throw new Error(`seed ${opts.seed} at ${nowMs} ms: ${msg}`) }
  const hwOf = (id: number): number => {
    const r = roles.get(id)!
    return r.kind === 'leader' ? r.lp.highWatermark : r.kind === 'follower' ? r.fp.highWatermark : hwCheckpoint.get(id)!
  }

  /** Every live broker reacts to the controller's current state (instant metadata propagation). */
  const publish = (): void => {
    for (const id of BROKERS) {
      const role = roles.get(id)!
      if (role.kind === 'down') continue
      const log = logs.get(id)!
      if (ctl.leader === id) {
        if (role.kind === 'leader' && role.lp.onImageChange(ctl, nowMs) !== 'notLeaderInThisEpoch') continue
        log.assignEpoch(ctl.leaderEpoch)
        roles.set(id, { kind: 'leader', lp: new LeaderPartition({ localBrokerId: id, replicaLagTimeMaxMs: LAG_MS, minInsyncReplicas: 2 }, { state: ctl, logEndOffset: log.logEndOffset, highWatermark: hwOf(id), nowMs }) })
        if (inFlight?.from !== id) inFlight = null
      } else if (role.kind === 'follower') {
        role.fp.onLeaderChange(ctl.leader, ctl.leaderEpoch, log)
      } else {
        roles.set(id, { kind: 'follower', fp: new FollowerPartition({ leaderId: ctl.leader, leaderEpoch: ctl.leaderEpoch, highWatermark: hwOf(id), log, useDivergingEpoch: opts.useDivergingEpoch }) })
      }
    }
    for (let i = parked.length - 1; i >= 0; i--) {
      if (parked[i]!.epoch !== ctl.leaderEpoch) parked.splice(i, 1) // NOT_LEADER_OR_FOLLOWER to the producer
    }
  }

  const elect = (): void => {
    const alive = (id: number): boolean => roles.get(id)!.kind !== 'down'
    const keep = ctl.leader !== -1 && alive(ctl.leader) && ctl.isr.includes(ctl.leader)
    const leader = keep ? ctl.leader : ctl.replicas.find(id => ctl.isr.includes(id) && alive(id)) ?? -1
    const isr = ctl.isr.filter(alive)
    if (leader !== -1 && leader !== ctl.leader) result.elections++
    ctl = { ...ctl, leader, isr: isr.length > 0 ? isr : ctl.isr, leaderEpoch: ctl.leaderEpoch + (leader !== ctl.leader ? 1 : 0), partitionEpoch: ctl.partitionEpoch + 1 }
    publish()
  }

  const crash = (id: number): void => {
    hwCheckpoint.set(id, hwOf(id))
    roles.set(id, { kind: 'down' })
    elect()
  }

  const restart = (id: number): void => {
    const fp = new FollowerPartition({ leaderId: ctl.leader, leaderEpoch: ctl.leaderEpoch, highWatermark: hwCheckpoint.get(id)!, log: logs.get(id)!, useDivergingEpoch: opts.useDivergingEpoch })
    roles.set(id, { kind: 'follower', fp })
    if (ctl.leader === -1 && ctl.isr.includes(id)) elect()
  }

  const serveFollower = (id: number, leaderId: number, lp: LeaderPartition): void => {
    const fp = (roles.get(id) as { fp: FollowerPartition }).fp
    const log = logs.get(id)!
    const leaderLog = logs.get(leaderId)!
    const action = fp.nextAction(log)
    if (action.kind === 'epochCheck') {
      const answer = endOffsetForEpoch(leaderLog.epochs, action.leaderEpoch, leaderLog.logEndOffset)
      fp.onEpochAnswer({ errorCode: ErrorCode.NONE, leaderEpoch: answer.epoch, endOffset: answer.endOffset }, log)
    } else if (action.kind === 'truncate') {
      if (action.offset < log.logEndOffset) result.truncations++
      log.truncateTo(action.offset)
      fp.onTruncated(log)
    } else if (action.kind === 'fetch') {
      if (action.currentLeaderEpoch !== lp.leaderEpoch) fail(`follower ${id} fetches in epoch ${action.currentLeaderEpoch}, leader is in ${lp.leaderEpoch}`)
      const diverging = opts.useDivergingEpoch ? divergingEpoch(leaderLog.epochs, action.lastFetchedEpoch, action.fetchOffset, leaderLog.logEndOffset) : null
      if (diverging !== null) {
        fp.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: lp.highWatermark, divergingEpoch: diverging }, log)
        return
      }
      const code = lp.onFollowerFetch(id, action.fetchOffset, nowMs)
      if (code !== ErrorCode.NONE) fail(`fetch by ${id} at ${action.fetchOffset} failed with ${code}`)
      log.appendFrom(leaderLog, 1 + rng.int(4))
      fp.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: lp.highWatermark }, log)
    }
  }

  /** Kafka's controller checks for AlterPartition, then commit. */
  const alterPartition = (from: number, p: IsrProposal): void => {
    const lp = (roles.get(from) as { lp: LeaderPartition }).lp
    let errorCode: number = ErrorCode.NONE
    if (p.leaderEpoch !== ctl.leaderEpoch || ctl.leader !== from) errorCode = ErrorCode.FENCED_LEADER_EPOCH
    else if (p.partitionEpoch !== ctl.partitionEpoch) errorCode = ErrorCode.INVALID_UPDATE_VERSION
    else if (p.newIsr.some(id => roles.get(id)!.kind === 'down')) errorCode = ErrorCode.INELIGIBLE_REPLICA
    if (errorCode === ErrorCode.NONE) ctl = { ...ctl, isr: [...p.newIsr], partitionEpoch: ctl.partitionEpoch + 1 }
    lp.onAlterPartitionReply({ partitionIndex: 0, errorCode, leaderId: ctl.leader, leaderEpoch: ctl.leaderEpoch, isr: [...ctl.isr], leaderRecoveryState: 0, partitionEpoch: ctl.partitionEpoch }, p)
    if (errorCode === ErrorCode.NONE) publish()
  }

  const check = (): void => {
    const leaderRole = ctl.leader === -1 ? null : roles.get(ctl.leader)!
    const leaderLog = ctl.leader === -1 ? null : logs.get(ctl.leader)!
    for (const a of acked) {
      if (leaderLog !== null && leaderLog.entries[a.offset]?.value !== a.value) fail(`acknowledged ${a.value} at ${a.offset} is missing from leader ${ctl.leader}`)
    }
    if (leaderRole?.kind === 'leader') {
      const hw = leaderRole.lp.highWatermark
      for (const id of ctl.isr) {
        const log = logs.get(id)!
        if (log.logEndOffset < hw) fail(`ISR member ${id} ends at ${log.logEndOffset}, below HW ${hw}`)
      }
    }
    for (const a of BROKERS) {
      for (const b of BROKERS) {
        if (a >= b) continue
        const upTo = Math.min(hwOf(a), hwOf(b))
        for (let o = 0; o < upTo; o++) {
          if (logs.get(a)!.entries[o]?.value !== logs.get(b)!.entries[o]?.value) fail(`replicas ${a} and ${b} differ at ${o}, below both HWs (${hwOf(a)}, ${hwOf(b)})`)
        }
      }
    }
  }

  const lastHw = new Map(BROKERS.map(id => [id, 0]))
  const checkHwMonotonic = (): void => {
    for (const id of BROKERS) {
      if (hwOf(id) < lastHw.get(id)!) fail(`broker ${id} HW went back from ${lastHw.get(id)} to ${hwOf(id)}`)
      lastHw.set(id, hwOf(id))
    }
  }

  try {
    for (const id of BROKERS) restart(id)
    publish()
    for (let step = 0; step < opts.steps; step++) {
      nowMs += rng.int(3_000)
      stepOnce(step)
      check()
      checkHwMonotonic()
    }
  } catch (err) {
    result.failure = (err as Error).message
  }
  return result

  function stepOnce (step: number): void {
    const leaderRole = ctl.leader === -1 ? null : roles.get(ctl.leader)!
    const lp = leaderRole?.kind === 'leader' ? leaderRole.lp : null
    const roll = rng.int(100)
    if (roll < 25 && lp !== null) {
      if (lp.minIsrCheck() !== ErrorCode.NONE) return
      const value = `s${opts.seed}v${step}`
      logs.get(ctl.leader)!.append(ctl.leaderEpoch, value)
      lp.onLocalAppend(logs.get(ctl.leader)!.logEndOffset, nowMs)
      parked.push({ requiredOffset: logs.get(ctl.leader)!.logEndOffset, value, epoch: ctl.leaderEpoch })
    } else if (roll < 80 && lp !== null) {
      const id = rng.pick(BROKERS)
      if (roles.get(id)!.kind === 'follower') serveFollower(id, ctl.leader, lp)
    } else if (roll < 84) {
      const id = rng.pick(BROKERS)
      if (roles.get(id)!.kind !== 'down') crash(id)
    } else if (roll < 92) {
      const id = rng.pick(BROKERS)
      if (roles.get(id)!.kind === 'down') restart(id)
    } else if (lp !== null) {
      if (inFlight === null) {
        const proposal = lp.isrChange(nowMs)
        if (proposal !== null) inFlight = { proposal, from: ctl.leader }
      } else {
        const { proposal, from } = inFlight
        inFlight = null
        if (roles.get(from)!.kind === 'leader') alterPartition(from, proposal)
      }
    }
    if (lp !== null) {
      while (parked.length > 0 && lp.acksAllStatus(parked[0]!.requiredOffset).done) {
        const p = parked.shift()!
        if (lp.acksAllStatus(p.requiredOffset).errorCode === ErrorCode.NONE) {
          acked.push({ offset: p.requiredOffset - 1, value: p.value })
          result.acked++
        }
      }
    }
  }
}
