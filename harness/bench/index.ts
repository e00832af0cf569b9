// `sluice bench`: the runner that ties workloads, clusters, drivers, measurement, results
// and reports together. Load runs in worker threads (worker.ts); the runner's thread only
// keeps time, merges statistics and writes results.

export { runBench, formatOutcome } from './runner.ts'
export type { BenchRunOptions, BenchRunOutcome } from './runner.ts'
export { runSeries, REPEAT_MAX } from './series.ts'
export type { SeriesOptions, SeriesOutcome, SeriesRun, Side } from './series.ts'
export { BenchError } from './errors.ts'
export type { BenchErrorCode } from './errors.ts'
export { createKeyGenerator, ZipfSampler, KEY_TEXT_BYTES_MIN } from './keys.ts'
export type { KeyGenerator } from './keys.ts'
export { PayloadPool, checkPayloadSpec, payloadSpecOf, POOL_BYTES_MAX } from './payload.ts'
export type { PayloadSpec } from './payload.ts'
export { planRun } from './plan.ts'
export type { RunPlan, PlanOptions } from './plan.ts'
export { SeededRandom } from './random.ts'
export type { StopCause } from './run-watch.ts'
