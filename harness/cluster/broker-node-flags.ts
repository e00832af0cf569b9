// The Node flags every reference broker process the harness starts runs with, as Kafka's
// start script gives its JVM heap and GC options (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS).
//
// Why the young generation is capped. The broker's live heap is small (about 21 MB after a
// full collection) but it makes short-lived garbage fast: about 100 MB/s at 5,000 msg/s of
// 1 KiB (latency-fixed-rate). With V8's defaults the young generation grows after half a
// minute of that load (heap 65 -> 100 -> 160 MB), and from then on V8 starts a mark-compact
// by task every 0.5-2 s although the old generation sits at 26 of its 61 MB limit
// (`--trace-incremental-marking`: "Start (task): size 26MB / limit 61MB"). Each one stops the
// broker for 3-15 ms, and end-to-end p99.9 went from 4-5 ms in the first 30 s of a run to
// 14-15 ms over the full 60 s. With semi-spaces capped at 8 MB there was one mark-compact in
// a 75 s run (at start-up), end-to-end p99 1.6 ms and p99.9 3.9 ms, and the broker-alone
// ingest benchmark lost nothing within its noise (README, issue #13).
//
// Not in the list: `--external-memory-accounted-in-global-limit`. The broker moves records
// in Buffers outside the JS heap, and by default each fixed step of that external memory
// starts a mark-compact: 13 a second at 90,000 msg/s of 1 KiB. With the flag V8 weighs it in
// the heap's own limit: half the mark-compacts and a lower end-to-end p99 at 100,000 msg/s
// (19 and 34 ms against 85 and 43), but at 5,000 msg/s end-to-end p99.9 was worse in five of
// seven interleaved pairs (median 25 against 10 ms, worst 121 ms) while the broker's
// collections counted the same, for a reason not yet found. Give it through
// SLUICE_BROKER_NODE_OPTIONS for max-rate runs.
//
// SLUICE_BROKER_NODE_OPTIONS replaces the list (space-separated; empty for none), e.g.
// SLUICE_BROKER_NODE_OPTIONS="--max-semi-space-size=8 --trace-gc" to see the collections in
// the broker's log.

import { ClusterError } from './cluster.ts'

export const BROKER_NODE_FLAGS_DEFAULT: readonly string[] = ['--max-semi-space-size=8']

export const BROKER_NODE_FLAGS_ENV = 'SLUICE_BROKER_NODE_OPTIONS'

/** The flags a broker process starts with: the environment's list if set, else the default. */
export function brokerNodeFlags (env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const text = env[BROKER_NODE_FLAGS_ENV]
  if (text === undefined) return BROKER_NODE_FLAGS_DEFAULT
  const flags = text.split(/\s+/).filter(f => f !== '')
  const bad = flags.find(f => !f.startsWith('--'))
  if (bad !== undefined) {
    throw new ClusterError('ERR_CLUSTER_SPEC', `${BROKER_NODE_FLAGS_ENV} holds "${bad}", which is not a Node flag: ` +
      `give flags that start with "--", separated by spaces (e.g. ${BROKER_NODE_FLAGS_ENV}="--max-semi-space-size=8 --trace-gc"), or an empty value for none`)
  }
  return flags
}

/** "node --max-semi-space-size=8" or "node with no extra flags", for reports. */
export function nodeFlagsPhrase (flags: readonly string[]): string {
  return flags.length === 0 ? 'node with no extra flags' : `node ${flags.join(' ')}`
}
