// A group coordinator over a real LogManager in a temp dir, with a clock the test moves by
// hand and no background timers: tests call tick() and expireOffsets() themselves, so
// session and rebalance timeouts are exact and instant.

import { LogManager } from '../../../broker/log/log-manager.ts'
import { logConfig, type LogConfig } from '../../../broker/log/config.ts'
import { GroupCoordinator } from '../../../broker/group/coordinator.ts'
import type { JoinParams } from '../../../broker/group/rebalance.ts'
import type { GroupConfig, JoinResult } from '../../../broker/group/types.ts'
import { encodeConsumerSubscription } from '../../../broker/protocol/consumer-protocol.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { makeDataDir, removeDir } from './helpers.ts'

export const TEST_GROUP_CONFIG: GroupConfig = {
  sessionTimeoutMinMs: 1000,
  sessionTimeoutMaxMs: 60_000,
  initialRebalanceDelayMs: 0,
  offsetsRetentionMs: 3_600_000,
  offsetsTopicPartitions: 3,
  offsetsTopicRetentionMs: 7 * 24 * 3_600_000,
}

export interface Fixture {
  coordinator: GroupCoordinator
  logs: LogManager
  dataDir: string
  clock: { nowMs: number }
  /** What the coordinator logged. */
  logLines: string[]
  /** Moves the clock and runs one timer pass. */
  advance (ms: number): void
  /** Closes the coordinator and logs and opens both again on the same data dir (a restart). */
  reopen (): Promise<void>
  close (): Promise<void>
}

export async function openFixture (config: Partial<GroupConfig> = {}, logOverrides: Partial<LogConfig> = {}): Promise<Fixture> {
  const dataDir = await makeDataDir()
  const clock = { nowMs: 1_700_000_000_000 }
  const logLines: string[] = []
  const open = async (): Promise<{ logs: LogManager, coordinator: GroupCoordinator }> => {
    const logs = await LogManager.open({ dataDir, config: logConfig(logOverrides), brokerId: 0, clock: () => clock.nowMs })
    const coordinator = await GroupCoordinator.open({
      logs, config: { ...TEST_GROUP_CONFIG, ...config }, leaderEpoch: 0, log: line => { logLines.push(line) }, clock: () => clock.nowMs, tickMs: 0, retentionCheckIntervalMs: 0,
    })
    return { logs, coordinator }
  }
  const fixture: Fixture = {
    ...await open(),
    dataDir,
    clock,
    logLines,
    advance: ms => {
      clock.nowMs += ms
      fixture.coordinator.tick()
    },
    reopen: async () => {
      fixture.coordinator.close()
      await fixture.logs.close()
      Object.assign(fixture, await open())
    },
    close: async () => {
      fixture.coordinator.close()
      await fixture.logs.close()
      await removeDir(dataDir)
    },
  }
  return fixture
}

export function subscription (topics: string[]): Buffer {
  return encodeConsumerSubscription({ version: 0, topics, userData: null, ownedPartitions: [], generationId: -1, rackId: null })
}

export function joinParams (over: Partial<JoinParams> = {}): JoinParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    requireKnownMemberId: true,
    ...over,
  }
}

/** Settles already-resolved promises; returns the value, or undefined if still pending. */
export async function peek<T> (value: T | Promise<T>): Promise<T | undefined> {
  if (!(value instanceof Promise)) return value
  let result: T | undefined
  void value.then(v => { result = v })
  await new Promise(resolve => setImmediate(resolve))
  return result
}

/** The MEMBER_ID_REQUIRED handshake, then the real join (which may park). */
export async function joinNew (f: Fixture, over: Partial<JoinParams> = {}): Promise<{ memberId: string, join: JoinResult | Promise<JoinResult> }> {
  const first = await f.coordinator.join(joinParams(over))
  if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`)
  return { memberId: first.memberId, join: f.coordinator.join(joinParams({ ...over, memberId: first.memberId })) }
}

/** A snapshot of what a failed request must not change. */
export function snapshot (f: Fixture, groupId = 'g'): unknown {
  const group = f.coordinator.get(groupId)
  if (group === undefined) return null
  return {
    state: group.state,
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    members: [...group.members.values()].map(m => ({ id: m.memberId, protocols: m.protocols, assignment: m.assignment, joining: m.awaitingJoin !== null })),
    pending: [...group.pendingMembers.keys()],
    offsets: [...group.offsets].map(([t, ps]) => [t, [...ps]]),
  }
}
