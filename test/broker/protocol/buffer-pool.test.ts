// The broker's BufferPool lends the memory of large frames and Fetch reads again once a
// request is done. What must hold: memory is never lent twice at once, a view gives back
// the whole block, releases of foreign or already returned memory change nothing, and the
// free memory kept stays within its bound.
import { describe, expect, it } from 'vitest'
import { BufferPool, POOLED_BYTES_MAX, POOLED_BYTES_MIN } from '../../../broker/protocol/buffer-pool.ts'

describe('BufferPool', () => {
  it('lends exactly the bytes asked and, once released, the same memory again', () => {
    const pool = new BufferPool()
    const first = pool.acquire(40_000)
    expect(first.length).toBe(40_000)
    expect(first.buffer.byteLength).toBe(65_536)
    pool.release(first.subarray(100, 200))
    const second = pool.acquire(50_000)
    expect(second.buffer).toBe(first.buffer)
    expect(second.length).toBe(50_000)
    expect(pool.stats).toMatchObject({ reused: 1, allocated: 1, released: 1, freeBytes: 0 })
  })

  it('never lends memory that is still out', () => {
    const pool = new BufferPool()
    const out = [pool.acquire(20_000), pool.acquire(20_000), pool.acquire(30_000)]
    expect(new Set(out.map(b => b.buffer)).size).toBe(3)
    pool.release(out[0]!)
    const again = [pool.acquire(20_000), pool.acquire(20_000)]
    expect(again[0]!.buffer).toBe(out[0]!.buffer)
    expect(again[1]!.buffer).not.toBe(out[1]!.buffer)
    expect(again[1]!.buffer).not.toBe(out[2]!.buffer)
  })

  it('ignores a second release, memory it did not lend, and sizes outside its range', () => {
    const pool = new BufferPool()
    const lent = pool.acquire(20_000)
    pool.release(lent)
    pool.release(lent)
    pool.release(Buffer.allocUnsafe(20_000))
    const small = pool.acquire(POOLED_BYTES_MIN - 1)
    const large = pool.acquire(POOLED_BYTES_MAX + 1)
    pool.releaseAll([small, large])
    expect(pool.stats).toMatchObject({ allocated: 1, released: 1, freeBytes: 32_768 })
    // The one block is lent once, not twice, after the double release.
    const a = pool.acquire(20_000)
    const b = pool.acquire(20_000)
    expect(a.buffer).not.toBe(b.buffer)
  })

  it('keeps at most its bound of free memory', () => {
    const pool = new BufferPool(100_000)
    const lent = [pool.acquire(60_000), pool.acquire(60_000), pool.acquire(20_000)]
    pool.releaseAll(lent)
    // 64 KiB fits, the second 64 KiB would pass 100,000 bytes, the 32 KiB block fits.
    expect(pool.stats).toMatchObject({ released: 3, freeBytes: 65_536 + 32_768 })
  })
})
