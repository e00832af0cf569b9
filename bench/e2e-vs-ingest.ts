// Issue #13's ratio, from one sitting: the native end-to-end max rate (producer, broker and
// consumer on this machine) over what the broker alone ingests. Reads the ingest
// benchmark's --json file and a max-throughput run's result.json (scripts/latency-figures.sh
// writes both) and prints one line per ingest scenario of the same record size.
//
// Run: node bench/e2e-vs-ingest.ts <ingest.json> <result.json>

import { readFile } from 'node:fs/promises'

interface IngestReport { results: Array<{ recordBytes: number, connections: number, recordsPerSecond: number }> }
interface RunResult {
  messageSize: number
  summary: { consumeRateMsgPerSec: number }
  maxRateSearch?: { ratePerSec: number, found: boolean, measuredPhase?: { sustained: boolean, problems: string[] } | null } | null
}

async function readJson<T> (path: string, what: string): Promise<T> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new Error(`cannot read the ${what} at ${path}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text) as T
  } catch (err) {
    throw new Error(`the ${what} at ${path} is not JSON: ${(err as Error).message}`)
  }
}

async function main (ingestPath: string, resultPath: string): Promise<void> {
  const ingest = await readJson<IngestReport>(ingestPath, 'ingest benchmark JSON (bench/ingest.ts --json)')
  const run = await readJson<RunResult>(resultPath, 'run result (result.json)')
  if (!Array.isArray(ingest.results)) throw new Error(`${ingestPath} has no "results" list: is it bench/ingest.ts --json output?`)
  const search = run.maxRateSearch
  if (search == null || typeof run.summary?.consumeRateMsgPerSec !== 'number') {
    throw new Error(`${resultPath} is not a max-rate run's result.json (producerRate 0, e.g. workloads/max-throughput-1kb.yaml)`)
  }
  const consumed = run.summary.consumeRateMsgPerSec
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
  const measured = search.measuredPhase
  const held = measured == null ? '' : measured.sustained ? ', held over the measured phase' : `, NOT held over the measured phase (${measured.problems.join('; ')})`
  console.log(`end-to-end max: the search found ${fmt(search.ratePerSec)} msg/s${search.found ? '' : ' (no healthy rate)'}, ${fmt(consumed)} msg/s consumed${held}`)
  const same = ingest.results.filter(r => r.recordBytes === run.messageSize)
  if (same.length === 0) console.log(`no ingest scenario with ${run.messageSize} B records in ${ingestPath}`)
  for (const r of same) {
    console.log(`  vs ingest ${fmt(r.recordsPerSecond)} records/s on ${r.connections} connection(s): ${(100 * consumed / r.recordsPerSecond).toFixed(0)}% (aim 60%)`)
  }
}

const [ingestPath, resultPath] = process.argv.slice(2)
if (ingestPath === undefined || resultPath === undefined) {
  console.error('usage: node bench/e2e-vs-ingest.ts <ingest.json> <result.json>')
  process.exit(2)
}
try {
  await main(ingestPath, resultPath)
} catch (err) {
  console.error(`e2e-vs-ingest: ${(err as Error).message}`)
  process.exit(2)
}
