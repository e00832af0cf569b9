// The prefault script: how much it touches (MemAvailable less a reserve, capped, in whole
// chunks) and a real run that touches one chunk and reports the time per page.

import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { availableBytes, bytesToTouch } from '../../bench/prefault-memory.ts'

const SCRIPT = resolve(import.meta.dirname, '../../bench/prefault-memory.ts')
const MIB = 1024 * 1024
const GIB = 1024 * MIB

describe('prefault-memory', () => {
  it('reads MemAvailable and names what is missing', () => {
    expect(availableBytes('MemTotal:       24684360 kB\nMemAvailable:   22104000 kB\n')).toBe(22104000 * 1024)
    expect(() => availableBytes('MemTotal: 1 kB\n')).toThrow(/MemAvailable/)
  })

  it('touches what is available less the reserve, capped, in whole 256 MiB chunks', () => {
    expect(bytesToTouch(10 * GIB, 2 * GIB, 64 * GIB)).toBe(8 * GIB)
    expect(bytesToTouch(10 * GIB + 100 * MIB, 2 * GIB, 64 * GIB)).toBe(8 * GIB)
    expect(bytesToTouch(10 * GIB, 2 * GIB, 1 * GIB)).toBe(1 * GIB)
    expect(bytesToTouch(1 * GIB, 2 * GIB, 64 * GIB)).toBe(0)
  })

  it('touches one chunk for real and reports the system time per page', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--max-gib', '0.25', '--reserve-gib', '0'])
    expect(stdout).toMatch(/^prefault: touched 0\.3 GiB \(65536 pages of 4 KiB\) in [\d.]+ s, [\d.]+ µs of system time per page/)
  })

  it('refuses a negative reserve with the flag named', async () => {
    await expect(promisify(execFile)(process.execPath, [SCRIPT, '--reserve-gib=-1'])).rejects.toThrow(/--reserve-gib must be >= 0/)
  })
})
