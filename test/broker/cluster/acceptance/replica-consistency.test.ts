// The white-box consistency check on a real three-node cluster: after acks=all traffic every
// replica of every partition hashes to the same value below the HW, and no HW sampled during
// the traffic went backwards nor did two brokers lead in one epoch. Then a follower's log is damaged on purpose and the check must
// name it.
//
// The damage: stop the follower (SIGTERM, a clean shutdown), change one byte inside a record
// value in its segment file, recompute that batch's CRC32C so the broker's own checks (on
// recovery and on read) accept the batch, and start it again. Offsets, lengths and leader
// epochs are untouched, so epoch-based truncation sees nothing to repair and the follower
// rejoins with a log that differs from its leader's in the bytes only. That is the silent
// divergence (a replica holding different data at the same offsets) only a content
// comparison can catch, which is what this check exists for.
//
// Last, the end-of-run checks of a chaos run in small: acks=all traffic through a leader
// SIGKILL and a follower's controlled shutdown and restart, sampled all along: no HW may
// drop except across a SIGKILL restart (replication.md: HWs never go backwards).

import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { checkReplicaConsistency } from '../../../../harness/cluster/replica-consistency.ts'
import { HighWatermarkSampler } from '../../../../harness/cluster/hw-sampler.ts'
import { describeRegression } from '../../../../harness/cluster/hw-regressions.ts'
import { fetchReplicas, type ReplicaReport } from '../../../../harness/cluster/replica-admin.ts'
import { BATCH_OFFSET_CRC, batchCrc, batchSizeAt } from '../../../../broker/protocol/record-batch.ts'
import { eventually, kafkaOf, startCluster, waitForHealthy } from './helpers.ts'

const urlsOf = (cluster: ProcessCluster): string[] => cluster.brokers.map(b => b.httpUrl!)

async function createTopic (cluster: ProcessCluster, topic: string, partitions: number): Promise<void> {
  // Three replicas need three registered brokers: an earlier test may have just restarted one.
  await waitForHealthy(cluster)
  const admin = kafkaOf(cluster).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }], waitForLeaders: true })
  await admin.disconnect()
}

/**
 * Every replica of `topic`, from every broker, once each partition has a leader and all its
 * replicas hold the leader's whole log below their HW, with at least `minRecords` in all.
 * (At least: a client retry after a lost answer may write a record twice.)
 */
async function settledReplicas (cluster: ProcessCluster, topic: string, minRecords: number): Promise<Array<ReplicaReport & { brokerId: number }>> {
  const { value } = await eventually(`every replica of ${topic} caught up`, 30_000, async () => {
    const all = await Promise.all(urlsOf(cluster).map(async url => {
      const report = await fetchReplicas(url, { topic, checksum: false }, { attemptsMax: 1, timeoutMs: 2000 })
      return report.replicas.map(r => ({ ...r, brokerId: report.brokerId }))
    }))
    const replicas = all.flat()
    const partitions = [...new Set(replicas.map(r => r.partition))]
    const settled = partitions.every(p => {
      const of = replicas.filter(r => r.partition === p)
      const leaders = of.filter(r => r.role === 'leader')
      return of.length === 3 && leaders.length === 1 && of.every(r => r.highWatermark === leaders[0]!.logEndOffset && r.logEndOffset === leaders[0]!.logEndOffset)
    })
    const total = replicas.filter(r => r.role === 'leader').reduce((n, r) => n + r.logEndOffset, 0)
    if (settled && total >= minRecords) return replicas
    // Thrown so that a timeout names what was last seen.
    throw new Error(replicas.map(r => `${r.brokerId}:${r.topic}-${r.partition} ${r.role} hw=${r.highWatermark} leo=${r.logEndOffset}`).join(', '))
  })
  return value
}

/** Overwrites `marker` with `replacement` in a segment file, fixes that batch's CRC, and returns its base offset. */
async function corruptValue (segmentFile: string, marker: string, replacement: string): Promise<number> {
  const file = await readFile(segmentFile)
  const at = file.indexOf(marker)
  expect(at).toBeGreaterThan(0)
  let position = 0
  while (position + batchSizeAt(file, position) <= at) position += batchSizeAt(file, position)
  const batch = file.subarray(position, position + batchSizeAt(file, position))
  file.write(replacement, at, 'latin1')
  batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  await writeFile(segmentFile, file)
  return Number(batch.readBigInt64BE(0))
}

/** Every value in one partition, read from one broker's own log through the HTTP API. */
async function readValues (httpUrl: string, topic: string, partition: number): Promise<string[]> {
  const values: string[] = []
  for (let offset = 0; ;) {
    const res = await fetch(`${httpUrl}/topics/${topic}/partitions/${partition}/records?offset=${offset}&maxBytes=1000000`)
    expect(res.status).toBe(200)
    const rows = await res.json() as Array<{ offset: number, value: string }>
    if (rows.length === 0) return values
    for (const r of rows) values.push(r.value)
    offset = rows.at(-1)!.offset + 1
  }
}

describe('a three-node cluster: replica consistency', () => {
  let cluster: ProcessCluster
  beforeAll(async () => { cluster = await startCluster({ 'min.insync.replicas': 2 }) }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('finds every replica in agreement below the HW after acks=all traffic, and no HW going back', async () => {
    const topic = 'agree'
    await createTopic(cluster, topic, 3)
    const sampler = new HighWatermarkSampler({ httpUrls: urlsOf(cluster), intervalMs: 50 })
    sampler.start()
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    for (let i = 0; i < 60; i++) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, j) => ({ key: `key-${(i * 5 + j) % 17}`, value: `value-${i}-${j}` })) })
    }
    await producer.disconnect()
    const replicas = await settledReplicas(cluster, topic, 300)
    const samples = await sampler.stop()

    for (let p = 0; p < 3; p++) {
      const of = replicas.filter(r => r.partition === p)
      expect(of.map(r => r.role).sort()).toEqual(['follower', 'follower', 'leader'])
      const leader = of.find(r => r.role === 'leader')!
      expect(leader).toMatchObject({ leaderId: leader.brokerId, leadingEpoch: leader.leaderEpoch })
      expect(of.filter(r => r.role === 'follower').every(r => r.leadingEpoch === null && r.leaderId === leader.brokerId)).toBe(true)
      expect(new Set(of.map(r => JSON.stringify(r.leaderEpochs))).size).toBe(1)
    }
    const report = await checkReplicaConsistency({ httpUrls: urlsOf(cluster) })
    expect(report.lines.join('\n')).toMatch(/^all replicas agree/)
    expect(report).toMatchObject({ ok: true, complete: true, disagreements: [] })
    const checked = report.partitions.filter(p => p.topic === topic)
    expect(checked).toHaveLength(3)
    for (const p of checked) {
      expect(p.compared).toEqual([0, 1, 2])
      expect(p.groups).toHaveLength(1)
      expect(p.groups[0]).toMatchObject({ brokers: [0, 1, 2], stopOffset: p.upToOffset })
    }
    expect(checked.reduce((n, p) => n + p.upToOffset, 0)).toBeGreaterThanOrEqual(300)
    expect(report.highWatermarks.filter(h => h.topic === topic)).toHaveLength(9)

    expect(samples.rounds).toBeGreaterThan(3)
    expect(samples.regressions).toEqual([])
    expect(samples.epochLeaderConflicts).toEqual([])
    // The sampler saw the HWs move, on leaders and followers.
    const moved = samples.series.filter(s => s.topic === topic && s.points.length > 1)
    expect(new Set(moved.map(s => s.brokerId)).size).toBe(3)
  }, 90_000)

  it('reports a follower whose log differs in one byte, with the replicas, offsets, checksums and records', async () => {
    const topic = 'damaged'
    await createTopic(cluster, topic, 1)
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    for (let i = 0; i < 40; i++) await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `rec-${String(i).padStart(3, '0')}-original` }] })
    await producer.disconnect()
    const replicas = await settledReplicas(cluster, topic, 40)
    const leader = replicas.find(r => r.role === 'leader')!.brokerId
    const victim = replicas.find(r => r.role === 'follower')!.brokerId
    const healthy = [0, 1, 2].filter(b => b !== victim)

    const broker = cluster.brokers[victim]!
    await broker.stop()
    const damagedOffset = await corruptValue(join(broker.dataDir, `${topic}-0`, '00000000000000000000.log'), 'rec-025-original', 'rec-025-0riginal')
    const endOffset = replicas[0]!.logEndOffset
    await broker.start()
    await settledReplicas(cluster, topic, 40)

    const report = await checkReplicaConsistency({ httpUrls: urlsOf(cluster) })
    expect(report.ok).toBe(false)
    expect(report.disagreements.map(d => `${d.topic}-${d.partition}`)).toEqual([`${topic}-0`])
    const [d] = report.disagreements
    expect(d!.upToOffset).toBe(endOffset)
    expect(d!.groups.map(g => g.brokers)).toEqual([healthy, [victim]])
    expect(d!.groups[0]!.value).not.toBe(d!.groups[1]!.value)
    expect(d!.groups.every(g => g.stopOffset === endOffset)).toBe(true)
    // Bisected to the one record batch that differs, with what each replica holds there.
    expect(d!.divergence).toMatchObject({ agreeBelowOffset: damagedOffset, differBelowOffset: damagedOffset + 1 })
    const values = new Map(d!.divergence!.samples.map(s => [s.brokerId, s.records.map(r => r.value)]))
    expect(values.get(victim)).toEqual(['rec-025-0riginal'])
    expect(values.get(leader)).toEqual(['rec-025-original'])
    expect(report.lines.find(l => l.startsWith(`${topic}-0:`))).toMatch(new RegExp(`replicas disagree below HW ${endOffset}.*brokers \\[${victim}\\].*first difference in offsets \\[${damagedOffset}, ${damagedOffset + 1}\\)`))
  }, 90_000)

  it('through a leader kill and a follower restart: one leader per epoch, no unexplained HW drop, no acked write lost, replicas agree after', async () => {
    const topic = 'faults'
    await createTopic(cluster, topic, 3)
    const sampler = new HighWatermarkSampler({ httpUrls: urlsOf(cluster), intervalMs: 50 })
    sampler.start()
    const producer = kafkaOf(cluster).producer({ allowAutoTopicCreation: false })
    await producer.connect()
    let producing = true
    let attempts = 0
    const acked: string[] = []
    const traffic = (async () => {
      while (producing) {
        // Failures during the faults are expected: only acknowledged writes must survive.
        const value = `v${attempts++}`
        await producer.send({ topic, acks: -1, messages: [{ key: `k${attempts % 7}`, value }] }).then(() => { acked.push(value) }, () => {})
      }
    })()
    const pause = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
    await pause(1000)
    const leader = (await fetchReplicas(urlsOf(cluster)[0]!, { topic, partition: 0, checksum: false })).replicas[0]!.leaderId
    await cluster.brokers[leader]!.kill()
    await pause(3000)
    await cluster.brokers[leader]!.start()
    await waitForHealthy(cluster)
    const follower = (leader + 1) % 3
    await cluster.brokers[follower]!.stop()
    await pause(1000)
    await cluster.brokers[follower]!.start()
    await waitForHealthy(cluster)
    await pause(1000)
    producing = false
    await traffic
    await producer.disconnect()
    await settledReplicas(cluster, topic, acked.length)
    const samples = await sampler.stop()

    // A SIGKILLed broker restarts from its last HW checkpoint, so drops across that restart are allowed.
    expect(samples.regressions.filter(r => r.acrossRestart).every(r => r.brokerId === leader)).toBe(true)
    // No other drop: a leader moved away by controlled shutdown keeps its HW as a follower.
    expect(samples.regressions.filter(r => !r.acrossRestart).map(describeRegression)).toEqual([])
    expect(samples.epochLeaderConflicts).toEqual([])
    expect(samples.misses.length).toBeGreaterThan(0)
    const report = await checkReplicaConsistency({ httpUrls: urlsOf(cluster), topics: [topic] })
    expect(report.lines).toEqual([expect.stringMatching(/^all replicas agree/)])
    expect(report.partitions.map(p => p.compared)).toEqual([[0, 1, 2], [0, 1, 2], [0, 1, 2]])
    expect(report.partitions.reduce((n, p) => n + p.upToOffset, 0)).toBeGreaterThanOrEqual(acked.length)
    expect(acked.length).toBeGreaterThan(100)
    const stored = new Set((await Promise.all([0, 1, 2].map(p => readValues(urlsOf(cluster)[0]!, topic, p)))).flat())
    expect(acked.filter(v => !stored.has(v))).toEqual([])
  }, 120_000)

  it('answers bad parameters with a 400 naming the parameter on a cluster broker too', async () => {
    const res = await fetch(`${cluster.brokers[0]!.httpUrl!}/admin/replicas?topic=agree&partition=0&upTo=soon`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/parameter upTo/)
  })
})
