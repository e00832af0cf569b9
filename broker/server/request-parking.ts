// Lets code that parks a request (the long-poll fetch waiters, acks=all waits on
// replication) say when the wait began, so RequestMetrics can count it as remote time.
//
// Two ways in. A handler that has its context calls markParked(ctx.timing): exact, and
// idempotent per request. Code that only has the connection's abort signal (FetchWaiters,
// called by the fetch handler with connection.signal) calls notifyParked(signal, apiKey):
// the connection then marks its oldest unfinished, not yet parked request of that API,
// which is exact while a connection has one such request in flight, as Kafka's consumers do.

/** The part of a request's slot parking needs: 0 until it parks. */
export interface RequestTiming {
  parkedMs: number
}

/** The request starts waiting now; later calls (a second wait of the same request) keep the first time. */
export function markParked (timing: RequestTiming | undefined): void {
  if (timing !== undefined && timing.parkedMs === 0) timing.parkedMs = performance.now()
}

export interface ParkListener {
  /** A request of `apiKey` on this connection has just parked. */
  requestParked (apiKey: number): void
}

const listeners = new WeakMap<AbortSignal, ParkListener>()

export function listenForParking (signal: AbortSignal, listener: ParkListener): void {
  listeners.set(signal, listener)
}

export function notifyParked (signal: AbortSignal | undefined, apiKey: number): void {
  if (signal !== undefined) listeners.get(signal)?.requestParked(apiKey)
}
