// The nemesis schedule: turns the workload's `nemesis` block into a seeded plan of fault
// instances, runs it against the clock, and reports every fault start and end to the
// interpreter as a `nemesis` info op (process "nemesis"), with the targets and what the
// fault did. The plan depends only on the spec, the run length, the broker count and the
// seed, so a run can be replayed; "leader" targets are resolved when the fault starts.
//
// Rules (from the schema, harness/workload/schema-chaos.ts; types in chaos/spec.ts): entry i starts at startSeconds
// and again every intervalSeconds, each instance healed after durationSeconds; no fault
// starts, and every fault is healed, quietEndSeconds before the end of the run, so the final
// polls see a healthy cluster. Entries may overlap; faults on one broker stack.
// A `split` is one fault over the whole cluster: its targets are the isolated group
// (isolate), a random minority (halves) or a random order of every broker (bridge, ring),
// and its nemesis op names the groups and the cut links.

import { Prng } from '../run/prng.ts'
import { sleep } from '../run/sleep.ts'
import type { NemesisSpec } from '../spec.ts'
import { startDiskStall, startLoseUnsyncedWrites } from './disk.ts'
import { brokerIndex, brokerName, NemesisError } from './nemesis.ts'
import type { ActiveFault, Fault, FaultStarter, FaultTarget } from './nemesis.ts'
import { startBandwidth, startBlackhole, startDelay, startProxyDown, startReset } from './network.ts'
import { startKill, startPause } from './process.ts'
import { startPartition, startRestart } from './container.ts'
import { splitGrudge } from './grudge.ts'
import type { ProxyFleet } from './proxies.ts'
import { startSplit } from './split.ts'

/** Faults that start once per planned instance over all its targets, not once per target. */
const CLUSTER_FAULTS: ReadonlySet<Fault> = new Set(['split'])

export const FAULT_STARTERS: Readonly<Record<Fault, FaultStarter>> = {
  kill: startKill,
  pause: startPause,
  restart: startRestart,
  delay: startDelay,
  bandwidth: startBandwidth,
  blackhole: startBlackhole,
  reset: startReset,
  'proxy-down': startProxyDown,
  partition: startPartition,
  split: () => Promise.reject(new NemesisError('ERR_NEMESIS_FAULT', 'programmer error: split starts once over the cluster (NemesisRunner)')),
  'lose-unfsynced-writes': startLoseUnsyncedWrites,
  'disk-stall': startDiskStall,
}

/** Bound on planned fault instances, so a tiny interval over a long run cannot exhaust memory. */
export const PLANNED_FAULTS_MAX = 100_000

export interface PlannedFault {
  /** Sequence number, unique in the run, in start order. */
  id: number
  /** Index of the schedule entry it came from. */
  entry: number
  fault: Fault
  startSec: number
  endSec: number
  /** Broker indexes, or 'leader' / 'follower' / 'controller' (resolved when the fault starts). */
  targets: number[] | Resolved
}

/** Targets named by role, resolved when the fault starts. */
type Resolved = 'leader' | 'follower' | 'controller'

export function planSchedule (spec: NemesisSpec, options: { runSeconds: number, brokers: number, seed: number }): PlannedFault[] {
  const prng = Prng.derive(options.seed, 0x6e656d)
  const lastStartSec = options.runSeconds - spec.quietEndSeconds
  const all = Array.from({ length: options.brokers }, (_, i) => i)
  const planned: Array<Omit<PlannedFault, 'id'>> = []
  spec.schedule.forEach((entry, index) => {
    for (let t = entry.startSeconds; t < lastStartSec; t += entry.intervalSeconds) {
      if (planned.length >= PLANNED_FAULTS_MAX) {
        throw new NemesisError('ERR_NEMESIS_FAULT', `the schedule plans more than ${PLANNED_FAULTS_MAX} faults; raise intervalSeconds`)
      }
      let targets: number[] | Resolved
      const topology = entry.fault === 'split' ? entry.topology ?? 'isolate' : 'isolate'
      if (topology === 'halves') targets = prng.sample(all, Math.floor((options.brokers - 1) / 2)).sort((a, b) => a - b)
      else if (topology === 'bridge' || topology === 'ring') targets = prng.sample(all, options.brokers)
      else if (entry.targets === 'random') targets = [prng.int(options.brokers)]
      else if (entry.targets === 'all') targets = all
      else if (entry.targets === 'leader' || entry.targets === 'follower' || entry.targets === 'controller') targets = entry.targets
      else if (entry.targets === 'minority') targets = prng.sample(all, Math.floor((options.brokers - 1) / 2)).sort((a, b) => a - b)
      else if (entry.targets === 'majority') targets = prng.sample(all, Math.floor(options.brokers / 2) + 1).sort((a, b) => a - b)
      else {
        // One broker may be named alone ("broker-1") or in a list.
        const names: readonly string[] = typeof entry.targets === 'string' ? [entry.targets] : entry.targets
        targets = names.map(brokerIndex).filter(i => i < options.brokers)
      }
      planned.push({ entry: index, fault: entry.fault, startSec: t, endSec: Math.min(t + entry.durationSeconds, lastStartSec), targets })
    }
  })
  planned.sort((a, b) => a.startSec - b.startSec || a.entry - b.entry)
  return planned.map((fault, id) => ({ id, ...fault }))
}

export interface ScheduleContext {
  spec: NemesisSpec
  targets: readonly FaultTarget[]
  /** Index of the broker leading partition 0 of the run's first topic; rejects when it has none. */
  leaderIndex (): Promise<number>
  /** Index of an in-sync follower of that partition; rejects when it has none. */
  followerIndex? (): Promise<number>
  /** Index of the active controller; rejects when there is none or it is not one of the targets. */
  controllerIndex? (): Promise<number>
  /** The proxies, link proxies included, for faults over the whole cluster (split). */
  fleet?: ProxyFleet
  /** Records a nemesis op (the interpreter writes it). */
  record (value: Record<string, unknown>): void
  /** Seconds since the run started, on the clock the plan uses. */
  nowSec (): number
}

interface Running {
  planned: PlannedFault
  names: string[]
  faults: ActiveFault[]
}

export class NemesisRunner {
  readonly plan: readonly PlannedFault[]
  readonly errors: string[] = []
  readonly #context: ScheduleContext
  readonly #running = new Set<Running>()

  constructor (plan: readonly PlannedFault[], context: ScheduleContext) {
    this.plan = plan
    this.#context = context
  }

  /**
   * Runs the plan until its last fault healed or `signal` aborts (then heal with healAll).
   * Plan times count from this call, not from the clock's zero: a cluster that took long
   * to start (containers) must not make every early fault fire at once.
   */
  async run (signal: AbortSignal): Promise<void> {
    const originSec = this.#context.nowSec()
    await Promise.all(this.plan.map(planned => this.#runOne(planned, originSec, signal)))
  }

  async #runOne (planned: PlannedFault, originSec: number, signal: AbortSignal): Promise<void> {
    await sleep((originSec + planned.startSec - this.#context.nowSec()) * 1000, signal)
    if (signal.aborted) return
    const running = await this.#start(planned)
    await sleep((originSec + planned.endSec - this.#context.nowSec()) * 1000, signal)
    if (signal.aborted) return
    await this.#heal(running, 'schedule')
  }

  async #start (planned: PlannedFault): Promise<Running> {
    let error: string | undefined
    const indexes = typeof planned.targets !== 'string' ? planned.targets : await this.#resolve(planned.targets).catch((caught: Error) => {
      error = caught.message
      this.errors.push(error)
      return []
    })
    const running: Running = { planned, names: indexes.map(brokerName), faults: [] }
    this.#running.add(running)
    const details: Array<Record<string, unknown>> = []
    const starts = CLUSTER_FAULTS.has(planned.fault) ? (indexes.length === 0 ? [] : [() => this.#startSplit(planned, indexes)]) : indexes.map(index => () => this.#startOne(planned, index))
    for (const start of starts) {
      try {
        const { fault, detail } = await start()
        running.faults.push(fault)
        details.push(detail)
      } catch (caught) {
        error = (caught as Error).message
        this.errors.push(error)
      }
    }
    this.#context.record({ fault: planned.fault, phase: 'start', id: planned.id, targets: running.names, details, ...(error === undefined ? {} : { error }) })
    return running
  }

  async #startOne (planned: PlannedFault, index: number): Promise<{ fault: ActiveFault, detail: Record<string, unknown> }> {
    const target = this.#context.targets[index]
    if (target === undefined) throw new NemesisError('ERR_NEMESIS_TARGET', `no broker ${brokerName(index)} in this cluster`)
    const fault = await FAULT_STARTERS[planned.fault](target, this.#context.spec.schedule[planned.entry]!, planned.id)
    return { fault, detail: { target: target.name, ...fault.detail } }
  }

  async #startSplit (planned: PlannedFault, indexes: number[]): Promise<{ fault: ActiveFault, detail: Record<string, unknown> }> {
    const entry = this.#context.spec.schedule[planned.entry]!
    const peers = entry.peers === null ? null : entry.peers.map(brokerIndex)
    const grudge = splitGrudge(entry.topology ?? 'isolate', indexes, this.#context.targets.length, entry.direction ?? 'both', peers)
    const fault = await startSplit(this.#context.fleet ?? null, this.#context.targets, grudge, entry, planned.id)
    return { fault, detail: fault.detail }
  }

  /** The leader or controller now; never a guess: with none, the fault is skipped and the history says why. */
  async #resolve (which: Resolved): Promise<number[]> {
    try {
      if (which === 'leader') return [await this.#context.leaderIndex()]
      if (which === 'follower') {
        if (this.#context.followerIndex === undefined) throw new Error('this cluster cannot name a follower')
        return [await this.#context.followerIndex()]
      }
      if (this.#context.controllerIndex === undefined) throw new Error('this cluster cannot name its controller')
      return [await this.#context.controllerIndex()]
    } catch (error) {
      throw new NemesisError('ERR_NEMESIS_TARGET', `no ${which} to target: ${(error as Error).message}; fault skipped`)
    }
  }

  async #heal (running: Running, healedBy: 'schedule' | 'final'): Promise<void> {
    if (!this.#running.delete(running)) return
    let error: string | undefined
    for (const fault of running.faults) {
      try {
        await fault.heal()
      } catch (caught) {
        error = (caught as Error).message
        this.errors.push(error)
      }
    }
    const { planned } = running
    this.#context.record({ fault: planned.fault, phase: 'end', id: planned.id, targets: running.names, healedBy, ...(error === undefined ? {} : { error }) })
  }

  /** Heals every fault still active (after the schedule stopped); returns the heal errors. */
  async healAll (): Promise<string[]> {
    const before = this.errors.length
    for (const running of [...this.#running]) await this.#heal(running, 'final')
    return this.errors.slice(before)
  }
}
