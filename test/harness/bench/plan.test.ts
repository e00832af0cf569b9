// The run plan: names, who produces and consumes what, and the thread split.

import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { planRun } from '../../../harness/bench/plan.ts'
import type { DriverOptions } from '../../../harness/drivers/driver.ts'
import { parseWorkload } from '../../../harness/workload/load.ts'

const driverOptions = {} as DriverOptions
const payload = { messageSize: 10, payloadFile: null, useRandomizedPayloads: false, randomBytesRatio: 0, randomizedPayloadPoolSize: 0 }

function workload (extra: string): ReturnType<typeof parseWorkload> {
  return parseWorkload(`name: p\ntopics: 2\npartitionsPerTopic: 3\nmessageSize: 10\nproducersPerTopic: 2\nsubscriptionsPerTopic: 2\nconsumerPerSubscription: 3\nproducerRate: 100\ntestDurationSeconds: 1\n${extra}`, 'p.yaml')
}

describe('run plan', () => {
  it('creates producersPerTopic producers and subscriptions × consumers per topic for group drivers', () => {
    const plan = planRun({ workload: workload('driver: kafkajs\n'), driverOptions, payload, seed: 1, runTag: 'abc', producerThreads: 1, consumerThreads: 2 })
    expect(plan.topics).toEqual(['sluice-abc-0000', 'sluice-abc-0001'])
    expect(plan.producers).toHaveLength(4)
    expect(plan.consumers).toHaveLength(12)
    expect(new Set(plan.consumers.map(c => c.subscription))).toEqual(new Set(['sluice-abc-0000-sub-0', 'sluice-abc-0000-sub-1', 'sluice-abc-0001-sub-0', 'sluice-abc-0001-sub-1']))
    expect(plan.workers.map(w => [w.name, w.role, w.producers.length, w.consumers.length])).toEqual([
      ['producers-0', 'producer', 4, 0], ['consumers-0', 'consumer', 0, 6], ['consumers-1', 'consumer', 0, 6],
    ])
    expect(plan.notes).toEqual([])
  })

  it('lets every load-generator thread run real-time at a low fixed rate, unless told not to', () => {
    const low = planRun({ workload: workload('driver: native\n'), driverOptions, payload, seed: 1 })
    // Not on one core: real-time threads there would starve the harness's main thread.
    expect(low.workers.every(w => w.realtime)).toBe(availableParallelism() >= 2)
    const off = planRun({ workload: workload('driver: native\n'), driverOptions, payload, seed: 1, realtime: false })
    expect(off.workers.some(w => w.realtime)).toBe(false)
    const search = planRun({ workload: { ...workload('driver: native\n'), producerRate: 0 }, driverOptions, payload, seed: 1 })
    expect(search.workers.some(w => w.realtime)).toBe(false)
  })

  it('gives group-less drivers one consumer per subscription, and says so', () => {
    const plan = planRun({ workload: workload('driver: native\n'), driverOptions, payload, seed: 1 })
    expect(plan.consumers).toHaveLength(4)
    expect(plan.notes.join()).toMatch(/native driver has no consumer groups .* 1 consumer instead of 3/)
  })

  it('has no consumer threads without subscriptions, and never more threads than clients', () => {
    const plan = planRun({ workload: { ...workload('driver: native\n'), subscriptionsPerTopic: 0 }, driverOptions, payload, seed: 1, producerThreads: 16 })
    expect(plan.consumers).toHaveLength(0)
    expect(plan.consumerThreads).toBe(0)
    expect(plan.producerThreads).toBe(4)
    expect(plan.workers.every(w => w.role === 'producer')).toBe(true)
  })

  it('bounds each producer\'s outstanding sends by bytes', () => {
    const small = planRun({ workload: workload(''), driverOptions, payload, seed: 1 })
    const big = planRun({ workload: { ...workload(''), messageSize: 1024 * 1024 }, driverOptions, payload, seed: 1 })
    expect(small.workers[0]!.outstandingPerProducerMax).toBe(100_000)
    expect(big.workers[0]!.outstandingPerProducerMax).toBe(100)
  })
})
