// The group coordinator of a cluster broker, over a real LogManager with the replication
// wait played by the test: it serves only the groups of __consumer_offsets partitions it was
// elected for (NOT_COORDINATOR otherwise, COORDINATOR_LOAD_IN_PROGRESS while loading), loads
// them from the log, unloads them on resignation, writes with the partition's leader epoch
// and answers a commit only once the replication wait says so, with Kafka's error mapping.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LogManager } from '../../../broker/log/log-manager.ts'
import { logConfig } from '../../../broker/log/config.ts'
import { GroupCoordinator } from '../../../broker/group/coordinator.ts'
import { OFFSETS_TOPIC } from '../../../broker/group/offsets-store.ts'
import { partitionForGroup } from '../../../broker/group/records.ts'
import type { CommitParams } from '../../../broker/group/commits.ts'
import { BATCH_OFFSET_LEADER_EPOCH, splitBatches } from '../../../broker/protocol/record-batch.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { joinParams, TEST_GROUP_CONFIG } from './coordinator-fixture.ts'
import { makeDataDir, removeDir, waitFor } from './helpers.ts'

const PARTITIONS = 3
const GROUP = 'g'
const SIMPLE: CommitParams = { groupId: GROUP, generationId: -1, memberId: '', groupInstanceId: null }
const OWN = partitionForGroup(GROUP, PARTITIONS)

interface Wait { partition: number, requiredOffset: number, answer: (code: number) => void }

describe('group coordinator in a cluster', () => {
  let dataDir: string
  let logs: LogManager
  let coordinator: GroupCoordinator
  let waits: Wait[]
  let autoAnswer: number | null

  beforeEach(async () => {
    dataDir = await makeDataDir()
    logs = await LogManager.open({ dataDir, config: logConfig({}), brokerId: 0 })
    await logs.createTopic(OFFSETS_TOPIC, PARTITIONS)
    waits = []
    autoAnswer = ErrorCode.NONE
    coordinator = await GroupCoordinator.open({
      logs, config: TEST_GROUP_CONFIG, leaderEpoch: 0, log: () => {}, tickMs: 0, retentionCheckIntervalMs: 0,
      cluster: {
        waitForCommit: (partition, requiredOffset) => autoAnswer !== null
          ? Promise.resolve(autoAnswer)
          : new Promise(resolve => { waits.push({ partition, requiredOffset, answer: resolve }) }),
      },
    })
  })
  afterEach(async () => {
    coordinator.close()
    await logs.close()
    await removeDir(dataDir)
  })

  const commit = (offset: number): Promise<number> => coordinator.commitOffsets(SIMPLE, [{ topic: 't', partition: 0, offset, leaderEpoch: 0, metadata: null }])
  const fetched = (): { errorCode: number, offset: number | undefined } => {
    const r = coordinator.fetchOffsets(GROUP, [{ name: 't', partitionIndexes: [0] }])
    return { errorCode: r.errorCode, offset: r.topics[0]?.partitions[0]?.committedOffset }
  }
  const elect = async (partition: number, epoch: number): Promise<void> => {
    coordinator.onElection(partition, epoch)
    await waitFor(`${OFFSETS_TOPIC}-${partition} loaded`, () => fetched().errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || undefined)
  }

  it('answers NOT_COORDINATOR for groups of partitions it was not elected for', async () => {
    coordinator.onElection((OWN + 1) % PARTITIONS, 0)
    expect(fetched().errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect(await commit(5)).toBe(ErrorCode.NOT_COORDINATOR)
    expect((await coordinator.join(joinParams())).errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect(coordinator.heartbeat({ groupId: GROUP, memberId: 'm', groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.NOT_COORDINATOR)
    expect(coordinator.describe(GROUP).errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect((await coordinator.deleteGroups([GROUP]))[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect(logs.partition(OFFSETS_TOPIC, OWN)!.highWatermark).toBe(0)
  })

  it('answers COORDINATOR_LOAD_IN_PROGRESS until the partition is loaded, then serves it', async () => {
    coordinator.onElection(OWN, 3)
    expect(fetched().errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    expect((await coordinator.join(joinParams())).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    await elect(OWN, 3)
    expect(fetched()).toEqual({ errorCode: ErrorCode.NONE, offset: -1 })
    expect(await commit(7)).toBe(ErrorCode.NONE)
    expect(fetched().offset).toBe(7)
    const read = await logs.partition(OFFSETS_TOPIC, OWN)!.read(0, 1 << 20)
    const [batch] = splitBatches(Buffer.concat(read.buffers))
    expect(batch!.readInt32BE(BATCH_OFFSET_LEADER_EPOCH)).toBe(3)
  })

  it('unloads the groups on resignation and loads them back from the log on the next election', async () => {
    await elect(OWN, 0)
    expect(await commit(11)).toBe(ErrorCode.NONE)
    coordinator.onResignation(OWN)
    expect(fetched().errorCode).toBe(ErrorCode.NOT_COORDINATOR)
    expect(coordinator.get(GROUP)).toBeUndefined()
    await elect(OWN, 1)
    expect(fetched()).toEqual({ errorCode: ErrorCode.NONE, offset: 11 })
  })

  it('answers a commit only once replicated, and maps replication errors as Kafka does', async () => {
    await elect(OWN, 0)
    autoAnswer = null
    let answered: number | undefined
    const pending = commit(20).then(code => { answered = code })
    await waitFor('the replication wait', () => waits.length === 1 || undefined)
    expect(waits[0]).toMatchObject({ partition: OWN, requiredOffset: 1 })
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(answered).toBeUndefined()
    expect(fetched().offset).toBe(-1)
    waits[0]!.answer(ErrorCode.NONE)
    await pending
    expect(answered).toBe(ErrorCode.NONE)
    expect(fetched().offset).toBe(20)

    const cases: Array<[number, number]> = [
      [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_COORDINATOR],
      [ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REQUEST_TIMED_OUT],
    ]
    for (const [replication, expected] of cases) {
      autoAnswer = replication
      expect(await commit(30)).toBe(expected)
      expect(fetched().offset).toBe(20)
    }
  })
})
