// Watches a running benchmark for reasons to stop it early, and turns the first one into
// an AbortSignal with a cause the runner can report:
//
// - interrupted: the caller's signal fired (Ctrl-C);
// - broker-died: a broker the backend started is no longer alive (polled every 250 ms),
//   or, for an external cluster, a bootstrap address stopped answering ApiVersions after
//   the producers went without acknowledgements for a few seconds;
// - worker-failed: a load-generator thread crashed;
// - stalled: the producers went STALL_SECONDS_MAX without a single acknowledgement
//   although they were sending (a hung broker, a network that swallows everything).
//
// The first cause wins; later ones are ignored, so a Ctrl-C that also kills the brokers
// is reported as an interruption, not as a broker death.

import type { BrokerHandle, Cluster } from '../cluster/cluster.ts'
import { probeApiVersions, probeTcp } from '../cluster/ready.ts'
import type { IntervalSample } from '../measure/recorder.ts'

export type StopCause =
  | { kind: 'interrupted', message: string }
  | { kind: 'broker-died', message: string, broker: BrokerHandle | null }
  | { kind: 'worker-failed', message: string }
  | { kind: 'stalled', message: string }

const LIVENESS_POLL_MS = 250
/** Seconds without acks after which an external cluster's addresses are probed. */
const PROBE_AFTER_SECONDS = 3
const PROBE_TIMEOUT_MS = 1500
export const STALL_SECONDS_MAX = 15

export class RunWatch {
  readonly #controller = new AbortController()
  readonly #cluster: Cluster
  #cause: StopCause | null = null
  #poller: NodeJS.Timeout | null = null
  #silentSeconds = 0
  #probing = false
  #phase = 'setup'
  readonly #onAbort: () => void
  readonly #external: AbortSignal | undefined

  readonly #probe: (address: string, timeoutMs: number) => Promise<void>

  /** `tcpOnly`: an external cluster behind TLS or SASL is watched by TCP connects alone. */
  constructor (cluster: Cluster, external?: AbortSignal, opts: { tcpOnly?: boolean } = {}) {
    this.#cluster = cluster
    this.#probe = opts.tcpOnly === true ? probeTcp : probeApiVersions
    this.#external = external
    this.#onAbort = () => this.stop({ kind: 'interrupted', message: String(external?.reason ?? 'interrupted') })
    if (external?.aborted === true) this.#onAbort()
    external?.addEventListener('abort', this.#onAbort, { once: true })
    if (cluster.backend !== 'external') {
      this.#poller = setInterval(() => this.#checkBrokers(), LIVENESS_POLL_MS)
      this.#poller.unref()
    }
  }

  get signal (): AbortSignal {
    return this.#controller.signal
  }

  get cause (): StopCause | null {
    return this.#cause
  }

  /** The phase named in messages ("died during the measure phase"). */
  set phase (phase: string) {
    this.#phase = phase
  }

  stop (cause: StopCause): void {
    if (this.#cause !== null) return
    this.#cause = cause
    this.#controller.abort(cause.message)
  }

  /** Called once per closed interval; `sending` is whether producers were asked to send. */
  observe (sample: IntervalSample, sending: boolean): void {
    if (!sending || sample.publishedCount > 0 || sample.durationSec < 0.5) {
      this.#silentSeconds = 0
      return
    }
    this.#silentSeconds += sample.durationSec
    if (this.#cluster.backend === 'external' && this.#silentSeconds >= PROBE_AFTER_SECONDS) void this.#probeExternal()
    if (this.#silentSeconds >= STALL_SECONDS_MAX) {
      const errors = Object.entries(sample.errorsByCode).map(([code, count]) => `${code} ×${count}`).join(', ')
      this.stop({ kind: 'stalled', message: `no acknowledgement from the cluster for ${Math.round(this.#silentSeconds)} s during the ${this.#phase} phase although producers were sending${errors === '' ? '' : ` (errors: ${errors})`}; is a broker hung?` })
    }
  }

  close (): void {
    if (this.#poller !== null) clearInterval(this.#poller)
    this.#poller = null
    this.#external?.removeEventListener('abort', this.#onAbort)
  }

  #checkBrokers (): void {
    if (this.#cause !== null) return
    const dead = this.#cluster.brokers.find(broker => !broker.alive())
    if (dead === undefined) return
    const pid = (dead as { pid?: unknown }).pid
    const where = [typeof pid === 'number' ? `pid ${pid}` : null, dead.kafkaAddress].filter(Boolean).join(', ')
    this.stop({ kind: 'broker-died', broker: dead, message: `broker ${dead.id} (${where}) died during the ${this.#phase} phase` })
  }

  async #probeExternal (): Promise<void> {
    if (this.#probing || this.#cause !== null) return
    this.#probing = true
    try {
      for (const broker of this.#cluster.brokers) {
        try {
          await this.#probe(broker.kafkaAddress, PROBE_TIMEOUT_MS)
        } catch (error) {
          this.stop({ kind: 'broker-died', broker, message: `the broker at ${broker.kafkaAddress} stopped answering during the ${this.#phase} phase (${(error as Error).message}); it runs outside the harness, so its log is wherever it was started` })
          return
        }
      }
    } finally {
      this.#probing = false
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export function sleepMs (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve()
  return new Promise(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Races `work` against `signal`: rejects with the abort reason when it fires first. */
export async function unlessAborted<T> (work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw new AbortedError(String(signal.reason))
  let onAbort!: () => void
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new AbortedError(String(signal.reason)))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([work, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
    work.catch(() => {})
  }
}

export class AbortedError extends Error {
  readonly code = 'ERR_BENCH_ABORTED'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'AbortedError'
  }
}
