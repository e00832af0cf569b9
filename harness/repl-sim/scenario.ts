// One replication simulation from one seed: the seed draws the run's shape (AR order,
// truncation by OffsetsForLeaderEpoch or by Fetch diverging epoch, fsync per append or a
// lossy page cache, unclean election on or off, the acks=all share), then a few hundred
// random steps of producers, consumers, replica fetches, metadata syncs, AlterPartition,
// fsyncs, crashes, restarts, SIGSTOPs, network cuts and preferred elections on a virtual
// clock, with checker.ts run after every step. The first violation (or an exception from a
// state machine) ends the run with a one-line replay command.

import type { ReplicaDebugFaults } from '../../broker/cluster/replica/debug-faults.ts'
import { Prng } from '../../chaos/run/prng.ts'
import { ReplChecker } from './checker.ts'
import { SimCluster, type ClusterStats } from './sim-cluster.ts'

/** Debug-only broken rules: the replica ones (debug-faults.ts) and the simulator's own. */
export interface ReplSimDebug extends ReplicaDebugFaults {
  /** Controller: a new leader keeps the old leader epoch. */
  skipLeaderEpochBump?: boolean
  /** Consumers served up to the leader's log end instead of its HW. */
  consumerReadsLogEnd?: boolean
  /** Leaders serve follower fetches without checking current_leader_epoch (before KIP-320). */
  skipFetchEpochCheck?: boolean
  /** ISR eligibility by fencing alone, as replica-manager.ts has it today: no KIP-903 broker-epoch check. */
  eligibleByFencingOnly?: boolean
  /** unclean.leader.election.enable=true in every run, and the checker not told to excuse the loss. */
  uncleanElection?: boolean
}

export const DEBUG_RULES = [
  'truncateToHighWatermarkOnFollow', 'shrinkIsrWithoutController', 'ignoreMinIsr',
  'skipLeaderEpochBump', 'consumerReadsLogEnd', 'skipFetchEpochCheck', 'uncleanElection', 'eligibleByFencingOnly',
] as const satisfies readonly (keyof ReplSimDebug)[]

export interface ReplSimOptions {
  seed: number
  steps?: number
  debug?: ReplSimDebug
  /** Called with one line per step (CLI --trace). */
  trace?: (line: string) => void
}

export interface ReplSimResult {
  seed: number
  ok: boolean
  failure: string | null
  replay: string
  shape: string
  stats: ClusterStats & { elections: number, uncleanElections: number, voided: boolean }
}

export const DEFAULT_STEPS = 1000
const BROKER_IDS = [1, 2, 3]

export function replayCommand (seed: number, steps: number, debug: ReplSimDebug = {}): string {
  const flags = DEBUG_RULES.filter(r => debug[r] === true).map(r => ` --debug ${r}`).join('')
  return `npm run sim:repl -- --seed ${seed}${steps === DEFAULT_STEPS ? '' : ` --steps ${steps}`}${flags}`
}

export function runReplSim (opts: ReplSimOptions): ReplSimResult {
  const steps = opts.steps ?? DEFAULT_STEPS
  const debug = opts.debug ?? {}
  const rng = new Prng(opts.seed)
  const replicas = [...BROKER_IDS]
  for (let i = replicas.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [replicas[i], replicas[j]] = [replicas[j]!, replicas[i]!]
  }
  const useDivergingEpoch = rng.int(2) === 0
  const lossy = rng.int(3) === 0
  const unclean = rng.int(5) === 0 || debug.uncleanElection === true
  const acksAllPercent = 30 + rng.int(60)
  const shape = `AR [${replicas.join(',')}], ${useDivergingEpoch ? 'diverging-epoch' : 'OffsetsForLeaderEpoch'}, ${lossy ? 'lossy page cache' : 'fsync per append'}, unclean ${unclean ? 'on' : 'off'}, ${acksAllPercent}% acks=all`
  const cluster = new SimCluster({
    replicas, minInsyncReplicas: 2, useDivergingEpoch, debug, lossy, uncleanElection: unclean,
    skipLeaderEpochBump: debug.skipLeaderEpochBump === true, consumerReadsLogEnd: debug.consumerReadsLogEnd === true,
    skipFetchEpochCheck: debug.skipFetchEpochCheck === true, eligibleByFencingOnly: debug.eligibleByFencingOnly === true, strictUnclean: debug.uncleanElection === true,
  }, `s${opts.seed}`)
  const checker = new ReplChecker()
  let failure: string | null = null
  try {
    for (let step = 0; step < steps; step++) {
      cluster.nowMs += rng.int(1_500)
      const action = stepOnce(cluster, rng, acksAllPercent)
      cluster.fenceSilent()
      opts.trace?.(`${cluster.nowMs} ${action} | ${describeCluster(cluster)}`)
      for (const b of cluster.brokers) cluster.completeParked(b)
      checker.check(cluster)
    }
  } catch (err) {
    failure = `at ${cluster.nowMs} ms: ${(err as Error).message}`
  }
  const c = cluster.controller
  return {
    seed: opts.seed,
    ok: failure === null,
    failure,
    replay: replayCommand(opts.seed, steps, debug),
    shape,
    stats: { ...cluster.stats, elections: c.leaderChanges, uncleanElections: c.uncleanElections, voided: cluster.voidReason !== null },
  }
}

function describeCluster (c: SimCluster): string {
  const s = c.controller.state
  const brokers = c.brokers.map(b => {
    const state = !b.up ? 'down' : b.paused ? 'paused' : b.isolation !== 'none' ? `cut:${b.isolation}` : 'up'
    const role = b.leader !== null ? `L${b.leaderEpoch}` : b.follower !== null ? `F${b.leaderEpoch}:${b.follower.phase}` : '-'
    return `${b.id}:${state}/${role} leo=${b.log.logEndOffset} hw=${b.highWatermark}`
  })
  return `ctl leader=${s.leader} epoch=${s.leaderEpoch} isr=[${s.isr.join(',')}] fenced=[${[...c.controller.fenced].join(',')}]; ${brokers.join('; ')}${c.voidReason === null ? '' : ` (void: ${c.voidReason})`}`
}

/** One random action, named for the trace. Faults are rarer than traffic so that runs also make progress. */
function stepOnce (c: SimCluster, rng: Prng, acksAllPercent: number): string {
  const b = rng.pick(c.brokers)
  const roll = rng.int(100)
  if (roll < 25) {
    const leaders = c.brokers.filter(x => x.leader !== null && x.running)
    const to = leaders.length === 0 ? b : rng.pick(leaders)
    const acksAll = rng.int(100) < acksAllPercent
    c.produce(to, acksAll)
    return `produce acks=${acksAll ? 'all' : '1'} to ${to.id}`
  }
  if (roll < 60) { c.fetchStep(b, 1 + rng.int(4)); return `fetch by ${b.id}` }
  if (roll < 66) {
    const leaders = c.brokers.filter(x => x.leader !== null && x.running)
    const from = leaders.length === 0 ? b : rng.pick(leaders)
    const offset = rng.int(Math.max(1, from.log.logEndOffset))
    const problem = c.consume(from, offset, 1 + rng.int(5))
    if (problem !== null) throw new Error(problem)
    return `consume from ${from.id} at ${offset}`
  }
  if (roll < 76) { c.sync(b); return `metadata sync of ${b.id}` }
  if (roll < 82) { c.alterIsr(b); return `ISR change by ${b.id}` }
  if (roll < 87) { b.flush(); return `fsync on ${b.id}` }
  if (roll < 88) { c.crash(b); return `crash ${b.id}` }
  if (roll < 92) {
    const down = c.brokers.filter(x => !x.up)
    const r = down.length === 0 ? b : rng.pick(down)
    c.restart(r)
    return `restart ${r.id}`
  }
  if (roll < 93) { c.pause(b); return `SIGSTOP ${b.id}` }
  if (roll < 94) {
    const how = rng.int(2) === 0 ? 'controller' : 'brokers'
    c.isolate(b, how)
    return `cut ${b.id} from ${how}`
  }
  if (roll < 98) {
    const sick = c.brokers.filter(x => x.paused || x.isolation !== 'none')
    const h = sick.length === 0 ? b : rng.pick(sick)
    c.heal(h)
    return `heal ${h.id}`
  }
  c.preferredElection()
  return 'preferred election'
}
