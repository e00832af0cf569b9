// The storage layer's small I/O, old and new side by side (issue #13 item 4): one produce's
// group write and one tail fetch's read of 1 KiB and 16 KiB through node:fs/promises (a
// round trip through libuv's thread pool, how every write and read went before) and
// synchronously in place (what broker/log/file-io.ts now does up to SYNC_IO_BYTES_MAX).
// Prints median and p99 per operation in µs; the file stays in the page cache, as the
// log's tail does. On a loaded machine the async form's tail grows most: its thread-pool
// thread must get a core before the event loop hears back.
// Run: node bench/storage-io.bench.ts

import { readSync, writevSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Bench } from 'tinybench'

const FILE_BYTES = 64 * 1024 * 1024

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-storage-io-bench-'))
  const handle = await open(join(dir, 'segment.log'), 'w+')
  try {
    const bench = new Bench({ time: 1500, warmupTime: 300 })
    for (const bytes of [1024, 16 * 1024]) {
      const data = Buffer.alloc(bytes, 7)
      const target = Buffer.allocUnsafe(bytes)
      let writeAt = 0
      let readAt = 0
      const nextWrite = (): number => { writeAt = (writeAt + bytes) % FILE_BYTES; return writeAt }
      // Reads follow the writes, as a consumer at the tail does.
      const nextRead = (): number => { readAt = (readAt + bytes) % Math.max(bytes, writeAt); return readAt }
      const kib = `${bytes / 1024} KiB`
      bench
        .add(`writev ${kib}, fs/promises (before)`, async () => { await handle.writev([data], nextWrite()) })
        .add(`writev ${kib}, writevSync (after)`, () => { writevSync(handle.fd, [data], nextWrite()) })
        .add(`read ${kib}, fs/promises (before)`, async () => { await handle.read(target, 0, bytes, nextRead()) })
        .add(`read ${kib}, readSync (after)`, () => { readSync(handle.fd, target, 0, bytes, nextRead()) })
    }
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result === undefined || !('latency' in result)) {
        console.log(`${task.name.padEnd(40)} failed`)
        continue
      }
      const us = (ms: number | undefined): string => ms === undefined ? '-' : (ms * 1000).toFixed(1).padStart(8)
      console.log(`${task.name.padEnd(40)} p50 ${us(result.latency.p50)} µs  p99 ${us(result.latency.p99)} µs  (${result.latency.samplesCount} ops)`)
    }
  } finally {
    await handle.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
