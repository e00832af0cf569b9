// The group coordinator: every consumer group this broker coordinates (it coordinates all
// of them), the timers that expire sessions and end rebalances, and the committed offsets
// with their persistence in __consumer_offsets. Handlers call one method per API; the
// rules are in rebalance.ts (membership) and commits.ts (offsets).
//
// Timers are coarse: one interval ticks every `tickMs` and checks every group's deadlines,
// instead of a timer per member. Housekeeping (retention.ts) runs on its own, slower interval.
//
// In a cluster (options.cluster) it coordinates only the groups of the offsets partitions
// this broker leads: the replica manager calls onElection / onResignation as leadership of
// a partition starts and ends, the partition's groups load from its log and unload, and
// every write is answered once replicated (OffsetsStore). Others get NOT_COORDINATOR.

import { ErrorCode } from '../protocol/errors.ts'
import type { DescribedGroup } from '../protocol/15-describe-groups.ts'
import { AUTHORIZED_OPERATIONS_OMITTED } from '../protocol/15-describe-groups.ts'
import type { ListedGroup } from '../protocol/16-list-groups.ts'
import type { OffsetFetchRequestTopic, OffsetFetchResponseTopic } from '../protocol/09-offset-fetch.ts'
import { commitError, fetchOffsets, isSimpleCommit, type CommitEntry, type CommitParams } from './commits.ts'
import { Group } from './group.ts'
import { applyRecord, finishReplay, toStoredGroup } from './load.ts'
import { joinError } from './member.ts'
import { OffsetsStore, storeErrorCode, type OffsetsLogs } from './offsets-store.ts'
import { OffsetsOwnership } from './ownership.ts'
import { answerParked, electPartition, resignPartition, type PartitionHost } from './partition-load.ts'
import {
  heartbeat, joinGroup, leaveGroup, onTimer, syncGroup,
  type JoinParams, type MemberRef, type RebalanceHost, type SyncParams,
} from './rebalance.ts'
import { expireOffsets, refreshStale, type Housekeeping } from './retention.ts'
import { deleteGroup, deleteOffsets, type OffsetDeleteResult } from './admin.ts'
import {
  EMPTY_BYTES, GROUP_ID_LENGTH_MAX, GROUPS_MAX, MEMBER_ID_LENGTH_MAX, MEMBER_METADATA_BYTES_MAX,
  PROTOCOL_NAME_LENGTH_MAX, PROTOCOLS_PER_MEMBER_MAX,
  type GroupConfig, type JoinResult, type SyncResult,
} from './types.ts'

export interface CoordinatorOptions {
  logs: OffsetsLogs
  config: GroupConfig
  /** Leader epoch stamped on the internal topic's batches. */
  leaderEpoch: number
  log: (line: string) => void
  clock?: () => number
  /** Period of the session/rebalance timer; 0 starts none (tests call tick()). */
  tickMs?: number
  /** Period of offset expiry and keep-alive rewrites; 0 starts none (tests call housekeeping()). */
  retentionCheckIntervalMs?: number
  /** A cluster broker: resolves with NONE once an offsets partition's records below `requiredOffset` are replicated. */
  cluster?: { waitForCommit: (partition: number, requiredOffset: number) => Promise<number> }
}

export interface LeaveResult {
  errorCode: number
  members: Array<MemberRef & { errorCode: number }>
}

const TICK_MS = 100
const RETENTION_CHECK_INTERVAL_MS = 60_000

export function isValidGroupId (groupId: string): boolean {
  return groupId.length > 0 && groupId.length <= GROUP_ID_LENGTH_MAX
}

export class GroupCoordinator {
  readonly config: GroupConfig
  readonly store: OffsetsStore
  readonly #groups = new Map<string, Group>()
  readonly #clock: () => number
  readonly #log: (line: string) => void
  readonly #host: RebalanceHost
  readonly #housekeeping: Housekeeping
  readonly #timers: NodeJS.Timeout[] = []
  /** Null on one node: every group is coordinated here. */
  readonly #ownership: OffsetsOwnership | null
  readonly #partitions: PartitionHost | null
  #closed = false

  private constructor (options: CoordinatorOptions, store: OffsetsStore, ownership: OffsetsOwnership | null) {
    this.config = options.config
    this.store = store
    this.#ownership = ownership
    this.#clock = options.clock ?? Date.now
    this.#log = options.log
    this.#host = {
      config: this.config,
      now: this.#clock,
      storeGroup: (group, assignments) => this.#storeGroup(group, assignments),
    }
    this.#housekeeping = { groups: this.#groups, store, config: this.config, log: this.#log }
    this.#partitions = ownership === null
      ? null
      : { groups: this.#groups, ownership, store, clock: this.#clock, log: this.#log, isClosed: () => this.#closed }
  }

  /** Opens (or creates) __consumer_offsets, replays it whole, then starts the timers. */
  static async open (options: CoordinatorOptions): Promise<GroupCoordinator> {
    if (options.cluster !== undefined) {
      const ownership = new OffsetsOwnership()
      const { waitForCommit } = options.cluster
      const store = OffsetsStore.forCluster(options.logs, { leaderEpoch: p => ownership.leaderEpoch(p), waitForCommit }, options.clock)
      const coordinator = new GroupCoordinator(options, store, ownership)
      coordinator.#startTimers(options)
      return coordinator
    }
    const store = await OffsetsStore.open(options.logs, options.config.offsetsTopicPartitions, options.leaderEpoch, options.log, options.clock)
    const coordinator = new GroupCoordinator(options, store, null)
    const groups = coordinator.#groups
    const groupFor = (groupId: string): Group => groups.get(groupId) ?? coordinator.#create(groupId)
    const records = await store.replay((record, logOffset, timestampMs) => { applyRecord(record, logOffset, timestampMs, groupFor) }, options.log)
    const kept = finishReplay(groups.values(), coordinator.#clock())
    groups.clear()
    for (const group of kept) groups.set(group.groupId, group)
    if (records > 0) options.log(`group coordinator loaded ${coordinator.#groups.size} groups from ${records} records`)
    coordinator.#startTimers(options)
    return coordinator
  }

  #startTimers (options: CoordinatorOptions): void {
    const every = (ms: number, task: () => void): void => {
      if (ms <= 0) return
      const timer = setInterval(task, ms)
      timer.unref()
      this.#timers.push(timer)
    }
    every(options.tickMs ?? TICK_MS, () => this.tick())
    every(options.retentionCheckIntervalMs ?? RETENTION_CHECK_INTERVAL_MS, () => {
      this.housekeeping().catch(err => options.log(`offset housekeeping failed: ${(err as Error).stack ?? String(err)}`))
    })
  }

  /** A cluster broker now leads `partition` of __consumer_offsets in `leaderEpoch`: its groups load (partition-load.ts). */
  onElection (partition: number, leaderEpoch: number): void {
    if (this.#partitions !== null) electPartition(this.#partitions, partition, leaderEpoch)
  }

  /** Leadership of `partition` ended: its groups leave this broker. */
  onResignation (partition: number): void {
    if (this.#partitions !== null) resignPartition(this.#partitions, partition)
  }

  /** NONE when this broker coordinates the group now (always on one node). */
  #coordinatorError (groupId: string): number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    return this.#ownership === null ? ErrorCode.NONE : this.#ownership.errorForGroup(groupId, this.store.partitionCount)
  }

  get (groupId: string): Group | undefined {
    return this.#groups.get(groupId)
  }

  groups (): IterableIterator<Group> {
    return this.#groups.values()
  }

  join (p: JoinParams): JoinResult | Promise<JoinResult> {
    const problem = this.#joinProblem(p)
    if (problem !== ErrorCode.NONE) return joinError(problem, p.memberId)
    const params: JoinParams = {
      ...p,
      rebalanceTimeoutMs: p.rebalanceTimeoutMs > 0 ? p.rebalanceTimeoutMs : p.sessionTimeoutMs,
      // Decoded metadata is a view into the request frame; a member keeps its own copy, not the frame.
      protocols: p.protocols.map(({ name, metadata }) => ({ name, metadata: Buffer.from(metadata) })),
    }
    let group = this.#groups.get(p.groupId)
    if (group === undefined) {
      if (p.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId)
      if (this.#groups.size >= GROUPS_MAX) return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId)
      group = this.#create(p.groupId)
    }
    return joinGroup(this.#host, group, params)
  }

  /** Checks that need no group: each failure leaves every group as it was. */
  #joinProblem (p: JoinParams): number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (!isValidGroupId(p.groupId)) return ErrorCode.INVALID_GROUP_ID
    const notHere = this.#coordinatorError(p.groupId)
    if (notHere !== ErrorCode.NONE) return notHere
    if (p.memberId.length > MEMBER_ID_LENGTH_MAX) return ErrorCode.UNKNOWN_MEMBER_ID
    if (p.groupInstanceId !== null && (p.groupInstanceId === '' || p.groupInstanceId.length > MEMBER_ID_LENGTH_MAX)) return ErrorCode.INVALID_REQUEST
    if (p.sessionTimeoutMs < this.config.sessionTimeoutMinMs || p.sessionTimeoutMs > this.config.sessionTimeoutMaxMs) return ErrorCode.INVALID_SESSION_TIMEOUT
    if (p.protocolType === '' || p.protocols.length === 0) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL
    if (p.protocols.length > PROTOCOLS_PER_MEMBER_MAX) return ErrorCode.INVALID_REQUEST
    let metadataBytes = 0
    for (const protocol of p.protocols) {
      if (protocol.name.length > PROTOCOL_NAME_LENGTH_MAX) return ErrorCode.INVALID_REQUEST
      metadataBytes += protocol.metadata.length
    }
    return metadataBytes > MEMBER_METADATA_BYTES_MAX ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE
  }

  sync (p: SyncParams): SyncResult | Promise<SyncResult> {
    const fail = (errorCode: number): SyncResult => ({ errorCode, assignment: EMPTY_BYTES })
    if (this.#closed) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    if (!isValidGroupId(p.groupId)) return fail(ErrorCode.INVALID_GROUP_ID)
    const notHere = this.#coordinatorError(p.groupId)
    if (notHere !== ErrorCode.NONE) return fail(notHere)
    const group = this.#groups.get(p.groupId)
    if (group === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
    return syncGroup(this.#host, group, p)
  }

  heartbeat (p: MemberRef & { groupId: string, generationId: number }): number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (!isValidGroupId(p.groupId)) return ErrorCode.INVALID_GROUP_ID
    const notHere = this.#coordinatorError(p.groupId)
    if (notHere !== ErrorCode.NONE) return notHere
    const group = this.#groups.get(p.groupId)
    return group === undefined ? ErrorCode.UNKNOWN_MEMBER_ID : heartbeat(this.#host, group, p)
  }

  leave (groupId: string, members: readonly MemberRef[]): LeaveResult {
    const each = (errorCode: number): LeaveResult => ({ errorCode: ErrorCode.NONE, members: members.map(m => ({ ...m, errorCode })) })
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] }
    const notHere = this.#coordinatorError(groupId)
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, members: [] }
    const group = this.#groups.get(groupId)
    if (group === undefined) return each(ErrorCode.UNKNOWN_MEMBER_ID)
    return { errorCode: ErrorCode.NONE, members: members.map(m => ({ ...m, errorCode: leaveGroup(this.#host, group, m) })) }
  }

  /**
   * Writes the entries as one batch and applies them once the append resolved; answers one
   * error code for all of them. A group is created on first use only for simple commits.
   */
  async commitOffsets (p: CommitParams, entries: readonly CommitEntry[]): Promise<number> {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (!isValidGroupId(p.groupId)) return ErrorCode.INVALID_GROUP_ID
    const notHere = this.#coordinatorError(p.groupId)
    if (notHere !== ErrorCode.NONE) return notHere
    let group = this.#groups.get(p.groupId)
    if (group === undefined) {
      if (!isSimpleCommit(p)) return p.generationId >= 0 ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.UNKNOWN_MEMBER_ID
      if (entries.length === 0) return ErrorCode.NONE
      if (this.#groups.size >= GROUPS_MAX) return ErrorCode.COORDINATOR_NOT_AVAILABLE
      group = this.#create(p.groupId)
    }
    const nowMs = this.#clock()
    const error = commitError(group, p, nowMs)
    if (error !== ErrorCode.NONE || entries.length === 0) return error
    const stored = entries.map(e => ({
      topic: e.topic,
      partition: e.partition,
      value: { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata, commitTimestampMs: nowMs },
    }))
    group.pendingCommits++
    try {
      const baseOffset = await this.store.appendOffsets(group.groupId, stored)
      stored.forEach((e, i) => { group.setOffset(e.topic, e.partition, { ...e.value, logOffset: baseOffset + i, writtenAtMs: nowMs }) })
      return ErrorCode.NONE
    } catch (err) {
      this.#log(`offset commit for group ${p.groupId} failed: ${(err as Error).message}`)
      return storeErrorCode(err)
    } finally {
      group.pendingCommits--
    }
  }

  fetchOffsets (groupId: string, topics: readonly OffsetFetchRequestTopic[] | null): { errorCode: number, topics: OffsetFetchResponseTopic[] } {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] }
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] }
    const notHere = this.#coordinatorError(groupId)
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] }
    return { errorCode: ErrorCode.NONE, topics: fetchOffsets(this.#groups.get(groupId), topics) }
  }

  /** As Kafka describes: an unknown group is Dead; metadata and assignments only while Stable. */
  describe (groupId: string): DescribedGroup {
    const group = this.#groups.get(groupId)
    const base = { errorCode: ErrorCode.NONE, groupId, authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED }
    const notHere = this.#ownership === null ? ErrorCode.NONE : this.#coordinatorError(groupId)
    if (notHere !== ErrorCode.NONE) return { ...base, errorCode: notHere, groupState: '', protocolType: '', protocolData: '', members: [] }
    if (group === undefined) return { ...base, groupState: 'Dead', protocolType: '', protocolData: '', members: [] }
    const stable = group.state === 'Stable'
    return {
      ...base,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName ?? '' : '',
      members: [...group.members.values()].map(m => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName ?? '') : EMPTY_BYTES,
        memberAssignment: stable ? m.assignment : EMPTY_BYTES,
      })),
    }
  }

  /** DeleteGroups: one error code per group, in request order. */
  async deleteGroups (groupIds: readonly string[]): Promise<Array<{ groupId: string, errorCode: number }>> {
    const results = []
    for (const groupId of groupIds) {
      let errorCode: number = ErrorCode.COORDINATOR_NOT_AVAILABLE
      if (!this.#closed) errorCode = isValidGroupId(groupId) ? this.#coordinatorError(groupId) : ErrorCode.INVALID_GROUP_ID
      if (errorCode === ErrorCode.NONE) errorCode = await deleteGroup(this.#housekeeping, groupId, this.#clock())
      results.push({ groupId, errorCode })
    }
    return results
  }

  deleteOffsets (groupId: string, topics: ReadonlyArray<{ name: string, partitionIndexes: number[] }>): Promise<OffsetDeleteResult> | OffsetDeleteResult {
    if (this.#closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] }
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] }
    const notHere = this.#coordinatorError(groupId)
    if (notHere !== ErrorCode.NONE) return { errorCode: notHere, topics: [] }
    return deleteOffsets(this.#housekeeping, groupId, topics)
  }

  list (): ListedGroup[] {
    return [...this.#groups.values()].map(g => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state }))
  }

  /** One pass of the coarse timer over every group. */
  tick (): void {
    if (this.#closed) return
    const nowMs = this.#clock()
    for (const group of this.#groups.values()) {
      if (group.state !== 'Empty' || group.pendingMembers.size > 0) onTimer(this.#host, group, nowMs)
      // A group that never got past a MEMBER_ID_REQUIRED handshake has nothing on disk to keep.
      if (group.state === 'Empty' && group.generationId === 0 && group.protocolType === null && group.pendingMembers.size === 0 &&
        group.members.size === 0 && group.offsetCount() === 0 && group.pendingCommits === 0) {
        this.#groups.delete(group.groupId)
      }
    }
  }

  /** Expires offsets of empty groups, then rewrites live entries nearing log retention. */
  async housekeeping (): Promise<{ expired: number, rewritten: number }> {
    const expired = await expireOffsets(this.#housekeeping, this.#clock())
    const rewritten = await refreshStale(this.#housekeeping, this.#clock())
    return { expired, rewritten }
  }

  /** Stops the timers and answers every parked JoinGroup and SyncGroup. */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    for (const timer of this.#timers) clearInterval(timer)
    for (const group of this.#groups.values()) answerParked(group, ErrorCode.NOT_COORDINATOR)
  }

  #create (groupId: string): Group {
    const group = new Group(groupId, this.#clock())
    this.#groups.set(groupId, group)
    return group
  }

  async #storeGroup (group: Group, assignments?: ReadonlyMap<string, Buffer>): Promise<number> {
    try {
      await this.store.appendGroup(group.groupId, toStoredGroup(group, assignments))
      group.metadataWrittenAtMs = this.#clock()
      return ErrorCode.NONE
    } catch (err) {
      this.#log(`storing metadata of group ${group.groupId} failed: ${(err as Error).message}`)
      return storeErrorCode(err)
    }
  }
}
