// Network faults, through the Toxiproxy API (toxiproxy-node-client) on the proxy in front of
// the target broker's client listener. The same code drives the embedded proxy server
// (chaos/toxiproxy) and a real Toxiproxy:
// - delay: `latency` toxic (latency, jitter in ms);
// - bandwidth: `bandwidth` toxic (rate in KB/s);
// - blackhole: `timeout` toxic with timeout 0: data is dropped and connections stay open
//   until the toxic is removed (removal closes them);
// - reset: `reset_peer` toxic: after the first data (and resetAfterMs), a TCP RST. With
//   stream downstream the request still reaches the broker while its response is lost,
//   which is what makes a retrying producer write twice;
// - proxy-down: the proxy disabled (enabled=false closes the listener and every live
//   connection), healed by enabling it again on the same listen address.
// Faults with stream "both" add one toxic per direction. Toxic names carry the fault's
// sequence number, so overlapping faults on one proxy never collide.

import type { ICreateToxicBody, Toxic } from 'toxiproxy-node-client'
import type { ProxyStream } from '../spec.ts'
import { faultStep, NemesisError } from './nemesis.ts'
import type { ActiveFault, FaultTarget, NemesisEntry } from './nemesis.ts'

type Direction = 'upstream' | 'downstream'
type ToxicKind = 'latency' | 'bandwidth' | 'timeout' | 'reset_peer'

function directions (stream: ProxyStream | null): Direction[] {
  if (stream === 'upstream' || stream === 'downstream') return [stream]
  return ['upstream', 'downstream']
}

function proxyOf (target: FaultTarget): NonNullable<FaultTarget['proxy']> {
  if (target.proxy === null) throw new NemesisError('ERR_NEMESIS_TARGET', `${target.name} has no proxy in front of it; network faults need one`)
  return target.proxy
}

/** A 404 on removal means the toxic is already gone (a reset healed it): that is healed. */
function isNotFound (error: unknown): boolean {
  return error instanceof Error && /status code 404/.test(error.message)
}

async function addToxics (target: FaultTarget, entry: NemesisEntry, seq: number, type: ToxicKind, attributes: Record<string, number>): Promise<ActiveFault> {
  const proxy = proxyOf(target)
  const toxics: Array<Toxic<unknown>> = []
  const names: string[] = []
  const heal = async (): Promise<void> => {
    while (toxics.length > 0) {
      const toxic = toxics.pop()!
      try {
        await toxic.remove()
      } catch (error) {
        if (!isNotFound(error)) throw new NemesisError('ERR_NEMESIS_HEAL', `remove toxic ${toxic.name} from ${proxy.name}: ${(error as Error).message}`, { cause: error })
      }
    }
  }
  try {
    for (const stream of directions(entry.stream)) {
      const name = `${entry.fault}-${seq}-${stream}`
      // The client's body type insists on every field; the API needs only type and attributes.
      const body = { name, type, stream, toxicity: 1, attributes } as unknown as ICreateToxicBody<unknown>
      toxics.push(await proxy.addToxic(body))
      names.push(name)
    }
  } catch (error) {
    // Never leave half a fault behind: remove what was added, then report.
    await heal().catch(() => {})
    throw new NemesisError('ERR_NEMESIS_FAULT', `add ${type} toxic to ${proxy.name}: ${(error as Error).message}`, { cause: error })
  }
  return { detail: { proxy: proxy.name, toxic: type, toxics: names, attributes }, heal }
}

export function startDelay (target: FaultTarget, entry: NemesisEntry, seq: number): Promise<ActiveFault> {
  return addToxics(target, entry, seq, 'latency', { latency: entry.latencyMs ?? 0, jitter: entry.jitterMs ?? 0 })
}

export function startBandwidth (target: FaultTarget, entry: NemesisEntry, seq: number): Promise<ActiveFault> {
  return addToxics(target, entry, seq, 'bandwidth', { rate: entry.rateKBps ?? 1 })
}

export function startBlackhole (target: FaultTarget, entry: NemesisEntry, seq: number): Promise<ActiveFault> {
  return addToxics(target, entry, seq, 'timeout', { timeout: 0 })
}

export function startReset (target: FaultTarget, entry: NemesisEntry, seq: number): Promise<ActiveFault> {
  return addToxics(target, entry, seq, 'reset_peer', { timeout: entry.resetAfterMs ?? 0 })
}

export async function startProxyDown (target: FaultTarget): Promise<ActiveFault> {
  const proxy = proxyOf(target)
  const { listen, upstream } = proxy
  await faultStep('ERR_NEMESIS_FAULT', `disable proxy ${proxy.name}`, () => proxy.update({ enabled: false, listen, upstream }))
  return {
    detail: { proxy: proxy.name, enabled: false },
    heal: async () => {
      await faultStep('ERR_NEMESIS_HEAL', `enable proxy ${proxy.name}`, () => proxy.update({ enabled: true, listen, upstream }))
    },
  }
}
