// The `split` fault: a network partition between brokers, built from the fleet's link
// proxies (proxies.ts). Each directed drop [a, b] of the grudge (grudge.ts) becomes, for the
// replication (kafka) and the controller listener alike, a `timeout` toxic with timeout 0
// (data dropped, connections left hanging, as a firewall DROP rule does) on
// - the upstream of link a -> b (requests a sends b), and
// - the downstream of link b -> a (responses a sends b),
// so nothing a sends reaches b whoever opened the connection; `links` narrows that to the
// replication or the controller listener alone. With `clients: cut` the
// cut-off brokers' client proxies drop both directions too. Healing removes exactly these
// toxics; removing a timeout toxic closes the connections it held, so both sides reconnect.

import { NemesisError } from './nemesis.ts'
import type { ActiveFault, FaultTarget, NemesisEntry } from './nemesis.ts'
import type { Grudge } from './grudge.ts'
import type { LinkKind, ProxyFleet } from './proxies.ts'
import { ToxicSet } from './toxic-set.ts'
import type { SplitLinks } from '../spec.ts'

const LINK_KINDS: Record<SplitLinks, readonly LinkKind[]> = { both: ['kafka', 'controller'], replication: ['kafka'], controller: ['controller'] }
const DROP = { timeout: 0 }

export async function startSplit (fleet: ProxyFleet | null, targets: readonly FaultTarget[], grudge: Grudge, entry: NemesisEntry, seq: number): Promise<ActiveFault> {
  if (fleet === null || fleet.linkCount === 0) {
    throw new NemesisError('ERR_NEMESIS_TARGET', 'split needs a proxy on every broker-to-broker link, which only the process backend with brokers > 1 builds; use kill, pause or the client-side network faults here')
  }
  if (grudge.drops.length === 0) throw new NemesisError('ERR_NEMESIS_TARGET', `split ${entry.topology ?? 'isolate'} of ${targets.length} broker(s) cuts no link; nothing to do`)
  const toxics = new ToxicSet()
  for (const [from, to] of grudge.drops) {
    for (const kind of LINK_KINDS[entry.links ?? 'both']) {
      const forward = fleet.link(from, to, kind)
      const backward = fleet.link(to, from, kind)
      if (forward === null || backward === null) {
        await toxics.heal().catch(() => {})
        throw new NemesisError('ERR_NEMESIS_TARGET', `no ${kind} link proxy between broker-${from} and broker-${to}`)
      }
      await toxics.add(forward, `split-${seq}-${from}-${to}-${kind}-requests`, 'timeout', 'upstream', DROP)
      await toxics.add(backward, `split-${seq}-${from}-${to}-${kind}-responses`, 'timeout', 'downstream', DROP)
    }
  }
  const clientsCut = entry.clients === 'cut' ? grudge.isolated : []
  for (const index of clientsCut) {
    const proxy = targets[index]?.proxy ?? null
    if (proxy === null) continue
    await toxics.add(proxy, `split-${seq}-clients-upstream`, 'timeout', 'upstream', DROP)
    await toxics.add(proxy, `split-${seq}-clients-downstream`, 'timeout', 'downstream', DROP)
  }
  return {
    detail: {
      topology: entry.topology ?? 'isolate',
      direction: entry.direction ?? 'both',
      clients: entry.clients ?? 'reach',
      links: entry.links ?? 'both',
      groups: grudge.groups.map(group => group.map(i => `broker-${i}`)),
      drops: grudge.drops.map(([from, to]) => `broker-${from}->broker-${to}`),
      toxics: toxics.names.length,
    },
    heal: () => toxics.heal(),
  }
}
