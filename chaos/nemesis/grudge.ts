// Which broker-to-broker traffic a `split` drops, as Jepsen's nemesis calls it a grudge: a
// list of directed drops [from, to] ("what `from` sends `to` is lost"). Pure functions of the
// topology and a node order the schedule drew from the run's seed, so a run replays.
//
// - isolate: the targets against the rest (or against `peers` only, when given); `direction`
//   in / out cuts one way only.
// - halves: a minority against the majority (the targets are the minority).
// - bridge: two halves that cannot see each other and one node that sees both.
// - ring: every node sees a majority of its own (itself and the next floor(n/2) nodes
//   around the ring) and drops what the others send it; no two nodes share a majority.

import type { SplitDirection, SplitTopology } from '../spec.ts'

export type Drop = readonly [from: number, to: number]

export interface Grudge {
  /** The groups as the history names them (for a ring, each node's majority). */
  groups: number[][]
  drops: Drop[]
  /** The nodes cut off from clients too when the split says `clients: cut`. */
  isolated: number[]
}

const byNumber = (a: number, b: number): number => a - b

/** Every drop between the two groups, in the directions asked for. */
function between (group: readonly number[], rest: readonly number[], direction: SplitDirection): Drop[] {
  const drops: Drop[] = []
  for (const a of group) {
    for (const b of rest) {
      if (direction !== 'in') drops.push([a, b])
      if (direction !== 'out') drops.push([b, a])
    }
  }
  return drops
}

function isolate (targets: readonly number[], brokers: number, direction: SplitDirection, peers: readonly number[] | null): Grudge {
  const group = [...new Set(targets)].filter(i => i >= 0 && i < brokers).sort(byNumber)
  const rest = Array.from({ length: brokers }, (_, i) => i).filter(i => !group.includes(i) && (peers === null || peers.includes(i)))
  return { groups: [group, rest], drops: between(group, rest, direction), isolated: group }
}

function bridge (order: readonly number[]): Grudge {
  const half = Math.floor(order.length / 2)
  const left = order.slice(0, half).sort(byNumber)
  const middle = order[half]
  const right = order.slice(half + 1).sort(byNumber)
  return { groups: [left, middle === undefined ? [] : [middle], right], drops: between(left, right, 'both'), isolated: [] }
}

function ring (order: readonly number[]): Grudge {
  const n = order.length
  const majority = Math.floor(n / 2) + 1
  const groups: number[][] = []
  const drops: Drop[] = []
  order.forEach((node, k) => {
    const sees = Array.from({ length: majority }, (_, i) => order[(k + i) % n]!)
    groups.push([...sees].sort(byNumber))
    for (const other of order) if (!sees.includes(other)) drops.push([other, node])
  })
  return { groups, drops, isolated: [] }
}

/**
 * The grudge of one split. `nodes` are the targets for isolate and halves, and a permutation
 * of every broker for bridge and ring; `peers` (isolate only) narrows the other side.
 */
export function splitGrudge (topology: SplitTopology, nodes: readonly number[], brokers: number, direction: SplitDirection = 'both', peers: readonly number[] | null = null): Grudge {
  switch (topology) {
    case 'isolate': return isolate(nodes, brokers, direction, peers)
    case 'halves': return isolate(nodes, brokers, 'both', null)
    case 'bridge': return bridge(nodes)
    case 'ring': return ring(nodes)
  }
}
