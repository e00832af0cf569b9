import { defineConfig } from 'vitest/config'

// Tests start real broker processes and real clients over TCP, so they are slow-ish and
// the machine has two cores: keep concurrency low and timeouts generous.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
})
