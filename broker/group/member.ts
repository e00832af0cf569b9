// One member of a classic group: who it is, what protocols it offers, its timeouts, its
// current assignment, and the JoinGroup / SyncGroup request it has parked (if any), kept
// as a resolver that the coordinator calls when the rebalance gets that far.

import { ErrorCode } from '../protocol/errors.ts'
import { EMPTY_BYTES, type JoinResult, type MemberProtocol, type SyncResult } from './types.ts'

export interface MemberOptions {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
}

export class Member {
  readonly memberId: string
  readonly groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
  assignment: Buffer = EMPTY_BYTES
  lastHeartbeatMs: number
  /** Joined during the current rebalance (not yet part of a generation). */
  isNew = false
  awaitingJoin: ((result: JoinResult) => void) | null = null
  awaitingSync: ((result: SyncResult) => void) | null = null

  constructor (options: MemberOptions, nowMs: number) {
    this.memberId = options.memberId
    this.groupInstanceId = options.groupInstanceId
    this.clientId = options.clientId
    this.clientHost = options.clientHost
    this.sessionTimeoutMs = options.sessionTimeoutMs
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs
    this.protocolType = options.protocolType
    this.protocols = options.protocols
    this.lastHeartbeatMs = nowMs
  }

  /** Takes the settings of a rejoin (the id and instance id stay). */
  update (options: MemberOptions): void {
    this.clientId = options.clientId
    this.clientHost = options.clientHost
    this.sessionTimeoutMs = options.sessionTimeoutMs
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs
    this.protocolType = options.protocolType
    this.protocols = options.protocols
  }

  metadataFor (protocolName: string): Buffer {
    return this.protocols.find(p => p.name === protocolName)?.metadata ?? EMPTY_BYTES
  }

  /** Same protocols, same order, same metadata bytes: a rejoin that changes nothing. */
  matches (protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
  }

  /** The member's most preferred protocol among those every member supports. */
  vote (candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find(p => candidates.has(p.name))?.name
  }

  /**
   * A member parked in JoinGroup or SyncGroup cannot heartbeat, so the rebalance and
   * pending-sync deadlines judge it instead of its session timeout (as Kafka does).
   */
  isAlive (nowMs: number): boolean {
    if (this.awaitingJoin !== null || this.awaitingSync !== null) return true
    return nowMs - this.lastHeartbeatMs <= this.sessionTimeoutMs
  }

  /** Parks a JoinGroup; one the member sent earlier and still waits on is answered first. */
  parkJoin (resolve: (result: JoinResult) => void): void {
    this.answerJoin(joinError(ErrorCode.REBALANCE_IN_PROGRESS, this.memberId))
    this.awaitingJoin = resolve
  }

  parkSync (resolve: (result: SyncResult) => void): void {
    this.answerSync({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY_BYTES })
    this.awaitingSync = resolve
  }

  answerJoin (result: JoinResult): void {
    const resolve = this.awaitingJoin
    this.awaitingJoin = null
    resolve?.(result)
  }

  answerSync (result: SyncResult): void {
    const resolve = this.awaitingSync
    this.awaitingSync = null
    resolve?.(result)
  }
}

export function joinError (errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] }
}
