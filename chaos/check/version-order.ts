/**
 * The version order of each key: which values were observed at which offset, built from committed
 * sends (the offset the broker acknowledged; an `info` send once proven committed) and from every
 * poll whatever its outcome (the offset it was read at: what a poll returned is a fact).
 * Failed sends and unproven `info` sends add nothing: their offsets are not facts.
 *
 * Poll-order and send-order checkers compare positions by rank (the index of an offset among all
 * offsets observed for the key), not by raw offset, so gaps left by transaction markers or by
 * offsets nobody observed are not mistaken for skipped values.
 *
 * Kept compact for long histories: one value per offset and one offset per value in sorted typed
 * arrays (plain maps while building),
 * the rare extra ones (inconsistent offsets, duplicates) aside, and no op indexes: the few cases
 * that need evidence find their ops again with `observersAt`.
 */
import type { Digest } from './digest.ts'

/** The read side of a number -> number map: what checkers ask of the version order. */
export interface NumberLookup {
  readonly size: number
  get (key: number): number | undefined
  has (key: number): boolean
  keys (): IterableIterator<number>
}

/**
 * A frozen number -> number map as two sorted typed arrays, 16 bytes an entry instead of the
 * 40 to 90 a Map takes: the version order holds one entry per value and per offset read.
 */
export class SortedNumberMap implements NumberLookup {
  readonly #keys: Float64Array
  readonly #values: Float64Array

  constructor (map: ReadonlyMap<number, number>) {
    this.#keys = Float64Array.from(map.keys()).sort()
    this.#values = new Float64Array(this.#keys.length)
    for (let i = 0; i < this.#keys.length; i++) this.#values[i] = map.get(this.#keys[i]!)!
  }

  get size (): number { return this.#keys.length }

  get (key: number): number | undefined {
    const at = lowerBound(this.#keys, key)
    return this.#keys[at] === key ? this.#values[at] : undefined
  }

  has (key: number): boolean { return this.#keys[lowerBound(this.#keys, key)] === key }

  keys (): IterableIterator<number> { return this.#keys.values() }
}

export interface KeyOrder {
  key: string
  /** every observed offset, ascending */
  offsets: Float64Array
  /** offset -> the first value observed there */
  valueAt: NumberLookup
  /** offset -> further values observed there (inconsistent offsets; rare) */
  moreValuesAt: Map<number, number[]>
  /** value -> the lowest offset it was observed at */
  offsetOf: NumberLookup
  /** value -> further offsets it was observed at (duplicates; rare) */
  moreOffsetsOf: Map<number, number[]>
}

export type VersionOrder = Map<string, KeyOrder>

function addExtra(extras: Map<number, number[]>, outer: number, inner: number): void {
  const list = extras.get(outer)
  if (list === undefined) extras.set(outer, [inner])
  else if (!list.includes(inner)) list.push(inner)
}

/** A key's order while it is built: plain maps, frozen into sorted arrays when complete. */
interface Building {
  key: string
  valueAt: Map<number, number>
  moreValuesAt: Map<number, number[]>
  offsetOf: Map<number, number>
  moreOffsetsOf: Map<number, number[]>
}

function observe(order: Map<string, Building>, key: string, offset: number, value: number): void {
  let keyOrder = order.get(key)
  if (keyOrder === undefined) {
    keyOrder = { key, valueAt: new Map(), moreValuesAt: new Map(), offsetOf: new Map(), moreOffsetsOf: new Map() }
    order.set(key, keyOrder)
  }
  const known = keyOrder.valueAt.get(offset)
  if (known === undefined) keyOrder.valueAt.set(offset, value)
  else if (known !== value) addExtra(keyOrder.moreValuesAt, offset, value)
  const at = keyOrder.offsetOf.get(value)
  if (at === undefined) keyOrder.offsetOf.set(value, offset)
  else if (at !== offset) {
    const [low, high] = offset < at ? [offset, at] : [at, offset]
    keyOrder.offsetOf.set(value, low)
    addExtra(keyOrder.moreOffsetsOf, value, high)
    // The extra list never holds the lowest offset.
    const extras = keyOrder.moreOffsetsOf.get(value)!
    const lowAt = extras.indexOf(low)
    if (lowAt !== -1) extras.splice(lowAt, 1)
  }
}

export function buildVersionOrder(digest: Digest): VersionOrder {
  const building = new Map<string, Building>()
  const order: VersionOrder = new Map()
  for (const send of digest.sends) {
    if (send.committed && send.offset !== null) observe(building, send.key, send.offset, send.value)
  }
  for (const poll of digest.polls) {
    for (const [key, records] of poll.reads) {
      for (const [offset, value] of records) observe(building, key, offset, value)
    }
  }
  // Freeze key by key, letting each key's maps go as soon as its arrays exist.
  for (const [key, b] of building) {
    building.delete(key)
    const valueAt = new SortedNumberMap(b.valueAt)
    b.valueAt.clear()
    const offsetOf = new SortedNumberMap(b.offsetOf)
    b.offsetOf.clear()
    order.set(key, { key, offsets: Float64Array.from(valueAt.keys()), valueAt, moreValuesAt: b.moreValuesAt, offsetOf, moreOffsetsOf: b.moreOffsetsOf })
  }
  return order
}

/** Every value observed at an offset, ascending. */
export function valuesAt(keyOrder: KeyOrder, offset: number): number[] {
  const first = keyOrder.valueAt.get(offset)
  if (first === undefined) return []
  return [first, ...(keyOrder.moreValuesAt.get(offset) ?? [])].sort((a, b) => a - b)
}

/** Every offset a value was observed at, ascending; empty if never observed. */
export function offsetsOf(keyOrder: KeyOrder, value: number): number[] {
  const lowest = keyOrder.offsetOf.get(value)
  if (lowest === undefined) return []
  return [lowest, ...(keyOrder.moreOffsetsOf.get(value) ?? [])].sort((a, b) => a - b)
}

export interface Position {
  rank: number
  offset: number
}

/** Where a value sits in its key's log: its lowest observed offset, or undefined if never seen. */
export function positionOf(keyOrder: KeyOrder | undefined, value: number): Position | undefined {
  const lowest = keyOrder?.offsetOf.get(value)
  if (keyOrder === undefined || lowest === undefined) return undefined
  return { rank: rankOf(keyOrder, lowest), offset: lowest }
}

/** Index of the first element of an ascending list that is not below `bound` (its length if none). */
export function lowerBound(sorted: ArrayLike<number>, bound: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid]! < bound) low = mid + 1
    else high = mid
  }
  return low
}

/** Rank of an offset that is known to have been observed (every polled offset is). */
export function rankOf(keyOrder: KeyOrder, offset: number): number {
  const low = lowerBound(keyOrder.offsets, offset)
  if (keyOrder.offsets[low] !== offset) throw new Error(`offset ${offset} of key "${keyOrder.key}" is not in the version order`)
  return low
}

/** key -> offset -> value -> indexes of the ops that observed that value there. */
export type Observers = Map<string, Map<number, Map<number, number[]>>>

/**
 * Finds the ops that observed the given offsets of the given keys (committed sends and polls
 * of any outcome, as the version order counts them): one scan of the digest, for evidence.
 */
export function observersAt(digest: Digest, wanted: ReadonlyMap<string, ReadonlySet<number>>): Observers {
  const found: Observers = new Map()
  const note = (key: string, offset: number, value: number, op: number): void => {
    if (wanted.get(key)?.has(offset) !== true) return
    let byOffset = found.get(key)
    if (byOffset === undefined) found.set(key, (byOffset = new Map()))
    let byValue = byOffset.get(offset)
    if (byValue === undefined) byOffset.set(offset, (byValue = new Map()))
    const ops = byValue.get(value)
    if (ops === undefined) byValue.set(value, [op])
    else if (!ops.includes(op)) ops.push(op)
  }
  for (const send of digest.sends) if (send.committed && send.offset !== null) note(send.key, send.offset, send.value, send.op)
  for (const poll of digest.polls) {
    for (const [key, records] of poll.reads) {
      if (!wanted.has(key)) continue
      for (const [offset, value] of records) note(key, offset, value, poll.op)
    }
  }
  return found
}

/** Adds an offset of a key to a `wanted` map for `observersAt`. */
export function want(wanted: Map<string, Set<number>>, key: string, offset: number): void {
  const offsets = wanted.get(key)
  if (offsets === undefined) wanted.set(key, new Set([offset]))
  else offsets.add(offset)
}

/** All op indexes in lists, sorted and without repeats. */
export function opsOf(lists: Iterable<readonly number[]>): number[] {
  const ops = new Set<number>()
  for (const list of lists) for (const op of list) ops.add(op)
  return [...ops].sort((a, b) => a - b)
}
