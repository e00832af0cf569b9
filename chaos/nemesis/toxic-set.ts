// The toxics one fault added, over one proxy or many, so that healing removes exactly them:
// a toxic already gone (a reset healed it, the proxy was recreated) counts as removed, and a
// fault that fails half-way removes what it added before it reports.

import type { ICreateToxicBody, Proxy, Toxic } from 'toxiproxy-node-client'
import { NemesisError } from './nemesis.ts'

export type Direction = 'upstream' | 'downstream'
export type ToxicKind = 'latency' | 'bandwidth' | 'timeout' | 'reset_peer'

/** A 404 on removal means the toxic is already gone: that is healed. */
function isNotFound (error: unknown): boolean {
  return error instanceof Error && /status code 404/.test(error.message)
}

export class ToxicSet {
  readonly names: string[] = []
  readonly #toxics: Array<{ proxy: Proxy, toxic: Toxic<unknown> }> = []

  /** Adds one toxic; on failure removes every toxic of the set, then throws ERR_NEMESIS_FAULT. */
  async add (proxy: Proxy, name: string, type: ToxicKind, stream: Direction, attributes: Record<string, number>): Promise<void> {
    try {
      // The client's body type insists on every field; the API needs only type and attributes.
      const body = { name, type, stream, toxicity: 1, attributes } as unknown as ICreateToxicBody<unknown>
      this.#toxics.push({ proxy, toxic: await proxy.addToxic(body) })
      this.names.push(`${proxy.name}/${name}`)
    } catch (error) {
      await this.heal().catch(() => {})
      throw new NemesisError('ERR_NEMESIS_FAULT', `add ${type} toxic to ${proxy.name}: ${(error as Error).message}`, { cause: error })
    }
  }

  /** Removes every toxic added, last first; safe to repeat. */
  async heal (): Promise<void> {
    while (this.#toxics.length > 0) {
      const { proxy, toxic } = this.#toxics.pop()!
      try {
        await toxic.remove()
      } catch (error) {
        if (!isNotFound(error)) throw new NemesisError('ERR_NEMESIS_HEAL', `remove toxic ${toxic.name} from ${proxy.name}: ${(error as Error).message}`, { cause: error })
      }
    }
  }
}
