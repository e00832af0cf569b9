// Checking scales: a seeded synthetic history (chaos/run/synthetic-history.ts) is checked
// valid at two sizes, each in a fresh process, and the memory the bounded check keeps
// (JS heap plus typed-array buffers, sampled after a full GC while each key bucket is in
// memory) must not grow with the history's length. The same measure taken of the in-memory
// check grows by tens of bytes per op: that is what shows this test can fail.
// The 10M-op figures are measured by bench/check-scale.ts and recorded in the README.

import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureInChild, writeSynthetic } from '../../../bench/check-scale.ts'
import type { CheckMeasurement, MeasureOptions } from '../../../bench/check-scale.ts'

const SMALL_OPS = 100_000
const LARGE_OPS = 400_000
/** Enough keys that buckets, not single keys, set the size of what is checked at once. */
const KEYS = 1024
/** About 10k ops a bucket, so both sizes are checked in many buckets. */
const BUCKET_BYTES = 2 ** 20
/** Retained memory allowed per additional op (bounded: measured -4 to 0; in memory: about 27). */
const BYTES_PER_EXTRA_OP_MAX = 10

let dir: string
const measured = new Map<string, CheckMeasurement>()

async function measure (mode: 'bounded' | 'memory', ops: number): Promise<CheckMeasurement> {
  const options: MeasureOptions = { retainedEveryOps: 20_000, mode, bucketBytes: BUCKET_BYTES }
  return measureInChild(join(dir, `${ops}.jsonl`), options)
}

function growthPerOp (mode: 'bounded' | 'memory'): number {
  const small = measured.get(`${mode} ${SMALL_OPS}`)!
  const large = measured.get(`${mode} ${LARGE_OPS}`)!
  const bytesPerOp = (large.heapRetainedPeakBytes - small.heapRetainedPeakBytes) / (large.ops - small.ops)
  process.stdout.write(`check scale (${mode}): retained heap ${(small.heapRetainedPeakBytes / 2 ** 20).toFixed(1)} MiB at ${small.ops} ops, ` +
    `${(large.heapRetainedPeakBytes / 2 ** 20).toFixed(1)} MiB at ${large.ops} ops: ${bytesPerOp.toFixed(1)} bytes per extra op\n`)
  expect(small.heapRetainedPeakBytes).toBeGreaterThan(0)
  return bytesPerOp
}

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'sluice-check-scale-'))
  for (const ops of [SMALL_OPS, LARGE_OPS]) await writeSynthetic(join(dir, `${ops}.jsonl`), ops, 7, KEYS)
  for (const mode of ['bounded', 'memory'] as const) {
    for (const ops of [SMALL_OPS, LARGE_OPS]) measured.set(`${mode} ${ops}`, await measure(mode, ops))
  }
}, 300_000)

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe('checking a long generated history', () => {
  it('finds the clean synthetic history valid at both sizes, bounded and in memory', () => {
    for (const m of measured.values()) expect(m.valid).toBe(true)
    expect(measured.get(`bounded ${LARGE_OPS}`)!.ops).toBeGreaterThanOrEqual(LARGE_OPS)
  })

  it('keeps the bounded check\'s memory flat as the history grows 4-fold', () => {
    expect(growthPerOp('bounded')).toBeLessThan(BYTES_PER_EXTRA_OP_MAX)
  })

  it('the bound can fail: the in-memory check\'s memory grows with length beyond it', () => {
    expect(growthPerOp('memory')).toBeGreaterThan(BYTES_PER_EXTRA_OP_MAX)
  })
})
