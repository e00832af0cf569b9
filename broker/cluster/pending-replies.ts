// Replies the active controller owes, each waiting for the offset of the last record its
// request proposed to commit (Kafka answers a controller request only then). On losing
// leadership the waiting replies are handed back so the glue can answer NOT_CONTROLLER:
// their records may never commit.

export class PendingReplies<T> {
  readonly #waiting: { offset: number, reply: T }[] = []

  /**
   * `offset` = the offset of the request's last record; a request without records waits
   * for the last record proposed before it (it saw that state), or is answered at once.
   */
  add (offset: number, reply: T): void {
    const last = this.#waiting.at(-1)
    if (last !== undefined && offset < last.offset) throw new Error(`replies must wait in offset order (${offset} after ${last.offset})`)
    this.#waiting.push({ offset, reply })
  }

  /**
   * The replies whose records are now all committed, oldest first. `lastCommittedOffset` is
   * the offset of the last committed record (Raft's high watermark minus one).
   */
  committed (lastCommittedOffset: number): T[] {
    let count = 0
    while (count < this.#waiting.length && this.#waiting[count]!.offset <= lastCommittedOffset) count++
    return this.#waiting.splice(0, count).map(w => w.reply)
  }

  /** Everything still waiting, for NOT_CONTROLLER answers after a leadership loss. */
  drain (): T[] {
    return this.#waiting.splice(0).map(w => w.reply)
  }

  get size (): number { return this.#waiting.length }
}
