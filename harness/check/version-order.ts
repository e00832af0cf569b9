/**
 * The version order of each key: which values were observed at which offset, built from committed
 * sends (the offset the broker acknowledged; an `info` send once proven committed) and from every
 * poll whatever its outcome (the offset it was read at: what a poll returned is a fact).
 * Failed sends and unproven `info` sends add nothing: their offsets are not facts.
 *
 * Poll-order and send-order checkers compare positions by rank (the index of an offset among all
 * offsets observed for the key), not by raw offset, so gaps left by transaction markers or by
 * offsets nobody observed are not mistaken for skipped values.
 */
import type { Digest } from './digest.ts'

export interface KeyOrder {
  key: string
  /** offset -> value -> indexes of the ops that observed it there */
  byOffset: Map<number, Map<number, number[]>>
  /** value -> offset -> indexes of the ops that observed it there */
  byValue: Map<number, Map<number, number[]>>
  /** every observed offset, ascending */
  offsets: number[]
  /** offset -> its index in `offsets` */
  rank: Map<number, number>
}

export type VersionOrder = Map<string, KeyOrder>

function observe(order: VersionOrder, key: string, offset: number, value: number, op: number): void {
  let keyOrder = order.get(key)
  if (keyOrder === undefined) {
    keyOrder = { key, byOffset: new Map(), byValue: new Map(), offsets: [], rank: new Map() }
    order.set(key, keyOrder)
  }
  addOp(keyOrder.byOffset, offset, value, op)
  addOp(keyOrder.byValue, value, offset, op)
}

function addOp(index: Map<number, Map<number, number[]>>, outer: number, inner: number, op: number): void {
  let innerMap = index.get(outer)
  if (innerMap === undefined) {
    innerMap = new Map()
    index.set(outer, innerMap)
  }
  const ops = innerMap.get(inner)
  if (ops === undefined) innerMap.set(inner, [op])
  else if (ops.at(-1) !== op) ops.push(op)
}

export function buildVersionOrder(digest: Digest): VersionOrder {
  const order: VersionOrder = new Map()
  for (const send of digest.sends) {
    if (send.committed && send.offset !== null) observe(order, send.key, send.offset, send.value, send.op)
  }
  for (const poll of digest.polls) {
    for (const [key, records] of poll.reads) {
      for (const [offset, value] of records) observe(order, key, offset, value, poll.op)
    }
  }
  for (const keyOrder of order.values()) {
    keyOrder.offsets = [...keyOrder.byOffset.keys()].sort((a, b) => a - b)
    keyOrder.offsets.forEach((offset, i) => keyOrder.rank.set(offset, i))
  }
  return order
}

export interface Position {
  rank: number
  offset: number
}

/** Where a value sits in its key's log: its lowest observed offset, or undefined if never seen. */
export function positionOf(keyOrder: KeyOrder | undefined, value: number): Position | undefined {
  const offsets = keyOrder?.byValue.get(value)
  if (keyOrder === undefined || offsets === undefined) return undefined
  let lowest = Infinity
  for (const offset of offsets.keys()) lowest = Math.min(lowest, offset)
  return { rank: keyOrder.rank.get(lowest)!, offset: lowest }
}

/** Rank of an offset that is known to have been observed (every polled offset is). */
export function rankOf(keyOrder: KeyOrder, offset: number): number {
  const rank = keyOrder.rank.get(offset)
  if (rank === undefined) throw new Error(`offset ${offset} of key "${keyOrder.key}" is not in the version order`)
  return rank
}

/** All op indexes in an inner map, sorted and without repeats. */
export function opsOf(inner: Map<number, number[]>): number[] {
  const ops = new Set<number>()
  for (const list of inner.values()) for (const op of list) ops.add(op)
  return [...ops].sort((a, b) => a - b)
}
