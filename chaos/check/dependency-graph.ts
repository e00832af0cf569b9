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
 * Nodes, edges and adjacency are kept in typed arrays (compressed rows) so long histories stay
 * compact.
 */
import { Float64Column, Int32Column, KeyTable, Uint8Column } from './columns.ts'
import type { Digest, OpTimes } from './digest.ts'
import { encodeProcess } from './event-store.ts'
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
  opIndex: Float64Array
  /** Compressed rows: the edges of node n are rowStart[n] .. rowStart[n+1]-1. */
  rowStart: Int32Array
  target: Int32Array
  kind: Uint8Array
  /** Key an edge is about (ww, wr) as an index into `keys`, or -1. */
  edgeKey: Int32Array
  keys: readonly string[]
}

/**
 * Op nodes in typed columns, numbered as found: first the qualifying send and txn ops, then
 * the polls that are not already nodes, each run in history order, so a node is found again
 * by binary search in either run.
 */
class Nodes {
  readonly op = new Float64Column()
  readonly process = new Int32Column()
  readonly ok = new Uint8Column()
  readonly txn = new Uint8Column()
  readonly invokeNs = new Float64Column()
  readonly completeNs = new Float64Column()
  /** Nodes below this came from send ops, the rest from polls. */
  firstPollNode = 0

  get length (): number { return this.op.length }

  add (event: OpTimes & { op: number, process: Process, type: string }, txn: boolean): void {
    this.op.push(event.op)
    this.process.push(encodeProcess(event.process))
    this.ok.push(event.type === 'ok' ? 1 : 0)
    this.txn.push(txn ? 1 : 0)
    this.invokeNs.push(event.invokeNs)
    this.completeNs.push(event.completeNs)
  }

  /** The node of a history op, or -1. */
  of (op: number): number {
    const inRun = (low: number, high: number): number => {
      while (low < high) {
        const mid = (low + high) >>> 1
        if (this.op.get(mid) < op) low = mid + 1
        else high = mid
      }
      return low < this.op.length && this.op.get(low) === op ? low : -1
    }
    const fromSends = inRun(0, this.firstPollNode)
    return fromSends !== -1 && fromSends < this.firstPollNode ? fromSends : inRun(this.firstPollNode, this.op.length)
  }
}

class EdgeList {
  readonly from = new Int32Column()
  readonly to = new Int32Column()
  readonly kinds = new Uint8Column()
  readonly keyIds = new Int32Column()
  readonly keys = new KeyTable()
  add(from: number, to: number, kind: number, key?: string): void {
    if (from === to) return
    this.from.push(from)
    this.to.push(to)
    this.kinds.push(kind)
    this.keyIds.push(key === undefined ? -1 : this.keys.id(key))
  }
}

function collectNodes(digest: Digest): Nodes {
  const nodes = new Nodes()
  for (const sendOp of digest.sendOps) {
    // A plain send op with several sends is no unit: each send stands alone, so only
    // transactions and single sends are nodes.
    const txn = digest.txnOps.has(sendOp.op)
    const unit = sendOp.sends.length === 1 || txn
    if (unit && sendOp.sends.some((send) => send.committed)) nodes.add(sendOp, txn)
  }
  nodes.firstPollNode = nodes.length
  for (const poll of digest.polls) {
    if (poll.type !== 'ok' || poll.reads.size === 0) continue
    if (poll.f === 'txn' && nodes.of(poll.op) !== -1) continue
    nodes.add(poll, digest.txnOps.has(poll.op))
  }
  return nodes
}

function writersOf(digest: Digest, nodes: Nodes): Map<string, Map<number, number>> {
  const writers = new Map<string, Map<number, number>>()
  for (const sendOp of digest.sendOps) {
    const node = nodes.of(sendOp.op)
    if (node === -1) continue
    for (const send of sendOp.sends) {
      if (!send.committed) continue
      let byValue = writers.get(send.key)
      if (byValue === undefined) writers.set(send.key, (byValue = new Map()))
      byValue.set(send.value, node)
    }
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

function addReadEdges(edges: EdgeList, digest: Digest, nodes: Nodes, writers: Map<string, Map<number, number>>): void {
  for (const poll of digest.polls) {
    if (poll.type !== 'ok') continue
    const reader = nodes.of(poll.op)
    if (reader === -1) continue
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

function addOrderEdges(edges: EdgeList, nodes: Nodes): number {
  const txnNodes: number[] = []
  for (let i = 0; i < nodes.length; i++) if (nodes.txn.get(i) === 1) txnNodes.push(i)
  txnNodes.sort((a, b) => nodes.op.get(a) - nodes.op.get(b))
  const byProcess = new Map<number, number>()
  for (const node of txnNodes) {
    const previous = byProcess.get(nodes.process.get(node))
    if (previous !== undefined) edges.add(previous, node, PROCESS)
    byProcess.set(nodes.process.get(node), node)
  }
  const completions = [...new Set(txnNodes.filter((i) => nodes.ok.get(i) === 1).map((i) => nodes.completeNs.get(i)))].sort((a, b) => a - b)
  const timeNode = (j: number): number => nodes.length + j
  for (let j = 1; j < completions.length; j++) edges.add(timeNode(j - 1), timeNode(j), REALTIME)
  for (let i = 0; i < nodes.length; i++) {
    if (nodes.txn.get(i) !== 1) continue
    if (nodes.ok.get(i) === 1) edges.add(i, timeNode(lastBelow(completions, nodes.completeNs.get(i)) + 1), REALTIME)
    const invokeNs = nodes.invokeNs.get(i)
    const before = lastBelow(completions, invokeNs)
    if (invokeNs >= 0 && before >= 0) edges.add(timeNode(before), i, REALTIME)
  }
  return completions.length
}

/** Index of the last element of an ascending array below `bound`, or -1. */
function lastBelow(sorted: readonly number[], bound: number): number {
  return lowerBound(sorted, bound) - 1
}

export function buildDependencyGraph(digest: Digest, order: VersionOrder): DependencyGraph {
  const nodes = collectNodes(digest)
  const edges = new EdgeList()
  const writers = writersOf(digest, nodes)
  addWriteEdges(edges, order, writers)
  addReadEdges(edges, digest, nodes, writers)
  const timeNodes = addOrderEdges(edges, nodes)
  const nodeCount = nodes.length + timeNodes
  const edgeCount = edges.from.length
  const rowStart = new Int32Array(nodeCount + 1)
  for (let e = 0; e < edgeCount; e++) rowStart[edges.from.get(e) + 1]!++
  for (let n = 0; n < nodeCount; n++) rowStart[n + 1]! += rowStart[n]!
  const fill = rowStart.slice(0, nodeCount)
  const target = new Int32Array(edgeCount)
  const kind = new Uint8Array(edgeCount)
  const edgeKey = new Int32Array(edgeCount)
  for (let e = 0; e < edgeCount; e++) {
    const slot = fill[edges.from.get(e)]!++
    target[slot] = edges.to.get(e)
    kind[slot] = edges.kinds.get(e)
    edgeKey[slot] = edges.keyIds.get(e)
  }
  const keys = Array.from({ length: edges.keys.size }, (_, id) => edges.keys.key(id))
  const opIndex = Float64Array.from({ length: nodes.length }, (_, i) => nodes.op.get(i))
  return { nodeCount, opNodes: nodes.length, opIndex, rowStart, target, kind, edgeKey, keys }
}
