// The records of one batch that came through sendTimed() (drivers/driver.ts): their
// intended and actual send times, sizes and listeners in parallel arrays that grow once
// and are reused batch after batch, so the load generator's send path allocates nothing
// per record. The native producer keeps one per open batch and a few spare.

import type { SendListener } from './driver.ts'

const CAPACITY_INITIAL = 64

export class TimedRecords {
  #count = 0
  #intendedUs = new Float64Array(CAPACITY_INITIAL)
  #sentUs = new Float64Array(CAPACITY_INITIAL)
  #sizeBytes = new Float64Array(CAPACITY_INITIAL)
  readonly #listeners: SendListener[] = []

  get count (): number {
    return this.#count
  }

  push (intendedUs: number, sentUs: number, sizeBytes: number, listener: SendListener): void {
    if (this.#count === this.#intendedUs.length) this.#grow()
    const i = this.#count++
    this.#intendedUs[i] = intendedUs
    this.#sentUs[i] = sentUs
    this.#sizeBytes[i] = sizeBytes
    this.#listeners[i] = listener
  }

  /** Reports every record acknowledged at ackUs, then empties the set. */
  ackAll (ackUs: number): void {
    for (let i = 0; i < this.#count; i++) this.#listeners[i]!.acked(this.#sizeBytes[i]!, this.#intendedUs[i]!, this.#sentUs[i]!, ackUs)
    this.#count = 0
  }

  /** Reports every record failed with `error`, then empties the set. */
  failAll (error: unknown): void {
    for (let i = 0; i < this.#count; i++) this.#listeners[i]!.failed(error)
    this.#count = 0
  }

  #grow (): void {
    const capacity = this.#intendedUs.length * 2
    const grow = (old: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const grown = new Float64Array(capacity)
      grown.set(old)
      return grown
    }
    this.#intendedUs = grow(this.#intendedUs)
    this.#sentUs = grow(this.#sentUs)
    this.#sizeBytes = grow(this.#sizeBytes)
  }
}
