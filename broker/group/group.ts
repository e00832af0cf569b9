// One group's state: the classic protocol's state machine (Empty -> PreparingRebalance ->
// CompletingRebalance -> Stable, and Dead once removed), its members and generation, the
// chosen protocol and leader, the deadlines the coordinator's timer checks, and the group's
// committed offsets. This module only keeps the bookkeeping consistent; the rules of who
// may join, sync or commit live in rebalance.ts and commits.ts.

import assert from 'node:assert/strict'
import { ErrorCode } from '../protocol/errors.ts'
import type { JoinGroupResponseMember } from '../protocol/11-join-group.ts'
import { joinError, Member } from './member.ts'
import { EMPTY_BYTES, type GroupState, type MemberProtocol } from './types.ts'

export interface CommittedOffset {
  offset: number
  leaderEpoch: number
  metadata: string | null
  commitTimestampMs: number
  /**
   * Where the record that set this value sits in __consumer_offsets. A value only replaces
   * one from an earlier record, so memory ends up as a replay of the log would.
   */
  logOffset: number
  /** When that record was written: retention.ts rewrites entries before log retention could delete them. */
  writtenAtMs: number
}

const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'Stable', 'CompletingRebalance'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
}

export class Group {
  readonly groupId: string
  state: GroupState = 'Empty'
  stateSinceMs: number
  generationId = 0
  /** null for a group that only stores offsets (simple commits from assign() consumers). */
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, Member>()
  /** group.instance.id -> the member id currently holding it. */
  readonly staticMembers = new Map<string, string>()
  /** Member ids handed out with MEMBER_ID_REQUIRED, and when they lapse if never used. */
  readonly pendingMembers = new Map<string, number>()
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>()
  /** PreparingRebalance: when to stop waiting for members to rejoin. */
  joinDeadlineMs = Infinity
  /** The first rebalance of an empty group waits group.initial.rebalance.delay.ms for company. */
  inInitialDelay = false
  initialDelayRemainingMs = 0
  newMemberAdded = false
  /** CompletingRebalance/Stable: when members still in pendingSync are dropped. */
  syncDeadlineMs = Infinity
  /** Token of the leader's assignment being stored; a rebalance clears it so a late store is ignored. */
  assignmentInFlight: object | null = null
  readonly offsets = new Map<string, Map<number, CommittedOffset>>()
  /** Appends of offsets not yet resolved: the group is not expired or rewritten while any are in flight. */
  pendingCommits = 0
  /** When the group's metadata record was last written; Infinity if it never was. */
  metadataWrittenAtMs = Infinity

  constructor (groupId: string, nowMs: number) {
    this.groupId = groupId
    this.stateSinceMs = nowMs
  }

  transitionTo (state: GroupState, nowMs: number): void {
    assert.ok(VALID_PREVIOUS[state].includes(this.state), `group ${this.groupId}: ${this.state} -> ${state} is not a valid transition`)
    this.state = state
    this.stateSinceMs = nowMs
  }

  /** Sets the state without the transition check: only for loading persisted groups. */
  restoreState (state: GroupState, sinceMs: number): void {
    this.state = state
    this.stateSinceMs = sinceMs
  }

  add (member: Member): void {
    assert.ok(!this.members.has(member.memberId), `member ${member.memberId} joined twice`)
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.leaderId ??= member.memberId
  }

  remove (memberId: string): void {
    const member = this.members.get(memberId)
    if (member === undefined) return
    this.members.delete(memberId)
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    this.pendingSync.delete(memberId)
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null
  }

  /**
   * A static member came back with a new member id: it takes over the old member's place
   * (assignment, leadership) and whatever the old instance still waits on is fenced.
   */
  replaceStaticMember (oldMemberId: string, newMemberId: string, nowMs: number): Member {
    const old = this.members.get(oldMemberId)
    assert.ok(old !== undefined && old.groupInstanceId !== null, `no static member ${oldMemberId}`)
    const fresh = new Member({ ...old, memberId: newMemberId }, nowMs)
    fresh.assignment = old.assignment
    old.answerJoin(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId))
    old.answerSync({ errorCode: ErrorCode.FENCED_INSTANCE_ID, assignment: EMPTY_BYTES })
    this.members.delete(oldMemberId)
    this.members.set(newMemberId, fresh)
    this.staticMembers.set(old.groupInstanceId, newMemberId)
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId)
    return fresh
  }

  /** FENCED_INSTANCE_ID, UNKNOWN_MEMBER_ID or NONE for a request naming this member. */
  memberError (memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const holder = this.staticMembers.get(groupInstanceId)
      if (holder !== undefined && holder !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
  }

  /** A joiner fits if it speaks the group's protocol type and one protocol every member offers. */
  supportsProtocols (protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (protocolType === '' || protocols.length === 0) return false
    if (this.members.size === 0) return true
    if (this.protocolType !== protocolType) return false
    const members = [...this.members.values()]
    return protocols.some(p => members.every(m => m.protocols.some(q => q.name === p.name)))
  }

  /** Every member has rejoined and no MEMBER_ID_REQUIRED handshake is half done. */
  allMembersJoined (): boolean {
    if (this.pendingMembers.size > 0) return false
    for (const member of this.members.values()) if (member.awaitingJoin === null) return false
    return true
  }

  /** Keeps the leader if it rejoined, else picks a member that did; false if none did. */
  electJoinedLeader (): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId)
    if (leader?.awaitingJoin != null) return true
    for (const member of this.members.values()) {
      if (member.awaitingJoin !== null) {
        this.leaderId = member.memberId
        return true
      }
    }
    return false
  }

  /** The protocol most members prefer among those all of them support (ties: first offered). */
  selectProtocol (): string {
    const members = [...this.members.values()]
    assert.ok(members.length > 0, 'selectProtocol on a group without members')
    const candidates = new Set(members[0]!.protocols.map(p => p.name).filter(name => members.every(m => m.protocols.some(q => q.name === name))))
    assert.ok(candidates.size > 0, `group ${this.groupId} has no common protocol`)
    const votes = new Map<string, number>()
    for (const member of members) {
      const choice = member.vote(candidates)!
      votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best = ''
    let bestVotes = -1
    for (const name of candidates) {
      const count = votes.get(name) ?? 0
      if (count > bestVotes) {
        best = name
        bestVotes = count
      }
    }
    return best
  }

  rebalanceTimeoutMs (): number {
    let timeoutMs = 0
    for (const member of this.members.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs)
    return timeoutMs
  }

  /** Ends PreparingRebalance: a new generation with the members that rejoined, or Empty. */
  initNextGeneration (nowMs: number): void {
    this.generationId++
    this.assignmentInFlight = null
    this.pendingSync.clear()
    this.joinDeadlineMs = Infinity
    this.inInitialDelay = false
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo('CompletingRebalance', nowMs)
      for (const memberId of this.members.keys()) this.pendingSync.add(memberId)
    } else {
      this.protocolName = null
      this.leaderId = null
      this.transitionTo('Empty', nowMs)
    }
  }

  /** What the leader's JoinGroup response lists: every member's metadata for the chosen protocol. */
  leaderJoinMembers (): JoinGroupResponseMember[] {
    const protocolName = this.protocolName ?? ''
    return [...this.members.values()].map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocolName) }))
  }

  offset (topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition)
  }

  /** Stores a committed offset unless a later record already set this partition. */
  setOffset (topic: string, partition: number, committed: CommittedOffset): void {
    let partitions = this.offsets.get(topic)
    if (partitions === undefined) this.offsets.set(topic, partitions = new Map())
    const current = partitions.get(partition)
    if (current === undefined || current.logOffset < committed.logOffset) partitions.set(partition, committed)
  }

  deleteOffset (topic: string, partition: number): void {
    const partitions = this.offsets.get(topic)
    if (partitions === undefined) return
    partitions.delete(partition)
    if (partitions.size === 0) this.offsets.delete(topic)
  }

  offsetCount (): number {
    let count = 0
    for (const partitions of this.offsets.values()) count += partitions.size
    return count
  }
}
