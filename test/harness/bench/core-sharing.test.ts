import { describe, expect, it } from 'vitest'
import type { Cluster } from '../../../harness/cluster/cluster.ts'
import type { RunPlan } from '../../../harness/bench/plan.ts'
import { describeCoreSharing } from '../../../harness/bench/cluster-setup.ts'

const plan = { producerThreads: 1, consumerThreads: 2 } as unknown as RunPlan
const processCluster = (n: number): Cluster => ({ backend: 'process', bootstrap: [], brokers: Array.from({ length: n }, (_, id) => ({ id, pid: null })) }) as unknown as Cluster

describe('how a run shares the cores, in words', () => {
  it('counts reference broker processes in English (one process, three processes)', () => {
    expect(describeCoreSharing(processCluster(1), plan)).toMatch(/^1 reference broker process \(one event loop each\), the harness main thread, 1 producer worker thread and 2 consumer worker threads on \d+ logical cores/)
    expect(describeCoreSharing(processCluster(3), plan)).toMatch(/^3 reference broker processes \(one event loop each\)/)
  })
})
