/**
 * G0 and G1c, Elle-style: cycles in the dependency graph (dependency-graph.ts).
 *
 * - G0 (write cycle): a cycle of ww edges (plus process or real-time order): writers of two keys
 *   interleaved so that no order of the transactions explains both logs.
 * - G1c (circular information flow): a cycle of ww and wr edges with at least one wr: a
 *   transaction read another's write while the other (transitively) depended on it.
 *
 * Strongly connected components are found first (Tarjan, iterative so a long history cannot
 * overflow the stack); each component with a cycle yields one case: the shortest cycle found
 * with the fewest edge kinds (ww only, then ww+wr, then with process and real-time order),
 * its ops as evidence and its edges spelled out in the note.
 */
import { addCase } from './anomaly.ts'
import type { CheckContext, Checker, Findings } from './anomaly.ts'
import { buildDependencyGraph, EDGE_KINDS, PROCESS, REALTIME, WR, WW } from './dependency-graph.ts'
import type { DependencyGraph } from './dependency-graph.ts'

/** Start nodes tried per component and edge set when looking for a short cycle. */
const CYCLE_STARTS_MAX = 64

export function stronglyConnected(graph: DependencyGraph): Int32Array {
  const n = graph.nodeCount
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const component = new Int32Array(n).fill(-1)
  const onStack = new Uint8Array(n)
  const stack: number[] = []
  const callNode: number[] = []
  const callEdge: number[] = []
  let counter = 0
  let components = 0
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue
    callNode.push(root)
    callEdge.push(graph.rowStart[root]!)
    index[root] = low[root] = counter++
    stack.push(root)
    onStack[root] = 1
    while (callNode.length > 0) {
      const v = callNode.at(-1)!
      const e = callEdge.at(-1)!
      if (e < graph.rowStart[v + 1]!) {
        callEdge[callEdge.length - 1] = e + 1
        const w = graph.target[e]!
        if (index[w] === -1) {
          index[w] = low[w] = counter++
          stack.push(w)
          onStack[w] = 1
          callNode.push(w)
          callEdge.push(graph.rowStart[w]!)
        } else if (onStack[w] === 1) low[v] = Math.min(low[v]!, index[w]!)
        continue
      }
      callNode.pop()
      callEdge.pop()
      if (callNode.length > 0) {
        const parent = callNode.at(-1)!
        low[parent] = Math.min(low[parent]!, low[v]!)
      }
      if (low[v] !== index[v]) continue
      let w: number
      do {
        w = stack.pop()!
        onStack[w] = 0
        component[w] = components
      } while (w !== v)
      components++
    }
  }
  return component
}

interface Step {
  node: number
  /** Edge slot taken to reach `node`. */
  edge: number
}

/** Shortest cycle through `start` using only `allowed` edge kinds and nodes of `component`. */
function cycleThrough(graph: DependencyGraph, components: Int32Array, start: number, allowed: ReadonlySet<number>): Step[] | undefined {
  const cid = components[start]!
  const cameBy = new Map<number, Step>()
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    for (let e = graph.rowStart[v]!; e < graph.rowStart[v + 1]!; e++) {
      const w = graph.target[e]!
      if (!allowed.has(graph.kind[e]!) || components[w] !== cid) continue
      if (w === start) {
        const path: Step[] = [{ node: start, edge: e }]
        for (let at = v; at !== start; at = cameBy.get(at)!.node) path.unshift({ node: at, edge: cameBy.get(at)!.edge })
        return path
      }
      if (cameBy.has(w)) continue
      cameBy.set(w, { node: v, edge: e })
      queue.push(w)
    }
  }
  return undefined
}

const EDGE_SETS: ReadonlyArray<ReadonlySet<number>> = [new Set([WW]), new Set([WW, WR]), new Set([WW, WR, PROCESS, REALTIME])]

function shortestCycle(graph: DependencyGraph, components: Int32Array, members: number[]): Step[] | undefined {
  for (const allowed of EDGE_SETS) {
    let best: Step[] | undefined
    for (const start of members.slice(0, CYCLE_STARTS_MAX)) {
      const cycle = cycleThrough(graph, components, start, allowed)
      if (cycle !== undefined && (best === undefined || cycle.length < best.length)) best = cycle
    }
    if (best !== undefined) return best
  }
  return undefined
}

/** Collapses time nodes: op -> t_i -> ... -> t_j -> op reads as one real-time edge. */
function describe(graph: DependencyGraph, cycle: Step[]): { ops: number[], edges: string[], kinds: Set<number> } {
  const ops: number[] = []
  const edges: string[] = []
  const kinds = new Set<number>()
  let pendingRealtime = false
  for (const step of cycle) {
    const kind = graph.kind[step.edge]!
    kinds.add(kind)
    if (step.node >= graph.opNodes) {
      pendingRealtime = true
      continue
    }
    const keyId = graph.edgeKey[step.edge]!
    const key = keyId === -1 ? undefined : graph.keys[keyId]
    edges.push(pendingRealtime || kind === REALTIME ? 'realtime' : key === undefined ? EDGE_KINDS[kind]! : `${EDGE_KINDS[kind]!} ${JSON.stringify(key)}`)
    pendingRealtime = false
    ops.push(graph.opIndex[step.node]!)
  }
  // The cycle's steps name the node each edge reaches: rotate so each op is followed by the edge leaving it.
  return { ops: [ops.at(-1)!, ...ops.slice(0, -1)], edges, kinds }
}

export function checkCycles(context: CheckContext): Findings {
  const findings: Findings = {}
  // Without transactions no cycle can form: a plain send writes one value of one key, so ww
  // edges only chain along each key's log, and a plain poll has no outgoing edge at all
  // (process and real-time edges join transactions only). Long plain histories skip the graph.
  if (context.digest.txnOps.size === 0) return findings
  const graph = buildDependencyGraph(context.digest, context.order)
  const components = stronglyConnected(graph)
  // Most ops sit alone in their component: count first, then list only the components that
  // can hold a cycle (a list per op would cost more than the graph).
  const sizes = new Int32Array(graph.nodeCount)
  for (let node = 0; node < graph.opNodes; node++) sizes[components[node]!]!++
  const members = new Map<number, number[]>()
  for (let node = 0; node < graph.opNodes; node++) {
    if (sizes[components[node]!]! < 2) continue
    const list = members.get(components[node]!)
    if (list === undefined) members.set(components[node]!, [node])
    else list.push(node)
  }
  for (const nodes of members.values()) {
    if (nodes.length < 2) continue
    const cycle = shortestCycle(graph, components, nodes)
    if (cycle === undefined) continue
    const { ops, edges, kinds } = describe(graph, cycle)
    const ordered = kinds.has(PROCESS) || kinds.has(REALTIME)
    const chain = ops.map((op, i) => `op ${op} -${edges[i]}->`).join(' ') + ` op ${ops[0]}`
    addCase(findings, kinds.has(WR) ? 'G1c' : 'G0', {
      values: [],
      offsets: [],
      ops,
      ...(ordered ? { kind: kinds.has(REALTIME) ? 'realtime' : 'process' } : {}),
      note: `cycle of ${nodes.length === ops.length ? '' : `${ops.length} of ${nodes.length} `}ops: ${chain}`,
    })
  }
  return findings
}

export const cycleChecker: Checker = { name: 'cycles (G0, G1c)', check: checkCycles }
