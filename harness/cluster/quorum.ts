// The metadata quorum as a client sees it: DescribeQuorum sent to any broker of a Sluice
// (or KRaft) cluster, which forwards it to the quorum leader, the active controller. Used
// by readiness checks, failover figures and chaos targeting ("the active controller").

import { Connection } from '../../broker/client/connection.ts'
import { DescribeQuorum } from '../../broker/protocol/55-describe-quorum.ts'
import { parseAddress } from '../../broker/client/kafka-client.ts'

export interface QuorumInfo { leaderId: number, leaderEpoch: number, highWatermark: number, voters: number[] }

export async function describeQuorum (address: string, timeoutMs = 3000): Promise<QuorumInfo> {
  const { host, port } = parseAddress(address)
  const conn = await Connection.connect({ host, port, clientId: 'sluice-quorum', requestTimeoutMs: timeoutMs, connectTimeoutMs: Math.min(2000, timeoutMs) })
  try {
    const response = await conn.request(DescribeQuorum, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] })
    const p = response.topics[0]?.partitions[0]
    if (response.errorCode !== 0 || p === undefined || p.errorCode !== 0) {
      throw new Error(`DescribeQuorum to ${address} failed with error ${response.errorCode !== 0 ? response.errorCode : p?.errorCode ?? 'missing partition'}`)
    }
    return { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, highWatermark: p.highWatermark, voters: p.currentVoters.map(v => v.replicaId) }
  } finally {
    conn.close()
  }
}
