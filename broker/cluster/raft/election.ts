// Elections: Vote (52) with pre-vote (KIP-996), BeginQuorumEpoch (53), EndQuorumEpoch (54).
// A voter grants at most one vote per epoch (persisted before the answer leaves) and only
// to a candidate whose log is at least as up to date as its own. A pre-vote changes
// nothing on the voter and is refused while the voter still hears from a leader, so a node
// that was cut off and comes back cannot force an election.

import { ErrorCode } from '../../protocol/errors.ts'
import {
  becomeCandidate, becomeFollower, becomeLeader, becomeProspective, becomeUnattached, majority, observeEpoch, otherVoters, send,
  type NodeState,
} from './state.ts'
import { NO_NODE, type BeginQuorumEpochRequest, type EndQuorumEpochRequest, type Envelope, type NodeId, type VoteRequest, type VoteResponse } from './types.ts'

/** Asks every other voter for a (pre-)vote; a single-voter quorum wins at once. */
export function solicitVotes (n: NodeState, nowMs: number): void {
  const preVote = n.role === 'prospective'
  const epoch = preVote ? n.epoch + 1 : n.epoch
  const request: VoteRequest = { type: 'vote', epoch, candidateId: n.cfg.nodeId, lastEpoch: n.log.lastEpoch(), lastOffset: n.log.endOffset(), preVote }
  for (const voter of otherVoters(n)) send(n, voter, request)
  countVotes(n, nowMs)
}

export function startPreVote (n: NodeState, nowMs: number): void {
  becomeProspective(n, nowMs)
  solicitVotes(n, nowMs)
}

function countVotes (n: NodeState, nowMs: number): void {
  let granted = 0
  for (const yes of n.votes.values()) if (yes) granted++
  if (granted < majority(n)) return
  if (n.role === 'prospective') {
    becomeCandidate(n, nowMs)
    solicitVotes(n, nowMs)
  } else if (n.role === 'candidate') {
    becomeLeader(n, nowMs)
    for (const voter of otherVoters(n)) send(n, voter, { type: 'beginQuorumEpoch', epoch: n.epoch, leaderId: n.cfg.nodeId })
  }
}

function logIsUpToDate (n: NodeState, r: VoteRequest): boolean {
  const ownEpoch = n.log.lastEpoch()
  return r.lastEpoch > ownEpoch || (r.lastEpoch === ownEpoch && r.lastOffset >= n.log.endOffset())
}

function voteAnswer (n: NodeState, errorCode: number, granted: boolean, preVote: boolean): VoteResponse {
  return { type: 'voteResponse', errorCode, epoch: n.epoch, leaderId: n.leaderId, granted, preVote }
}

export function handleVote (n: NodeState, env: Envelope, r: VoteRequest, nowMs: number): void {
  const reply = (errorCode: number, granted: boolean): void => { send(n, env.from, voteAnswer(n, errorCode, granted, r.preVote), env.correlationId) }
  if (!n.isVoter || !n.cfg.voters.includes(r.candidateId) || r.candidateId !== env.from) return reply(ErrorCode.INCONSISTENT_VOTER_SET, false)
  if (r.epoch < n.epoch) return reply(ErrorCode.FENCED_LEADER_EPOCH, false)
  if (r.preVote) return reply(ErrorCode.NONE, grantsPreVote(n, r, nowMs))
  if (r.epoch > n.epoch) becomeUnattached(n, r.epoch, nowMs)
  const votedElsewhere = n.votedFor !== NO_NODE && n.votedFor !== r.candidateId && n.cfg.debug?.grantTwoVotes !== true
  const canVote = n.role === 'unattached' || n.role === 'prospective'
  const grant = canVote && n.leaderId === NO_NODE && !votedElsewhere && logIsUpToDate(n, r)
  if (grant) {
    if (n.role === 'prospective') becomeUnattached(n, n.epoch, nowMs)
    n.votedFor = r.candidateId
    n.out.persist = { epoch: n.epoch, votedFor: n.votedFor, leaderId: n.leaderId }
    n.electionDeadlineMs = nowMs + n.cfg.electionTimeoutMs + n.random.int(n.cfg.electionTimeoutMs)
  }
  reply(ErrorCode.NONE, grant)
}

function grantsPreVote (n: NodeState, r: VoteRequest, nowMs: number): boolean {
  if (n.role === 'leader') return false
  const hearsLeader = n.role === 'follower' && nowMs - n.lastLeaderContactMs < n.cfg.fetchTimeoutMs
  return !hearsLeader && logIsUpToDate(n, r)
}

export function handleVoteResponse (n: NodeState, env: Envelope, r: VoteResponse, nowMs: number): void {
  observeEpoch(n, r.epoch, r.leaderId, nowMs)
  if (r.errorCode !== ErrorCode.NONE || !n.cfg.voters.includes(env.from)) return
  const asked = n.role === 'prospective' ? r.preVote && r.epoch <= n.epoch + 1 : n.role === 'candidate' && !r.preVote && r.epoch === n.epoch
  if (!asked || n.votes.has(env.from)) return
  n.votes.set(env.from, r.granted)
  countVotes(n, nowMs)
}

export function handleBeginQuorumEpoch (n: NodeState, env: Envelope, r: BeginQuorumEpochRequest, nowMs: number): void {
  const reply = (errorCode: number): void => {
    send(n, env.from, { type: 'beginQuorumEpochResponse', errorCode, epoch: n.epoch, leaderId: n.leaderId }, env.correlationId)
  }
  if (!n.cfg.voters.includes(r.leaderId) || r.leaderId !== env.from) return reply(ErrorCode.INCONSISTENT_VOTER_SET)
  if (r.epoch < n.epoch) return reply(ErrorCode.FENCED_LEADER_EPOCH)
  if (r.epoch === n.epoch && n.leaderId !== NO_NODE && n.leaderId !== r.leaderId) return reply(ErrorCode.FENCED_LEADER_EPOCH)
  if (r.epoch > n.epoch || n.role !== 'follower') becomeFollower(n, r.epoch, r.leaderId, nowMs)
  n.lastLeaderContactMs = nowMs
  reply(ErrorCode.NONE)
}

/**
 * The leader resigned: followers named as preferred successors start their pre-vote after a
 * short backoff by rank, the others after a full election timeout. Until then they keep
 * the epoch, but they no longer count the leader as alive when answering pre-votes.
 */
export function handleEndQuorumEpoch (n: NodeState, env: Envelope, r: EndQuorumEpochRequest, nowMs: number): void {
  const reply = (errorCode: number): void => {
    send(n, env.from, { type: 'endQuorumEpochResponse', errorCode, epoch: n.epoch, leaderId: n.leaderId }, env.correlationId)
  }
  if (!n.cfg.voters.includes(r.leaderId) || r.leaderId !== env.from) return reply(ErrorCode.INCONSISTENT_VOTER_SET)
  if (r.epoch < n.epoch) return reply(ErrorCode.FENCED_LEADER_EPOCH)
  if (r.epoch > n.epoch) becomeUnattached(n, r.epoch, nowMs)
  if (n.role === 'follower' && n.leaderId === r.leaderId && n.isVoter) {
    const rank = r.preferredSuccessors.indexOf(n.cfg.nodeId)
    const backoffMs = rank >= 0 ? Math.floor(rank * n.cfg.electionTimeoutMs / 10) : n.cfg.electionTimeoutMs + n.random.int(n.cfg.electionTimeoutMs)
    n.fetchDeadlineMs = Math.min(n.fetchDeadlineMs, nowMs + backoffMs)
    n.lastLeaderContactMs = -Infinity
  }
  reply(ErrorCode.NONE)
}

/**
 * Timers of the electing roles. An expired pre-vote round that knows a leader of the epoch
 * goes back to fetching from it (the leader may be fine and this node was the one cut
 * off); any other expired round starts a fresh pre-vote round.
 */
export function electionTick (n: NodeState, nowMs: number): void {
  if (!n.isVoter) return
  const electing = n.role === 'unattached' || n.role === 'prospective' || n.role === 'candidate' || n.role === 'resigned'
  if (!electing || nowMs < n.electionDeadlineMs) return
  if (n.role === 'prospective' && n.leaderId !== NO_NODE && n.leaderId !== n.cfg.nodeId) becomeFollower(n, n.epoch, n.leaderId, nowMs)
  else startPreVote(n, nowMs)
}

/** Resigning leader: tell the voters, most caught-up first, so one of them takes over quickly. */
export function sendEndQuorumEpoch (n: NodeState, successors: NodeId[]): void {
  for (const voter of otherVoters(n)) {
    send(n, voter, { type: 'endQuorumEpoch', epoch: n.epoch, leaderId: n.cfg.nodeId, preferredSuccessors: successors })
  }
}
