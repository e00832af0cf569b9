// Real-time scheduling of load-generator threads (harness/bench/realtime.ts): a real worker
// thread enters SCHED_FIFO through chrt and its own policy says so; kept busy, the guard puts
// it back under the default scheduler after two busy intervals in a row. Where the OS refuses
// (no CAP_SYS_NICE: probed with chrt on its own) the status says why and the thread stays as
// it was.

import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { dutyExceeded, REALTIME_DUTY_MAX } from '../../../harness/bench/realtime.ts'
import { realtimeRate } from '../../../harness/bench/plan.ts'
import type { Workload } from '../../../harness/workload/types.ts'
import { realtimeAllowed } from '../../helpers/realtime-allowed.ts'

const SCHED_OTHER = 0
const SCHED_FIFO = 1

describe('real-time load-generator threads', () => {
  it('counts a thread as busy past REALTIME_DUTY_MAX of a core', () => {
    expect(dutyExceeded(REALTIME_DUTY_MAX * 1_000_000 + 1, 1_000_000)).toBe(true)
    expect(dutyExceeded(REALTIME_DUTY_MAX * 1_000_000, 1_000_000)).toBe(false)
    expect(dutyExceeded(10, 0)).toBe(false)
  })

  it('asks for it only at one fixed rate up to 10,000 msg/s per subscription and 16 MiB/s', () => {
    const at = (producerRate: number, more: Partial<Workload> = {}): boolean =>
      realtimeRate({ producerRate, mode: 'throughput', subscriptionsPerTopic: 1, messageSize: 1024, ...more } as Workload)
    expect(at(5000)).toBe(true)
    expect(at(10_000)).toBe(true)
    expect(at(10_001)).toBe(false)
    expect(at(0)).toBe(false) // a max-rate search
    expect(at(5000, { mode: 'backlog-drain' })).toBe(false)
    expect(at(5000, { subscriptionsPerTopic: 0 })).toBe(true)
    expect(at(5000, { subscriptionsPerTopic: 3 })).toBe(false)
    expect(at(1000, { messageSize: 16 * 1024 })).toBe(true)
    expect(at(1000, { messageSize: 64 * 1024 })).toBe(false)
  })

  it('puts a worker thread under SCHED_FIFO, and back under the default scheduler once it stays busy', async () => {
    const worker = new Worker(new URL('./fixtures/realtime-worker.ts', import.meta.url))
    try {
      const [entered] = await once(worker, 'message') as [{ status: { realtime: boolean, note: string }, policy: number }]
      if (!realtimeAllowed()) {
        expect(entered.status.realtime).toBe(false)
        expect(entered.status.note).toMatch(/^default scheduler: (chrt .* failed|no \/proc)/)
        expect(entered.policy).toBe(SCHED_OTHER)
        return
      }
      expect(entered.status.note).toBe('SCHED_FIFO priority 1 (real-time)')
      expect(entered.policy).toBe(SCHED_FIFO)
      worker.postMessage('busy')
      const [busy] = await once(worker, 'message') as [{ changes: Array<{ after: number, status: { realtime: boolean, note: string } }>, policy: number }]
      expect(busy.changes).toHaveLength(1)
      expect(busy.changes[0]!.after).toBe(2)
      expect(busy.changes[0]!.status).toMatchObject({ realtime: false })
      expect(busy.changes[0]!.status.note).toMatch(/^default scheduler: left SCHED_FIFO after using over 50% of a core in 2 intervals in a row \(\d+% in the last\)$/)
      expect(busy.policy).toBe(SCHED_OTHER)
    } finally {
      await worker.terminate()
    }
  }, 30_000)
})
