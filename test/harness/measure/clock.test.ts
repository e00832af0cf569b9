import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { decodeTimestampHeader, encodeTimestampHeader, monotonicUs } from '../../../harness/measure/clock.ts'

const run = promisify(execFile)

describe('timestamp header', () => {
  it('round-trips a µs timestamp through 8 big-endian bytes', () => {
    const now = monotonicUs()
    const header = encodeTimestampHeader(now)
    expect(header).toHaveLength(8)
    expect(decodeTimestampHeader(header)).toBe(Math.floor(now))
    expect(decodeTimestampHeader(encodeTimestampHeader(0))).toBe(0)
  })

  it('refuses every other encoding, decimal text included', () => {
    // One encoding under the header name: text (the drivers' old wall-clock form) is not
    // read as a timestamp, whatever its length.
    expect(decodeTimestampHeader(Buffer.from('1234567'))).toBeNull()
    expect(decodeTimestampHeader(Buffer.from('12345678'))).toBeNull()
    expect(decodeTimestampHeader(Buffer.from('1700000000123456'))).toBeNull()
    expect(decodeTimestampHeader(Buffer.from('12ab'))).toBeNull()
    expect(decodeTimestampHeader(Buffer.alloc(0))).toBeNull()
    expect(decodeTimestampHeader(Buffer.alloc(8, 0xff))).toBeNull()
    expect(decodeTimestampHeader(null)).toBeNull()
  })
})

describe('the monotonic clock is one clock for every thread and process', () => {
  it('orders readings taken in a worker thread between two in the parent', async () => {
    const before = monotonicUs()
    const inWorker = await new Promise<number>((resolve, reject) => {
      const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.postMessage(Number(process.hrtime.bigint()) / 1000)', { eval: true })
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    const after = monotonicUs()
    expect(inWorker).toBeGreaterThanOrEqual(before)
    expect(inWorker).toBeLessThanOrEqual(after)
  })

  it('orders a reading taken in a child process between two in the parent', async () => {
    const before = monotonicUs()
    const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(Number(process.hrtime.bigint()) / 1000))'])
    const after = monotonicUs()
    const inChild = Number(stdout)
    expect(inChild).toBeGreaterThanOrEqual(before)
    expect(inChild).toBeLessThanOrEqual(after)
  })
})
