// A workload from flags alone, like kafka-producer-perf-test's --num-records, --record-size
// and --throughput: `sluice bench --messages 100000 --message-size 512 --rate 5000`. The
// shape is the smoke workload's (one topic, one producer, one consumer group of one,
// keyed, acks=all); --set, --driver and --partitions change the rest.

import { parseWorkload } from '../workload/load.ts'
import type { Workload } from '../workload/types.ts'
import { BenchError } from './errors.ts'

export interface QuickFlags {
  messages?: string
  messageSize?: string
  rate?: string
  partitions?: string
}

export const QUICK_SOURCE = 'command-line workload (--messages/--message-size/--rate)'
const MESSAGES_MAX = 1_000_000_000
const RATE_MAX = 10_000_000
/** Warm-up of a quick run: short, since the run is sized by a message count. */
const QUICK_WARMUP_SECONDS = 2

export function hasQuickFlags (flags: QuickFlags): boolean {
  return flags.messages !== undefined || flags.messageSize !== undefined || flags.rate !== undefined || flags.partitions !== undefined
}

function positiveInteger (text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1 || value > max) throw new BenchError('ERR_BENCH_OPTIONS', `${flag} must be an integer from 1 to ${max}; got ${JSON.stringify(text)}`)
  return value
}

/** The YAML a quick run would be as a file, so it validates exactly like one. */
export function quickWorkloadYaml (flags: QuickFlags): string {
  const rate = positiveInteger(flags.rate, '--rate', 1000, RATE_MAX)
  const messages = positiveInteger(flags.messages, '--messages', 10 * rate, MESSAGES_MAX)
  const size = positiveInteger(flags.messageSize, '--message-size', 1024, 64 * 1024 * 1024)
  const partitions = positiveInteger(flags.partitions, '--partitions', 8, 10_000)
  return [
    'name: quick',
    'topics: 1',
    `partitionsPerTopic: ${partitions}`,
    `messageSize: ${size}`,
    'subscriptionsPerTopic: 1',
    'consumerPerSubscription: 1',
    'producersPerTopic: 1',
    `producerRate: ${rate}`,
    `warmupDurationSeconds: ${QUICK_WARMUP_SECONDS}`,
    `testDurationSeconds: ${Math.max(1, Math.ceil(messages / rate))}`,
    'keys:',
    '  count: 1000',
    '  distribution: uniform',
    'producer:',
    '  acks: all',
  ].join('\n') + '\n'
}

export function quickWorkload (flags: QuickFlags, overrides: Readonly<Record<string, string>>): Workload {
  return parseWorkload(quickWorkloadYaml(flags), QUICK_SOURCE, overrides)
}
