// Topic configs on a three-node cluster: a change made through any broker goes through the
// controller as ConfigRecords, so every broker describes the same overrides (also one that
// hosts no replica of the topic) and every replica's log takes them (topic-configs.json in
// its data dir). Before this, AlterConfigs wrote only the local file of whichever broker the
// client happened to ask, and the others kept the old values.

import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigResourceTypes, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connection } from '../../../../broker/client/connection.ts'
import { DescribeConfigs } from '../../../../broker/protocol/32-describe-configs.ts'
import { TOPIC_CONFIG_FILE } from '../../../../broker/log/topic-config-file.ts'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { eventually, kafkaOf, startCluster } from './helpers.ts'

const TOPIC_RESOURCE = 2

/** The topic's non-default configs as one broker answers DescribeConfigs (asked of it alone). */
async function overridesAt (address: string, topic: string): Promise<Record<string, string>> {
  const [host, port] = address.split(':')
  const conn = await Connection.connect({ host: host!, port: Number(port), clientId: 'topic-configs-test', requestTimeoutMs: 5000, connectTimeoutMs: 2000 })
  try {
    const r = await conn.request(DescribeConfigs, { resources: [{ resourceType: TOPIC_RESOURCE, resourceName: topic, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false })
    const result = r.results[0]!
    if (result.errorCode !== 0) throw new Error(`DescribeConfigs at ${address}: error ${result.errorCode} ${result.errorMessage ?? ''}`)
    return Object.fromEntries(result.configs.filter(c => !c.isDefault && c.configSource === 1).map(c => [c.name, c.value ?? '']))
  } finally {
    conn.close()
  }
}

/**
 * Waits until `address` describes exactly `wanted`. The broker asked answers once it has
 * replayed the change itself; the others follow when their metadata catches up (as in Kafka).
 */
async function describedEventually (address: string, topic: string, wanted: Record<string, string>): Promise<void> {
  let last: Record<string, string> = {}
  try {
    await eventually(`${address} describes ${topic}`, 10_000, async () => {
      last = await overridesAt(address, topic)
      return JSON.stringify(last) === JSON.stringify(wanted) ? true : undefined
    })
  } finally {
    expect(last, `${address} ${topic}`).toEqual(wanted)
  }
}

async function localFile (dataDir: string): Promise<Record<string, Record<string, string>>> {
  return JSON.parse(await readFile(join(dataDir, TOPIC_CONFIG_FILE), 'utf8')) as Record<string, Record<string, string>>
}

describe('topic configs in a three-node cluster', () => {
  let cluster: ProcessCluster
  let admin: Admin

  beforeAll(async () => {
    cluster = await startCluster({ 'auto.create.topics.enable': false })
    admin = kafkaOf(cluster).admin()
    await admin.connect()
  }, 90_000)
  afterAll(async () => {
    await admin?.disconnect()
    await cluster?.stop()
  })

  it('AlterConfigs through one broker reaches every broker and every replica, and so does the next change', async () => {
    await admin.createTopics({ topics: [{ topic: 'everywhere', numPartitions: 2, replicationFactor: 3 }, { topic: 'on-one', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true })
    const wanted = { 'retention.ms': '123456789', 'segment.bytes': '1048576' }
    for (const topic of ['everywhere', 'on-one']) {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(wanted).map(([name, value]) => ({ name, value })) }] })
    }
    for (const address of cluster.bootstrap) {
      for (const topic of ['everywhere', 'on-one']) await describedEventually(address, topic, wanted)
    }
    // Every replica's log manager has them (retention and segments act on these).
    for (const broker of cluster.brokers) {
      await eventually(`broker ${broker.id} writes the overrides to ${TOPIC_CONFIG_FILE}`, 10_000, async () => ((await localFile(broker.dataDir)).everywhere?.['retention.ms'] === wanted['retention.ms'] ? true : undefined))
    }

    // AlterConfigs replaces: retention.ms goes back to its default on every broker.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'everywhere', configEntries: [{ name: 'segment.bytes', value: '2097152' }] }] })
    for (const address of cluster.bootstrap) await describedEventually(address, 'everywhere', { 'segment.bytes': '2097152' })
    for (const broker of cluster.brokers) {
      await eventually(`broker ${broker.id} drops retention.ms from ${TOPIC_CONFIG_FILE}`, 10_000, async () => {
        const local = (await localFile(broker.dataDir)).everywhere
        return local !== undefined && local['retention.ms'] === undefined && local['segment.bytes'] === '2097152' ? true : undefined
      })
    }
  }, 90_000)
})
