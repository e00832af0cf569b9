// Soak run 12 of safe-rf3 (seed 1012), replayed step by step in the replication simulator:
// the partition's first leader writes offset 0 that no follower ever gets, dies, and comes
// back as a follower of the new leader before that leader has written anything in its
// epoch. The reference broker put an epoch into the leader-epoch cache only at the leader's
// first append, so the new leader answered the old leader's OffsetForLeaderEpoch with
// UNDEFINED; the old leader kept its offset 0 (Kafka's rule for that answer: fetch on from
// the fetch position), fetched on from offset 1 once the new leader had written its own
// offset 0, rejoined the ISR, and the replicas disagreed at offset 0 below the HW. Kafka
// names the epoch in the cache at election (KAFKA-7415); replica-manager.ts now does too
// (PartitionLog.assignEpochStart). The simulator always did, which is why it never found
// this: skipEpochStartOnElection gives it the broker's old behaviour.

import { describe, expect, it } from 'vitest'
import { ReplChecker } from '../../../harness/repl-sim/checker.ts'
import { SESSION_MS, SimCluster } from '../../../harness/repl-sim/sim-cluster.ts'

function cluster (skipEpochStartOnElection: boolean): SimCluster {
  return new SimCluster({
    replicas: [1, 2, 3], lossy: false, uncleanElection: false, skipLeaderEpochBump: false, consumerReadsLogEnd: false,
    skipFetchEpochCheck: false, eligibleByFencingOnly: false, strictUnclean: false,
    minInsyncReplicas: 2, useDivergingEpoch: false, debug: {}, skipEpochStartOnElection,
  }, 't')
}

/** Runs the story; returns each broker's log as values, and the HWs at the end. */
function replay (skipEpochStartOnElection: boolean): { logs: string[][], hws: number[] } {
  const c = cluster(skipEpochStartOnElection)
  const checker = new ReplChecker()
  const [b1, b2, b3] = c.brokers as [typeof c.brokers[0], typeof c.brokers[0], typeof c.brokers[0]]
  const step = (): void => { c.nowMs += 10; checker.check(c) }
  // The followers settle on leader 1 (epoch 0) with empty logs.
  for (let i = 0; i < 3; i++) { c.fetchStep(b2, 10); c.fetchStep(b3, 10); step() }
  // Broker 1 is cut off from the other brokers and the controller; a client still reaches it.
  c.isolate(b1, 'brokers')
  c.produce(b1, true) // offset 0 in epoch 0: acks=all, never acknowledged
  step()
  c.crash(b1)
  c.nowMs += SESSION_MS
  c.fenceSilent() // the controller elects broker 2 in epoch 1
  c.sync(b2); c.sync(b3); step()
  expect(c.controller.state).toMatchObject({ leader: 2, leaderEpoch: 1 })
  c.restart(b1); c.heal(b1); c.sync(b1); step()
  // The old leader asks where its epoch 0 ended before the new leader has written in epoch 1.
  c.fetchStep(b1, 10); step()
  // Now the new leader writes offset 0 and broker 3 replicates it.
  c.produce(b2, true)
  for (let i = 0; i < 20; i++) {
    c.fetchStep(b3, 10); c.fetchStep(b1, 10)
    c.alterIsr(b2); c.alterIsr(b2)
    c.sync(b1); c.sync(b2); c.sync(b3)
    if (i % 4 === 0) c.produce(b2, true)
    c.completeParked(b2)
    step()
  }
  return { logs: c.brokers.map(b => b.log.entries.map(e => e.value)), hws: c.brokers.map(b => b.highWatermark) }
}

describe('an old leader that asks where its epoch ended before the new leader wrote anything', () => {
  it('drops its unreplicated offset 0 when the new leader names its epoch at election (Kafka, and the broker now)', () => {
    const { logs, hws } = replay(false)
    expect(logs[0]).toEqual(logs[1])
    expect(logs[2]).toEqual(logs[1])
    expect(Math.min(...hws)).toBeGreaterThan(1) // the comparison covers offset 0
  })

  it('keeps it below the HW when the epoch enters the cache only at the first append (the broker before the fix)', () => {
    expect(() => replay(true)).toThrow(/replicas 1 and 2 differ at offset 0, below both HWs/)
  })
})
