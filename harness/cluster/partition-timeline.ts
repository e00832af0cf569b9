// Who led each partition, and how large its ISR was, over a run: built from rounds of
// /admin/replicas answers (the HW sampler's), for the chaos report's leader and ISR charts
// (issue 10, item 6). Per round and partition the answer with the highest leader epoch wins
// (every broker's metadata view says the leader and ISR; the newest view is the truest; in a
// tie, the leader's own view, which is the first to know an ISR change, else the first view
// given), and
// a point is kept only when leader, epoch or ISR size changes. A partition no broker reports
// in a round (all its brokers down or cut off) gets no point: the chart holds the last one.
// Pure, so it is tested on hand-made reports.

import type { ReplicasReport } from '../../broker/server/replica-report.ts'

export interface PartitionTimelinePoint {
  atMs: number
  /** -1: the newest view knows no leader (offline partition). */
  leaderId: number
  leaderEpoch: number
  isrSize: number
  /** How many brokers answered this round (the evidence behind the point). */
  reporters: number
}

export interface PartitionTimeline {
  topic: string
  partition: number
  replicas: number[]
  points: PartitionTimelinePoint[]
}

export class PartitionTimelineTracker {
  readonly #timelines = new Map<string, PartitionTimeline>()
  readonly #pointsMax: number
  #points = 0
  pointsDropped = 0

  constructor (pointsMax = 20_000) {
    this.#pointsMax = pointsMax
  }

  /** One sampling round: the reports of every broker that answered, taken at `atMs`. */
  observeRound (atMs: number, reports: readonly ReplicasReport[]): void {
    const newest = new Map<string, { leaderId: number, leaderEpoch: number, isr: number[], replicas: number[], topic: string, partition: number, fromLeader: boolean }>()
    for (const report of reports) {
      for (const r of report.replicas) {
        const k = `${r.topic}\u0000${r.partition}`
        const seen = newest.get(k)
        const fromLeader = report.brokerId === r.leaderId
        if (seen === undefined || r.leaderEpoch > seen.leaderEpoch || (r.leaderEpoch === seen.leaderEpoch && fromLeader && !seen.fromLeader)) {
          newest.set(k, { leaderId: r.leaderId, leaderEpoch: r.leaderEpoch, isr: r.isr, replicas: r.replicas, topic: r.topic, partition: r.partition, fromLeader })
        }
      }
    }
    for (const [k, view] of newest) {
      let timeline = this.#timelines.get(k)
      if (timeline === undefined) {
        timeline = { topic: view.topic, partition: view.partition, replicas: [...view.replicas], points: [] }
        this.#timelines.set(k, timeline)
      }
      const last = timeline.points.at(-1)
      if (last !== undefined && last.leaderId === view.leaderId && last.leaderEpoch === view.leaderEpoch && last.isrSize === view.isr.length) continue
      if (this.#points >= this.#pointsMax) {
        this.pointsDropped++
        continue
      }
      this.#points++
      timeline.points.push({ atMs, leaderId: view.leaderId, leaderEpoch: view.leaderEpoch, isrSize: view.isr.length, reporters: reports.length })
    }
  }

  timelines (): PartitionTimeline[] {
    return [...this.#timelines.values()]
      .map(t => ({ ...t, replicas: [...t.replicas], points: [...t.points] }))
      .sort((a, b) => a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)
  }
}
