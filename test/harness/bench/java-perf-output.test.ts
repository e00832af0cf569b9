import { describe, expect, it } from 'vitest'
import { JavaPerfOutputError, parseConsumerPerformance, parseProducerPerformance } from '../../../harness/bench/java-perf-output.ts'

// Lines as Kafka 4.1's tools print them (a window line, then the final one; a CSV header and row).
const PRODUCER_OUTPUT = [
  '9826 records sent, 1964.8 records/sec (1.92 MB/sec), 53.4 ms avg latency, 1706.0 ms max latency.',
  '14000 records sent, 1961.9 records/sec (1.92 MB/sec), 47.21 ms avg latency, 1706.00 ms max latency, 11 ms 50th, 336 ms 95th, 380 ms 99th, 401 ms 99.9th.',
].join('\n')
const CONSUMER_OUTPUT = [
  'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
  '2026-12-04 17:02:44:100, 2026-12-04 17:02:52:300, 13.6719, 1.6673, 14000, 1707.3171, 5609, 2691, 5.0806, 5202.5270',
].join('\n')

describe('reading the Java perf tools', () => {
  it('takes the final ProducerPerformance line, not a window line', () => {
    expect(parseProducerPerformance(PRODUCER_OUTPUT)).toEqual({
      recordsSent: 14000, recordsPerSec: 1961.9, mibPerSec: 1.92,
      toolLatencyMs: { avg: 47.21, max: 1706, p50: 11, p95: 336, p99: 380, p999: 401 },
    })
  })

  it('takes the ConsumerPerformance row, with rates over the fetch time', () => {
    expect(parseConsumerPerformance(CONSUMER_OUTPUT)).toEqual({ mibConsumed: 13.6719, messagesConsumed: 14000, rebalanceMs: 5609, fetchMs: 2691, mibPerSec: 5.0806, messagesPerSec: 5202.527 })
  })

  it('says which tool printed no result and quotes its last lines', () => {
    expect(() => parseProducerPerformance(PRODUCER_OUTPUT.split('\n')[0]!)).toThrow(JavaPerfOutputError)
    expect(() => parseProducerPerformance('Exception in thread "main" org.apache.kafka.common.KafkaException: boom')).toThrow(/ProducerPerformance printed no result line; its last output was: Exception in thread "main".*boom/)
    expect(() => parseConsumerPerformance(CONSUMER_OUTPUT.split('\n')[0]!)).toThrow(/ConsumerPerformance printed no result line/)
  })
})
