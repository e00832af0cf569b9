// `npm run bench:micro`: runs every bench/*.bench.ts, one after another, each in its own Node
// process so one benchmark's garbage, JIT state and open files cannot colour the next one's
// figures. Running them in parallel would make them fight over the machine's two cores.
// Arguments are name filters: `node bench/run.ts protocol` runs only protocol.bench.ts.
// Exits non-zero if any benchmark failed, after running the rest.

import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const BENCH_SUFFIX = '.bench.ts'

function runOne (file: string): Promise<number | string> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [join(BENCH_DIR, file)], { stdio: 'inherit' })
    child.once('error', err => resolve(err.message))
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
}

async function main (): Promise<void> {
  const filters = process.argv.slice(2)
  const files = (await readdir(BENCH_DIR))
    .filter(f => f.endsWith(BENCH_SUFFIX))
    .filter(f => filters.length === 0 || filters.some(word => f.includes(word)))
    .sort()
  if (files.length === 0) {
    console.error(`no ${BENCH_SUFFIX} files in ${BENCH_DIR} match ${filters.join(', ')}`)
    process.exitCode = 2
    return
  }
  const failed: string[] = []
  for (const file of files) {
    if (interrupted) break
    console.log(`\n== ${file} (${process.version}) ==`)
    const started = performance.now()
    const outcome = await runOne(file)
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    if (outcome === 0) {
      console.log(`== ${file}: done in ${seconds} s ==`)
    } else {
      console.log(`== ${file}: FAILED (${outcome}) after ${seconds} s ==`)
      failed.push(file)
    }
  }
  if (interrupted) {
    console.log('\ninterrupted')
    process.exitCode = 130
  } else if (failed.length > 0) {
    console.log(`\n${failed.length} of ${files.length} benchmarks failed: ${failed.join(', ')}`)
    process.exitCode = 1
  }
}

// Ctrl-C reaches the child too (same process group): let it clean up and exit, then stop
// instead of starting the next benchmark.
let interrupted = false
process.on('SIGINT', () => { interrupted = true })

await main()
