// Measurement for `sluice bench`: the clock and timestamp header, latency histograms, the
// rate limiter that gives each send its intended time, per-worker stats, the parent's
// per-second recorder and the max-rate search.

export { monotonicUs, encodeTimestampHeader, decodeTimestampHeader, TIMESTAMP_HEADER } from './clock.ts'
export {
  createLatencyHistogram, recordLatencyUs, encodeHistogram, decodeHistogram, mergeHistograms, mergeInto,
  quantilesOf, quantileCurve, IntervalHistogram, HistogramError,
  LATENCY_US_LOWEST, LATENCY_US_HIGHEST, LATENCY_SIGNIFICANT_DIGITS,
} from './histogram.ts'
export type { Histogram, LatencyQuantiles, QuantilePoint } from './histogram.ts'
export { UniformRateLimiter, RateLimiterError, RATE_PER_SEC_MAX } from './rate-limiter.ts'
export type { RateLimiterOptions } from './rate-limiter.ts'
export { WorkerStats, LATENCY_KINDS, ERROR_CODES_MAX, OTHER_ERROR_CODE } from './worker-stats.ts'
export type { LatencyKind, StatsSnapshot, EncodedLatencies } from './worker-stats.ts'
export { RunRecorder, RecorderError, PHASES, INTERVALS_MAX } from './recorder.ts'
export type { Phase, IntervalSample, IntervalLatencies, Counts, Recording, RunRecorderOptions } from './recorder.ts'
export { decideMaxRate, judgeMeasuredPhase, judgeStep, stepIntervalOf } from './max-rate.ts'
export type { MaxRateDecision, MaxRateOutcome, MaxRateStage, MaxRateStep, MeasuredPhaseCheck, StepInterval, StepJudgement } from './max-rate.ts'
