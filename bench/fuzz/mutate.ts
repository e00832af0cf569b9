// Mutations of recorded request frames: random bytes, integers overwritten with extremes
// (so counts and lengths claim 2^31-1, -1 or 0), cut or extended bodies, repeated ranges.
// The size prefix is usually kept consistent with the body, so the broker has the whole
// frame to judge; sometimes it lies too.

import type { Prng } from '../../chaos/run/prng.ts'

const INT32_EXTREMES = [0x7fffffff, 0xffffffff, 0x80000000, 0, 1, 0x0000ffff]
const INT16_EXTREMES = [0x7fff, 0xffff, 0x8000, 0]

type Mutation = (body: Buffer, random: Prng) => Buffer

const MUTATIONS: readonly Mutation[] = [
  (body, random) => {
    const flips = 1 + random.int(4)
    for (let i = 0; i < flips; i++) body[random.int(body.length)] = random.int(256)
    return body
  },
  (body, random) => {
    if (body.length >= 4) body.writeUInt32BE(random.pick(INT32_EXTREMES), random.int(body.length - 3))
    return body
  },
  (body, random) => {
    if (body.length >= 2) body.writeUInt16BE(random.pick(INT16_EXTREMES), random.int(body.length - 1))
    return body
  },
  (body, random) => body.subarray(0, Math.max(8, random.int(body.length + 1))),
  (body, random) => Buffer.concat([body, Buffer.alloc(1 + random.int(64), random.int(256))]),
  (body, random) => {
    const from = random.int(body.length)
    const to = Math.min(body.length, from + 1 + random.int(64))
    return Buffer.concat([body.subarray(0, to), body.subarray(from, to), body.subarray(to)])
  },
]

/** A mutated copy of `frame` (size prefix included); the original is not touched. */
export function mutateFrame (frame: Buffer, random: Prng): Buffer {
  // Keep api key and version (the first 4 body bytes) mostly intact so mutations reach the codecs, not just the dispatcher.
  const head = frame.subarray(4, 8)
  let body: Buffer = Buffer.from(frame.subarray(4))
  const count = 1 + random.int(3)
  for (let i = 0; i < count; i++) body = random.pick(MUTATIONS)(body, random)
  if (body.length >= 4 && random.chance(0.8)) head.copy(body, 0)
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(random.chance(0.95) ? body.length : random.pick([0, 1, 9, body.length + 1, body.length + 1000, 0x7fffffff]))
  body.copy(out, 4)
  return out
}
