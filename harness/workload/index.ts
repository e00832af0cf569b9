// The workload file model: OMB workload fields plus Sluice extensions, loaded from YAML,
// validated with every problem reported at once, and normalised for the runners.

export { loadWorkload, parseWorkload, parseYaml, WORKLOAD_FILE_BYTES_MAX } from './load.ts'
export { applyOverrides, OVERRIDE_ALIASES } from './overrides.ts'
export { parseDurationSeconds, parseDurationMs, formatDurationSeconds, DurationError, DURATION_SECONDS_MAX } from './duration.ts'
export { WorkloadError } from './errors.ts'
export type { WorkloadErrorCode, WorkloadIssue } from './errors.ts'
export { workloadSchema, KNOWN_FIELDS } from './schema.ts'
export { FAULTS } from './schema-chaos.ts'
export { OMB_KEY_COUNT } from './normalise.ts'
export type * from './types.ts'
