import { defineConfig } from 'vitest/config'

// Tests start real broker processes and real clients over TCP, so they are slow-ish and
// the machine has two cores: keep concurrency low and timeouts generous.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // kafkajs 2.2.4 hands setTimeout a negative delay (kafkajs issue #1751) and Node prints
    // TimeoutNegativeWarning once per test process that loads it; the CLI drops it the same
    // way (harness/quiet-warnings.ts). Every other warning still shows.
    execArgv: ['--disable-warning=TimeoutNegativeWarning'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
})
