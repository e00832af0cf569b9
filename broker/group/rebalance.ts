// The rules of the classic rebalance protocol, as Kafka's GroupCoordinator applies them:
// who may join, when a rebalance starts and completes, who leads, how the leader's
// assignment reaches the members, and what a heartbeat or leave does in each state.
//
// A JoinGroup that must wait for the other members parks as a promise on its member and is
// answered when the join phase completes (everyone rejoined, or the rebalance timeout
// passed and the stragglers were dropped). SyncGroup parks the same way until the leader's
// assignment has been written to __consumer_offsets. Timers live in the coordinator; it
// calls onTimer() with the current time.

import { randomUUID } from 'node:crypto'
import { ErrorCode } from '../protocol/errors.ts'
import type { Group } from './group.ts'
import { joinError, Member, type MemberOptions } from './member.ts'
import {
  ASSIGNMENT_BYTES_MAX, EMPTY_BYTES, MEMBER_ID_CLIENT_PREFIX_MAX, MEMBERS_PER_GROUP_MAX,
  type GroupConfig, type JoinResult, type SyncResult,
} from './types.ts'

export interface RebalanceHost {
  readonly config: GroupConfig
  now (): number
  /**
   * Writes the group's metadata record. With `assignments` the record carries them; the
   * promise resolves to NONE or the error code the members should get.
   */
  storeGroup (group: Group, assignments?: ReadonlyMap<string, Buffer>): Promise<number>
}

export interface JoinParams extends MemberOptions {
  groupId: string
  /** JoinGroup v4+: a first join without a member id is answered MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean
}

export interface SyncParams {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  assignments: ReadonlyArray<{ memberId: string, assignment: Buffer }>
}

export interface MemberRef {
  memberId: string
  groupInstanceId: string | null
}

export function newMemberId (clientId: string): string {
  return `${clientId.slice(0, MEMBER_ID_CLIENT_PREFIX_MAX)}-${randomUUID()}`
}

export function joinGroup (host: RebalanceHost, group: Group, p: JoinParams): JoinResult | Promise<JoinResult> {
  if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId)
  if (!group.supportsProtocols(p.protocolType, p.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId)
  return p.memberId === '' ? joinNewMember(host, group, p) : joinKnownMember(host, group, p)
}

function joinNewMember (host: RebalanceHost, group: Group, p: JoinParams): JoinResult | Promise<JoinResult> {
  const memberId = newMemberId(p.clientId)
  if (p.groupInstanceId !== null) {
    const holder = group.staticMembers.get(p.groupInstanceId)
    if (holder !== undefined) return rejoinStaticMember(host, group, p, holder, memberId)
  }
  if (group.members.size + group.pendingMembers.size >= MEMBERS_PER_GROUP_MAX) return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, '')
  // Static members skip the handshake: their instance id already names them.
  if (p.requireKnownMemberId && p.groupInstanceId === null) {
    group.pendingMembers.set(memberId, host.now() + p.sessionTimeoutMs)
    return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId)
  }
  return addMemberAndRebalance(host, group, p, memberId)
}

function joinKnownMember (host: RebalanceHost, group: Group, p: JoinParams): JoinResult | Promise<JoinResult> {
  if (group.pendingMembers.has(p.memberId)) {
    if (p.groupInstanceId !== null) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId)
    group.pendingMembers.delete(p.memberId)
    return addMemberAndRebalance(host, group, p, p.memberId)
  }
  const error = group.memberError(p.memberId, p.groupInstanceId)
  if (error !== ErrorCode.NONE) return joinError(error, p.memberId)
  const member = group.members.get(p.memberId)!
  member.lastHeartbeatMs = host.now()
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(host, group, member, p)
    case 'CompletingRebalance':
      // A retried join of this generation gets the same answer again.
      return member.matches(p.protocols) ? currentGeneration(group, member) : updateMemberAndRebalance(host, group, member, p)
    case 'Stable':
      // The leader rejoining means "assign again" (new topics matched, say).
      if (group.leaderId === member.memberId || !member.matches(p.protocols)) return updateMemberAndRebalance(host, group, member, p)
      return currentGeneration(group, member)
    default:
      return joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId)
  }
}

/**
 * A restarted static member takes its instance's place; the old member id is fenced.
 * KIP-345: in a Stable group whose selected protocol stays the same, the generation and
 * every assignment stay, leader or not. As Kafka does, the answer names the leader by the
 * id it had before the restart, so a restarted leader does not take itself for the leader
 * and run a trivial assignment that a Stable group would not hand out anyway; its SyncGroup
 * gets the stored assignment. A changed protocol, or a group mid-rebalance, rebalances.
 */
function rejoinStaticMember (host: RebalanceHost, group: Group, p: JoinParams, oldMemberId: string, memberId: string): JoinResult | Promise<JoinResult> {
  const leaderBefore = group.leaderId ?? ''
  const member = group.replaceStaticMember(oldMemberId, memberId, host.now())
  if (group.state !== 'Stable') return updateMemberAndRebalance(host, group, member, p)
  member.update(p)
  if (group.selectProtocol() !== group.protocolName) return updateMemberAndRebalance(host, group, member, p)
  // Keep the new id on disk so a coordinator restart does not fence the live instance.
  const assignments = new Map([...group.members.values()].map(m => [m.memberId, m.assignment]))
  return host.storeGroup(group, assignments).then(errorCode => {
    if (errorCode !== ErrorCode.NONE) return joinError(errorCode, memberId)
    return { ...currentGeneration(group, member), leader: leaderBefore, members: [] }
  })
}

function currentGeneration (group: Group, member: Member): JoinResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolName: group.protocolName ?? '',
    leader: group.leaderId ?? '',
    memberId: member.memberId,
    members: group.leaderId === member.memberId ? group.leaderJoinMembers() : [],
  }
}

function addMemberAndRebalance (host: RebalanceHost, group: Group, p: JoinParams, memberId: string): Promise<JoinResult> {
  const member = new Member({ ...p, memberId }, host.now())
  member.isNew = true
  if (group.state === 'PreparingRebalance' && group.generationId === 0) group.newMemberAdded = true
  group.add(member)
  return parkJoin(host, group, member)
}

function updateMemberAndRebalance (host: RebalanceHost, group: Group, member: Member, p: JoinParams): Promise<JoinResult> {
  member.update(p)
  return parkJoin(host, group, member)
}

function parkJoin (host: RebalanceHost, group: Group, member: Member): Promise<JoinResult> {
  const { promise, resolve } = Promise.withResolvers<JoinResult>()
  member.parkJoin(resolve)
  maybePrepareRebalance(host, group)
  maybeCompleteJoin(host, group)
  return promise
}

export function maybePrepareRebalance (host: RebalanceHost, group: Group): void {
  if (group.state !== 'Stable' && group.state !== 'CompletingRebalance' && group.state !== 'Empty') return
  const nowMs = host.now()
  if (group.state === 'CompletingRebalance') failAssignment(group, ErrorCode.REBALANCE_IN_PROGRESS)
  const fromEmpty = group.state === 'Empty'
  group.transitionTo('PreparingRebalance', nowMs)
  group.syncDeadlineMs = Infinity
  const rebalanceTimeoutMs = group.rebalanceTimeoutMs()
  const delayMs = Math.min(host.config.initialRebalanceDelayMs, rebalanceTimeoutMs)
  group.inInitialDelay = fromEmpty && delayMs > 0
  group.newMemberAdded = false
  group.initialDelayRemainingMs = Math.max(rebalanceTimeoutMs - delayMs, 0)
  group.joinDeadlineMs = nowMs + (group.inInitialDelay ? delayMs : rebalanceTimeoutMs)
}

/** Answers every parked SyncGroup with `errorCode` and forgets any assignment being stored. */
function failAssignment (group: Group, errorCode: number): void {
  group.assignmentInFlight = null
  for (const member of group.members.values()) {
    member.assignment = EMPTY_BYTES
    member.answerSync({ errorCode, assignment: EMPTY_BYTES })
  }
}

export function maybeCompleteJoin (host: RebalanceHost, group: Group): void {
  if (group.state === 'PreparingRebalance' && !group.inInitialDelay && group.allMembersJoined()) completeJoin(host, group)
}

/**
 * Ends the join phase: members that did not rejoin are dropped (static members keep their
 * place), a leader is chosen among those that did, and everyone parked gets the new
 * generation. No member left means Empty, which is written down.
 */
function completeJoin (host: RebalanceHost, group: Group): void {
  const nowMs = host.now()
  for (const member of [...group.members.values()]) {
    if (member.awaitingJoin === null && member.groupInstanceId === null) group.remove(member.memberId)
  }
  if (!group.electJoinedLeader() && group.members.size > 0) {
    // Only static members that have not rejoined remain: give them another round.
    group.joinDeadlineMs = nowMs + group.rebalanceTimeoutMs()
    return
  }
  group.initNextGeneration(nowMs)
  if (group.state === 'Empty') {
    void host.storeGroup(group)
    return
  }
  group.syncDeadlineMs = nowMs + group.rebalanceTimeoutMs()
  const leaderMembers = group.leaderJoinMembers()
  for (const member of group.members.values()) {
    member.isNew = false
    member.lastHeartbeatMs = nowMs
    member.answerJoin({
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName: group.protocolName!,
      leader: group.leaderId!,
      memberId: member.memberId,
      members: member.memberId === group.leaderId ? leaderMembers : [],
    })
  }
}

export function syncGroup (host: RebalanceHost, group: Group, p: SyncParams): SyncResult | Promise<SyncResult> {
  const fail = (errorCode: number): SyncResult => ({ errorCode, assignment: EMPTY_BYTES })
  if (group.state === 'Dead') return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  const error = group.memberError(p.memberId, p.groupInstanceId)
  if (error !== ErrorCode.NONE) return fail(error)
  if (p.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION)
  const member = group.members.get(p.memberId)!
  member.lastHeartbeatMs = host.now()
  switch (group.state) {
    case 'PreparingRebalance':
      return fail(ErrorCode.REBALANCE_IN_PROGRESS)
    case 'Stable':
      group.pendingSync.delete(member.memberId)
      return { errorCode: ErrorCode.NONE, assignment: member.assignment }
    case 'CompletingRebalance':
      break
    default:
      return fail(ErrorCode.UNKNOWN_MEMBER_ID)
  }
  const isLeader = group.leaderId === member.memberId
  if (isLeader && p.assignments.some(a => a.assignment.length > ASSIGNMENT_BYTES_MAX)) return fail(ErrorCode.INVALID_REQUEST)
  const { promise, resolve } = Promise.withResolvers<SyncResult>()
  member.parkSync(resolve)
  group.pendingSync.delete(member.memberId)
  if (isLeader && group.assignmentInFlight === null) storeAssignment(host, group, p.assignments)
  return promise
}

/** Writes the leader's assignment; only once it is on disk do members get it and the group turn Stable. */
function storeAssignment (host: RebalanceHost, group: Group, assignments: SyncParams['assignments']): void {
  const byMember = new Map<string, Buffer>()
  for (const memberId of group.members.keys()) byMember.set(memberId, EMPTY_BYTES)
  // Copies: the decoded bytes are views into the leader's request frame.
  for (const a of assignments) if (byMember.has(a.memberId)) byMember.set(a.memberId, Buffer.from(a.assignment))
  const token = {}
  const generationId = group.generationId
  group.assignmentInFlight = token
  void host.storeGroup(group, byMember).then(errorCode => {
    if (group.assignmentInFlight !== token || group.generationId !== generationId || group.state !== 'CompletingRebalance') return
    group.assignmentInFlight = null
    if (errorCode !== ErrorCode.NONE) {
      failAssignment(group, errorCode)
      maybePrepareRebalance(host, group)
      return
    }
    for (const member of group.members.values()) {
      member.assignment = byMember.get(member.memberId) ?? EMPTY_BYTES
      member.answerSync({ errorCode: ErrorCode.NONE, assignment: member.assignment })
    }
    group.transitionTo('Stable', host.now())
  })
}

export function heartbeat (host: RebalanceHost, group: Group, p: MemberRef & { generationId: number }): number {
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE
  const error = group.memberError(p.memberId, p.groupInstanceId)
  if (error !== ErrorCode.NONE) return error
  if (p.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  group.members.get(p.memberId)!.lastHeartbeatMs = host.now()
  switch (group.state) {
    case 'PreparingRebalance': return ErrorCode.REBALANCE_IN_PROGRESS
    case 'CompletingRebalance':
    case 'Stable': return ErrorCode.NONE
    default: return ErrorCode.UNKNOWN_MEMBER_ID
  }
}

/** One leaving member (LeaveGroup v3 sends a batch); static members may leave by instance id. */
export function leaveGroup (host: RebalanceHost, group: Group, leaving: MemberRef): number {
  let memberId = leaving.memberId
  if (leaving.groupInstanceId !== null) {
    const holder = group.staticMembers.get(leaving.groupInstanceId)
    if (holder === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (memberId !== '' && memberId !== holder) return ErrorCode.FENCED_INSTANCE_ID
    memberId = holder
  }
  if (group.pendingMembers.delete(memberId)) {
    maybeCompleteJoin(host, group)
    return ErrorCode.NONE
  }
  const member = group.members.get(memberId)
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
  removeMember(host, group, member)
  return ErrorCode.NONE
}

/** Drops a member (left, expired, or never synced) and rebalances the rest. */
export function removeMember (host: RebalanceHost, group: Group, member: Member): void {
  member.answerJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId))
  member.answerSync({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY_BYTES })
  group.remove(member.memberId)
  maybePrepareRebalance(host, group)
  maybeCompleteJoin(host, group)
}

/** The coordinator's timer: session expiry, lapsed handshakes, join and sync deadlines. */
export function onTimer (host: RebalanceHost, group: Group, nowMs: number): void {
  for (const [memberId, expiresMs] of group.pendingMembers) {
    if (nowMs >= expiresMs) {
      group.pendingMembers.delete(memberId)
      maybeCompleteJoin(host, group)
    }
  }
  for (const member of [...group.members.values()]) {
    if (group.members.get(member.memberId) === member && !member.isAlive(nowMs)) removeMember(host, group, member)
  }
  if (group.state === 'PreparingRebalance' && nowMs >= group.joinDeadlineMs) {
    if (group.inInitialDelay && group.newMemberAdded && group.initialDelayRemainingMs > 0) {
      // Members keep arriving: wait one more delay, within the rebalance timeout.
      const delayMs = Math.min(host.config.initialRebalanceDelayMs, group.initialDelayRemainingMs)
      group.newMemberAdded = false
      group.initialDelayRemainingMs -= delayMs
      group.joinDeadlineMs = nowMs + delayMs
    } else {
      group.inInitialDelay = false
      completeJoin(host, group)
    }
  }
  if ((group.state === 'CompletingRebalance' || group.state === 'Stable') && group.pendingSync.size > 0 && nowMs >= group.syncDeadlineMs) {
    group.syncDeadlineMs = Infinity
    for (const memberId of [...group.pendingSync]) {
      const member = group.members.get(memberId)
      if (member !== undefined) removeMember(host, group, member)
    }
  }
}
