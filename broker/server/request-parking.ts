// Lets code that parks a request (the long-poll fetch waiters; later, waits on replication)
// tell the request's connection when the wait began, so RequestMetrics can count it as
// remote time. Handlers only pass their connection's abort signal along, so the signal is
// the key: a connection registers itself for its signal once, and a park looks it up.

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
