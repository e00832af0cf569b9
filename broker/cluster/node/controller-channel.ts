// A broker's line to the active controller (Kafka's NodeToControllerChannelManager): it
// finds the controller through the metadata quorum (the quorum leader is the active
// controller), keeps one connection to its controller listener, and resends a request that
// met NOT_CONTROLLER or a dead connection to whoever leads next, until the caller's
// deadline. Requests are the wire objects; the caller says which answers mean "not the
// controller".

import { Connection } from '../../client/connection.ts'
import type { ApiCodec } from '../../protocol/api.ts'

export interface ControllerLocator {
  /** The quorum leader's id, or -1 while there is none. */
  leaderId (): number
  address (nodeId: number): { host: string, port: number } | undefined
}

export class ControllerUnavailableError extends Error {
  readonly code = 'ERR_CONTROLLER_UNAVAILABLE'
}

const RETRY_BACKOFF_MS = 50
const REQUEST_TIMEOUT_MS = 5_000

export class ControllerChannel {
  readonly #locator: ControllerLocator
  readonly #clientId: string
  #connection: { nodeId: number, conn: Promise<Connection> } | null = null
  #closed = false

  constructor (locator: ControllerLocator, clientId: string) {
    this.#locator = locator
    this.#clientId = clientId
  }

  /**
   * Sends `request` to the active controller; `notController(response)` says the node was
   * not (or no longer) the controller, so the request goes to the next one.
   */
  async send<Req, Res> (codec: ApiCodec<Req, Res>, request: Req, notController: (response: Res) => boolean, timeoutMs: number): Promise<Res> {
    const deadlineMs = Date.now() + timeoutMs
    let lastProblem = 'no controller is known yet'
    while (!this.#closed && Date.now() < deadlineMs) {
      const connecting = this.#connect()
      const conn = connecting === null ? null : await connecting.catch((err: Error) => { lastProblem = err.message; return null })
      if (conn !== null) {
        try {
          const response = await conn.request(codec, request, { timeoutMs: Math.min(REQUEST_TIMEOUT_MS, Math.max(1, deadlineMs - Date.now())) })
          if (!notController(response)) return response
          lastProblem = 'the node asked was not the active controller'
          this.#drop()
        } catch (err) {
          lastProblem = (err as Error).message
          this.#drop()
        }
      }
      await new Promise(resolve => setTimeout(resolve, RETRY_BACKOFF_MS))
    }
    throw new ControllerUnavailableError(`no active controller answered ${codec.name} within ${timeoutMs} ms: ${lastProblem}`)
  }

  close (): void {
    this.#closed = true
    this.#drop()
  }

  #connect (): Promise<Connection> | null {
    const leaderId = this.#locator.leaderId()
    if (this.#connection !== null && this.#connection.nodeId !== leaderId) this.#drop()
    if (this.#connection === null) {
      if (leaderId < 0) return null
      const address = this.#locator.address(leaderId)
      if (address === undefined) return null
      const conn = Connection.connect({ ...address, clientId: this.#clientId, connectTimeoutMs: 2_000, requestTimeoutMs: REQUEST_TIMEOUT_MS })
      const attempt = { nodeId: leaderId, conn }
      // A failed attempt must not stay cached: every later request would fail with its old
      // error until the controller changed, and the broker, unable to heartbeat, stay fenced
      // (found by a chaos split that cut a broker's link to the controller for a few seconds).
      conn.catch(() => { if (this.#connection === attempt) this.#connection = null })
      this.#connection = attempt
    }
    return this.#connection.conn.then(c => {
      if (c.closed) {
        this.#drop()
        throw new Error(`connection to controller ${leaderId} closed`)
      }
      return c
    })
  }

  #drop (): void {
    const current = this.#connection
    this.#connection = null
    current?.conn.then(c => c.close(), () => {})
  }
}
