// The frame receiver against streams cut at every kind of boundary: frames of all sizes
// (through the staging buffer and read in place) come out whole and stay whole after later
// reads reuse the staging memory; large bodies are read into the memory `allocate` gave;
// bad prefixes are FrameErrors. Then the same over a real socket with net's `onread`.

import { connect, createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { FrameReceiver, SMALL_FRAME_BYTES_MAX, STAGING_BYTES } from '../../../broker/protocol/frame-receiver.ts'
import { FrameError, RESPONSE_FRAME_BYTES_MIN } from '../../../broker/protocol/frame-splitter.ts'
import { seededRandom as random } from '../../harness/compare/seeded-random.ts'

function makeFrames (seed: number, count: number): Buffer[] {
  const next = random(seed)
  const frames: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const pick = next()
    // Tiny, around the small/large boundary, and large (several staging buffers).
    const size = pick < 0.5
      ? RESPONSE_FRAME_BYTES_MIN + Math.floor(next() * 300)
      : pick < 0.8 ? SMALL_FRAME_BYTES_MAX - 64 + Math.floor(next() * 128) : Math.floor(next() * 4 * STAGING_BYTES) + 4
    const body = Buffer.allocUnsafe(size)
    for (let j = 0; j < size; j++) body[j] = Math.floor(next() * 256)
    body.writeInt32BE(i, 0)
    frames.push(body)
  }
  return frames
}

function stream (frames: Buffer[]): Buffer {
  return Buffer.concat(frames.flatMap(body => {
    const prefix = Buffer.allocUnsafe(4)
    prefix.writeInt32BE(body.length)
    return [prefix, body]
  }))
}

const options = { frameBytesMin: RESPONSE_FRAME_BYTES_MIN, frameBytesMax: 1024 * 1024, limitName: 'the test limit' }

/** Feeds `bytes` as a socket would: each read at most what nextBuffer() offers and at most `cut()`. */
function feed (receiver: FrameReceiver, bytes: Buffer, cut: () => number, onFrame: (body: Buffer) => void): void {
  for (let at = 0; at < bytes.length;) {
    const target = receiver.nextBuffer()
    expect(target.length).toBeGreaterThan(0)
    const n = Math.min(target.length, bytes.length - at, Math.max(1, cut()))
    bytes.copy(target, 0, at, at + n)
    at += n
    receiver.received(n, onFrame)
  }
}

describe('FrameReceiver', () => {
  it.each([1, 2, 3, 4, 5])('returns every frame whole whatever the read sizes (seed %i)', (seed) => {
    const frames = makeFrames(seed, 200)
    const next = random(seed * 7919)
    const got: Buffer[] = []
    // Read sizes from 1 byte to past a staging buffer, so prefixes and bodies split anywhere.
    const cuts = [() => 1 + Math.floor(next() * 7), () => 1 + Math.floor(next() * 9000), () => 1 + Math.floor(next() * 3 * STAGING_BYTES)]
    feed(new FrameReceiver(options), stream(frames), () => cuts[Math.floor(next() * cuts.length)]!(), body => got.push(body))
    // Checked only at the end: a frame left as a view of the staging buffer would have
    // been overwritten by the reads after it.
    expect(got.length).toBe(frames.length)
    for (let i = 0; i < frames.length; i++) expect(got[i]!.equals(frames[i]!), `frame ${i} of ${frames[i]!.length} bytes`).toBe(true)
  })

  it('reads the rest of a large body straight into the memory allocate gave', () => {
    const lent: Buffer[] = []
    const receiver = new FrameReceiver({ ...options, allocate: bytes => { const b = Buffer.alloc(bytes); lent.push(b); return b } })
    const body = Buffer.alloc(200_000, 7)
    const bytes = stream([body])
    const first = receiver.nextBuffer()
    bytes.copy(first, 0, 0, 1000)
    receiver.received(1000, () => { throw new Error('not complete yet') })
    expect(lent.map(b => b.length)).toEqual([200_000])
    const target = receiver.nextBuffer()
    expect(target.buffer).toBe(lent[0]!.buffer)
    expect(target.byteOffset).toBe(lent[0]!.byteOffset + 996)
    expect(target.length).toBe(200_000 - 996)
    let done: Buffer | null = null
    bytes.copy(target, 0, 1000)
    receiver.received(target.length, b => { done = b })
    expect(done).toBe(lent[0])
    expect(done!.equals(body)).toBe(true)
  })

  it('rejects a prefix over the limit, naming it, and one under the minimum', () => {
    const over = new FrameReceiver(options)
    const target = over.nextBuffer()
    target.writeInt32BE(2 * 1024 * 1024, 0)
    expect(() => over.received(4, () => {})).toThrow(/exceeds the test limit/)
    const under = new FrameReceiver(options)
    under.nextBuffer().writeInt32BE(2, 0)
    expect(() => under.received(4, () => {})).toThrow(FrameError)
    const http = new FrameReceiver(options)
    http.nextBuffer().write('HTTP/1.1 400', 'latin1')
    expect(() => http.received(12, () => {})).toThrow(/not speaking Kafka/)
  })
})

/**
 * A socket as Node drives one with `onread`: it asks for its next target once at the start
 * and then right after each read's callback, never just before a read, so whatever the
 * caller does between reads (hold, pump) must not move that target.
 */
function socketLike (receiver: FrameReceiver, bytes: Buffer): { read: (max: number, onFrame: (body: Buffer) => void) => number, done: () => boolean } {
  let target = receiver.nextBuffer()
  let at = 0
  return {
    read (max, onFrame) {
      expect(target.length).toBeGreaterThan(0)
      const n = Math.min(target.length, bytes.length - at, Math.max(1, max))
      bytes.copy(target, 0, at, at + n)
      at += n
      receiver.received(n, onFrame)
      target = receiver.nextBuffer()
      return n
    },
    done: () => at >= bytes.length,
  }
}

describe('FrameReceiver holding and reservations (the broker\'s backpressure)', () => {
  // Drives a receiver the way server/connection.ts does: a refused reservation holds the
  // stream, holds start and end at random, reads stop while the receiver is full, and a
  // release is followed by pump() before the next read.
  it.each([1, 2, 3, 4, 5, 6])('hands out every frame once, whole, in order, never while held, each reserved before its memory (seed %i)', (seed) => {
    const frames = makeFrames(seed, 150)
    const next = random(seed * 104729)
    let held = false
    const granted: number[] = []
    let allocations = 0
    const receiver: FrameReceiver = new FrameReceiver({
      ...options,
      reserve: frameBytes => {
        if (next() < 0.3) {
          held = true
          receiver.hold(true)
          return false
        }
        granted.push(frameBytes)
        return true
      },
      allocate: frameBytes => {
        allocations++
        expect(allocations, 'memory allocated before its frame was reserved').toBeLessThanOrEqual(granted.length)
        return Buffer.allocUnsafe(frameBytes)
      },
    })
    const got: Buffer[] = []
    const onFrame = (body: Buffer): void => {
      expect(held, 'a frame handed out while held').toBe(false)
      got.push(body)
    }
    const socket = socketLike(receiver, stream(frames))
    let fullSeen = 0
    while (!socket.done() || held) {
      const step = next()
      if (held && (step < 0.2 || socket.done())) {
        held = false
        receiver.hold(false)
        receiver.pump(onFrame)
        continue
      }
      if (!held && step < 0.05) {
        held = true
        receiver.hold(true)
        continue
      }
      if (receiver.full) {
        fullSeen++
        continue
      }
      if (socket.done()) break
      socket.read(Math.floor(next() * 40_000), onFrame)
      expect(receiver.stagingBytes).toBeLessThanOrEqual(2 * STAGING_BYTES)
    }
    receiver.pump(onFrame)
    expect(fullSeen).toBeGreaterThan(0)
    expect(granted).toEqual(frames.map(f => f.length + 4))
    expect(got.length).toBe(frames.length)
    for (let i = 0; i < frames.length; i++) expect(got[i]!.equals(frames[i]!), `frame ${i} of ${frames[i]!.length} bytes`).toBe(true)
  })

  it('keeps a large frame that arrived in part while held in staging through the pump, and whole after the next read', () => {
    const body = Buffer.alloc(100_000)
    for (let i = 0; i < body.length; i++) body[i] = i % 251
    const lent: Buffer[] = []
    // Stale memory, as a pooled block would hold: the frame must not show any of it.
    const receiver = new FrameReceiver({ ...options, allocate: bytes => { const b = Buffer.alloc(bytes, 0xee); lent.push(b); return b } })
    receiver.hold(true)
    const socket = socketLike(receiver, stream([body]))
    socket.read(30_000, () => { throw new Error('held') })
    receiver.hold(false)
    const got: Buffer[] = []
    receiver.pump(b => got.push(b))
    expect(got).toEqual([])
    while (!socket.done()) socket.read(40_000, b => got.push(b))
    expect(got.length).toBe(1)
    expect(got[0]).toBe(lent[0])
    expect(got[0]!.equals(body)).toBe(true)
  })

  it('stops asking for reads at its budget while held, whatever room a grown buffer has, and shrinks back after', () => {
    const frames = Array.from({ length: 2000 }, (_, i) => Buffer.alloc(200, i % 256))
    const receiver = new FrameReceiver(options)
    const socket = socketLike(receiver, stream(frames))
    receiver.hold(true)
    const got: Buffer[] = []
    let reads = 0
    // Reads take all the room offered, so one fills staging completely and it must grow.
    while (!receiver.full && reads < 100) {
      socket.read(Number.MAX_SAFE_INTEGER, b => got.push(b))
      reads++
    }
    expect(receiver.full).toBe(true)
    expect(got).toEqual([])
    expect(receiver.bufferedBytes).toBeLessThanOrEqual(STAGING_BYTES)
    expect(receiver.stagingBytes).toBeLessThanOrEqual(2 * STAGING_BYTES)
    receiver.hold(false)
    expect(receiver.full).toBe(false)
    receiver.pump(b => got.push(b))
    while (!socket.done()) socket.read(5000, b => got.push(b))
    expect(receiver.stagingBytes).toBe(STAGING_BYTES)
    expect(got.length).toBe(frames.length)
    for (let i = 0; i < frames.length; i++) expect(got[i]!.equals(frames[i]!)).toBe(true)
  })

  it('keeps a large frame completed while held until pump, and takes reads into staging meanwhile', () => {
    const body = Buffer.alloc(100_000, 3)
    const small = Buffer.alloc(100, 4)
    const receiver = new FrameReceiver(options)
    const socket = socketLike(receiver, stream([body, small]))
    socket.read(1000, () => { throw new Error('not complete yet') })
    receiver.hold(true)
    const got: Buffer[] = []
    socket.read(99_004, b => got.push(b))
    expect(got).toEqual([])
    expect(receiver.full).toBe(false)
    socket.read(1000, b => got.push(b))
    receiver.pump(b => got.push(b))
    expect(got).toEqual([])
    receiver.hold(false)
    receiver.pump(b => got.push(b))
    expect(got.length).toBe(2)
    expect(got[0]!.equals(body)).toBe(true)
    expect(got[1]!.equals(small)).toBe(true)
  })
})

describe('FrameReceiver over a real socket (net onread)', () => {
  let server: Server | null = null
  afterEach(async () => {
    await new Promise<void>(resolve => server === null ? resolve() : server.close(() => resolve()))
    server = null
  })

  it('gets every frame the peer wrote in uneven pieces', async () => {
    const frames = makeFrames(11, 300)
    const bytes = stream(frames)
    server = createServer(socket => {
      const next = random(13)
      let at = 0
      const write = (): void => {
        if (at >= bytes.length) { socket.end(); return }
        const n = Math.min(bytes.length - at, 1 + Math.floor(next() * 100_000))
        const piece = bytes.subarray(at, at + n)
        at += n
        if (socket.write(piece)) setImmediate(write)
        else socket.once('drain', write)
      }
      write()
    })
    await new Promise<void>(resolve => server!.listen({ host: '127.0.0.1', port: 0 }, resolve))
    const port = (server.address() as { port: number }).port
    const receiver = new FrameReceiver(options)
    const got: Buffer[] = []
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, onread: { buffer: () => receiver.nextBuffer(), callback: n => { receiver.received(n, b => got.push(b)); return true } } })
      socket.on('error', reject)
      socket.on('end', resolve)
    })
    expect(got.length).toBe(frames.length)
    for (let i = 0; i < frames.length; i++) expect(got[i]!.equals(frames[i]!), `frame ${i}`).toBe(true)
  })
})
