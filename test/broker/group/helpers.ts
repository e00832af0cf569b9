// Shared setup for the group tests: a real broker (in-process or as a child process, the
// way `sluice broker` runs), records appended straight through the broker's own logs, and
// polling instead of fixed sleeps.

import { buildConfig } from '../../../broker/config/config.ts'
import { startBroker, type RunningBroker } from '../../../broker/main.ts'
import type { Broker } from '../../../broker/server/broker.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { makeDataDir, removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'

/** Settings that keep group tests fast: short session timeouts are allowed, few offsets partitions. */
export const FAST_GROUP_SETTINGS: Record<string, string | number | boolean> = {
  'group.min.session.timeout.ms': 500,
  'offsets.topic.num.partitions': 5,
  'group.initial.rebalance.delay.ms': 0,
}

export { makeDataDir, removeDir }

export interface TestBroker {
  running: RunningBroker
  broker: Broker
  port: number
  bootstrap: string
  httpUrl: string
  dataDir: string
  logLines: string[]
  close (): Promise<void>
}

/** An in-process broker on OS-chosen ports with a temp data dir (removed on close unless given). */
export async function startTestBroker (overrides: Record<string, string | number | boolean> = {}, dataDir?: string): Promise<TestBroker> {
  const dir = dataDir ?? await makeDataDir()
  const config = buildConfig({
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'sluice.http.listener': 'http://127.0.0.1:0',
    'log.dirs': dir,
    ...FAST_GROUP_SETTINGS,
    ...overrides,
  }, 'test')
  const logLines: string[] = []
  const running = await startBroker(config, line => { logLines.push(line) })
  return {
    running,
    broker: running.broker,
    port: running.kafkaPort,
    bootstrap: `127.0.0.1:${running.kafkaPort}`,
    httpUrl: `http://127.0.0.1:${running.httpPort}`,
    dataDir: dir,
    logLines,
    close: async () => {
      await running.close()
      if (dataDir === undefined) await removeDir(dir)
    },
  }
}

export async function createTopic (broker: Broker, name: string, partitions: number): Promise<void> {
  const { errorCode, message } = await broker.createTopic(name, partitions)
  if (errorCode !== 0) throw new Error(`creating ${name}: ${message}`)
}

/** Appends records to one partition through the broker's log, as Produce would. */
export async function appendRecords (broker: Broker, topic: string, partition: number, records: Array<{ key: string | null, value: string }>): Promise<number> {
  const batch = encodeRecordBatch({ records: records.map(r => ({ key: r.key === null ? null : Buffer.from(r.key), value: Buffer.from(r.value) })) })
  const { baseOffset } = await broker.partition(topic, partition)!.append([batch], 0)
  return baseOffset
}

/** Polls `check` until it returns a value other than undefined/false, or fails with `what`. */
export async function waitFor<T> (what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/** A broker child process; kill() is SIGKILL (what the page cache holds survives), stop() SIGTERM. */
export type BrokerChild = BrokerProcess & { port: number }

/** `sluice broker` as a child process with the fast group settings; see test/helpers. */
export async function spawnBroker (dataDir: string, overrides: Record<string, string | number | boolean> = {}): Promise<BrokerChild> {
  const broker = await startBrokerProcess({ dataDir, httpPort: 'none', overrides: { ...FAST_GROUP_SETTINGS, ...overrides } })
  return Object.assign(broker, { port: broker.kafkaPort })
}
