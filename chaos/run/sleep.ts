// Timing helpers shared by the chaos harness: an abortable sleep and a promise with a
// deadline. Every wait in a chaos run is bounded, so a stuck client or broker can delay a
// run but never hang it.

/** Resolves after `ms`, or at once (without throwing) when `signal` aborts. */
export function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true || !(ms > 0)) return Promise.resolve()
  return new Promise(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export class DeadlineError extends Error {
  readonly code = 'ERR_DEADLINE'
  readonly retriable = true
  constructor (what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`)
    this.name = 'DeadlineError'
  }
}

/**
 * `promise`, or a DeadlineError after `ms`. The promise itself keeps running (JavaScript
 * cannot cancel it); its late outcome is swallowed so it never surfaces as unhandled.
 */
export function withDeadline<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
