// The nemesis schedule: the plan is a pure function of the spec, run length, broker count and
// seed (so runs replay), it respects the quiet end, and the runner records every fault start
// and end (with what the fault did) and heals what is still active when asked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FaultTarget } from '../../../chaos/nemesis/nemesis.ts'
import { ProxyFleet } from '../../../chaos/nemesis/proxies.ts'
import { NemesisRunner, planSchedule } from '../../../chaos/nemesis/schedule.ts'
import { startToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import type { ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import type { BrokerHandle } from '../../../harness/cluster/cluster.ts'
import type { NemesisEntry, NemesisSpec } from '../../../harness/workload/types.ts'
import { startUpstream } from '../toxiproxy/helpers.ts'
import type { TestUpstream } from '../toxiproxy/helpers.ts'

function entry (fields: Partial<NemesisEntry> & Pick<NemesisEntry, 'fault'>): NemesisEntry {
  return {
    targets: 'random', startSeconds: 1, intervalSeconds: 5, durationSeconds: 2,
    latencyMs: null, jitterMs: null, rateKBps: null, resetAfterMs: null, stream: null, topology: null, direction: null, clients: null, links: null, peers: null, ...fields,
  }
}

const SPEC: NemesisSpec = {
  seed: null,
  quietEndSeconds: 5,
  schedule: [
    entry({ fault: 'kill', startSeconds: 2, intervalSeconds: 6, durationSeconds: 1 }),
    entry({ fault: 'delay', latencyMs: 50, jitterMs: 0, stream: 'both', targets: 'all', startSeconds: 1, intervalSeconds: 4, durationSeconds: 3 }),
    entry({ fault: 'pause', targets: ['broker-2'], startSeconds: 3, intervalSeconds: 10, durationSeconds: 2 }),
  ],
}

describe('planSchedule', () => {
  it('is reproducible from the seed and differs between seeds', () => {
    const a = planSchedule(SPEC, { runSeconds: 60, brokers: 3, seed: 9 })
    expect(planSchedule(SPEC, { runSeconds: 60, brokers: 3, seed: 9 })).toEqual(a)
    const targetsOf = (seed: number): string => JSON.stringify(planSchedule(SPEC, { runSeconds: 60, brokers: 3, seed }).map(f => f.targets))
    expect(new Set([1, 2, 3, 4, 5].map(targetsOf)).size).toBeGreaterThan(1)
  })

  it('takes one broker named alone as well as in a list', () => {
    const one = (targets: NemesisEntry['targets']): unknown => planSchedule({ seed: 1, quietEndSeconds: 0, schedule: [entry({ fault: 'kill', targets })] }, { runSeconds: 3, brokers: 3, seed: 1 })[0]!.targets
    expect(one('broker-1' as NemesisEntry['targets'])).toEqual([1])
    expect(one(['broker-2'])).toEqual([2])
  })

  it('repeats each entry every interval, sorted by start, and stops before the quiet end', () => {
    const plan = planSchedule(SPEC, { runSeconds: 30, brokers: 3, seed: 1 })
    expect(plan.map(f => f.id)).toEqual(plan.map((_, i) => i))
    for (let i = 1; i < plan.length; i++) expect(plan[i]!.startSec).toBeGreaterThanOrEqual(plan[i - 1]!.startSec)
    expect(plan.filter(f => f.fault === 'kill').map(f => f.startSec)).toEqual([2, 8, 14, 20])
    expect(plan.filter(f => f.fault === 'delay').map(f => f.startSec)).toEqual([1, 5, 9, 13, 17, 21])
    for (const fault of plan) {
      expect(fault.startSec).toBeLessThan(25)
      expect(fault.endSec).toBeLessThanOrEqual(25)
    }
    // The delay starting at 21 s would end at 24 s: within the run, left as planned.
    expect(plan.find(f => f.fault === 'delay' && f.startSec === 21)!.endSec).toBe(24)
  })

  it('resolves targets: random picks one broker, all picks every one, names map to indexes', () => {
    const plan = planSchedule(SPEC, { runSeconds: 30, brokers: 3, seed: 4 })
    for (const fault of plan) {
      if (fault.fault === 'kill') expect(fault.targets).toEqual([expect.any(Number)])
      if (fault.fault === 'delay') expect(fault.targets).toEqual([0, 1, 2])
      if (fault.fault === 'pause') expect(fault.targets).toEqual([2])
    }
    const leader = planSchedule({ ...SPEC, schedule: [entry({ fault: 'kill', targets: 'leader' })] }, { runSeconds: 10, brokers: 1, seed: 1 })
    expect(leader[0]!.targets).toBe('leader')
  })
})

describe('NemesisRunner', () => {
  let server: ToxiproxyServer
  let upstream: TestUpstream
  let fleet: ProxyFleet

  beforeAll(async () => {
    server = await startToxiproxyServer({ port: 0 })
    upstream = await startUpstream()
    fleet = new ProxyFleet(server.url, { prefix: 'schedule-' })
    await fleet.create(0, upstream.address)
  })

  afterAll(async () => {
    await fleet.removeAll()
    await server.close()
    await upstream.close()
  })

  it('records each fault start and end, and healAll heals what the schedule had not', async () => {
    const broker = { alive: () => true } as unknown as BrokerHandle
    const targets: FaultTarget[] = [{ name: 'broker-0', index: 0, broker, proxy: fleet.proxy(0) }]
    const spec: NemesisSpec = {
      seed: 1,
      quietEndSeconds: 0,
      schedule: [
        entry({ fault: 'delay', latencyMs: 20, stream: 'downstream', startSeconds: 0.1, intervalSeconds: 0.4, durationSeconds: 0.2 }),
        entry({ fault: 'proxy-down', startSeconds: 0.6, intervalSeconds: 5, durationSeconds: 5 }),
      ],
    }
    const recorded: Array<Record<string, unknown>> = []
    const started = performance.now()
    // Planned for a 3 s run, cut to the faults starting in the first 0.8 s, and stopped at
    // 1.2 s: both delays have healed by then, proxy-down (planned to last until 3 s) has not.
    const runner = new NemesisRunner(planSchedule(spec, { runSeconds: 3, brokers: 1, seed: 1 }).filter(f => f.startSec < 0.8), {
      spec,
      targets,
      leaderIndex: async () => 0,
      record: value => { recorded.push(value) },
      nowSec: () => (performance.now() - started) / 1000,
    })
    expect(runner.plan.map(f => `${f.fault}@${f.startSec}`)).toEqual(['delay@0.1', 'delay@0.5', 'proxy-down@0.6'])
    const stop = new AbortController()
    const done = runner.run(stop.signal)
    await new Promise(resolve => setTimeout(resolve, 1200))
    stop.abort()
    await done
    expect(await runner.healAll()).toEqual([])
    expect(runner.errors).toEqual([])
    const phases = recorded.map(r => `${String(r.fault)}#${String(r.id)} ${String(r.phase)}`)
    expect(phases).toEqual(['delay#0 start', 'delay#0 end', 'delay#1 start', 'proxy-down#2 start', 'delay#1 end', 'proxy-down#2 end'])
    expect(recorded.at(-1)).toMatchObject({ healedBy: 'final', targets: ['broker-0'] })
    expect(recorded[0]).toMatchObject({ details: [expect.objectContaining({ target: 'broker-0', toxic: 'latency' })] })
  })
})

describe('cluster targets', () => {
  it('plans minority and majority sets of the right size from the seed, and keeps leader and controller for fault time', () => {
    const spec: NemesisSpec = {
      seed: null,
      quietEndSeconds: 0,
      schedule: [
        entry({ fault: 'pause', targets: 'minority', startSeconds: 1, intervalSeconds: 10 }),
        entry({ fault: 'pause', targets: 'majority', startSeconds: 2, intervalSeconds: 10 }),
        entry({ fault: 'kill', targets: 'controller', startSeconds: 3, intervalSeconds: 10 }),
        entry({ fault: 'kill', targets: 'leader', startSeconds: 4, intervalSeconds: 10 }),
      ],
    }
    for (const brokers of [3, 5]) {
      const plan = planSchedule(spec, { runSeconds: 10, brokers, seed: 7 })
      const [minority, majority, controller, leader] = plan.map(f => f.targets)
      expect((minority as number[]).length).toBe(Math.floor((brokers - 1) / 2))
      expect((majority as number[]).length).toBe(Math.floor(brokers / 2) + 1)
      expect(new Set(majority as number[]).size).toBe((majority as number[]).length)
      expect([controller, leader]).toEqual(['controller', 'leader'])
    }
  })

  it('skips a leader fault when there is no leader, saying so in the history, instead of guessing a broker', async () => {
    const recorded: Array<Record<string, unknown>> = []
    const spec: NemesisSpec = { seed: null, quietEndSeconds: 0, schedule: [entry({ fault: 'kill', targets: 'leader', startSeconds: 0, intervalSeconds: 10, durationSeconds: 0.1 })] }
    let killed = 0
    const broker = { kill: async () => { killed++ } } as unknown as BrokerHandle
    const targets = [{ name: 'broker-0', broker } as unknown as FaultTarget]
    const started = performance.now()
    const runner = new NemesisRunner(planSchedule(spec, { runSeconds: 1, brokers: 1, seed: 1 }), {
      spec,
      targets,
      leaderIndex: async () => { throw new Error('partition 0 of t has no leader right now') },
      record: value => { recorded.push(value) },
      nowSec: () => (performance.now() - started) / 1000,
    })
    await runner.run(new AbortController().signal)
    expect(killed).toBe(0)
    expect(recorded[0]).toMatchObject({ fault: 'kill', phase: 'start', targets: [], error: expect.stringMatching(/no leader to target/) })
    expect(runner.errors).toEqual([expect.stringMatching(/no leader to target/)])
  })
})
