// The live progress line of `sluice bench`: phase, elapsed/total, publish and consume rate,
// backlog and publish p99. On a terminal it is a cli-progress bar redrawn in place; when
// stdout is not a TTY (CI logs) it falls back to one plain line every few seconds and one
// at every phase change, so a log shows the run's shape without thousands of redraws.

import { createRequire } from 'node:module'
import type { Writable } from 'node:stream'
import { formatValue } from './compare/format.ts'
import type { IntervalSample } from './measure/recorder.ts'

export interface ProgressState {
  /** warmup, max-rate, measure, drain (or any label the runner uses). */
  phase: string
  elapsedSec: number
  totalSec: number
  publishRateMsgPerSec: number
  /** null when the run has no consumers (shown as "none", not as a misleading 0). */
  consumeRateMsgPerSec: number | null
  backlogMessages: number | null
  /** Publish latency p99 from the intended send time, µs; null before the first ack. */
  publishLatencyUsP99: number | null
}

export interface ProgressOptions {
  /** Where to draw; default process.stdout. */
  stream?: Writable & { isTTY?: boolean, columns?: number }
  /** Plain lines even on a terminal (e.g. --no-progress-bar). Default false. */
  plain?: boolean
  /** Plain mode: at most one line per this many ms (phase changes always print). Default 5000. */
  plainIntervalMs?: number
  /** Clock for plain-mode pacing; tests pass a fake one. */
  nowMs?: () => number
}

// cli-progress ships no types; this is the part of its API used here.
interface CliBar {
  start (total: number, value: number, payload: Record<string, string>): void
  update (value: number, payload: Record<string, string>): void
  setTotal (total: number): void
  stop (): void
}
interface CliProgressModule {
  SingleBar: new (options: Record<string, unknown>, preset?: Record<string, unknown>) => CliBar
  Presets: Record<string, Record<string, unknown>>
}
const cliProgress = createRequire(import.meta.url)('cli-progress') as CliProgressModule

const PHASE_NAMES: Record<string, string> = { warmup: 'warm-up', 'max-rate': 'max-rate', measure: 'measure', drain: 'drain' }
const PHASE_WIDTH = 8

function clock (seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds))
  const h = Math.floor(whole / 3600)
  const m = Math.floor((whole % 3600) / 60)
  const s = whole % 60
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
  return h > 0 ? `${h}:${mmss}` : mmss
}

function fields (state: ProgressState): Record<string, string> {
  return {
    phase: (PHASE_NAMES[state.phase] ?? state.phase).padEnd(PHASE_WIDTH),
    time: `${clock(state.elapsedSec)}/${clock(state.totalSec)}`,
    pub: formatValue(state.publishRateMsgPerSec, 'msg/s'),
    cons: state.consumeRateMsgPerSec === null ? 'none' : formatValue(state.consumeRateMsgPerSec, 'msg/s'),
    backlog: state.backlogMessages === null ? '–' : Math.round(state.backlogMessages).toLocaleString('en-US'),
    p99: state.publishLatencyUsP99 === null ? '–' : formatValue(state.publishLatencyUsP99, 'us'),
  }
}

/** The plain-mode line, also what a runner can log. */
export function formatProgressLine (state: ProgressState): string {
  const f = fields(state)
  return `[${f.phase.trimEnd()}] ${f.time} | publish ${f.pub} | consume ${f.cons} | backlog ${f.backlog} | p99 ${f.p99}`
}

/** Progress figures from the interval that just closed. */
export function progressFromSample (sample: IntervalSample, elapsedSec: number, totalSec: number, hasConsumers = true): ProgressState {
  const perSecond = (count: number): number => sample.durationSec > 0 ? count / sample.durationSec : 0
  return {
    phase: sample.phase,
    elapsedSec,
    totalSec,
    publishRateMsgPerSec: perSecond(sample.publishedCount),
    consumeRateMsgPerSec: hasConsumers ? perSecond(sample.consumedCount) : null,
    backlogMessages: hasConsumers ? sample.backlogMessages : null,
    publishLatencyUsP99: sample.correctedPublishLatencyUs?.p99 ?? null,
  }
}

export class Progress {
  #stream: Writable
  #bar: CliBar | null = null
  #barTotal = 0
  #plainIntervalMs: number
  #nowMs: () => number
  #lastPlainMs = -Infinity
  #lastPhase: string | null = null
  #stopped = false

  constructor (options: ProgressOptions = {}) {
    const stream = options.stream ?? process.stdout
    this.#stream = stream
    this.#plainIntervalMs = options.plainIntervalMs ?? 5000
    this.#nowMs = options.nowMs ?? Date.now
    if (options.plain !== true && stream.isTTY === true) {
      this.#bar = new cliProgress.SingleBar({
        stream,
        format: '{phase} {bar} {time} | pub {pub} | cons {cons} | backlog {backlog} | p99 {p99}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        gracefulExit: true,
      }, cliProgress.Presets.shades_classic)
    }
  }

  update (state: ProgressState): void {
    if (this.#stopped) return
    if (this.#bar !== null) {
      const total = Math.max(1, Math.ceil(state.totalSec))
      if (this.#lastPhase === null) {
        this.#bar.start(total, Math.min(total, state.elapsedSec), fields(state))
      } else {
        if (total !== this.#barTotal) this.#bar.setTotal(total)
        this.#bar.update(Math.min(total, state.elapsedSec), fields(state))
      }
      this.#barTotal = total
      this.#lastPhase = state.phase
      return
    }
    const now = this.#nowMs()
    if (state.phase !== this.#lastPhase || now - this.#lastPlainMs >= this.#plainIntervalMs) {
      this.#stream.write(formatProgressLine(state) + '\n')
      this.#lastPlainMs = now
      this.#lastPhase = state.phase
    }
  }

  /** Stops redrawing (the bar's last state stays on screen); later updates are ignored. */
  stop (): void {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#bar !== null && this.#lastPhase !== null) this.#bar.stop()
  }
}
