// One Toxiproxy proxy in front of each broker's client listener, created and healed through
// toxiproxy-node-client, so the embedded server (chaos/toxiproxy) and a real Toxiproxy are
// driven by the same code. Brokers advertise the proxy's listen address, so clients that
// follow Metadata cannot bypass it (design/toxiproxy-api.md, "Kafka specifics").
//
// Proxies are named `<prefix>broker-N`; a leftover proxy of that name (a crashed earlier
// run against a long-lived Toxiproxy) is replaced. Proxies listen on 127.0.0.1 port 0 and
// the server reports the port it bound.
//
// In a cluster the fleet also holds one proxy per directed broker-to-broker link and
// listener (`<prefix>link-A-B-kafka`: A's replica fetches from B; `...-controller`: A's
// quorum and controller requests to B), which brokers are configured to use for each other,
// so a `split` (split.ts) can cut any link, one direction or both, while clients still reach
// every broker through its own proxy.

import { Toxiproxy } from 'toxiproxy-node-client'
import type { Proxy } from 'toxiproxy-node-client'
import { brokerName, faultStep } from './nemesis.ts'

/** Bounds the toxics removed per proxy on heal, against a server that keeps answering. */
const TOXICS_PER_PROXY_MAX = 1000

/** Which listener of the target broker a link proxy leads to. */
export type LinkKind = 'kafka' | 'controller'

const linkKey = (from: number, to: number, kind: LinkKind): string => `${from}-${to}-${kind}`

export class ProxyFleet {
  readonly url: string
  readonly #toxiproxy: Toxiproxy
  readonly #prefix: string
  readonly #proxies = new Map<number, Proxy>()
  readonly #links = new Map<string, Proxy>()

  constructor (url: string, options: { prefix?: string } = {}) {
    this.url = url
    this.#toxiproxy = new Toxiproxy(url)
    this.#prefix = options.prefix ?? 'sluice-chaos-'
  }

  proxy (index: number): Proxy | null {
    return this.#proxies.get(index) ?? null
  }

  get size (): number {
    return this.#proxies.size
  }

  /** The proxy broker `from` uses to reach broker `to`'s `kind` listener; null without one. */
  link (from: number, to: number, kind: LinkKind): Proxy | null {
    return this.#links.get(linkKey(from, to, kind)) ?? null
  }

  get linkCount (): number {
    return this.#links.size
  }

  /** Creates the proxy for broker `index` in front of `upstream`; returns its listen address. */
  async create (index: number, upstream: string): Promise<string> {
    const proxy = await this.#createProxy(`${this.#prefix}${brokerName(index)}`, upstream)
    this.#proxies.set(index, proxy)
    return proxy.listen
  }

  /** Creates the proxy on the link from broker `from` to broker `to`'s `kind` listener at `upstream`. */
  async createLink (from: number, to: number, kind: LinkKind, upstream: string): Promise<string> {
    const proxy = await this.#createProxy(`${this.#prefix}link-${linkKey(from, to, kind)}`, upstream)
    this.#links.set(linkKey(from, to, kind), proxy)
    return proxy.listen
  }

  async #createProxy (name: string, upstream: string): Promise<Proxy> {
    const body = { name, listen: '127.0.0.1:0', upstream }
    return await faultStep('ERR_NEMESIS_TARGET', `create proxy ${name} in front of ${upstream} on ${this.url}`, async () => {
      try {
        return await this.#toxiproxy.createProxy(body)
      } catch (error) {
        if (!/status code 409/.test((error as Error).message)) throw error
        await (await this.#toxiproxy.get(name)).remove()
        return await this.#toxiproxy.createProxy(body)
      }
    })
  }

  /** Removes every toxic and enables every proxy of this fleet (not other users' proxies). */
  async healAll (): Promise<void> {
    for (const proxy of [...this.#proxies.values(), ...this.#links.values()]) {
      await faultStep('ERR_NEMESIS_HEAL', `heal proxy ${proxy.name}`, async () => {
        const { data } = await proxy.api.get(`${proxy.getPath()}/toxics`) as { data: Array<{ name: string }> | undefined }
        for (const toxic of (data ?? []).slice(0, TOXICS_PER_PROXY_MAX)) {
          try {
            await proxy.api.delete(`${proxy.getPath()}/toxics/${encodeURIComponent(toxic.name)}`)
          } catch (error) {
            if (!/status code 404/.test((error as Error).message)) throw error
          }
        }
        await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream })
      })
    }
  }

  /** Deletes this fleet's proxies; errors are ignored (the server may already be gone). */
  async removeAll (): Promise<void> {
    const proxies = [...this.#proxies.values(), ...this.#links.values()]
    this.#proxies.clear()
    this.#links.clear()
    await Promise.allSettled(proxies.map(proxy => proxy.remove()))
  }
}
