// One process slot: takes the generator's next op, paces itself, runs the op through its
// client and has the interpreter record invoke and completion. One op is in flight per
// process. An op that ends `info` (or a crash) retires the process: a fresh process id takes
// over the slot's keys with a fresh client (after an `info` send it keeps the consumer: see
// ChaosClient.handOver).
//
// Outcome-driven extra ops (not drawn from the generator, so the generated sequence stays
// reproducible): a fresh process first repeats the slot's last assign (or subscribes)
// before it polls or commits; a subscribe-style consumer's rebalance is recorded as a
// `rebalance` info op before the op that follows it; a transform run declares each new input
// key's output key with a `transform` op before the key's first send.

import type { OpF } from '../check/history.ts'
import { ChaosClient } from './client.ts'
import type { ChaosClientConfig } from './client.ts'
import type { GeneratedOp, SlotGenerator } from './generator.ts'
import type { HistoryWriter } from './interpreter.ts'
import { classifyError } from './outcome.ts'
import type { OpKind } from './outcome.ts'
import { sleep, withDeadline } from './sleep.ts'
import { outputKeyFor } from './topology.ts'

export interface WorkerOptions {
  slot: number
  generator: SlotGenerator
  history: HistoryWriter
  client: ChaosClientConfig
  /** Time between op starts of this slot. */
  intervalMs: number
  /** Set in consume-transform-produce runs: the processors' group. */
  transformGroup: string | null
  /** Counts of non-ok outcomes by "f type: reason", shared by all workers, for the result. */
  outcomeReasons: Map<string, number>
}

/**
 * Joining a group waits for every member to rejoin (up to the rebalance timeout the
 * consumers ask for, 10 s), so a subscribe gets at least this long before it is `info`.
 */
export const SUBSCRIBE_TIMEOUT_MS_MIN = 15_000

/** Distinct reasons counted at most; the rest are lumped together. */
const REASONS_MAX = 200

export class Worker {
  readonly #options: WorkerOptions
  #process: number
  #client: ChaosClient | null = null
  /** The slot's current assignment (assign-style), repeated by a fresh process. */
  #assignment: number[] | null = null
  opsDone = 0

  constructor (options: WorkerOptions) {
    this.#options = options
    this.#process = options.slot
  }

  get process (): number {
    return this.#process
  }

  async run (signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        const startedMs = performance.now()
        await this.#do(this.#options.generator.next())
        this.opsDone++
        await sleep(this.#options.intervalMs - (performance.now() - startedMs), signal)
      }
    } finally {
      await this.#retire(null)
    }
  }

  #clientNow (): ChaosClient {
    this.#client ??= new ChaosClient(this.#process, this.#options.slot, this.#options.client)
    return this.#client
  }

  /** Ends this process: a fresh id follows (unless the run is over), with `keepConsumer` its consumer. */
  async #retire (reason: string | null, keepConsumer = false): Promise<void> {
    const client = this.#client
    this.#client = null
    if (reason === null) {
      await client?.close()
      return
    }
    this.#process = this.#options.history.newProcess()
    if (client !== null && keepConsumer) this.#client = await client.handOver(this.#process)
    else await client?.close()
  }

  async #do (op: GeneratedOp): Promise<void> {
    const history = this.#options.history
    switch (op.f) {
      case 'crash':
        history.invoke(this.#process, 'crash', null)
        await this.#client?.close()
        history.complete(this.#process, 'info', { reason: 'client torn down' })
        await this.#retire('crash')
        return
      case 'send':
        if (op.newKey && this.#options.transformGroup !== null) {
          history.info(this.#process, 'transform', { group: this.#options.transformGroup, keys: { [op.key]: outputKeyFor(op.key) } })
        }
        await this.#run('send', 'send', [['send', op.key, op.value]], async client => {
          const offset = await client.send(op.key, op.value)
          return [['send', op.key, [offset, op.value]]]
        })
        return
      case 'assign':
        this.#assignment = op.partitions
        await this.#setUp()
        return
      case 'subscribe':
        await this.#setUp()
        return
      case 'poll':
      case 'commit':
        if (!(this.#client?.consuming ?? false) && !(await this.#setUp())) return
        this.#recordRebalance()
        if (op.f === 'poll') {
          await this.#run('poll', 'poll', [['poll']], async client => [['poll', await client.poll()]])
          return
        }
        await this.#commit()
    }
  }

  /** Assigns (the slot's assignment) or subscribes; false when that failed. */
  async #setUp (): Promise<boolean> {
    const c = this.#options.client
    if (c.subscribeVia === 'subscribe') {
      return await this.#run('subscribe', 'subscribe', { topics: [c.topic] }, async client => {
        await client.subscribe()
        return { topics: [c.topic] }
      })
    }
    const partitions = this.#assignment ?? []
    if (partitions.length === 0) return false
    return await this.#run('assign', 'assign', { topic: c.topic, partitions }, async client => {
      const positions = await client.assign(partitions)
      return { topic: c.topic, partitions, positions }
    })
  }

  #recordRebalance (): void {
    const rebalance = this.#client?.takeRebalance() ?? null
    if (rebalance === null) return
    this.#options.history.info(this.#process, 'rebalance', { process: this.#process, reason: rebalance.reason, partitions: rebalance.partitions })
  }

  async #commit (): Promise<void> {
    const plan = this.#client?.commitPlan() ?? null
    if (plan === null) return
    await this.#run('commit', 'commit', plan, async client => {
      await client.commit()
      return plan
    })
  }

  /** invoke, run with the op deadline, complete; `info` retires the process. True when ok. */
  async #run (kind: OpKind, f: OpF, value: unknown, action: (client: ChaosClient) => Promise<unknown>): Promise<boolean> {
    const history = this.#options.history
    const client = this.#clientNow()
    history.invoke(this.#process, f, value)
    try {
      const timeoutMs = kind === 'subscribe' ? Math.max(this.#options.client.opTimeoutMs, SUBSCRIBE_TIMEOUT_MS_MIN) : this.#options.client.opTimeoutMs
      const result = await withDeadline(action(client), timeoutMs, `${f} by process ${this.#process}`)
      history.complete(this.#process, 'ok', result)
      return true
    } catch (error) {
      const { type, reason } = classifyError(error, kind, { clientRetries: this.#options.client.retries })
      history.complete(this.#process, type, withError(value, reason))
      const reasons = this.#options.outcomeReasons
      const label = reasons.size < REASONS_MAX ? `${f} ${type}: ${reason}` : 'other'
      reasons.set(label, (reasons.get(label) ?? 0) + 1)
      if (type === 'info') await this.#retire(reason, kind === 'send')
      return false
    }
  }
}

/** The invoke value with the error named: micro-op arrays gain nothing (checkers read them). */
function withError (value: unknown, reason: string): unknown {
  if (Array.isArray(value)) return value
  if (typeof value === 'object' && value !== null) return { ...value, error: reason }
  return { error: reason }
}
