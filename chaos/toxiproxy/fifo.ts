// A first-in first-out queue with O(1) shift, for the chunks a toxic holds. It has no
// bound of its own: what enters it is bounded by the link's pressure limit, which pauses
// the source socket (see link.ts).

const COMPACT_AFTER_ITEMS = 1024

export class Fifo<T> {
  #items: (T | undefined)[] = []
  #head = 0

  get length (): number {
    return this.#items.length - this.#head
  }

  push (item: T): void {
    this.#items.push(item)
  }

  peek (): T | undefined {
    return this.#items[this.#head]
  }

  shift (): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head++
    // Compacting only once the dead prefix is both long and the larger part keeps shift O(1)
    // amortized without letting the array grow without end on a busy link.
    if (this.#head >= COMPACT_AFTER_ITEMS && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  clear (): void {
    this.#items = []
    this.#head = 0
  }
}
