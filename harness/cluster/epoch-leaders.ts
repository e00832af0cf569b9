// "At most one leader per epoch" (replication.md; issue 10, item 5), checked on samples of
// /admin/replicas: for each partition and leader epoch, the brokers ever seen leading in that
// epoch (their replication state's leadingEpoch, not role plus the metadata's epoch, which
// can disagree for a moment while a change is applied). Two brokers in one epoch is a
// conflict. Pure, so it is tested on hand-written series and re-run on saved ones. Memory is
// one entry per partition epoch seen.

import type { HighWatermarkObservation } from './hw-regressions.ts'

export interface EpochLeaderConflict {
  topic: string
  topicId: string | null
  partition: number
  leaderEpoch: number
  /** Every broker seen leading in this epoch, with when it was first seen doing so. */
  leaders: Array<{ brokerId: number, firstSeenMs: number }>
}

type Observation = Pick<HighWatermarkObservation, 'atMs' | 'brokerId' | 'topic' | 'topicId' | 'partition' | 'leadingEpoch'>

export class EpochLeaderTracker {
  readonly #seen = new Map<string, EpochLeaderConflict>()
  readonly #conflicts = new Set<EpochLeaderConflict>()

  /** Returns the conflict when this observation adds a second (or later) leader to its epoch. */
  observe (o: Observation): EpochLeaderConflict | null {
    if (o.leadingEpoch === null) return null
    const k = `${o.topicId ?? o.topic}/${o.partition}/${o.leadingEpoch}`
    let entry = this.#seen.get(k)
    if (entry === undefined) {
      entry = { topic: o.topic, topicId: o.topicId, partition: o.partition, leaderEpoch: o.leadingEpoch, leaders: [] }
      this.#seen.set(k, entry)
    }
    if (entry.leaders.some(l => l.brokerId === o.brokerId)) return null
    entry.leaders.push({ brokerId: o.brokerId, firstSeenMs: o.atMs })
    if (entry.leaders.length < 2) return null
    this.#conflicts.add(entry)
    return entry
  }

  conflicts (): EpochLeaderConflict[] {
    return [...this.#conflicts].map(c => ({ ...c, leaders: [...c.leaders] }))
  }
}

export function findEpochLeaderConflicts (observations: readonly Observation[]): EpochLeaderConflict[] {
  const tracker = new EpochLeaderTracker()
  for (const o of [...observations].sort((a, b) => a.atMs - b.atMs)) tracker.observe(o)
  return tracker.conflicts()
}

export function describeEpochLeaderConflict (c: EpochLeaderConflict): string {
  const who = c.leaders.map(l => `broker ${l.brokerId} (from ${new Date(l.firstSeenMs).toISOString()})`).join(', ')
  return `${c.topic}-${c.partition}: ${c.leaders.length} leaders in leader epoch ${c.leaderEpoch}: ${who}`
}
