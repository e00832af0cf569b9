// Shared checks for API codec tests: encode a value, decode it back, and make sure the
// decoder consumed exactly the bytes the encoder wrote; cut-off bodies must fail with
// ProtocolError and nothing else.

import { expect } from 'vitest'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { ProtocolError, Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'

export type Direction = 'request' | 'response'

// The harness works on any codec, so its request and response types are erased here.
type AnyCodec = ApiCodec<any, any>

export function encode (codec: AnyCodec, direction: Direction, version: number, value: unknown): Buffer {
  const w = new Writer()
  if (direction === 'request') codec.encodeRequest(w, version, value)
  else codec.encodeResponse(w, version, value)
  return w.toBuffer()
}

export function decode (codec: AnyCodec, direction: Direction, version: number, bytes: Buffer): unknown {
  const r = new Reader(bytes)
  const value = direction === 'request' ? codec.decodeRequest(r, version) : codec.decodeResponse(r, version)
  expect(r.remaining, `${codec.name} v${version} ${direction} left bytes unread`).toBe(0)
  return value
}

/**
 * Encodes, decodes and compares with `expected` (the value with version-absent fields at
 * their defaults); then re-encodes the decoded value and demands the same bytes.
 */
export function expectRoundTrip (codec: AnyCodec, direction: Direction, version: number, value: unknown, expected: unknown): Buffer {
  const bytes = encode(codec, direction, version, value)
  const decoded = decode(codec, direction, version, bytes)
  expect(decoded).toStrictEqual(expected)
  expect(encode(codec, direction, version, decoded).equals(bytes)).toBe(true)
  return bytes
}

/** Every strict prefix of a valid body must be rejected with ProtocolError. */
export function expectTruncationsThrow (codec: AnyCodec, direction: Direction, version: number, bytes: Buffer): void {
  for (let cut = 0; cut < bytes.length; cut++) {
    const r = new Reader(bytes.subarray(0, cut))
    let thrown: unknown = null
    try {
      if (direction === 'request') codec.decodeRequest(r, version)
      else codec.decodeResponse(r, version)
    } catch (err) {
      thrown = err
    }
    expect(thrown, `${codec.name} v${version} ${direction} cut at ${cut}/${bytes.length}`).toBeInstanceOf(ProtocolError)
  }
}

/**
 * Random single-byte corruptions must either decode or throw ProtocolError: a hostile
 * frame closes one connection, it never surfaces as a RangeError or TypeError.
 */
export function expectCorruptionsContained (codec: AnyCodec, direction: Direction, version: number, bytes: Buffer, seed = 1): void {
  let state = seed
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return state >>> 8
  }
  for (let i = 0; i < 200 && bytes.length > 0; i++) {
    const copy = Buffer.from(bytes)
    copy[next() % copy.length] = next() & 0xff
    try {
      const r = new Reader(copy)
      if (direction === 'request') codec.decodeRequest(r, version)
      else codec.decodeResponse(r, version)
    } catch (err) {
      expect(err, `${codec.name} v${version} ${direction} corruption ${i}`).toBeInstanceOf(ProtocolError)
    }
  }
}

export function versionsOf (codec: AnyCodec): number[] {
  const versions: number[] = []
  for (let v = codec.minVersion; v <= codec.maxVersion; v++) versions.push(v)
  return versions
}

/** Hex without spaces, for golden-byte comparisons written as readable groups. */
export function hex (...groups: string[]): Buffer {
  return Buffer.from(groups.join('').replace(/\s+/g, ''), 'hex')
}
