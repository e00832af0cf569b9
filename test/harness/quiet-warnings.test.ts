// kafkajs 2.2.4 hands setTimeout a negative delay and Node 24 prints TimeoutNegativeWarning
// on every chaos and kafkajs run. harness/quiet-warnings.ts drops that one warning and no
// other: both halves are checked in a child process, as the CLI runs.

import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const MODULE = resolve(import.meta.dirname, '../../harness/quiet-warnings.ts')

/** stderr of a child that loads the module, then runs `code`. */
function stderrOf (code: string): string {
  const script = `await import(${JSON.stringify(MODULE)}); ${code}; await new Promise(r => setTimeout(r, 50))`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
  expect(child.status, child.stderr).toBe(0)
  return child.stderr
}

describe('quiet-warnings', () => {
  it('drops TimeoutNegativeWarning, and the timer still fires', () => {
    const stderr = stderrOf("await new Promise(r => setTimeout(r, -5)); process.stderr.write('fired')")
    expect(stderr).toBe('fired')
  })

  it('keeps every other warning', () => {
    expect(stderrOf("process.emitWarning('something else', 'ExperimentalWarning')")).toMatch(/ExperimentalWarning: something else/)
    expect(stderrOf("process.emitWarning('plain')")).toMatch(/Warning: plain/)
  })
})
