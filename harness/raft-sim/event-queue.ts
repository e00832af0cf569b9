// A binary min-heap of simulator events ordered by time, then by insertion, so two events
// at the same millisecond always run in the same order for a given seed.

export interface Timed<T> { atMs: number; seq: number; event: T }

export class EventQueue<T> {
  #heap: Timed<T>[] = []
  #seq = 0

  get size (): number { return this.#heap.length }

  push (atMs: number, event: T): void {
    const heap = this.#heap
    heap.push({ atMs, seq: this.#seq++, event })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      swap(heap, i, parent)
      i = parent
    }
  }

  peekMs (): number { return this.#heap[0]?.atMs ?? Infinity }

  pop (): Timed<T> | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length === 0 || last === undefined) return top
    heap[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r
      if (m === i) break
      swap(heap, i, m)
      i = m
    }
    return top
  }
}

function before<T> (a: Timed<T>, b: Timed<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq)
}

function swap<T> (heap: T[], i: number, j: number): void {
  const t = heap[i]!
  heap[i] = heap[j]!
  heap[j] = t
}
