// Where a chaos run's keys live. The mapping is fixed and documented so a history can be
// read without the run that wrote it:
//
// - Register workload (producers write keys, consumers poll them back): one topic,
//   `chaos`, with the workload's partitionsPerTopic partitions. Keys are decimal strings
//   ("0", "1", ...). Process slot s owns keys s, s + P, s + 2P, ... (P = chaos.processes):
//   it writes one key until maxWritesPerKey values, then moves on to its next key.
// - Consume-transform-produce workload: input topic `chaos-input`, output topic
//   `chaos-output`, both with partitionsPerTopic partitions. Input key "7" is copied by the
//   processors to output key "out-7".
// - A key's partition is the Java client's: murmur2(UTF-8 bytes of the key) & 0x7fffffff
//   modulo the partition count (broker/protocol/partitioner.ts), the rule every Kafka client
//   uses, so the mapping holds whichever client wrote the record.
// - Record key = the key's UTF-8 bytes; record value = the integer value as decimal text.
// - Committed offsets are named "<topic>-<partition>" in `commit` ops, as Kafka tools do.

import { partitionForKey } from '../../broker/protocol/partitioner.ts'

export const REGISTER_TOPIC = 'chaos'
export const INPUT_TOPIC = 'chaos-input'
export const OUTPUT_TOPIC = 'chaos-output'
export const OUTPUT_KEY_PREFIX = 'out-'

export interface TopicSpec {
  name: string
  partitions: number
}

export function keyPartition (key: string, partitions: number): number {
  return partitionForKey(key, partitions)
}

export function partitionName (topic: string, partition: number): string {
  return `${topic}-${partition}`
}

export function outputKeyFor (inputKey: string): string {
  return `${OUTPUT_KEY_PREFIX}${inputKey}`
}

/** The n-th key (from 0) of process slot `slot` among `processes` slots. */
export function slotKey (slot: number, n: number, processes: number): string {
  return String(slot + n * processes)
}

/** Parses a record value written by the chaos harness; null when it is not one of ours. */
export function parseValue (value: Buffer | null): number | null {
  if (value === null || value.length === 0 || value.length > 16) return null
  const text = value.toString('latin1')
  if (!/^-?\d+$/.test(text)) return null
  const parsed = Number(text)
  return Number.isSafeInteger(parsed) ? parsed : null
}
