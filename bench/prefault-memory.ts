// Touches most of the machine's free memory once, then gives it back (issue #13).
//
// On a VM whose memory the host backs lazily (this project's machine: a Firecracker guest
// with virtio-balloon free page reporting), the first write to a guest page the host has not
// backed yet stops the vCPU while the host faults it in. Measured here: 4.2-12.1 µs of system
// time per 4 KiB page, 1-3 CPU-seconds per GiB. A benchmark at 200 MB/s grows the page
// cache by 200 MB a second; once that growth runs into untouched memory, the broker's
// writes cost it a core and its throughput collapses (the README's Performance section has
// the run). Touching the memory first backs it, so the next minutes of page-cache growth are
// cheap. The host takes reported free pages back over minutes, so run this right before
// the benchmark it is for.
//
// Prints the time per page, which says whether this machine has the problem: here memory
// written a moment before took 1.3 µs a page.
//
// Run: node bench/prefault-memory.ts [--reserve-gib 2] [--max-gib 64]

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const PAGE_BYTES = 4096
const CHUNK_BYTES = 256 * 1024 * 1024
const GIB = 1024 ** 3

/** MemAvailable from /proc/meminfo, in bytes. */
export function availableBytes (meminfo: string): number {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo)
  if (match === null) throw new Error('/proc/meminfo has no MemAvailable line (Linux 3.14 or later has one)')
  return Number(match[1]) * 1024
}

/** Bytes to touch: what is available less the reserve, at most maxBytes, whole chunks. */
export function bytesToTouch (availableBytes: number, reserveBytes: number, maxBytes: number): number {
  const wanted = Math.min(maxBytes, availableBytes - reserveBytes)
  return Math.max(0, Math.floor(wanted / CHUNK_BYTES) * CHUNK_BYTES)
}

// Every chunk stays referenced until the end, so none is freed and handed out again for the
// next: each chunk is memory not touched before in this process.
function touch (bytes: number): { pages: number, systemSec: number, wallSec: number } {
  const held: Buffer[] = []
  const before = process.cpuUsage()
  const started = performance.now()
  for (let done = 0; done < bytes; done += CHUNK_BYTES) {
    const chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES)
    for (let at = 0; at < CHUNK_BYTES; at += PAGE_BYTES) chunk[at] = 1
    held.push(chunk)
  }
  const wallSec = (performance.now() - started) / 1000
  const systemSec = process.cpuUsage(before).system / 1e6
  return { pages: bytes / PAGE_BYTES, systemSec, wallSec }
}

function main (): void {
  const { values } = parseArgs({
    options: {
      'reserve-gib': { type: 'string', default: '2' },
      'max-gib': { type: 'string', default: '64' },
    },
  })
  const reserveGib = Number(values['reserve-gib'])
  const maxGib = Number(values['max-gib'])
  if (!(reserveGib >= 0) || !(maxGib > 0)) throw new Error('--reserve-gib must be >= 0 and --max-gib > 0 (GiB, decimals allowed)')
  const available = availableBytes(readFileSync('/proc/meminfo', 'utf8'))
  const bytes = bytesToTouch(available, reserveGib * GIB, maxGib * GIB)
  if (bytes === 0) {
    console.log(`prefault: nothing to touch (${(available / GIB).toFixed(1)} GiB available, ${reserveGib} GiB kept free)`)
    return
  }
  const { pages, systemSec, wallSec } = touch(bytes)
  console.log(`prefault: touched ${(bytes / GIB).toFixed(1)} GiB (${pages} pages of 4 KiB) in ${wallSec.toFixed(1)} s, ` +
    `${(systemSec * 1e6 / pages).toFixed(2)} µs of system time per page; released on exit`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main()
  } catch (error) {
    console.error(`prefault: ${(error as Error).message}`)
    process.exitCode = 2
  }
}
