/**
 * Growable typed-array columns: what the digest keeps per send and per poll record, a few bytes
 * a field instead of a JavaScript object each, so that checking a 10M-op history stays far
 * below a gigabyte of heap (objects cost 60 to 200 bytes each).
 */

type TypedArray = Float64Array | Int32Array | Uint8Array

abstract class Column<T extends TypedArray> {
  protected values: T
  length = 0

  constructor (initial: T) { this.values = initial }

  protected abstract allocate (capacity: number): T

  protected ensure (): void {
    if (this.length < this.values.length) return
    // Grow by half: a doubling step would leave up to half the column as slack.
    const grown = this.allocate(Math.max(1024, Math.ceil(this.values.length * 1.5)))
    grown.set(this.values as never)
    this.values = grown
  }

  push (value: number): void {
    this.ensure()
    this.values[this.length++] = value
  }

  get (i: number): number { return this.values[i]! }

  set (i: number, value: number): void { this.values[i] = value }

  /** Drops the spare capacity once nothing more will be pushed. */
  trim (): void {
    if (this.values.length === this.length) return
    this.values = this.values.slice(0, this.length) as T
  }
}

/** Any number, including offsets, values and nanosecond times beyond 2^31. */
export class Float64Column extends Column<Float64Array> {
  constructor () { super(new Float64Array(0)) }
  protected allocate (capacity: number): Float64Array { return new Float64Array(capacity) }
}

/** Small integers: key ids, process ids, positions in another column. */
export class Int32Column extends Column<Int32Array> {
  constructor () { super(new Int32Array(0)) }
  protected allocate (capacity: number): Int32Array { return new Int32Array(capacity) }
}

/**
 * Integers of any safe size, 4 bytes each while they all fit in an int32 (op indexes, offsets
 * and values of most histories), 8 from the first one that does not.
 */
export class IntegerColumn {
  #narrow: Int32Column | null = new Int32Column()
  #wide: Float64Column | null = null

  get length (): number { return (this.#narrow ?? this.#wide!).length }

  push (value: number): void {
    if (this.#narrow !== null && (value | 0) !== value) this.#widen()
    ;(this.#narrow ?? this.#wide!).push(value)
  }

  get (i: number): number { return (this.#narrow ?? this.#wide!).get(i) }

  set (i: number, value: number): void {
    if (this.#narrow !== null && (value | 0) !== value) this.#widen()
    ;(this.#narrow ?? this.#wide!).set(i, value)
  }

  trim (): void { (this.#narrow ?? this.#wide!).trim() }

  #widen (): void {
    const wide = new Float64Column()
    const narrow = this.#narrow!
    for (let i = 0; i < narrow.length; i++) wide.push(narrow.get(i))
    this.#wide = wide
    this.#narrow = null
  }
}

/** Flags and small enums. */
export class Uint8Column extends Column<Uint8Array> {
  constructor () { super(new Uint8Array(0)) }
  protected allocate (capacity: number): Uint8Array { return new Uint8Array(capacity) }
}

/** One string object per distinct key and a small integer id for it. */
export class KeyTable {
  readonly #ids = new Map<string, number>()
  readonly #keys: string[] = []

  id (key: string): number {
    const known = this.#ids.get(key)
    if (known !== undefined) return known
    this.#ids.set(key, this.#keys.length)
    this.#keys.push(key)
    return this.#keys.length - 1
  }

  key (id: number): string { return this.#keys[id]! }

  get size (): number { return this.#keys.length }
}
