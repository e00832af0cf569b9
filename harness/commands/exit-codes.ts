// Exit codes shared by `sluice bench` and its --curve mode (chaos documents the same 130).

import type { BenchRunOutcome } from '../bench/runner.ts'

/** A run failed, or bad input. */
export const EXIT_ERROR = 2
/** Interrupted by Ctrl-C: partial results written, cluster cleaned up. */
export const EXIT_INTERRUPTED = 130

/** The exit code of a run that stopped before it completed. */
export function stoppedExitCode (outcome: BenchRunOutcome): number {
  return outcome.stopCause?.kind === 'interrupted' ? EXIT_INTERRUPTED : EXIT_ERROR
}
