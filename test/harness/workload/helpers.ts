// Shared helpers for the workload tests: catch a WorkloadError and build minimal documents.

import { expect } from 'vitest'
import { WorkloadError } from '../../../harness/workload/index.ts'

/** Runs `run`, asserts it threw a WorkloadError, and returns it. */
export function workloadErrorOf (run: () => unknown): WorkloadError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(WorkloadError)
    return error as WorkloadError
  }
  throw new Error('expected a WorkloadError, but nothing was thrown')
}

/** A minimal valid workload in YAML; `extra` lines are appended (and may repeat no key). */
export function yamlWith (extra: string = ''): string {
  return [
    'name: test',
    'topics: 1',
    'partitionsPerTopic: 2',
    'messageSize: 100',
    'subscriptionsPerTopic: 1',
    'consumerPerSubscription: 1',
    'producersPerTopic: 1',
    'producerRate: 100',
    'testDurationSeconds: 10',
    extra,
  ].join('\n')
}
