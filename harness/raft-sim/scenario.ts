// One simulated run from one seed: a quorum of 1 to 5 voters plus observers goes through a
// chaos phase (client proposals; message drops, duplicates and long delays; symmetric and
// one-way partitions; kills and restarts that lose unflushed log tails), then the network
// heals, dead nodes restart, and a leader must be elected and commit a new proposal within
// LIVENESS_BOUND_MS. Invariants are checked after every step (checker.ts); any violation or
// an exception from the core ends the run with a one-line replay command.

import { Prng } from '../../chaos/run/prng.ts'
import type { DebugFaults, NodeId } from '../../broker/cluster/raft/types.ts'
import { CALM } from './network.ts'
import { SimCluster, type SimStats } from './sim-cluster.ts'

export interface ScenarioOptions {
  seed: number
  /** Default: 1 to 5, drawn from the seed. */
  voters?: number
  /** Default: 0 to 2, drawn from the seed. */
  observers?: number
  chaosMs?: number
  debug?: DebugFaults
}

export interface ScenarioResult {
  seed: number
  voters: number
  observers: number
  ok: boolean
  failure: string | null
  replay: string
  events: number
  committed: number
  /** Simulated ms from healing to the liveness proposal being committed. */
  recoveryMs: number
  stats: SimStats | null
}

const STEP_MS = 100
const CHAOS_MS_DEFAULT = 12_000
export const LIVENESS_BOUND_MS = 10_000
const FAULT_CHANCE_PER_STEP = 0.1

export function replayCommand (o: { seed: number; voters: number; observers: number; debug?: DebugFaults }): string {
  const flags = Object.entries(o.debug ?? {}).filter(([, on]) => on === true).map(([name]) => ` --debug ${name}`).join('')
  return `npm run sim -- --seed ${o.seed} --voters ${o.voters} --observers ${o.observers}${flags}`
}

export function runScenario (opts: ScenarioOptions): ScenarioResult {
  const r = Prng.derive(opts.seed, 0)
  // Always draw both, so giving --voters explicitly replays the same random stream.
  const drawnVoters = 1 + r.int(5)
  const drawnObservers = r.int(3)
  const voterCount = opts.voters ?? drawnVoters
  const observerCount = opts.observers ?? drawnObservers
  const voters = Array.from({ length: voterCount }, (_, i) => i + 1)
  const observers = Array.from({ length: observerCount }, (_, i) => 101 + i)
  const replay = replayCommand({ seed: opts.seed, voters: voterCount, observers: observerCount, debug: opts.debug })
  const result: ScenarioResult = { seed: opts.seed, voters: voterCount, observers: observerCount, ok: false, failure: null, replay, events: 0, committed: 0, recoveryMs: -1, stats: null }
  let cluster: SimCluster | null = null
  try {
    cluster = new SimCluster({ seed: opts.seed, voters, observers, debug: opts.debug, fetchMaxEntries: r.pick([1, 2, 4, 16]), crashNewLeaderChance: r.pick([0, 0.1, 0.3]) })
    chaos(cluster, r, [...voters, ...observers], opts.chaosMs ?? CHAOS_MS_DEFAULT)
    result.recoveryMs = heal(cluster, opts.seed, [...voters, ...observers])
    cluster.checker.checkDurableMajority(cluster.logs)
    result.ok = true
  } catch (err) {
    result.failure = `${(err as Error).message} at ${cluster?.nowMs ?? 0} ms`
  }
  result.events = cluster?.events ?? 0
  result.committed = cluster?.checker.committedEnd ?? 0
  result.stats = cluster?.stats ?? null
  return result
}

function chaos (cluster: SimCluster, r: Prng, nodes: NodeId[], chaosMs: number): void {
  cluster.network.faults = {
    dropRate: r.pick([0, 0.01, 0.05, 0.2]),
    duplicateRate: r.pick([0, 0.02, 0.1]),
    slowRate: r.pick([0, 0.02, 0.1]),
  }
  let counter = 0
  for (let t = STEP_MS; t <= chaosMs; t += STEP_MS) {
    cluster.runUntil(t)
    if (r.chance(0.6)) cluster.propose(`k${r.int(8)}=${counter++}`)
    if (r.chance(FAULT_CHANCE_PER_STEP)) nemesis(cluster, r, nodes)
  }
}

function nemesis (cluster: SimCluster, r: Prng, nodes: NodeId[]): void {
  const dead = nodes.filter(id => !cluster.alive(id))
  const live = nodes.filter(id => cluster.alive(id))
  switch (r.int(6)) {
    case 0: return cluster.network.partition(r.sample(nodes, 1 + r.int(Math.max(1, nodes.length - 1))), nodes)
    case 1: return cluster.network.cutOneWay(r.pick(nodes), r.pick(nodes))
    case 2: return cluster.network.heal()
    case 3: if (live.length > 0) cluster.kill(r.pick(live)); return
    case 4: if (dead.length > 0) cluster.restart(r.pick(dead)); return
    default: {
      const leader = cluster.leader()
      if (leader !== null) cluster.kill(leader.nodeId)
    }
  }
}

/** Heals everything and returns how long the quorum took to commit a fresh proposal. */
function heal (cluster: SimCluster, seed: number, nodes: NodeId[]): number {
  cluster.network.heal()
  cluster.network.faults = CALM
  cluster.crashNewLeaderChance = 0
  for (const id of nodes) cluster.restart(id)
  const healedMs = cluster.nowMs
  const marker = `liveness=${seed}`
  let proposedAtMs = -Infinity
  for (let t = healedMs + STEP_MS; t <= healedMs + LIVENESS_BOUND_MS; t += STEP_MS) {
    cluster.runUntil(t)
    const committed = cluster.checker.committedEntries
    if (committed.some(e => e.kind === 'data' && Buffer.from(e.data).toString() === marker)) return t - healedMs
    if (t - proposedAtMs >= 1000 && cluster.propose(marker) !== null) proposedAtMs = t
  }
  const states = [...cluster.nodes.values()].map(n => {
    const s = n.raft?.status()
    return s === undefined ? `${n.id}:dead` : `${n.id}:${s.role}@${s.epoch}(leader ${s.leaderId}, voted ${s.votedFor}, hw ${s.highWatermark}, leo ${s.logEndOffset})`
  })
  throw new Error(`liveness: no proposal committed within ${LIVENESS_BOUND_MS} ms after healing; ${states.join(' ')}`)
}
