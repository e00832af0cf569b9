// The quorum core's messages (broker/cluster/raft/types.ts) as Kafka RPCs, both ways, for
// the election APIs: Vote (52, pre-vote needs v2), BeginQuorumEpoch (53), EndQuorumEpoch
// (54). Fetch and FetchSnapshot are in wire-fetch.ts. Every RPC names one topic partition,
// `__cluster_metadata-0`; like Kafka's KafkaRaftClient we answer any other shape with a
// top-level INVALID_REQUEST, and a request carrying another cluster's id with
// INCONSISTENT_CLUSTER_ID (a missing cluster id is accepted, as Kafka does). Whether the
// sender is a voter is the core's decision (INCONSISTENT_VOTER_SET).

import type { ApiCodec } from '../../protocol/api.ts'
import { ErrorCode } from '../../protocol/errors.ts'
import { METADATA_TOPIC } from '../../protocol/01-fetch-quorum.ts'
import { Vote, type VoteRequest as WireVoteRequest, type VoteResponse as WireVoteResponse } from '../../protocol/52-vote.ts'
import { BeginQuorumEpoch, type BeginQuorumEpochRequest as WireBeginRequest } from '../../protocol/53-begin-quorum-epoch.ts'
import { EndQuorumEpoch, type EndQuorumEpochRequest as WireEndRequest } from '../../protocol/54-end-quorum-epoch.ts'
import { ZERO_UUID, type QuorumEpochResponse, type RaftEndpoint } from '../../protocol/raft-common.ts'
import type { NodeId, RaftMessage } from '../raft/types.ts'

export interface WireContext {
  clusterId: string
  nodeId: NodeId
  /** The controller listener of a voter (BeginQuorumEpoch/EndQuorumEpoch leader_endpoints). */
  endpoints (id: NodeId): RaftEndpoint[]
  /** Who led `epoch`, as far as this node knows (-1 when it does not): LeaderChangeMessage. */
  leaderOf (epoch: number): NodeId
  voters: readonly NodeId[]
  /** max_wait_ms of our Fetch requests (the leader's long poll). */
  fetchMaxWaitMs: number
  /** The local log's start offset, for log_start_offset in Fetch answers. */
  logStartOffset (): number
  /** True once the driver is shut down: requests are refused before they reach the core. */
  closed?: () => boolean
}

/** An outgoing request: how to build it for the negotiated version and read its answer. */
export interface WireCall {
  codec: ApiCodec<any, any>
  /** null when this version cannot carry the message (pre-vote below Vote v2). */
  build (version: number): unknown
  /** The core's message for the response, or why it is dropped. */
  answer (response: any, version: number): RaftMessage | string
}

/** A decoded incoming request: fed to the core, or refused without it. */
export type Incoming<Res> =
  | { kind: 'message'; from: NodeId; message: RaftMessage; reply: (m: RaftMessage) => Res }
  | { kind: 'refuse'; response: Res; reason: string }

/**
 * Why a request is refused before the core sees it: this node is shutting down (a retriable
 * BROKER_NOT_AVAILABLE; the sender's core retries elsewhere or later), or the sender belongs
 * to another cluster. null: the request goes on.
 */
export function refusal (received: string | null, ctx: WireContext): { code: number, reason: string } | null {
  if (ctx.closed?.() === true) return { code: ErrorCode.BROKER_NOT_AVAILABLE, reason: 'this node is shutting down' }
  if (received !== null && received !== ctx.clusterId) return { code: ErrorCode.INCONSISTENT_CLUSTER_ID, reason: `cluster id ${received}` }
  return null
}

/** The one partition of a single-topic request, when the request names exactly `__cluster_metadata-0`. */
export function onlyPartition<P> (topics: ReadonlyArray<{ partitions: readonly P[] }>, nameOk: (i: number) => boolean, index: (p: P) => number): P | null {
  if (topics.length !== 1 || !nameOk(0)) return null
  const parts = topics[0]!.partitions
  return parts.length === 1 && index(parts[0]!) === 0 ? parts[0]! : null
}

function unexpected (what: string, m: RaftMessage): never {
  throw new Error(`programmer error: ${what} got a ${m.type} message`)
}

// --- Vote ---

function voteError (errorCode: number): WireVoteResponse {
  return { errorCode, topics: [] }
}

export function voteCall (m: RaftMessage, to: NodeId, ctx: WireContext): WireCall {
  if (m.type !== 'vote') unexpected('voteCall', m)
  const preVote = m.preVote
  return {
    codec: Vote,
    build: (version): WireVoteRequest | null => preVote && version < 2
      ? null
      : {
          clusterId: ctx.clusterId,
          voterId: to,
          topics: [{
            topicName: METADATA_TOPIC,
            partitions: [{ partitionIndex: 0, replicaEpoch: m.epoch, replicaId: m.candidateId, replicaDirectoryId: ZERO_UUID, voterDirectoryId: ZERO_UUID, lastOffsetEpoch: m.lastEpoch, lastOffset: m.lastOffset, preVote }],
          }],
        },
    answer: (res: WireVoteResponse) => {
      if (res.errorCode !== ErrorCode.NONE) return `Vote refused with error ${res.errorCode}`
      const p = onlyPartition(res.topics, i => res.topics[i]!.topicName === METADATA_TOPIC, p => p.partitionIndex)
      if (p === null) return 'Vote response does not name __cluster_metadata-0'
      return { type: 'voteResponse', errorCode: p.errorCode, epoch: p.leaderEpoch, leaderId: p.leaderId, granted: p.voteGranted, preVote }
    },
  }
}

export function incomingVote (req: WireVoteRequest, ctx: WireContext): Incoming<WireVoteResponse> {
  const refused = refusal(req.clusterId, ctx)
  if (refused !== null) return { kind: 'refuse', response: voteError(refused.code), reason: refused.reason }
  const p = onlyPartition(req.topics, i => req.topics[i]!.topicName === METADATA_TOPIC, p => p.partitionIndex)
  if (p === null) return { kind: 'refuse', response: voteError(ErrorCode.INVALID_REQUEST), reason: 'not __cluster_metadata-0' }
  return {
    kind: 'message',
    from: p.replicaId,
    message: { type: 'vote', epoch: p.replicaEpoch, candidateId: p.replicaId, lastEpoch: p.lastOffsetEpoch, lastOffset: p.lastOffset, preVote: p.preVote },
    reply: m => {
      if (m.type !== 'voteResponse') unexpected('Vote reply', m)
      return {
        errorCode: ErrorCode.NONE,
        topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, errorCode: m.errorCode, leaderId: m.leaderId, leaderEpoch: m.epoch, voteGranted: m.granted }] }],
      }
    },
  }
}

// --- BeginQuorumEpoch / EndQuorumEpoch (same response shape) ---

function epochError (errorCode: number): QuorumEpochResponse {
  return { errorCode, topics: [] }
}

function epochReply (m: { errorCode: number; epoch: number; leaderId: NodeId }): QuorumEpochResponse {
  return { errorCode: ErrorCode.NONE, topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, errorCode: m.errorCode, leaderId: m.leaderId, leaderEpoch: m.epoch }] }] }
}

function epochAnswer (api: string, type: 'beginQuorumEpochResponse' | 'endQuorumEpochResponse', res: QuorumEpochResponse): RaftMessage | string {
  if (res.errorCode !== ErrorCode.NONE) return `${api} refused with error ${res.errorCode}`
  const p = onlyPartition(res.topics, i => res.topics[i]!.topicName === METADATA_TOPIC, p => p.partitionIndex)
  if (p === null) return `${api} response does not name __cluster_metadata-0`
  return { type, errorCode: p.errorCode, epoch: p.leaderEpoch, leaderId: p.leaderId }
}

export function beginQuorumEpochCall (m: RaftMessage, to: NodeId, ctx: WireContext): WireCall {
  if (m.type !== 'beginQuorumEpoch') unexpected('beginQuorumEpochCall', m)
  return {
    codec: BeginQuorumEpoch,
    build: (): WireBeginRequest => ({
      clusterId: ctx.clusterId,
      voterId: to,
      topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, voterDirectoryId: ZERO_UUID, leaderId: m.leaderId, leaderEpoch: m.epoch }] }],
      leaderEndpoints: ctx.endpoints(m.leaderId),
    }),
    answer: (res: QuorumEpochResponse) => epochAnswer('BeginQuorumEpoch', 'beginQuorumEpochResponse', res),
  }
}

export function incomingBeginQuorumEpoch (req: WireBeginRequest, ctx: WireContext): Incoming<QuorumEpochResponse> {
  const refused = refusal(req.clusterId, ctx)
  if (refused !== null) return { kind: 'refuse', response: epochError(refused.code), reason: refused.reason }
  const p = onlyPartition(req.topics, i => req.topics[i]!.topicName === METADATA_TOPIC, p => p.partitionIndex)
  if (p === null) return { kind: 'refuse', response: epochError(ErrorCode.INVALID_REQUEST), reason: 'not __cluster_metadata-0' }
  return {
    kind: 'message',
    from: p.leaderId,
    message: { type: 'beginQuorumEpoch', epoch: p.leaderEpoch, leaderId: p.leaderId },
    reply: m => m.type === 'beginQuorumEpochResponse' ? epochReply(m) : unexpected('BeginQuorumEpoch reply', m),
  }
}

export function endQuorumEpochCall (m: RaftMessage, _to: NodeId, ctx: WireContext): WireCall {
  if (m.type !== 'endQuorumEpoch') unexpected('endQuorumEpochCall', m)
  return {
    codec: EndQuorumEpoch,
    build: (version): WireEndRequest => ({
      clusterId: ctx.clusterId,
      topics: [{
        topicName: METADATA_TOPIC,
        partitions: [{
          partitionIndex: 0, leaderId: m.leaderId, leaderEpoch: m.epoch,
          preferredSuccessors: version === 0 ? m.preferredSuccessors : [],
          preferredCandidates: version >= 1 ? m.preferredSuccessors.map(candidateId => ({ candidateId, candidateDirectoryId: ZERO_UUID })) : [],
        }],
      }],
      leaderEndpoints: ctx.endpoints(m.leaderId),
    }),
    answer: (res: QuorumEpochResponse) => epochAnswer('EndQuorumEpoch', 'endQuorumEpochResponse', res),
  }
}

export function incomingEndQuorumEpoch (req: WireEndRequest, version: number, ctx: WireContext): Incoming<QuorumEpochResponse> {
  const refused = refusal(req.clusterId, ctx)
  if (refused !== null) return { kind: 'refuse', response: epochError(refused.code), reason: refused.reason }
  const p = onlyPartition(req.topics, i => req.topics[i]!.topicName === METADATA_TOPIC, p => p.partitionIndex)
  if (p === null) return { kind: 'refuse', response: epochError(ErrorCode.INVALID_REQUEST), reason: 'not __cluster_metadata-0' }
  const preferredSuccessors = version === 0 ? p.preferredSuccessors : p.preferredCandidates.map(c => c.candidateId)
  return {
    kind: 'message',
    from: p.leaderId,
    message: { type: 'endQuorumEpoch', epoch: p.leaderEpoch, leaderId: p.leaderId, preferredSuccessors },
    reply: m => m.type === 'endQuorumEpochResponse' ? epochReply(m) : unexpected('EndQuorumEpoch reply', m),
  }
}
