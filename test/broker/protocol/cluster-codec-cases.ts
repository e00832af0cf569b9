// Shared round-trip, truncation and corruption checks for the cluster API codecs (60, 62,
// 63, 43, 56), run for every supported version.

import { describe, it } from 'vitest'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { encode, expectCorruptionsContained, expectRoundTrip, expectTruncationsThrow, versionsOf } from './codec-harness.ts'

export function codecSuite<Req, Res> (codec: ApiCodec<Req, Res>, cases: {
  request: Req
  expectedRequest: (version: number) => Req
  response: Res
  expectedResponse: (version: number) => Res
}): void {
  for (const version of versionsOf(codec)) {
    describe(`${codec.name} v${version}`, () => {
      it('round-trips the request', () => { expectRoundTrip(codec, 'request', version, cases.request, cases.expectedRequest(version)) })
      it('round-trips the response', () => { expectRoundTrip(codec, 'response', version, cases.response, cases.expectedResponse(version)) })
      it('refuses every truncation and contains corruption', () => {
        for (const [direction, value] of [['request', cases.request], ['response', cases.response]] as const) {
          const bytes = encode(codec, direction, version, value)
          expectTruncationsThrow(codec, direction, version, bytes)
          expectCorruptionsContained(codec, direction, version, bytes, version + 1)
        }
      })
    })
  }
}
