// The bounded check (chaos/check/bounded-check.ts) must reach the in-memory check's verdict:
// the same validity, anomaly counts, cases (in op order rather than per checker), stats,
// reasons and cited lines, on hand-written histories with every kind of anomaly, on a long
// synthetic history with injected faults, and whatever the number of key buckets. What it
// cannot do in bounded memory (the transaction cycle search) it must say it skipped.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkHistoryFile } from '../../../chaos/check/checker.ts'
import type { FileCheckOptions, Verdict } from '../../../chaos/check/checker.ts'
import { formatOpLine, writeHistoryFile } from '../../../chaos/check/history-file.ts'
import type { Op } from '../../../chaos/check/history.ts'
import { bucketOfKey } from '../../../chaos/check/spill.ts'
import { syntheticHistory } from '../../../chaos/run/synthetic-history.ts'
import { HistoryBuilder } from './history-builder.ts'

let dir: string
let files = 0

beforeAll(async () => { dir = await mkdtemp(join(os.tmpdir(), 'sluice-bounded-check-')) })
afterAll(async () => { if (dir !== undefined) await rm(dir, { recursive: true, force: true }) })

/** Checks the ops written to a file in memory and bounded in `buckets` buckets. */
async function bothWays (ops: Iterable<Op>, buckets: number, extra: FileCheckOptions = {}): Promise<{ memory: Verdict, bounded: Verdict }> {
  const path = join(dir, `history-${files++}.jsonl`)
  await writeHistoryFile(path, ops)
  return checkBothWays(path, buckets, extra)
}

async function checkBothWays (path: string, buckets: number, extra: FileCheckOptions = {}): Promise<{ memory: Verdict, bounded: Verdict }> {
  const { size } = await import('node:fs/promises').then(async (fs) => fs.stat(path))
  const common: FileCheckOptions = { requireFinalPolls: true, plots: true, spillDir: dir, ...extra }
  const memory = await checkHistoryFile(path, { ...common, boundedAboveBytes: Infinity })
  const bounded = await checkHistoryFile(path, { ...common, boundedAboveBytes: 0, bucketBytes: Math.ceil(size / buckets) })
  return { memory, bounded }
}

/**
 * The verdict with each anomaly's cases in one canonical order, and without the unseen plot's
 * samples, whose time axis a bounded check stretches to the last op (plots.ts, UnseenBins).
 */
function canonical (verdict: Verdict): Verdict {
  const anomalies = Object.fromEntries(Object.entries(verdict.anomalies).map(([name, cases]) =>
    [name, [...cases].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))]))
  const plots = verdict.plots === undefined ? undefined : { ...verdict.plots, unseen: [] }
  return { ...verdict, anomalies, ...(plots === undefined ? {} : { plots }) }
}

function expectSameVerdict (memory: Verdict, bounded: Verdict): void {
  expect(canonical(bounded)).toEqual(canonical(memory))
  // The unseen series: as many samples, the same count at the end of the run.
  expect(bounded.plots?.unseen.length).toBe(memory.plots?.unseen.length)
  expect(bounded.plots?.unseen.at(-1)?.[1]).toBe(memory.plots?.unseen.at(-1)?.[1])
}

/** Anomalies of most kinds on keys that land in different buckets. */
function faultyHistory (): HistoryBuilder {
  const h = new HistoryBuilder()
  h.nemesis({ fault: 'kill', target: 'broker-0' })
  h.send(1, 'k', 1, 0)
  h.send(1, 'k', 2, 1)
  h.send(1, 'k', 3, 2)
  h.send(2, 'j', 1, 0)
  h.send(2, 'j', 2, 0)
  h.send(2, 'm', 1, 1)
  h.send(2, 'm', 2, 0)
  h.sendFail(3, 'n', 1)
  h.sendInfo(3, 'n', 2)
  h.assign(4, ['k', 'j', 'm', 'n'])
  h.poll(4, { k: [[0, 1], [2, 3]], j: [[0, 1]], n: [[0, 1], [1, 2]] })
  h.poll(4, { j: [[0, 2]], m: [[0, 2], [1, 1]] })
  h.crash(4)
  h.subscribe(5, ['topic'])
  h.poll(5, { m: [[1, 1]] })
  h.rebalance(5, ['m'])
  h.poll(5, { m: [[0, 2]] })
  h.nemesis({ fault: 'kill', target: 'broker-0', end: true })
  h.assign(6, ['k', 'j', 'm', 'n'])
  h.poll(6, { k: [[0, 1], [2, 3]], j: [[0, 1]], m: [[0, 2], [1, 1]], n: [[1, 2]] }, { final: true })
  return h
}

describe('the bounded check gives the in-memory verdict', () => {
  it('on a history with lost, duplicated, inconsistent, reordered, skipped and aborted reads', async () => {
    for (const buckets of [1, 2, 4, 16]) {
      const { memory, bounded } = await bothWays(faultyHistory().ops, buckets)
      expect(memory.valid).toBe(false)
      expect(Object.keys(memory.anomalyCounts).length).toBeGreaterThanOrEqual(5)
      expectSameVerdict(memory, bounded)
    }
  })

  it('on consume-transform-produce runs: outputs beside their inputs, commits judged as they stream', async () => {
    const h = new HistoryBuilder()
    h.transform({ in: 'out', in2: 'out2' })
    h.send(1, 'in', 1, 0)
    h.send(1, 'in', 2, 1)
    h.send(1, 'in2', 1, 0)
    h.commit(5, 'transform', { 'in-0': 2 })
    h.commit(5, 'transform', { 'in-0': 1 })
    h.poll(9, { out: [[0, 1], [1, 1]], out2: [[0, 1], [1, 7]] }, { final: true })
    const { memory, bounded } = await bothWays(h.ops, 8)
    expect(memory.anomalyCounts['exactly-once']).toBe(4)
    expectSameVerdict(memory, bounded)
  })

  it('on a long synthetic history with injected faults, in many buckets', async () => {
    function * faulty (): Generator<Op> {
      let n = 0
      for (const op of syntheticHistory({ seed: 5, ops: 30_000, keys: 64 })) {
        n++
        const value = op.value as unknown[][]
        if (op.type === 'ok' && op.f === 'poll' && n % 701 === 0) {
          const reads = value[0]![1] as Record<string, unknown[]>
          for (const key of Object.keys(reads)) reads[key] = reads[key]!.slice(1)
        }
        if (op.type === 'ok' && op.f === 'send' && n % 1303 === 0) (value[0]![2] as number[])[0]! += 1
        yield op
      }
    }
    const { memory, bounded } = await bothWays(faulty(), 12)
    expect(memory.valid).toBe(false)
    expectSameVerdict(memory, bounded)
  })

  it('cites the lines of a file whose lines are not index + 1', async () => {
    const path = join(dir, 'shifted.jsonl')
    const lines = faultyHistory().ops.map((op) => formatOpLine({ ...op, index: op.index + 5 }))
    await writeFile(path, ['', ...lines.slice(0, 10), '', '', ...lines.slice(10)].join('\n') + '\n')
    const { memory, bounded } = await checkBothWays(path, 3)
    expect(memory.opLines).toBeDefined()
    expectSameVerdict(memory, bounded)
  })

  it('falls back to memory when a transform is declared after its output key was used', async () => {
    const h = new HistoryBuilder()
    h.poll(9, { out: [[0, 1]] })
    h.transform({ in: 'out' })
    h.send(1, 'in', 1, 0)
    h.poll(9, { out: [[0, 1]], in: [[0, 1]] }, { final: true })
    // Find a bucket count that separates the two keys, so that the late mapping matters.
    const buckets = [2, 3, 4, 5, 6, 7].find((n) => bucketOfKey('in', n) !== bucketOfKey('out', n))!
    const { memory, bounded } = await bothWays(h.ops, buckets)
    expectSameVerdict(memory, bounded)
  })
})

describe('transactions in a bounded check', () => {
  /** Keys a and b in different buckets of `buckets`. */
  function spanningKeys (buckets: number): [string, string] {
    const b = ['b', 'c', 'd', 'e', 'f', 'g', 'h'].find((key) => bucketOfKey(key, buckets) !== bucketOfKey('a', buckets))!
    return ['a', b]
  }

  it('proves an indeterminate transaction committed by a read in another bucket', async () => {
    const [a, b] = spanningKeys(4)
    const h = new HistoryBuilder()
    h.txn(1, [['send', a, [0, 1]], ['send', b, [0, 1]]])
    const info = h.txn(2, [['send', a, [null, 2]], ['send', b, [null, 2]]], 'info')
    h.poll(3, { [a]: [[0, 1], [1, 2]], [b]: [[0, 1]] }, { final: true })
    const { memory, bounded } = await bothWays(h.ops, 4)
    expect(memory.anomalies.unseen).toEqual([expect.objectContaining({ key: b, values: [2], ops: [info] })])
    expect(bounded.anomalies.unseen).toEqual(memory.anomalies.unseen)
    expect(bounded.anomalyCounts).toEqual(memory.anomalyCounts)
  })

  it('says it skipped the cycle search, and does not claim to have run it', async () => {
    const h = new HistoryBuilder()
    h.txn(1, [['send', 'x', [0, 1]], ['send', 'y', [1, 2]]])
    h.txn(2, [['send', 'y', [0, 1]], ['send', 'x', [1, 2]]])
    h.poll(3, { x: [[0, 1], [1, 2]], y: [[0, 1], [1, 2]] }, { final: true })
    const { memory, bounded } = await bothWays(h.ops, 4)
    expect(memory.anomalyCounts.G0).toBe(1)
    expect(bounded.anomalies.G0).toBeUndefined()
    expect(bounded.checkers).not.toContain('cycles (G0, G1c)')
    expect(bounded.unchecked.join('\n')).toMatch(/G0\/G1c cycles \(skipped: 2 transactions/)
  })

  it('reports progress once per key bucket', async () => {
    const positions: string[] = []
    const path = join(dir, 'progress.jsonl')
    await writeHistoryFile(path, faultyHistory().ops)
    await checkHistoryFile(path, { boundedAboveBytes: 0, bucketBytes: 100, onChecker: (name, position, total) => positions.push(`${name} ${position}/${total}`) })
    expect(positions.length).toBeGreaterThan(3)
    expect(positions.at(-1)).toBe(`per-key checkers, key bucket ${positions.length}/${positions.length}`)
  })
})
