// Reading the output of Kafka's perf tools, which the `java` driver runs: ProducerPerformance
// prints a window line every 5 s and one final line, ConsumerPerformance one CSV row. The
// latencies are the producer tool's own measurement (send to acknowledgement, whole
// milliseconds), not Sluice's histograms, and are kept under names that say so.

export interface JavaProducerFigures {
  recordsSent: number
  recordsPerSec: number
  mibPerSec: number
  /** ProducerPerformance's own latency figures, ms. */
  toolLatencyMs: { avg: number, max: number, p50: number, p95: number, p99: number, p999: number }
}

export interface JavaConsumerFigures {
  messagesConsumed: number
  mibConsumed: number
  messagesPerSec: number
  mibPerSec: number
  /** Time to the first assignment (rebalance.time.ms), reported by the tool. */
  rebalanceMs: number
  /** Consumption time after the assignment (fetch.time.ms). */
  fetchMs: number
}

export class JavaPerfOutputError extends Error {
  constructor (tool: string, output: string) {
    super(`${tool} printed no result line; its last output was: ${output.trim().split('\n').slice(-3).join(' | ').slice(0, 600) || '(nothing)'}`)
    this.name = 'JavaPerfOutputError'
  }
}

const NUMBER = String.raw`(\d+(?:\.\d+)?)`
// "20000 records sent, 9990.0 records/sec (0.95 MB/sec), 14.67 ms avg latency, 301.00 ms max
// latency, 5 ms 50th, 69 ms 95th, 195 ms 99th, 298 ms 99.9th."
const FINAL_LINE = new RegExp(String.raw`^(\d+) records sent, ${NUMBER} records/sec \(${NUMBER} MB/sec\), ${NUMBER} ms avg latency, ${NUMBER} ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th`, 'm')

/** The final line of ProducerPerformance; MB there is 2^20 bytes. */
export function parseProducerPerformance (stdout: string): JavaProducerFigures {
  const m = FINAL_LINE.exec(stdout)
  if (m === null) throw new JavaPerfOutputError('ProducerPerformance', stdout)
  const n = m.slice(1).map(Number)
  return {
    recordsSent: n[0]!,
    recordsPerSec: n[1]!,
    mibPerSec: n[2]!,
    toolLatencyMs: { avg: n[3]!, max: n[4]!, p50: n[5]!, p95: n[6]!, p99: n[7]!, p999: n[8]! },
  }
}

// start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
// rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
const CSV_COLUMNS = 10

/** The CSV row ConsumerPerformance prints last. */
export function parseConsumerPerformance (stdout: string): JavaConsumerFigures {
  const row = stdout.trim().split('\n').reverse().map(line => line.split(',').map(s => s.trim()))
    .find(cells => cells.length === CSV_COLUMNS && cells.slice(2).every(c => /^-?\d+(\.\d+)?$/.test(c)))
  if (row === undefined) throw new JavaPerfOutputError('ConsumerPerformance', stdout)
  const n = row.map(Number)
  return {
    mibConsumed: n[2]!,
    messagesConsumed: n[4]!,
    rebalanceMs: n[6]!,
    fetchMs: n[7]!,
    // Over the fetch time, not the tool's whole run (which includes joining the group).
    mibPerSec: n[8]!,
    messagesPerSec: n[9]!,
  }
}
