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

import type { ProxyStream } from '../spec.ts'
import { faultStep, NemesisError } from './nemesis.ts'
import type { ActiveFault, FaultTarget, NemesisEntry } from './nemesis.ts'
import { ToxicSet, type Direction, type ToxicKind } from './toxic-set.ts'

function directions (stream: ProxyStream | null): Direction[] {
  if (stream === 'upstream' || stream === 'downstream') return [stream]
  return ['upstream', 'downstream']
}

function proxyOf (target: FaultTarget): NonNullable<FaultTarget['proxy']> {
  if (target.proxy === null) throw new NemesisError('ERR_NEMESIS_TARGET', `${target.name} has no proxy in front of it; network faults need one`)
  return target.proxy
}

async function addToxics (target: FaultTarget, entry: NemesisEntry, seq: number, type: ToxicKind, attributes: Record<string, number>): Promise<ActiveFault> {
  const proxy = proxyOf(target)
  const toxics = new ToxicSet()
  const names: string[] = []
  for (const stream of directions(entry.stream)) {
    const name = `${entry.fault}-${seq}-${stream}`
    await toxics.add(proxy, name, type, stream, attributes)
    names.push(name)
  }
  return { detail: { proxy: proxy.name, toxic: type, toxics: names, attributes }, heal: () => toxics.heal() }
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
