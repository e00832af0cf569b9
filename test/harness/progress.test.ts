import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { RunRecorder } from '../../harness/measure/recorder.ts'
import { WorkerStats } from '../../harness/measure/worker-stats.ts'
import { Progress, formatProgressLine, progressFromSample } from '../../harness/progress.ts'
import type { ProgressState } from '../../harness/progress.ts'

function capture (isTTY: boolean): { stream: PassThrough & { isTTY?: boolean, columns?: number }, text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 160 })
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

function state (second: number, phase: string): ProgressState {
  return { phase, elapsedSec: second, totalSec: 20, publishRateMsgPerSec: 2000, consumeRateMsgPerSec: 1990, backlogMessages: 1234, publishLatencyUsP99: 2500 }
}

describe('progress', () => {
  it('formats one plain line with phase, time and the live figures', () => {
    expect(formatProgressLine(state(65, 'measure'))).toBe('[measure] 01:05/00:20 | publish 2.00k msg/s | consume 1.99k msg/s | backlog 1,234 | p99 2.50 ms')
    expect(formatProgressLine({ ...state(1, 'warmup'), publishLatencyUsP99: null })).toContain('[warm-up] 00:01/00:20')
  })

  it('prints a line every 5 s and at each phase change when not on a terminal', () => {
    const out = capture(false)
    let nowMs = 0
    const progress = new Progress({ stream: out.stream, nowMs: () => nowMs })
    for (let second = 0; second < 20; second++) {
      nowMs = second * 1000
      progress.update(state(second, second < 3 ? 'warmup' : second < 18 ? 'measure' : 'drain'))
    }
    progress.stop()
    progress.update(state(21, 'drain'))
    const lines = out.text().trimEnd().split('\n')
    expect(lines.map((line) => line.slice(0, line.indexOf('|')).trim())).toEqual([
      '[warm-up] 00:00/00:20', '[measure] 00:03/00:20', '[measure] 00:08/00:20', '[measure] 00:13/00:20', '[drain] 00:18/00:20',
    ])
    expect(out.text()).not.toContain('\u001b[')
  })

  it('draws a bar in place on a terminal', async () => {
    const out = capture(true)
    const progress = new Progress({ stream: out.stream })
    progress.update(state(2, 'warmup'))
    await sleep(30)
    progress.update(state(9, 'measure'))
    await sleep(250)
    progress.stop()
    const text = out.text()
    expect(text).toContain('\u001b[?25l')
    expect(text).toContain('measure')
    expect(text).toContain('00:09/00:20')
    expect(text).toContain('backlog 1,234')
    expect(text).toContain('p99 2.50 ms')
    expect(text).toMatch(/█+░+/)
  })

  it('reads its figures from a closed interval', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 1, startUs: 0 })
    const stats = new WorkerStats('w')
    for (let i = 0; i < 10; i++) stats.recordPublishAck(1, 0, 0, 700)
    for (let i = 0; i < 4; i++) stats.recordConsume(1, 0, 100)
    recorder.add(stats.takeSnapshot())
    const sample = recorder.closeInterval({ phase: 'measure', nowUs: 500_000 })
    expect(progressFromSample(sample, 7, 30)).toEqual({
      phase: 'measure', elapsedSec: 7, totalSec: 30, publishRateMsgPerSec: 20, consumeRateMsgPerSec: 8, backlogMessages: 6, publishLatencyUsP99: 700,
    })
  })

  it('shows no consume rate or backlog for a run without consumers, rather than zeros', () => {
    const recorder = new RunRecorder({ subscriptionsPerTopic: 0, startUs: 0 })
    const stats = new WorkerStats('w')
    for (let i = 0; i < 10; i++) stats.recordPublishAck(1, 0, 0, 700)
    recorder.add(stats.takeSnapshot())
    const progress = progressFromSample(recorder.closeInterval({ phase: 'measure', nowUs: 500_000 }), 7, 30, false)
    expect(progress.consumeRateMsgPerSec).toBeNull()
    expect(progress.backlogMessages).toBeNull()
    expect(formatProgressLine(progress)).toContain('consume none | backlog –')
  })
})
