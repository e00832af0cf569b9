// The interpreter's history writer: the ONLY writer of a run's history.jsonl (style.md
// point 9). Clients, processors, final polls and nemeses never write ops themselves; they
// ask this class, which gives each op its index (0, 1, 2, ...) and a monotonic timeNs (ns
// since the run started, never decreasing), and appends it to the file at once with a
// synchronous write. A harness that crashes mid-run therefore still leaves every op it
// recorded on disk (in the page cache, which a process crash does not lose), and `sluice
// check` can read it.
//
// It also keeps the bookkeeping the history format promises: one op in flight per process
// (invoke, then exactly one completion), and fresh process ids for retired processes.

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { formatOpLine } from '../check/history-file.ts'
import type { Op, OpF, Process } from '../check/history.ts'

export type Completion = 'ok' | 'fail' | 'info'

/** Sees every op as it is written, with the invoke-to-completion latency for completions. */
export type OpObserver = (op: Op, latencyNs: number | null) => void

interface InFlight {
  f: OpF
  timeNs: number
  final: boolean
}

export class InterpreterError extends Error {
  readonly code = 'ERR_INTERPRETER'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'InterpreterError'
  }
}

export class HistoryWriter {
  readonly path: string
  #fd: number | null
  #index = 0
  #lastTimeNs = 0
  readonly #startNs: bigint
  readonly #inFlight = new Map<Process, InFlight>()
  #nextProcess: number
  readonly #observers: OpObserver[] = []
  /** Set by `seal`: the run was interrupted and late ops are dropped instead of refused. */
  #sealed = false
  #droppedOps = 0

  /** `firstFreeProcess`: ids below it are taken by the initial process slots. */
  constructor (path: string, options: { firstFreeProcess: number, startNs?: bigint }) {
    this.path = path
    this.#fd = openSync(path, 'wx')
    this.#startNs = options.startNs ?? process.hrtime.bigint()
    this.#nextProcess = options.firstFreeProcess
  }

  get opCount (): number {
    return this.#index
  }

  /** Nanoseconds since the run started, as written in timeNs. */
  nowNs (): number {
    const now = Number(process.hrtime.bigint() - this.#startNs)
    this.#lastTimeNs = Math.max(this.#lastTimeNs, now)
    return this.#lastTimeNs
  }

  observe (observer: OpObserver): void {
    this.#observers.push(observer)
  }

  /** A process id never used before: for retired processes' successors and final readers. */
  newProcess (): number {
    return this.#nextProcess++
  }

  inFlight (process: Process): boolean {
    return this.#inFlight.has(process)
  }

  invoke (process: Process, f: OpF, value: unknown, options: { final?: boolean } = {}): Op {
    if (this.#inFlight.has(process)) {
      throw new InterpreterError(`process ${process} invoked ${f} while its ${this.#inFlight.get(process)!.f} is still in flight`)
    }
    const op = this.#write(process, 'invoke', f, value, options.final === true, null)
    this.#inFlight.set(process, { f, timeNs: op.timeNs, final: options.final === true })
    return op
  }

  /** Completes the process's op in flight with `type`. */
  complete (process: Process, type: Completion, value: unknown): Op {
    const pending = this.#inFlight.get(process)
    if (pending === undefined) throw new InterpreterError(`process ${process} completed an op it never invoked`)
    this.#inFlight.delete(process)
    return this.#write(process, type, pending.f, value, pending.final, pending.timeNs)
  }

  /**
   * A standalone `info` op (a nemesis event, a rebalance, a transform declaration): it has no
   * invoke and does not occupy the process.
   */
  info (process: Process, f: OpF, value: unknown): Op {
    return this.#write(process, 'info', f, value, false, null)
  }

  #write (process: Process, type: Op['type'], f: OpF, value: unknown, final: boolean, invokeTimeNs: number | null): Op {
    if (this.#sealed) {
      this.#droppedOps++
      return { index: -1, timeNs: this.nowNs(), process, type, f, value }
    }
    if (this.#fd === null) throw new InterpreterError(`the history ${this.path} is closed; ${f} by process ${process} came too late`)
    const op: Op = { index: this.#index++, timeNs: this.nowNs(), process, type, f, value }
    if (final) op.final = true
    writeSync(this.#fd, `${formatOpLine(op)}\n`)
    const latencyNs = invokeTimeNs === null ? null : op.timeNs - invokeTimeNs
    for (const observer of this.#observers) observer(op, latencyNs)
    return op
  }

  get closed (): boolean {
    return this.#fd === null
  }

  /**
   * Closes the history of an interrupted run: clients abandoned mid-op may still complete,
   * and their late ops are dropped (and counted) rather than thrown at callers that can no
   * longer handle them. The history keeps every op recorded before the interruption.
   */
  seal (): void {
    this.#sealed = true
    this.close()
  }

  get droppedOps (): number {
    return this.#droppedOps
  }

  /** Flushes the file to stable storage and closes it. Later ops are refused. */
  close (): void {
    if (this.#fd === null) return
    const fd = this.#fd
    this.#fd = null
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }
}
