// Result files of `sluice bench`: the result.json model and builder, environment capture,
// run directories with atomic writes, saving a run's files, finding and reading results.

export { buildResult, summarize, resultToJson, ResultError, RESULT_FORMAT, RESULT_FORMAT_VERSION } from './result.ts'
export type { BenchResult, ResultInput, ResultSummary, RunStatus, FaultBand, DriverConfig, MaxRateSearchResult } from './result.ts'
export type { OmbFields } from './omb.ts'
export { collectEnvironment } from './environment.ts'
export type { Environment } from './environment.ts'
export { createRunDir, makeRunId, pointLatest, writeFileAtomic, slugify, LATEST_LINK, RunDir, RunDirError } from './run-dir.ts'
export { findResultFiles, readResultFile, RESULT_FILE_NAME } from './read.ts'
