/**
 * The dependency graph between operations, Elle-style, for the cycle checker (cycles.ts).
 * Nodes are completed ops that wrote committed values or read values; edges say "must come
 * before":
 *
 * - ww: in a key's version order, the writer of one value precedes the writer of the next;
 * - wr: the writer of a value precedes every ok op that read it;
 * - process: a process's completed transactions, in order;
 * - realtime: an ok transaction that completed before another was invoked precedes it. Encoded with one
 *   "time node" per completion time, chained in time order, so the edges stay linear in the
 *   number of ops instead of quadratic. An `info` op may take effect any time after its invoke,
 *   so it precedes nothing in real time.
 *
 * Process and real-time edges join `txn` ops only. Between plain sends and polls that order is
 * what order, nonmonotonic-send, poll-skip and lost-write already judge key by key; a cycle
 * through them would report the same fact a second time.
 *
 * Adjacency is kept in typed arrays (compressed rows) so long histories stay compact.
 */
import type { Digest, OpTimes } from './digest.ts'
import type { Process } from './history.ts'
import { lowerBound } from './version-order.ts'
import type { VersionOrder } from './version-order.ts'

export const EDGE_KINDS = ['ww', 'wr', 'process', 'realtime'] as const
export type EdgeKind = (typeof EDGE_KINDS)[number]
export const WW = 0
export const WR = 1
export const PROCESS = 2
export const REALTIME = 3

export interface DependencyGraph {
  /** Op nodes are 0..opNodes-1; time nodes follow. */
  nodeCount: number
  opNodes: number
  /** History index of each op node. */
  opIndex: number[]
  /** Compressed rows: the edges of node n are rowStart[n] .. rowStart[n+1]-1. */
  rowStart: Int32Array
  target: Int32Array
  kind: Uint8Array
  /** Key an edge is about (ww, wr), or undefined. */
  edgeKey: Array<string | undefined>
}

interface NodeInfo extends OpTimes {
  op: number
  process: Process
  ok: boolean
  txn: boolean
}

class EdgeList {
  from: number[] = []
  to: number[] = []
  kinds: number[] = []
  keys: Array<string | undefined> = []
  add(from: number, to: number, kind: number, key?: string): void {
    if (from === to) return
    this.from.push(from)
    this.to.push(to)
    this.kinds.push(kind)
    this.keys.push(key)
  }
}

function collectNodes(digest: Digest): { nodes: NodeInfo[], nodeOf: Map<number, number> } {
  const nodes: NodeInfo[] = []
  const nodeOf = new Map<number, number>()
  const addNode = (event: OpTimes & { op: number, process: Process, type: string }): void => {
    if (nodeOf.has(event.op)) return
    nodeOf.set(event.op, nodes.length)
    nodes.push({
      op: event.op, process: event.process, ok: event.type === 'ok', txn: digest.txnOps.has(event.op), invokeNs: event.invokeNs, completeNs: event.completeNs,
    })
  }
  for (const sendOp of digest.sendOps) {
    // A plain send op with several sends is no unit: each send stands alone, so only
    // transactions and single sends are nodes.
    const unit = sendOp.sends.length === 1 || digest.txnOps.has(sendOp.op)
    if (unit && sendOp.sends.some((send) => send.committed)) addNode(sendOp)
  }
  for (const poll of digest.polls) if (poll.type === 'ok' && poll.reads.size > 0) addNode(poll)
  return { nodes, nodeOf }
}

function writersOf(digest: Digest, nodeOf: Map<number, number>): Map<string, Map<number, number>> {
  const writers = new Map<string, Map<number, number>>()
  for (const send of digest.sends) {
    const node = nodeOf.get(send.op)
    if (!send.committed || node === undefined) continue
    let byValue = writers.get(send.key)
    if (byValue === undefined) writers.set(send.key, (byValue = new Map()))
    byValue.set(send.value, node)
  }
  return writers
}

function addWriteEdges(edges: EdgeList, order: VersionOrder, writers: Map<string, Map<number, number>>): void {
  for (const [key, keyOrder] of order) {
    const byValue = writers.get(key)
    if (byValue === undefined) continue
    let previous: number | undefined
    for (const offset of keyOrder.offsets) {
      // An offset holding several values (inconsistent-offsets) orders nothing.
      if (keyOrder.moreValuesAt.has(offset)) continue
      const value = keyOrder.valueAt.get(offset)!
      // A value seen at several offsets (duplicate) is placed at its first one only.
      if (keyOrder.offsetOf.get(value) !== offset) continue
      const writer = byValue.get(value)
      if (writer === undefined) continue
      if (previous !== undefined) edges.add(previous, writer, WW, key)
      previous = writer
    }
  }
}

function addReadEdges(edges: EdgeList, digest: Digest, nodeOf: Map<number, number>, writers: Map<string, Map<number, number>>): void {
  for (const poll of digest.polls) {
    const reader = nodeOf.get(poll.op)
    if (poll.type !== 'ok' || reader === undefined) continue
    for (const [key, records] of poll.reads) {
      const byValue = writers.get(key)
      if (byValue === undefined) continue
      for (const [, value] of records) {
        const writer = byValue.get(value)
        if (writer !== undefined) edges.add(writer, reader, WR, key)
      }
    }
  }
}

function addOrderEdges(edges: EdgeList, nodes: NodeInfo[]): number {
  const byProcess = new Map<Process, number>()
  const sorted = nodes.map((_, i) => i).filter((i) => nodes[i]!.txn).sort((a, b) => nodes[a]!.op - nodes[b]!.op)
  for (const node of sorted) {
    const previous = byProcess.get(nodes[node]!.process)
    if (previous !== undefined) edges.add(previous, node, PROCESS)
    byProcess.set(nodes[node]!.process, node)
  }
  const completions = [...new Set(nodes.filter((n) => n.ok && n.txn).map((n) => n.completeNs))].sort((a, b) => a - b)
  const timeNode = (j: number): number => nodes.length + j
  for (let j = 1; j < completions.length; j++) edges.add(timeNode(j - 1), timeNode(j), REALTIME)
  nodes.forEach((node, i) => {
    if (!node.txn) return
    if (node.ok) edges.add(i, timeNode(lastBelow(completions, node.completeNs) + 1), REALTIME)
    const before = lastBelow(completions, node.invokeNs)
    if (node.invokeNs >= 0 && before >= 0) edges.add(timeNode(before), i, REALTIME)
  })
  return completions.length
}

/** Index of the last element of an ascending array below `bound`, or -1. */
function lastBelow(sorted: readonly number[], bound: number): number {
  return lowerBound(sorted, bound) - 1
}

export function buildDependencyGraph(digest: Digest, order: VersionOrder): DependencyGraph {
  const { nodes, nodeOf } = collectNodes(digest)
  const edges = new EdgeList()
  const writers = writersOf(digest, nodeOf)
  addWriteEdges(edges, order, writers)
  addReadEdges(edges, digest, nodeOf, writers)
  const timeNodes = addOrderEdges(edges, nodes)
  const nodeCount = nodes.length + timeNodes
  const rowStart = new Int32Array(nodeCount + 1)
  for (const from of edges.from) rowStart[from + 1]!++
  for (let n = 0; n < nodeCount; n++) rowStart[n + 1]! += rowStart[n]!
  const fill = rowStart.slice(0, nodeCount)
  const target = new Int32Array(edges.from.length)
  const kind = new Uint8Array(edges.from.length)
  const edgeKey: Array<string | undefined> = new Array(edges.from.length)
  edges.from.forEach((from, e) => {
    const slot = fill[from]!++
    target[slot] = edges.to[e]!
    kind[slot] = edges.kinds[e]!
    edgeKey[slot] = edges.keys[e]
  })
  return { nodeCount, opNodes: nodes.length, opIndex: nodes.map((n) => n.op), rowStart, target, kind, edgeKey }
}
