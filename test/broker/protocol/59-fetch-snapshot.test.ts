import { describe, expect, it } from 'vitest'
import { FetchSnapshot, type FetchSnapshotRequest, type FetchSnapshotResponse } from '../../../broker/protocol/59-fetch-snapshot.ts'
import { ZERO_UUID } from '../../../broker/protocol/raft-common.ts'
import { codecVersionTests, encodeWith, hex } from './codec-helpers.ts'

const dir = Buffer.alloc(16, 0xaa)

const request: FetchSnapshotRequest = {
  clusterId: 'c1',
  replicaId: 2,
  maxBytes: 4096,
  topics: [{ name: '__cluster_metadata', partitions: [{ partition: 0, currentLeaderEpoch: 5, snapshotId: { endOffset: 100, epoch: 4 }, position: 7, replicaDirectoryId: dir }] }],
}

function expectedRequest (v: number): FetchSnapshotRequest {
  if (v >= 1) return request
  return { ...request, topics: request.topics.map(t => ({ ...t, partitions: t.partitions.map(p => ({ ...p, replicaDirectoryId: ZERO_UUID })) })) }
}

const response: FetchSnapshotResponse = {
  throttleTimeMs: 0,
  errorCode: 0,
  topics: [{
    name: '__cluster_metadata',
    partitions: [{ index: 0, errorCode: 0, snapshotId: { endOffset: 100, epoch: 4 }, currentLeader: { leaderId: 1, leaderEpoch: 5 }, size: 2 ** 33, position: 7, unalignedRecords: Buffer.from('chunk') }],
  }],
}

describe('FetchSnapshot codec', () => {
  it('is key 59, v0-1, flexible from v0', () => {
    expect([FetchSnapshot.key, FetchSnapshot.minVersion, FetchSnapshot.maxVersion, FetchSnapshot.flexibleVersion]).toEqual([59, 0, 1, 0])
  })

  codecVersionTests(FetchSnapshot, { request, expectedRequest, response, expectedResponse: () => response })

  it('writes a v1 request byte for byte as Kafka\'s schema lays it out', () => {
    const bytes = encodeWith(w => { FetchSnapshot.encodeRequest(w, 1, request) })
    expect(bytes.toString('hex')).toBe(hex(`
      00000002 00001000          # replica_id 2, max_bytes 4096
      02                         # topics: 1
        13 5f5f636c75737465725f6d65746164617461   # "__cluster_metadata"
        02                       # partitions: 1
          00000000 00000005      # partition 0, current_leader_epoch 5
          0000000000000064 00000004 00   # snapshot_id end_offset 100, epoch 4, no tags
          0000000000000007       # position 7
          01 00 10 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa   # tag 0: replica_directory_id
        00                       # topic tags
      01 00 03 03 6331           # tag 0: cluster_id "c1"
    `).toString('hex'))
  })

  it('leaves out the current_leader tag when the leader is unknown and reads it back as -1', () => {
    const p = { ...response.topics[0]!.partitions[0]!, currentLeader: { leaderId: -1, leaderEpoch: -1 } }
    const res = { ...response, topics: [{ name: '__cluster_metadata', partitions: [p] }] }
    const withTag = encodeWith(w => { FetchSnapshot.encodeResponse(w, 1, response) })
    const without = encodeWith(w => { FetchSnapshot.encodeResponse(w, 1, res) })
    expect(withTag.length - without.length).toBe(1 + 1 + 9)
  })
})
