// The quorum's server side: handlers for the controller listener. Vote, BeginQuorumEpoch,
// EndQuorumEpoch, Fetch (v12+, metadata partition only) and FetchSnapshot go through the
// wire mapping to the driver, which feeds the core and returns the core's answer.
// DescribeQuorum is answered from the leader's view; off the leader it is
// NOT_LEADER_OR_FOLLOWER, as in Kafka.

import { ErrorCode } from '../../protocol/errors.ts'
import { METADATA_TOPIC, QuorumFetch } from '../../protocol/01-fetch-quorum.ts'
import { Vote } from '../../protocol/52-vote.ts'
import { BeginQuorumEpoch } from '../../protocol/53-begin-quorum-epoch.ts'
import { EndQuorumEpoch } from '../../protocol/54-end-quorum-epoch.ts'
import { DescribeQuorum, type DescribeQuorumRequest, type DescribeQuorumResponse, type QuorumReplicaState } from '../../protocol/55-describe-quorum.ts'
import { FetchSnapshot } from '../../protocol/59-fetch-snapshot.ts'
import { ZERO_UUID } from '../../protocol/raft-common.ts'
import { defineHandler, type ApiHandler } from '../../server/handler.ts'
import type { NodeStatus, QuorumDescription } from '../raft/raft-node.ts'
import { incomingBeginQuorumEpoch, incomingEndQuorumEpoch, incomingVote, onlyPartition, type Incoming, type WireContext } from './wire.ts'
import { incomingFetch, incomingFetchSnapshot } from './wire-fetch.ts'

export interface HandlerHost {
  wire: WireContext
  serve<Res> (incoming: Incoming<Res>): Res
  serveFetch<Res> (incoming: Incoming<Res>, maxWaitMs: number, signal: AbortSignal): Promise<Res>
  describe (): QuorumDescription | null
  status (): NodeStatus
  voters: ReadonlyMap<number, { host: string, port: number }>
}

export function quorumHandlers (host: HandlerHost): ApiHandler[] {
  const { wire } = host
  return [
    defineHandler(Vote, (_ctx, req) => host.serve(incomingVote(req, wire))),
    defineHandler(BeginQuorumEpoch, (_ctx, req) => host.serve(incomingBeginQuorumEpoch(req, wire))),
    defineHandler(EndQuorumEpoch, (_ctx, req, version) => host.serve(incomingEndQuorumEpoch(req, version, wire))),
    defineHandler(QuorumFetch, (ctx, req, version) => host.serveFetch(incomingFetch(req, version, wire), req.maxWaitMs, ctx.connection.signal)),
    defineHandler(FetchSnapshot, (_ctx, req) => host.serve(incomingFetchSnapshot(req, wire))),
    defineHandler(DescribeQuorum, (_ctx, req) => describeQuorum(host, req)),
  ]
}

function replica (r: { replicaId: number; logEndOffset: number; lastFetchTimestamp: number; lastCaughtUpTimestamp: number }): QuorumReplicaState {
  return { replicaId: r.replicaId, replicaDirectoryId: ZERO_UUID, logEndOffset: r.logEndOffset, lastFetchTimestamp: r.lastFetchTimestamp, lastCaughtUpTimestamp: r.lastCaughtUpTimestamp }
}

function describeQuorum (host: HandlerHost, req: DescribeQuorumRequest): DescribeQuorumResponse {
  const p = onlyPartition(req.topics, i => req.topics[i]!.topicName === METADATA_TOPIC, p => p.partitionIndex)
  if (p === null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'DescribeQuorum must name __cluster_metadata-0 only', topics: [], nodes: [] }
  const d = host.describe()
  const nodes = [...host.voters].map(([nodeId, a]) => ({ nodeId, listeners: [{ name: 'CONTROLLER', host: a.host, port: a.port }] }))
  if (d === null) {
    const s = host.status()
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [{
        topicName: METADATA_TOPIC,
        partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: null, leaderId: s.leaderId, leaderEpoch: s.epoch, highWatermark: -1, currentVoters: [], observers: [] }],
      }],
      nodes: [],
    }
  }
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{
        partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null, leaderId: d.leaderId, leaderEpoch: d.leaderEpoch, highWatermark: d.highWatermark,
        currentVoters: d.voters.map(replica), observers: d.observers.map(replica),
      }],
    }],
    nodes,
  }
}
