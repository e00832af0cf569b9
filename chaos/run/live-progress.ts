// Signs of life during a chaos run's load phase, on the run's log (stderr; nothing with
// --quiet): every nemesis start and end as it happens, and every few seconds one line with
// elapsed and remaining time, completed ops per second by outcome, and the faults in force.
// It only observes the history as the interpreter writes it, so it cannot change a run.
//
//   [chaos 00:12/00:30] ops/s ok 41 fail 0 info 2 | faults: pause broker-1
//   nemesis: kill start on broker-0

import type { Op } from '../check/history.ts'
import type { HistoryWriter } from './interpreter.ts'
import { faultLabel } from './fault-label.ts'

const LINE_INTERVAL_MS_DEFAULT = 5000

function clock (seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds))
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`
}

interface NemesisValue { fault?: unknown, phase?: unknown, id?: unknown, targets?: unknown, error?: unknown }

export class ChaosProgress {
  readonly #log: (line: string) => void
  readonly #totalSec: number
  readonly #intervalMs: number
  readonly #startMs: number
  readonly #counts = { ok: 0, fail: 0, info: 0 }
  readonly #faults = new Map<string, string>()
  #lastLineMs: number
  #timer: NodeJS.Timeout | null = null
  #stopped = false

  constructor (options: { history: HistoryWriter, log: (line: string) => void, totalSec: number, intervalMs?: number }) {
    this.#log = options.log
    this.#totalSec = options.totalSec
    this.#intervalMs = options.intervalMs ?? LINE_INTERVAL_MS_DEFAULT
    this.#startMs = Date.now()
    this.#lastLineMs = this.#startMs
    options.history.observe(op => { this.#observe(op) })
    this.#timer = setInterval(() => { this.#line() }, this.#intervalMs)
    this.#timer.unref()
  }

  /** Stops the periodic line; nemesis events after this are no longer shown. */
  stop (): void {
    this.#stopped = true
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  #observe (op: Op): void {
    if (this.#stopped) return
    if (op.f === 'nemesis') {
      this.#nemesis(op.value as NemesisValue)
      return
    }
    if (op.type === 'ok' || op.type === 'fail' || op.type === 'info') this.#counts[op.type]++
  }

  #nemesis (value: NemesisValue): void {
    const fault = String(value.fault ?? '?')
    const targets = Array.isArray(value.targets) ? value.targets.join(', ') : ''
    const id = String(value.id ?? fault)
    if (value.phase === 'start') this.#faults.set(id, faultLabel(value, ', '))
    if (value.phase === 'end') this.#faults.delete(id)
    const error = value.error === undefined ? '' : ` (failed: ${String(value.error)})`
    this.#log(`nemesis: ${fault} ${String(value.phase ?? '')}${targets === '' ? '' : ` on ${targets}`}${error}`)
  }

  #line (): void {
    const nowMs = Date.now()
    const seconds = Math.max(0.001, (nowMs - this.#lastLineMs) / 1000)
    const rate = (count: number): string => String(Math.round(count / seconds))
    const faults = this.#faults.size === 0 ? 'none' : [...this.#faults.values()].join('; ')
    const elapsedSec = (nowMs - this.#startMs) / 1000
    this.#log(`[chaos ${clock(elapsedSec)}/${clock(this.#totalSec)}] ops/s ok ${rate(this.#counts.ok)} fail ${rate(this.#counts.fail)} info ${rate(this.#counts.info)} | faults: ${faults}`)
    this.#counts.ok = 0
    this.#counts.fail = 0
    this.#counts.info = 0
    this.#lastLineMs = nowMs
  }
}
