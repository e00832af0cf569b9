// How the checker scales with history length: generates a seeded synthetic history
// (chaos/run/synthetic-history.ts) of --ops operations, then checks it in a fresh child
// process and prints the time, the peak heap and the peak RSS.
//
//   node bench/check-scale.ts --ops 10000000 [--seed 1] [--keys 32] [--keep path.jsonl]
//       [--mode auto|bounded|memory] [--bucket-bytes N]
//
// --mode: `auto` (default) checks as `sluice check` does (in bounded memory above
// BOUNDED_ABOVE_BYTES), `bounded` always bounded, `memory` always in memory.
//
// The figure in the README comes from this script; the suite only compares peak heap at two
// modest sizes (test/chaos/check/scale.test.ts).

import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { checkHistoryFile } from '../chaos/check/checker.ts'
import type { FileCheckOptions } from '../chaos/check/checker.ts'
import { writeHistoryFile } from '../chaos/check/history-file.ts'
import { syntheticHistory } from '../chaos/run/synthetic-history.ts'

export interface CheckMeasurement {
  ops: number
  seconds: number
  /** Peak of the JS heap plus typed-array buffers. */
  heapPeakBytes: number
  /** Peak of the heap still reachable (sampled after a full GC) while reading and checking. */
  heapRetainedPeakBytes: number
  rssPeakBytes: number
  valid: boolean | 'unknown'
}

export type CheckMode = 'auto' | 'bounded' | 'memory'

export interface MeasureOptions {
  /** Sample the retained heap (a full GC first) every this many ops read and as each checker or bucket starts; 0: never. */
  retainedEveryOps?: number
  mode?: CheckMode
  bucketBytes?: number
}

function fileOptions (options: MeasureOptions): FileCheckOptions {
  const mode = options.mode ?? 'auto'
  return {
    ...(mode === 'bounded' ? { boundedAboveBytes: 0 } : mode === 'memory' ? { boundedAboveBytes: Infinity } : {}),
    ...(options.bucketBytes === undefined ? {} : { bucketBytes: options.bucketBytes }),
  }
}

/** Checks one file in this process, sampling the heap as it goes (retained heap only with --expose-gc). */
export async function measureCheck (path: string, options: MeasureOptions = {}): Promise<CheckMeasurement> {
  const retainedEveryOps = options.retainedEveryOps ?? 0
  let heapPeakBytes = 0
  let heapRetainedPeakBytes = 0
  const gc = (globalThis as { gc?: () => void }).gc
  // The digest keeps its columns in typed arrays, whose bytes live outside the JS heap proper
  // (arrayBuffers): both count.
  const used = (): number => {
    const memory = process.memoryUsage()
    return memory.heapUsed + memory.arrayBuffers
  }
  const sample = (): void => { heapPeakBytes = Math.max(heapPeakBytes, used()) }
  const sampleRetained = (): void => {
    if (gc === undefined) return
    gc()
    heapRetainedPeakBytes = Math.max(heapRetainedPeakBytes, used())
  }
  const startMs = performance.now()
  const timer = setInterval(sample, 50)
  const verdict = await checkHistoryFile(path, {
    ...fileOptions(options),
    requireFinalPolls: true,
    onProgress: (ops) => {
      sample()
      if (retainedEveryOps > 0 && ops % retainedEveryOps === 0) sampleRetained()
      if (ops % 1_000_000 === 0) process.stderr.write(`checking: ${ops.toLocaleString('en-US')} ops\n`)
    },
    progressEveryOps: retainedEveryOps > 0 ? Math.min(retainedEveryOps, 100_000) : 100_000,
    // Checkers run synchronously, so the timer cannot sample during them: sample as each
    // starts (in memory) or as each key bucket's digest is ready (bounded), when what the
    // check holds is largest.
    onChecker: (name, position, checkers) => {
      sample()
      if (retainedEveryOps > 0) sampleRetained()
      if (position === checkers || position % 10 === 0) process.stderr.write(`checking: ${name} ${position}/${checkers}\n`)
    },
  })
  sample()
  clearInterval(timer)
  return {
    ops: verdict.stats.ops,
    seconds: (performance.now() - startMs) / 1000,
    heapPeakBytes,
    heapRetainedPeakBytes,
    rssPeakBytes: process.resourceUsage().maxRSS * 1024,
    valid: verdict.valid,
  }
}

/** Runs `measureCheck` in a fresh Node process, so nothing else is on its heap. */
export function measureInChild (path: string, options: MeasureOptions = {}): Promise<CheckMeasurement> {
  const script = fileURLToPath(import.meta.url)
  const retainedEveryOps = options.retainedEveryOps ?? 0
  const args = [...(retainedEveryOps > 0 ? ['--expose-gc'] : []), script, '--check', path, '--retained-every', String(retainedEveryOps), '--mode', options.mode ?? 'auto',
    ...(options.bucketBytes === undefined ? [] : ['--bucket-bytes', String(options.bucketBytes)])]
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`))
      else resolve(JSON.parse(stdout) as CheckMeasurement)
    })
  })
}

export async function writeSynthetic (path: string, ops: number, seed: number, keys?: number): Promise<void> {
  await writeHistoryFile(path, syntheticHistory({ seed, ops, ...(keys === undefined ? {} : { keys }) }))
}

const MODES: readonly CheckMode[] = ['auto', 'bounded', 'memory']

function modeOf (text: string): CheckMode {
  if ((MODES as readonly string[]).includes(text)) return text as CheckMode
  throw new Error(`--mode must be one of ${MODES.join(', ')} (got "${text}")`)
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' }, keys: { type: 'string' }, keep: { type: 'string' },
      check: { type: 'string' }, 'retained-every': { type: 'string', default: '0' }, mode: { type: 'string', default: 'auto' }, 'bucket-bytes': { type: 'string' },
    },
  })
  const measure: MeasureOptions = {
    retainedEveryOps: Number(values['retained-every']),
    mode: modeOf(values.mode),
    ...(values['bucket-bytes'] === undefined ? {} : { bucketBytes: Number(values['bucket-bytes']) }),
  }
  if (values.check !== undefined) {
    process.stdout.write(`${JSON.stringify(await measureCheck(values.check, measure))}\n`)
    return
  }
  const ops = Number(values.ops)
  const dir = await mkdtemp(join(tmpdir(), 'sluice-check-scale-'))
  const path = values.keep ?? join(dir, 'history.jsonl')
  try {
    const genStart = performance.now()
    await writeSynthetic(path, ops, Number(values.seed), values.keys === undefined ? undefined : Number(values.keys))
    process.stderr.write(`generated ${ops.toLocaleString('en-US')} ops in ${((performance.now() - genStart) / 1000).toFixed(1)} s: ${path}\n`)
    const m = await measureInChild(path, measure)
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`
    process.stdout.write(`${m.ops.toLocaleString('en-US')} ops checked in ${m.seconds.toFixed(1)} s (${Math.round(m.ops / m.seconds).toLocaleString('en-US')} ops/s); ` +
      `peak heap ${mib(m.heapPeakBytes)}, peak RSS ${mib(m.rssPeakBytes)}; verdict ${String(m.valid)}\n`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
