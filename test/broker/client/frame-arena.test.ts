// FrameArena lends large buffers until releaseAll() and then reuses them; the frame
// splitter joins multi-chunk frames into what it lends, byte for byte.

import { describe, expect, it } from 'vitest'
import { FrameArena } from '../../../broker/client/frame-arena.ts'
import { FrameSplitter } from '../../../broker/protocol/frame-splitter.ts'

const KiB = 1024

describe('FrameArena', () => {
  it('reuses a lent buffer only after releaseAll, and leaves small frames to ordinary allocation', () => {
    const arena = new FrameArena()
    const a = arena.allocate(300 * KiB)
    const b = arena.allocate(300 * KiB)
    expect(a).toHaveLength(300 * KiB)
    // Identity as booleans: a failing toBe on MiB-sized ArrayBuffers makes vitest print them for minutes.
    expect(a.buffer === b.buffer).toBe(false)
    arena.releaseAll()
    const c = arena.allocate(400 * KiB) // both free buffers are 512 KiB: one is reused
    expect(c.buffer === a.buffer || c.buffer === b.buffer).toBe(true)
    expect(arena.allocate(KiB).buffer === c.buffer).toBe(false)
  })

  it('is where the frame splitter joins a frame that spans chunks', () => {
    const arena = new FrameArena()
    const body = Buffer.alloc(600 * KiB)
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(body.length)
    const wire = Buffer.concat([prefix, body])
    const splitter = new FrameSplitter({ frameBytesMax: 1024 * KiB, frameBytesMin: 4, limitName: 'test', allocate: arena.allocate })
    const frames: Buffer[] = []
    for (let at = 0; at < wire.length; at += 64 * KiB) splitter.push(wire.subarray(at, at + 64 * KiB), f => frames.push(f))
    expect(frames).toHaveLength(1)
    expect(frames[0]!.equals(body)).toBe(true)
    arena.releaseAll()
    expect(arena.allocate(wire.length).buffer === frames[0]!.buffer).toBe(true)
  })
})
