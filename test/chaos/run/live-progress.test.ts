// A chaos run's signs of life: nemesis events logged as they happen and a periodic line with
// elapsed/total time, ops per second by outcome and the faults in force, all read from the
// history as the interpreter writes it.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HistoryWriter } from '../../../chaos/run/interpreter.ts'
import { ChaosProgress } from '../../../chaos/run/live-progress.ts'

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'sluice-progress-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('ChaosProgress', () => {
  it('logs nemesis starts and ends at once, and a line with rates and the faults in force', async () => {
    const history = new HistoryWriter(join(dir, 'history.jsonl'), { firstFreeProcess: 2 })
    const lines: string[] = []
    const progress = new ChaosProgress({ history, log: line => lines.push(line), totalSec: 30, intervalMs: 200 })
    history.info('nemesis', 'nemesis', { fault: 'pause', phase: 'start', id: 1, targets: ['broker-1'] })
    expect(lines).toEqual(['nemesis: pause start on broker-1'])
    for (let i = 0; i < 4; i++) {
      history.invoke(0, 'send', [['send', 'k', i]])
      history.complete(0, i === 3 ? 'info' : 'ok', [['send', 'k', [i, i]]])
    }
    await new Promise(resolve => setTimeout(resolve, 300))
    const line = lines.find(l => l.startsWith('[chaos '))
    expect(line).toMatch(/^\[chaos 00:00\/00:30\] ops\/s ok \d+ fail 0 info \d+ \| faults: pause broker-1$/)
    // Counted, not just printed: 3 ok and 1 info over about 0.2 s.
    const [, ok, info] = /ok (\d+) fail 0 info (\d+)/.exec(line!)!.map(Number)
    expect(ok).toBeGreaterThan(info!)
    expect(info).toBeGreaterThan(0)
    history.info('nemesis', 'nemesis', { fault: 'pause', phase: 'end', id: 1, targets: ['broker-1'] })
    expect(lines.at(-1)).toBe('nemesis: pause end on broker-1')
    await new Promise(resolve => setTimeout(resolve, 250))
    expect(lines.at(-1)).toMatch(/ok 0 fail 0 info 0 \| faults: none$/)
    progress.stop()
    const count = lines.length
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(lines.length).toBe(count)
    history.close()
  })
})
