// The quorum core's messages through real Kafka encodings and back: for every message and
// every version of its RPC, envelope -> request bytes -> the receiving side's message, and
// the core's reply -> response bytes -> the sender's message. Plus the refusals (another
// cluster, another partition) and the record-batch form of entries.

import { describe, expect, it } from 'vitest'
import { decodeEntries, encodeEntries, encodeLeaderChange } from '../../../broker/cluster/quorum/entry-batches.ts'
import { beginQuorumEpochCall, endQuorumEpochCall, incomingBeginQuorumEpoch, incomingEndQuorumEpoch, incomingVote, voteCall, type Incoming, type WireCall, type WireContext } from '../../../broker/cluster/quorum/wire.ts'
import { fetchCall, fetchSnapshotCall, incomingFetch, incomingFetchSnapshot } from '../../../broker/cluster/quorum/wire-fetch.ts'
import type { Entry, RaftMessage } from '../../../broker/cluster/raft/types.ts'
import type { ApiCodec } from '../../../broker/protocol/api.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { ATTR_CONTROL, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_CRC, BATCH_OFFSET_LEADER_EPOCH, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'
import { hex } from '../protocol/codec-helpers.ts'

const ctx: WireContext = {
  clusterId: 'cluster-a',
  nodeId: 1,
  voters: [1, 2, 3],
  fetchMaxWaitMs: 200,
  logStartOffset: () => 0,
  endpoints: id => [{ name: 'CONTROLLER', host: '127.0.0.1', port: 9000 + id }],
  leaderOf: epoch => epoch === 7 ? 1 : -1,
}

function viaBytes<T> (write: (w: Writer) => void, read: (r: Reader) => T): T {
  const w = new Writer()
  write(w)
  const r = new Reader(w.toBuffer())
  const value = read(r)
  expect(r.remaining).toBe(0)
  return value
}

type Serve = (req: any, version: number) => Incoming<any>

/** Sends `request` from node 2 to node 1 at `version`, lets `reply` answer it, and returns what node 2 reads. */
function exchange (call: WireCall, serve: Serve, version: number, request: RaftMessage, reply: RaftMessage): RaftMessage | string {
  const codec = call.codec as ApiCodec<unknown, unknown>
  const built = call.build(version)
  const decoded = viaBytes(w => { codec.encodeRequest(w, version, built) }, r => codec.decodeRequest(r, version))
  const incoming = serve(decoded, version)
  if (incoming.kind !== 'message') throw new Error(`refused: ${incoming.reason}`)
  expect(incoming.message).toEqual(request)
  const response = incoming.reply(reply)
  const back = viaBytes(w => { codec.encodeResponse(w, version, response) }, r => codec.decodeResponse(r, version))
  return call.answer(back, version)
}

function versions (codec: ApiCodec<unknown, unknown>): number[] {
  return Array.from({ length: codec.maxVersion - codec.minVersion + 1 }, (_, i) => codec.minVersion + i)
}

const entries: Entry[] = [
  { offset: 10, epoch: 7, kind: 'leaderChange', data: new Uint8Array(0) },
  { offset: 11, epoch: 7, kind: 'data', data: Buffer.from('a') },
  { offset: 12, epoch: 7, kind: 'data', data: Buffer.from('bb') },
  { offset: 13, epoch: 8, kind: 'data', data: Buffer.from('') },
]

describe('quorum messages as Kafka RPCs', () => {
  it('Vote and pre-vote, at every version that can carry them', () => {
    for (const preVote of [false, true]) {
      const vote: RaftMessage = { type: 'vote', epoch: 5, candidateId: 2, lastEpoch: 4, lastOffset: 99, preVote }
      const answer: RaftMessage = { type: 'voteResponse', errorCode: 0, epoch: 5, leaderId: -1, granted: true, preVote }
      const call = voteCall(vote, 1, ctx)
      for (const v of versions(call.codec)) {
        if (preVote && v < 2) {
          expect(call.build(v), `pre-vote cannot go at Vote v${v}`).toBeNull()
          continue
        }
        expect(exchange(call, r => incomingVote(r, ctx), v, vote, answer)).toEqual(answer)
      }
    }
  })

  it('BeginQuorumEpoch and EndQuorumEpoch at every version', () => {
    const begin: RaftMessage = { type: 'beginQuorumEpoch', epoch: 7, leaderId: 2 }
    const beginAnswer: RaftMessage = { type: 'beginQuorumEpochResponse', errorCode: ErrorCode.FENCED_LEADER_EPOCH, epoch: 8, leaderId: 3 }
    const end: RaftMessage = { type: 'endQuorumEpoch', epoch: 7, leaderId: 2, preferredSuccessors: [3, 1] }
    const endAnswer: RaftMessage = { type: 'endQuorumEpochResponse', errorCode: 0, epoch: 7, leaderId: 2 }
    const b = beginQuorumEpochCall(begin, 1, ctx)
    const e = endQuorumEpochCall(end, 1, ctx)
    for (const v of versions(b.codec)) expect(exchange(b, r => incomingBeginQuorumEpoch(r, ctx), v, begin, beginAnswer)).toEqual(beginAnswer)
    for (const v of versions(e.codec)) expect(exchange(e, (r, ver) => incomingEndQuorumEpoch(r, ver, ctx), v, end, endAnswer)).toEqual(endAnswer)
  })

  it('Fetch with entries, a diverging epoch or a snapshot id, at v12-18', () => {
    const fetch: RaftMessage = { type: 'fetch', replicaId: 2, epoch: 8, fetchOffset: 10, lastFetchedEpoch: 6, maxEntries: 64 }
    const fromWire = { ...fetch, maxEntries: Number.MAX_SAFE_INTEGER }
    const answers: RaftMessage[] = [
      { type: 'fetchResponse', errorCode: 0, epoch: 8, leaderId: 1, highWatermark: 12, entries, divergingEpoch: null, snapshotId: null },
      { type: 'fetchResponse', errorCode: 0, epoch: 8, leaderId: 1, highWatermark: 12, entries: [], divergingEpoch: { epoch: 6, offset: 9 }, snapshotId: null },
      { type: 'fetchResponse', errorCode: ErrorCode.FENCED_LEADER_EPOCH, epoch: 9, leaderId: 3, highWatermark: 12, entries: [], divergingEpoch: null, snapshotId: { epoch: 5, offset: 8 } },
    ]
    const call = fetchCall(fetch, 1, ctx)
    for (const v of versions(call.codec)) {
      for (const answer of answers) expect(exchange(call, (r, ver) => incomingFetch(r, ver, ctx), v, fromWire, answer)).toEqual(answer)
    }
  })

  it('FetchSnapshot at v0-1', () => {
    const req: RaftMessage = { type: 'fetchSnapshot', replicaId: 2, epoch: 8, snapshotId: { offset: 100, epoch: 6 }, position: 4096, maxBytes: 4096 }
    const answer: RaftMessage = { type: 'fetchSnapshotResponse', errorCode: 0, epoch: 8, leaderId: 1, snapshotId: { offset: 100, epoch: 6 }, sizeBytes: 5000, position: 4096, chunk: Buffer.from('tail') }
    const call = fetchSnapshotCall(req, 1, ctx)
    for (const v of versions(call.codec)) expect(exchange(call, r => incomingFetchSnapshot(r, ctx), v, req, answer)).toEqual(answer)
  })

  it('refuses another cluster\'s requests with INCONSISTENT_CLUSTER_ID and another partition with INVALID_REQUEST', () => {
    const foreign = { ...ctx, clusterId: 'cluster-b' }
    const vote = voteCall({ type: 'vote', epoch: 5, candidateId: 2, lastEpoch: 4, lastOffset: 99, preVote: false }, 1, foreign).build(2) as any
    const refused = incomingVote(vote, ctx)
    expect(refused.kind === 'refuse' && refused.response.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID)
    const fetch = fetchCall({ type: 'fetch', replicaId: 2, epoch: 8, fetchOffset: 10, lastFetchedEpoch: 6, maxEntries: 64 }, 1, foreign).build(17) as any
    const refusedFetch = incomingFetch(fetch, 17, ctx)
    expect(refusedFetch.kind === 'refuse' && refusedFetch.response.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID)
    const otherPartition = { ...fetch, clusterId: 'cluster-a', topics: [{ ...fetch.topics[0], partitions: [{ ...fetch.topics[0].partitions[0], partition: 1 }] }] }
    const refusedPartition = incomingFetch(otherPartition, 17, ctx)
    expect(refusedPartition.kind === 'refuse' && refusedPartition.response.errorCode).toBe(ErrorCode.INVALID_REQUEST)
    const noCluster = incomingVote({ ...vote, clusterId: null }, ctx)
    expect(noCluster.kind, 'a request without a cluster id is accepted, as Kafka does').toBe('message')
  })
})

describe('entries as record batches', () => {
  it('round-trips, one batch per epoch run, the leader change as a control batch carrying the epoch', () => {
    const bytes = encodeEntries(entries, epoch => ({ leaderId: ctx.leaderOf(epoch), voters: ctx.voters }))
    expect(decodeEntries(bytes)).toEqual(entries)
    const batches = splitBatches(bytes)
    expect(batches.map(b => b.readInt32BE(BATCH_OFFSET_LEADER_EPOCH))).toEqual([7, 7, 8])
    expect(batches.map(b => (b.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_CONTROL) !== 0)).toEqual([true, false, false])
  })

  it('writes LeaderChangeMessage v0 as Kafka\'s schema lays it out', () => {
    expect(encodeLeaderChange({ leaderId: 1, voters: [1, 2, 3] }).toString('hex')).toBe(hex(`
      0000 00000001                       # version 0, leader 1
      04 00000001 00 00000002 00 00000003 00   # voters 1, 2, 3 (each with empty tags)
      01                                  # granting voters: none
      00                                  # tags
    `).toString('hex'))
  })

  it('refuses a batch whose CRC does not match', () => {
    const bytes = encodeEntries(entries.slice(1, 3), () => ({ leaderId: 1, voters: [1] }))
    bytes[bytes.length - 1] ^= 0xff
    expect(() => decodeEntries(bytes)).toThrow(/CRC/)
    expect(bytes.readUInt32BE(BATCH_OFFSET_CRC)).not.toBe(0)
  })
})
