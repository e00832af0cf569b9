// A small seeded property test of the leader and follower state machines together: one
// leader and two followers over in-memory logs, a controller that commits AlterPartition
// after a random delay (or refuses with OPERATION_NOT_ATTEMPTED), random appends, fetches
// and follower pauses. After every step: the HW never decreases, it is at most the log end
// of every ISR member, and every offset below it is on every ISR member, byte for byte.

import { describe, expect, it } from 'vitest'
import { Prng } from '../../../../chaos/run/prng.ts'
import type { PartitionState } from '../../../../broker/cluster/image.ts'
import { FollowerPartition } from '../../../../broker/cluster/replica/follower-state.ts'
import { LeaderPartition, type IsrProposal } from '../../../../broker/cluster/replica/leader-state.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { MemoryReplicaLog } from './memory-replica-log.ts'

const SEEDS = 200
const STEPS = 400
const LAG_MS = 30_000
const LEADER = 1
const FOLLOWERS = [2, 3]

interface Stats { shrinks: number, expands: number, acked: number }

function runSeed (seed: number): Stats {
  const rng = new Prng(seed)
  const stats: Stats = { shrinks: 0, expands: 0, acked: 0 }
  let nowMs = 0
  let controller: PartitionState = { replicas: [1, 2, 3], isr: [1, 2, 3], leader: LEADER, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0 }
  const logs = new Map([1, 2, 3].map(id => [id, new MemoryReplicaLog()]))
  const leaderLog = logs.get(LEADER)!
  const leader = new LeaderPartition({ localBrokerId: LEADER, replicaLagTimeMaxMs: LAG_MS, minInsyncReplicas: 2 }, { state: controller, logEndOffset: 0, highWatermark: 0, nowMs })
  const followers = new Map(FOLLOWERS.map(id => [id, new FollowerPartition({ leaderId: LEADER, leaderEpoch: 0, highWatermark: 0, log: logs.get(id)!, useDivergingEpoch: true })]))
  const pausedUntilMs = new Map(FOLLOWERS.map(id => [id, 0]))
  const parked: number[] = []
  let inFlight: { proposal: IsrProposal, dueMs: number } | null = null
  let lastHw = 0
  const lastFollowerHw = new Map(FOLLOWERS.map(id => [id, 0]))

  const check = (where: string): void => {
    const hw = leader.highWatermark
    if (hw < lastHw) throw new Error(`seed ${seed} ${where}: HW went back from ${lastHw} to ${hw}`)
    lastHw = hw
    for (const isr of [leader.isr, controller.isr]) {
      for (const id of isr) {
        const log = logs.get(id)!
        if (log.logEndOffset < hw) throw new Error(`seed ${seed} ${where}: ISR member ${id} ends at ${log.logEndOffset}, below HW ${hw}`)
        for (let o = 0; o < hw; o++) {
          if (log.entries[o]!.value !== leaderLog.entries[o]!.value) throw new Error(`seed ${seed} ${where}: replica ${id} differs at ${o} below HW ${hw}`)
        }
      }
    }
    for (const [id, f] of followers) {
      if (f.highWatermark < lastFollowerHw.get(id)!) throw new Error(`seed ${seed} ${where}: follower ${id} HW went back`)
      if (f.highWatermark > hw || f.highWatermark > logs.get(id)!.logEndOffset) throw new Error(`seed ${seed} ${where}: follower ${id} HW ${f.highWatermark} above leader HW ${hw} or its log end`)
      lastFollowerHw.set(id, f.highWatermark)
    }
  }

  const fetch = (id: number): void => {
    const f = followers.get(id)!
    const log = logs.get(id)!
    let action = f.nextAction(log)
    while (action.kind === 'truncate') { // an empty log starts by "truncating" to its HW
      log.truncateTo(action.offset)
      f.onTruncated(log)
      action = f.nextAction(log)
    }
    if (action.kind !== 'fetch') throw new Error(`seed ${seed}: follower ${id} in ${f.phase}`)
    expect(leader.onFollowerFetch(id, action.fetchOffset, nowMs)).toBe(ErrorCode.NONE)
    check(`fetch by ${id}`)
    log.appendFrom(leaderLog, 1 + rng.int(4))
    f.onFetchResponse({ errorCode: ErrorCode.NONE, highWatermark: leader.highWatermark }, log)
  }

  const controllerStep = (): void => {
    if (inFlight === null) {
      const proposal = leader.isrChange(nowMs)
      if (proposal !== null) inFlight = { proposal, dueMs: nowMs + rng.int(20_000) }
      return
    }
    if (nowMs < inFlight.dueMs) return
    const { proposal } = inFlight
    inFlight = null
    if (rng.chance(0.2)) {
      leader.onAlterPartitionReply({ partitionIndex: 0, errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED, leaderId: LEADER, leaderEpoch: 0, isr: [], leaderRecoveryState: 0, partitionEpoch: controller.partitionEpoch })
      return
    }
    controller = { ...controller, isr: [...proposal.newIsr], partitionEpoch: controller.partitionEpoch + 1 }
    if (proposal.kind === 'shrink') stats.shrinks++; else stats.expands++
    expect(leader.onAlterPartitionReply({ partitionIndex: 0, errorCode: ErrorCode.NONE, leaderId: LEADER, leaderEpoch: 0, isr: [...controller.isr], leaderRecoveryState: 0, partitionEpoch: controller.partitionEpoch })).toBe('committed')
  }

  for (let step = 0; step < STEPS; step++) {
    nowMs += rng.int(5_000)
    const roll = rng.int(10)
    if (roll < 3) {
      if (leader.minIsrCheck() === ErrorCode.NONE) {
        leaderLog.append(0, `s${seed}v${step}`)
        leader.onLocalAppend(leaderLog.logEndOffset, nowMs)
        parked.push(leaderLog.logEndOffset)
      }
    } else if (roll < 8) {
      const id = rng.pick(FOLLOWERS)
      if (nowMs >= pausedUntilMs.get(id)!) fetch(id)
    } else if (roll < 9) {
      pausedUntilMs.set(rng.pick(FOLLOWERS), nowMs + rng.int(3 * LAG_MS))
    } else {
      leader.tick(nowMs)
    }
    controllerStep()
    check(`step ${step}`)
    while (parked.length > 0 && leader.acksAllStatus(parked[0]!).done) {
      const requiredOffset = parked.shift()!
      if (leader.acksAllStatus(requiredOffset).errorCode === ErrorCode.NONE) stats.acked++
      // An acknowledged acks=all write is on every member of the ISR.
      for (const id of controller.isr) expect(logs.get(id)!.logEndOffset).toBeGreaterThanOrEqual(requiredOffset)
    }
  }
  return stats
}

describe('replication state machines under random schedules', () => {
  it(`keep the HW monotonic and within every ISR member's log for ${SEEDS} seeds`, () => {
    const total: Stats = { shrinks: 0, expands: 0, acked: 0 }
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = runSeed(seed)
      total.shrinks += s.shrinks
      total.expands += s.expands
      total.acked += s.acked
    }
    // A run that never shrinks, expands or acknowledges would prove nothing.
    expect(total.shrinks).toBeGreaterThan(SEEDS)
    expect(total.expands).toBeGreaterThan(SEEDS)
    expect(total.acked).toBeGreaterThan(SEEDS * 10)
  })
})
