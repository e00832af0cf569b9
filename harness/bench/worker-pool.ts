// The runner's side of its load-generator threads: start them, wait until each has its
// clients, send commands, collect one StatsSnapshot per worker per tick, stop them.
//
// Every wait is bounded. A worker that does not answer a tick in time simply has its
// snapshot land in a later interval (the recorder loses nothing, it attributes it a tick
// late); a worker that crashes or exits early fails the pool, and `failure` says which
// and why, so the runner can stop the run with a partial result.

import { Worker } from 'node:worker_threads'
import type { StatsSnapshot } from '../measure/worker-stats.ts'
import { BenchError } from './errors.ts'
import { DEFAULT_SCHEDULING, type SchedulingStatus } from './realtime.ts'
import type { FromWorker, ToWorker, WorkerInit, WorkerRole } from './worker-protocol.ts'

const WORKER_URL = new URL('./worker.ts', import.meta.url)
/** Threads are few (one or two per role on small machines); this catches a runaway plan. */
export const WORKERS_MAX = 64

class PoolWorker {
  readonly name: string
  readonly role: WorkerRole
  readonly thread: Worker
  /** Snapshots that arrived and were not yet handed to the recorder. */
  readonly inbox: StatsSnapshot[] = []
  consumerErrors: Record<string, number> = {}
  /** How the thread is scheduled: from `ready`, then any `scheduling` change. */
  scheduling: SchedulingStatus = DEFAULT_SCHEDULING
  stopped = false
  #awaitedSeq = -1
  #waiters = new Map<FromWorker['type'], (message: FromWorker) => void>()

  constructor (init: WorkerInit, onFailure: (error: Error) => void) {
    this.name = init.name
    this.role = init.role
    // kafkajs 2.2.4 arms setTimeout with a negative delay when idle, which Node 24 warns
    // about on every request; the warning says nothing about the run, so it is muted.
    this.thread = new Worker(WORKER_URL, { workerData: init, execArgv: [...process.execArgv, '--disable-warning=TimeoutNegativeWarning'] })
    this.thread.on('message', (message: FromWorker) => this.#onMessage(message, onFailure))
    this.thread.on('error', (error) => onFailure(new BenchError('ERR_BENCH_WORKER', `load generator ${this.name} crashed: ${error.message}`, { cause: error })))
    this.thread.on('exit', (code) => {
      if (!this.stopped) onFailure(new BenchError('ERR_BENCH_WORKER', `load generator ${this.name} exited unexpectedly (code ${code})`))
    })
  }

  #onMessage (message: FromWorker, onFailure: (error: Error) => void): void {
    if (message.type === 'stats' || message.type === 'producersStopped' || message.type === 'stopped') this.inbox.push(message.snapshot)
    if (message.type === 'stopped') {
      this.stopped = true
      this.consumerErrors = message.consumerErrors
    }
    if (message.type === 'ready') this.scheduling = message.scheduling
    if (message.type === 'scheduling') this.scheduling = message.status
    if (message.type === 'failed') {
      this.stopped = true
      onFailure(new BenchError('ERR_BENCH_WORKER', `load generator ${this.name} could not start: ${message.message}`))
    }
    const waiter = this.#waiters.get(message.type)
    // A late answer to an earlier tick must not pass for the answer to the current one.
    if (message.type === 'stats' && message.seq !== this.#awaitedSeq) return
    if (waiter !== undefined) {
      this.#waiters.delete(message.type)
      waiter(message)
    }
  }

  send (message: ToWorker): void {
    if (message.type === 'tick') this.#awaitedSeq = message.seq
    if (!this.stopped) this.thread.postMessage(message)
  }

  /** Resolves with the next message of `type`, or null after timeoutMs. */
  next (type: FromWorker['type'], timeoutMs: number): Promise<FromWorker | null> {
    return new Promise(resolve => {
      const timer = setTimeout(() => { this.#waiters.delete(type); resolve(null) }, timeoutMs)
      this.#waiters.set(type, (message) => { clearTimeout(timer); resolve(message) })
    })
  }
}

export class WorkerPool {
  readonly #workers: PoolWorker[]
  readonly failure: Promise<Error>
  #failed: Error | null = null
  #seq = 0

  private constructor (inits: readonly WorkerInit[]) {
    let reportFailure!: (error: Error) => void
    this.failure = new Promise(resolve => { reportFailure = resolve })
    const onFailure = (error: Error): void => {
      if (this.#failed !== null) return
      this.#failed = error
      reportFailure(error)
    }
    this.#workers = inits.map(init => new PoolWorker(init, onFailure))
  }

  /** Starts one thread per init and resolves when all are ready; rejects on the first failure. */
  static async start (inits: readonly WorkerInit[], readyTimeoutMs: number): Promise<WorkerPool> {
    if (inits.length === 0 || inits.length > WORKERS_MAX) throw new Error(`programmer error: ${inits.length} workers`)
    const pool = new WorkerPool(inits)
    const ready = Promise.all(pool.#workers.map(async worker => {
      if (await worker.next('ready', readyTimeoutMs) === null) {
        throw new BenchError('ERR_BENCH_WORKER', `load generator ${worker.name} did not create its clients within ${readyTimeoutMs} ms`)
      }
    }))
    try {
      await Promise.race([ready, pool.failure.then(error => { throw error })])
    } catch (error) {
      await pool.terminate()
      throw error
    }
    return pool
  }

  get failed (): Error | null {
    return this.#failed
  }

  /** Each thread's scheduling, as it last said. */
  scheduling (): Array<{ name: string, status: SchedulingStatus }> {
    return this.#workers.map(worker => ({ name: worker.name, status: worker.scheduling }))
  }

  count (role: WorkerRole): number {
    return this.#workers.filter(worker => worker.role === role).length
  }

  send (message: ToWorker, role?: WorkerRole): void {
    for (const worker of this.#workers) if (role === undefined || worker.role === role) worker.send(message)
  }

  /** Ticks every worker and returns the snapshots that arrived within timeoutMs (and any late ones). */
  async collect (timeoutMs: number): Promise<StatsSnapshot[]> {
    const seq = ++this.#seq
    const live = this.#workers.filter(worker => !worker.stopped)
    const replies = live.map(worker => worker.next('stats', timeoutMs))
    for (const worker of live) worker.send({ type: 'tick', seq })
    await Promise.all(replies)
    return this.drain()
  }

  /** Every snapshot received so far and not yet returned. */
  drain (): StatsSnapshot[] {
    const out: StatsSnapshot[] = []
    for (const worker of this.#workers) out.push(...worker.inbox.splice(0))
    return out
  }

  /** Stops the producers and waits (bounded) for their outstanding acks. Returns the unacknowledged count. */
  async stopProducers (timeoutMs: number): Promise<number> {
    const producers = this.#workers.filter(worker => worker.role === 'producer' && !worker.stopped)
    const replies = producers.map(worker => worker.next('producersStopped', timeoutMs + 1000))
    for (const worker of producers) worker.send({ type: 'stopProducers', timeoutMs })
    let unacknowledged = 0
    for (const reply of await Promise.all(replies)) if (reply?.type === 'producersStopped') unacknowledged += reply.unacknowledged
    return unacknowledged
  }

  /** Stops every worker (bounded), then terminates whatever is left. */
  async stop (timeoutMs: number): Promise<Record<string, number>> {
    const live = this.#workers.filter(worker => !worker.stopped)
    const replies = live.map(worker => worker.next('stopped', timeoutMs + 1000))
    for (const worker of live) worker.send({ type: 'stop', timeoutMs })
    await Promise.all(replies)
    await this.terminate()
    const errors: Record<string, number> = {}
    for (const worker of this.#workers) for (const [code, count] of Object.entries(worker.consumerErrors)) errors[code] = (errors[code] ?? 0) + count
    return errors
  }

  async terminate (): Promise<void> {
    for (const worker of this.#workers) worker.stopped = true
    await Promise.all(this.#workers.map(worker => worker.thread.terminate().catch(() => 0)))
  }
}
