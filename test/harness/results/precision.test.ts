// The precision facts a report states about cores: CPU lists are counted right, and a
// process pinned with taskset(1) is reported as pinned, where an unpinned one is not.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clockResolutionNs, cpuListSize, cpusAllowed, memoryBackingNote, pinningPhrase } from '../../../harness/results/precision.ts'

const linux = process.platform === 'linux' && existsSync('/usr/bin/taskset') && os.cpus().length > 1

describe('measurement precision', () => {
  it('counts CPU lists as Linux writes them', () => {
    expect(cpuListSize('0')).toBe(1)
    expect(cpuListSize('0-1')).toBe(2)
    expect(cpuListSize('0-3,6,8-9')).toBe(7)
    expect(cpuListSize('garbage')).toBe(0)
  })

  it('names a VM whose balloon reports free pages (feature bit 5), and only that', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'sluice-balloon-'))
    try {
      expect(memoryBackingNote(join(dir, 'absent'))).toBeNull()
      mkdirSync(join(dir, 'virtio0'))
      // This project's machine: stats queue, deflate on OOM and free page reporting.
      writeFileSync(join(dir, 'virtio0', 'features'), '0110010' + '0'.repeat(57) + '\n')
      expect(memoryBackingNote(dir)).toMatch(/free page reporting.*bench\/prefault-memory\.ts/)
      // The same balloon without reporting: the host does not take freed pages back.
      writeFileSync(join(dir, 'virtio0', 'features'), '0110000' + '0'.repeat(57) + '\n')
      expect(memoryBackingNote(dir)).toBeNull()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('measures a clock step well under a microsecond', () => {
    const ns = clockResolutionNs()
    expect(ns).toBeGreaterThan(0)
    expect(ns).toBeLessThan(1000)
  })

  it.runIf(linux)('reports a process pinned with taskset, and an unpinned one as not pinned', async () => {
    expect(pinningPhrase([{ name: 'harness', pid: process.pid }])).toMatch(/^not pinned/)
    const child = spawn('taskset', ['-c', '0', 'sleep', '10'], { stdio: 'ignore' })
    try {
      // taskset sets the affinity, then execs sleep under the same pid.
      const deadline = Date.now() + 5000
      while (await cpusAllowed(child.pid!) !== '0' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(pinningPhrase([{ name: 'harness', pid: process.pid }, { name: 'broker 0', pid: child.pid! }])).toBe('pinned: harness on CPUs 0-' + (os.cpus().length - 1) + ', broker 0 on CPU 0')
    } finally {
      child.kill()
    }
  })
})
