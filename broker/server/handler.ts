// What an API handler looks like, and the registry that maps api keys to handlers and
// feeds the ApiVersions response from each codec's declared version range.

import type { ApiCodec } from '../protocol/api.ts'
import type { RequestHeader } from '../protocol/headers.ts'
import type { ApiVersionRange } from '../protocol/18-api-versions.ts'
import type { Broker } from './broker.ts'
import type { RequestTiming } from './request-parking.ts'

/** Returned by a handler that must not answer (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response')

/** What a handler may ask of the connection its request came on. */
export interface ConnectionControl {
  /** Aborted when the connection closes: parked work for it can stop. */
  signal: AbortSignal
  /** Stop reading this connection's socket until `promise` settles (backpressure, never failure). */
  pauseUntil (promise: Promise<unknown>): void
}

/**
 * The memory of a request's frame. A handler sets `reusable` when nothing it started will
 * read the request's bytes once it has returned (Produce, after every append succeeded):
 * the connection then lends that memory again. Left false, the GC frees it as usual.
 */
export interface RequestFrame {
  reusable: boolean
}

export interface HandlerContext {
  broker: Broker
  header: RequestHeader
  clientHost: string
  connection: ConnectionControl
  /** This request's timestamps: markParked(ctx.timing) when it starts waiting (RequestMetrics' remote time). */
  timing?: RequestTiming
  frame?: RequestFrame
}

export interface ApiHandler<Req = any, Res = any> {
  codec: ApiCodec<Req, Res>
  handle (ctx: HandlerContext, request: Req, version: number): Res | typeof NO_RESPONSE | Promise<Res | typeof NO_RESPONSE>
}

export function defineHandler<Req, Res> (codec: ApiCodec<Req, Res>, handle: ApiHandler<Req, Res>['handle']): ApiHandler<Req, Res> {
  return { codec, handle }
}

export class HandlerRegistry {
  readonly #byKey = new Map<number, ApiHandler>()

  constructor (handlers: readonly ApiHandler[]) {
    for (const h of handlers) {
      if (this.#byKey.has(h.codec.key)) throw new Error(`programmer error: two handlers for api key ${h.codec.key}`)
      this.#byKey.set(h.codec.key, h)
    }
  }

  get (apiKey: number): ApiHandler | undefined {
    return this.#byKey.get(apiKey)
  }

  advertised (): ApiVersionRange[] {
    return [...this.#byKey.values()]
      .map(h => ({ apiKey: h.codec.key, minVersion: h.codec.minVersion, maxVersion: h.codec.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey)
  }
}
