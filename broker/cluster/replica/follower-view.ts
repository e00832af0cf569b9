// What a partition leader knows about one follower replica: its log end (the offset of its
// last fetch in this leader epoch) and when it last caught up with the leader. This is
// Kafka's ReplicaState with the rules of Replica.updateFetchStateOrThrow and isCaughtUp.
// Sans-I/O: times are readings the caller passes in, never taken here.

/** Log end of a follower that has not fetched in this leader epoch yet. */
export const UNKNOWN_OFFSET = -1

export class FollowerView {
  /** The follower's log end offset = the fetch offset of its last fetch in this leader epoch. */
  logEndOffset = UNKNOWN_OFFSET
  /** The last time the follower was known to be caught up with the leader's log end. */
  lastCaughtUpTimeMs: number
  /** The leader's log end when the follower's previous fetch was answered. */
  lastFetchLeaderLogEndOffset = UNKNOWN_OFFSET
  /** -Infinity = never (Kafka uses 0, which real clocks never come near; simulated ones do). */
  lastFetchTimeMs = Number.NEGATIVE_INFINITY

  /**
   * A new leader epoch starts every follower from scratch (Kafka's resetReplicaState): its log
   * end is unknown until it fetches, and an ISR member gets `nowMs` as its caught-up time so it
   * has a full lag period to fetch before it can be removed; others have never caught up
   * (Kafka: 0) so that they do not hold the HW back as "about to join".
   */
  constructor (inIsr: boolean, nowMs: number) {
    this.lastCaughtUpTimeMs = inIsr ? nowMs : Number.NEGATIVE_INFINITY
  }

  /**
   * One fetch from this follower, validated by the caller (current leader epoch, no diverging
   * epoch). Kafka's rule: a fetch at the leader's current end catches it up now; a fetch at or
   * past the leader's end at the previous fetch means it was caught up at that previous fetch.
   */
  onFetch (fetchOffset: number, nowMs: number, leaderLogEndOffset: number): void {
    if (fetchOffset >= leaderLogEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, nowMs)
    } else if (fetchOffset >= this.lastFetchLeaderLogEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs)
    }
    this.logEndOffset = fetchOffset
    this.lastFetchLeaderLogEndOffset = leaderLogEndOffset
    this.lastFetchTimeMs = nowMs
  }

  /** Kafka's isCaughtUp: at the leader's end, or caught up within the last `lagTimeMaxMs`. */
  isCaughtUp (leaderLogEndOffset: number, nowMs: number, lagTimeMaxMs: number): boolean {
    return this.logEndOffset === leaderLogEndOffset || nowMs - this.lastCaughtUpTimeMs <= lagTimeMaxMs
  }
}
