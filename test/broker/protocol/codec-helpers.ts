// Shared checks for API codec tests: exact round trips (every byte consumed, re-encoding
// gives the same bytes) and truncation (every strict prefix of a body must be refused).

import { expect, it } from 'vitest'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { ProtocolError, Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'

export function encodeWith (write: (w: Writer) => void): Buffer {
  const w = new Writer()
  write(w)
  return w.toBuffer()
}

/** Every version the codec advertises, lowest first. */
export function advertisedVersions (codec: ApiCodec<unknown, unknown>): number[] {
  const versions: number[] = []
  for (let v = codec.minVersion; v <= codec.maxVersion; v++) versions.push(v)
  return versions
}

function decodeAll<T> (bytes: Buffer, decode: (r: Reader) => T): T {
  const r = new Reader(bytes)
  const value = decode(r)
  expect(r.remaining, 'decoder must consume the whole body').toBe(0)
  return value
}

/** Encodes, decodes and compares with `expected`; returns the encoded bytes. */
export function expectRequestRoundTrip<Req> (codec: ApiCodec<Req, unknown>, version: number, request: Req, expected: Req): Buffer {
  const bytes = encodeWith(w => { codec.encodeRequest(w, version, request) })
  const decoded = decodeAll(bytes, r => codec.decodeRequest(r, version))
  expect(decoded).toEqual(expected)
  const again = encodeWith(w => { codec.encodeRequest(w, version, decoded) })
  expect(again.equals(bytes), 're-encoding the decoded request gives the same bytes').toBe(true)
  return bytes
}

export function expectResponseRoundTrip<Res> (codec: ApiCodec<unknown, Res>, version: number, response: Res, expected: Res): Buffer {
  const bytes = encodeWith(w => { codec.encodeResponse(w, version, response) })
  const decoded = decodeAll(bytes, r => codec.decodeResponse(r, version))
  expect(decoded).toEqual(expected)
  const again = encodeWith(w => { codec.encodeResponse(w, version, decoded) })
  expect(again.equals(bytes), 're-encoding the decoded response gives the same bytes').toBe(true)
  return bytes
}

/** A body cut anywhere before its end must throw ProtocolError, never decode. */
export function expectEveryCutThrows (bytes: Buffer, decode: (r: Reader) => unknown): void {
  for (let cut = 0; cut < bytes.length; cut++) {
    const prefix = bytes.subarray(0, cut)
    expect(() => decode(new Reader(prefix)), `cut at ${cut} of ${bytes.length}`).toThrow(ProtocolError)
  }
}

export interface CodecCases<Req, Res> {
  /** A request with every field set to a non-default value. */
  request: Req
  /** What `request` decodes to at a version: fields the version lacks become defaults. */
  expectedRequest: (version: number) => Req
  response: Res
  expectedResponse: (version: number) => Res
}

/**
 * Registers the standard tests for one codec: request and response round trips plus
 * truncation for every advertised version, and for the first flexible version too, whose
 * fields match the highest advertised one in all of our consumer-group APIs.
 */
export function codecVersionTests<Req, Res> (codec: ApiCodec<Req, Res>, cases: CodecCases<Req, Res>): void {
  const versions = [...advertisedVersions(codec), codec.flexibleVersion]
  for (const version of versions) {
    const label = version > codec.maxVersion ? `v${version} (flexible, not advertised)` : `v${version}`
    it(`${label} request round-trips and refuses every truncation`, () => {
      const bytes = expectRequestRoundTrip(codec, version, cases.request, cases.expectedRequest(version))
      expectEveryCutThrows(bytes, r => codec.decodeRequest(r, version))
    })
    it(`${label} response round-trips and refuses every truncation`, () => {
      const bytes = expectResponseRoundTrip(codec, version, cases.response, cases.expectedResponse(version))
      expectEveryCutThrows(bytes, r => codec.decodeResponse(r, version))
    })
  }
}

/** Hex with whitespace and `# comments` allowed, for hand-written golden bytes. */
export function hex (s: string): Buffer {
  const digits = s.replace(/#[^\n]*/g, '').replace(/\s+/g, '')
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`not hex: ${digits}`)
  return Buffer.from(digits, 'hex')
}
