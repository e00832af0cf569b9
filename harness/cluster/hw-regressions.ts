// Does any replica's high watermark go backwards? replication.md: "Epochs and HWs never go
// backwards on any replica (except a replica that lost its disk)". Observations are samples
// of /admin/replicas taken during a run; a checker over them is a pure function, so it is
// tested on hand-written series and re-run on saved ones.
//
// A replica is a broker's copy of a partition, keyed by broker id, topic id (a topic deleted
// and created again is a new one) and partition. A drop seen between two incarnations of a
// broker (it restarted in between) is flagged `acrossRestart`: the HW comes back from its
// checkpoint, written every replica.high.watermark.checkpoint.interval.ms, so a restart may
// legitimately show an older value; the verdict decides whether to count those.

export interface HighWatermarkObservation {
  atMs: number
  brokerId: number
  incarnation: string
  topic: string
  topicId: string | null
  partition: number
  role: string
  leaderEpoch: number
  /** The epoch the broker leads in (null unless it leads): see ReplicaReport.leadingEpoch. */
  leadingEpoch: number | null
  /** null: the replica has no role, hence no replicated HW, at that moment. */
  highWatermark: number | null
  logEndOffset: number
}

export interface HighWatermarkPoint {
  atMs: number
  incarnation: string
  role: string
  leaderEpoch: number
  highWatermark: number
}

export interface HighWatermarkRegression {
  brokerId: number
  topic: string
  topicId: string | null
  partition: number
  before: HighWatermarkPoint
  after: HighWatermarkPoint
  acrossRestart: boolean
}

export const replicaKey = (o: { brokerId: number, topic: string, topicId: string | null, partition: number }): string =>
  `${o.brokerId}/${o.topicId ?? o.topic}/${o.partition}`

const pointOf = (o: HighWatermarkObservation): HighWatermarkPoint => ({ atMs: o.atMs, incarnation: o.incarnation, role: o.role, leaderEpoch: o.leaderEpoch, highWatermark: o.highWatermark! })

/**
 * Online form: feed observations in time order per broker; `observe` returns the regression
 * it finds, if any. Memory is one point per replica.
 */
export class HighWatermarkTracker {
  readonly #last = new Map<string, HighWatermarkPoint>()

  observe (o: HighWatermarkObservation): HighWatermarkRegression | null {
    if (o.highWatermark === null) return null
    const k = replicaKey(o)
    const before = this.#last.get(k)
    const after = pointOf(o)
    this.#last.set(k, after)
    if (before === undefined || after.highWatermark >= before.highWatermark) return null
    return { brokerId: o.brokerId, topic: o.topic, topicId: o.topicId, partition: o.partition, before, after, acrossRestart: before.incarnation !== after.incarnation }
  }
}

/** Every HW drop in `observations` (any order: sorted by time first). */
export function findHighWatermarkRegressions (observations: readonly HighWatermarkObservation[]): HighWatermarkRegression[] {
  const tracker = new HighWatermarkTracker()
  const sorted = [...observations].sort((a, b) => a.atMs - b.atMs)
  return sorted.flatMap(o => {
    const found = tracker.observe(o)
    return found === null ? [] : [found]
  })
}

export function describeRegression (r: HighWatermarkRegression): string {
  const restart = r.acrossRestart ? ' across a restart of the broker' : ''
  return `${r.topic}-${r.partition} on broker ${r.brokerId}: HW went back from ${r.before.highWatermark} (${r.before.role}, epoch ${r.before.leaderEpoch}, at ${new Date(r.before.atMs).toISOString()}) ` +
    `to ${r.after.highWatermark} (${r.after.role}, epoch ${r.after.leaderEpoch}, at ${new Date(r.after.atMs).toISOString()})${restart}`
}
