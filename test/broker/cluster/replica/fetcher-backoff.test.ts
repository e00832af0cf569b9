// A follower whose leader answers a partition with a retriable error must back off
// replica.fetch.backoff.ms before asking again. A soak run of safe-rf3 (seed 5013) found two
// followers that knew a newer leader epoch than the leader itself: the leader answered
// UNKNOWN_LEADER_EPOCH and the followers asked again at once, thousands of times a second,
// until the run ended.
//
// The leader here is a real standalone broker process: it leads every partition in epoch 0,
// so a follower that believes in epoch 5 gets UNKNOWN_LEADER_EPOCH (75) for real, from
// OffsetForLeaderEpoch (a log with epochs) and from Fetch (a log without).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrokerConfig } from '../../../../broker/config/config.ts'
import { MetadataImage } from '../../../../broker/cluster/image.ts'
import { logView } from '../../../../broker/cluster/node/follower-log.ts'
import { ReplicaFetcher } from '../../../../broker/cluster/node/replica-fetcher.ts'
import { FollowerPartition } from '../../../../broker/cluster/replica/follower-state.ts'
import type { Broker } from '../../../../broker/server/broker.ts'
import { startBrokerProcess, type BrokerProcess } from '../../../helpers/broker-process.ts'
import { createTopic } from '../../../helpers/topics.ts'
import { closeLog, makeTempDir, openLog, removeDir, type OpenedLog } from '../../log/helpers.ts'

const BACKOFF_MS = 300
const WATCH_MS = 1500

let leader: BrokerProcess

beforeAll(async () => {
  leader = await startBrokerProcess()
  await createTopic(leader.kafkaPort, 'orders', 1)
})

afterAll(async () => {
  await leader?.stop()
})

/** The leader's count of requests of one API, from its /metrics. */
async function requestCount (api: string): Promise<number> {
  const text = await (await fetch(`${leader.httpUrl}/metrics`)).text()
  const line = text.split('\n').find(l => l.startsWith(`kafka_network_requestmetrics_totaltimems_count{request="${api}"}`))
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

/** Follows orders-0 on the standalone broker believing in leader epoch 5, for WATCH_MS. */
async function followFor (opened: OpenedLog, api: string): Promise<{ requests: number, traces: string[] }> {
  const traces: string[] = []
  const broker = { nodeId: 1, log: (line: string) => { traces.push(line) } } as unknown as Broker
  const settings: Record<string, number> = { 'replica.fetch.backoff.ms': BACKOFF_MS, 'replica.fetch.wait.max.ms': 500, 'replica.fetch.min.bytes': 1, 'replica.fetch.max.bytes': 1 << 20, 'replica.fetch.response.max.bytes': 1 << 20 }
  const config = {
    int: (key: string) => settings[key],
    cluster: { interBrokerListenerName: 'PLAINTEXT', interBrokerAddresses: new Map([[0, { host: '127.0.0.1', port: leader.kafkaPort }]]) },
  } as unknown as BrokerConfig
  const before = await requestCount(api)
  const fetcher = new ReplicaFetcher(broker, config, 0, () => MetadataImage.EMPTY, () => {})
  const state = new FollowerPartition({ leaderId: 0, leaderEpoch: 5, highWatermark: 0, log: logView(opened.log), useDivergingEpoch: false })
  fetcher.add('orders\u00000', { topic: 'orders', partition: 0, log: opened.log, state, leaderId: 0, fetcher })
  await new Promise(resolve => setTimeout(resolve, WATCH_MS))
  fetcher.stop()
  return { requests: await requestCount(api) - before, traces }
}

/** A fresh local log for one test, closed and removed after it. */
async function withLog (test: (opened: OpenedLog) => Promise<void>): Promise<void> {
  const dir = await makeTempDir()
  const opened = await openLog(dir)
  try {
    await test(opened)
  } finally {
    await closeLog(opened)
    await removeDir(dir)
  }
}

describe('replica fetcher backoff after a retriable partition error', () => {
  it('OffsetForLeaderEpoch answered UNKNOWN_LEADER_EPOCH is asked again only after the backoff', () => withLog(async opened => {
    opened.log.assignEpochStart(3)
    const { requests, traces } = await followFor(opened, 'OffsetForLeaderEpoch')
    console.log(`OffsetForLeaderEpoch requests in ${WATCH_MS} ms with a ${BACKOFF_MS} ms backoff: ${requests}`)
    expect(traces.some(line => line.includes('answer error 75'))).toBe(true)
    expect(requests).toBeGreaterThanOrEqual(2)
    expect(requests).toBeLessThanOrEqual(WATCH_MS / BACKOFF_MS + 2)
  }))

  it('a Fetch answered UNKNOWN_LEADER_EPOCH is sent again only after the backoff', () => withLog(async opened => {
    const { requests } = await followFor(opened, 'Fetch')
    console.log(`Fetch requests in ${WATCH_MS} ms with a ${BACKOFF_MS} ms backoff: ${requests}`)
    expect(requests).toBeGreaterThanOrEqual(2)
    expect(requests).toBeLessThanOrEqual(WATCH_MS / BACKOFF_MS + 2)
  }))
})
