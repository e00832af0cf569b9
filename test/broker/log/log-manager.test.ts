import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { logConfig } from '../../../broker/log/config.ts'
import type { LogConfig } from '../../../broker/log/config.ts'
import { InvalidPartitionsError, InvalidTopicError, MetaPropertiesError, TopicExistsError, UnknownTopicOrPartitionError } from '../../../broker/log/errors.ts'
import { LogManager, validateTopicName } from '../../../broker/log/log-manager.ts'
import { batchOf, batchOfSize, makeTempDir, readAll, removeDir } from './helpers.ts'

let dataDir: string
beforeEach(async () => { dataDir = await makeTempDir() })
afterEach(async () => { await removeDir(dataDir) })

function openManager (overrides: Partial<LogConfig> = {}, brokerId = 1): Promise<LogManager> {
  return LogManager.open({ dataDir, config: logConfig(overrides), brokerId })
}

describe('topic names', () => {
  it('accepts Kafka-legal names and rejects the rest', () => {
    for (const name of ['orders', 'a.b_c-d', 'X'.repeat(249), '...']) expect(() => validateTopicName(name)).not.toThrow()
    for (const name of ['', '.', '..', 'a/b', 'spaced name', 'ü', 'X'.repeat(250)]) {
      expect(() => validateTopicName(name)).toThrow(InvalidTopicError)
    }
  })
})

describe('LogManager', () => {
  it('creates topics, keeps them across restarts with their offsets, and writes the checkpoint', async () => {
    let manager = await openManager()
    await manager.createTopic('orders', 3)
    await manager.createTopic('audit-log', 1)
    expect(manager.topics()).toEqual(new Map([['orders', 3], ['audit-log', 1]]))
    expect([manager.partitionCount('orders'), manager.partitionCount('audit-log'), manager.partitionCount('nope')]).toEqual([3, 1, undefined])
    await expect(manager.createTopic('orders', 1)).rejects.toBeInstanceOf(TopicExistsError)
    await expect(manager.createTopic('bad/name', 1)).rejects.toBeInstanceOf(InvalidTopicError)
    await expect(manager.createTopic('zero', 0)).rejects.toBeInstanceOf(InvalidPartitionsError)
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i <= p; i++) await manager.partition('orders', p)!.append([batchOf([`p${p}-${i}`])], 0)
    }
    expect(manager.partition('orders', 3)).toBeUndefined()
    const clusterId = manager.clusterId
    await manager.close()

    const checkpoint = await readFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8')
    const lines = checkpoint.trim().split('\n')
    expect(lines.slice(0, 2)).toEqual(['0', '4'])
    expect(lines.slice(2).sort()).toEqual(['audit-log 0 0', 'orders 0 1', 'orders 1 2', 'orders 2 3'])
    expect(await readFile(join(dataDir, 'meta.properties'), 'utf8')).toContain(`cluster.id=${clusterId}`)

    manager = await openManager()
    expect(manager.clusterId).toBe(clusterId)
    expect(manager.topics()).toEqual(new Map([['orders', 3], ['audit-log', 1]]))
    expect([0, 1, 2].map(p => manager.partition('orders', p)!.logEndOffset)).toEqual([1, 2, 3])
    expect((await readAll(manager.partition('orders', 2)!, 0)).map(r => r.value!.toString())).toEqual(['p2-0', 'p2-1', 'p2-2'])
    await manager.close()
  })

  it('refuses a data dir that belongs to another broker', async () => {
    const manager = await openManager()
    await manager.close()
    await expect(openManager({}, 2)).rejects.toBeInstanceOf(MetaPropertiesError)
  })

  it('deletes topics, also when a crash interrupted the deletion', async () => {
    let manager = await openManager()
    await manager.createTopic('doomed', 2)
    await manager.createTopic('kept', 1)
    await manager.partition('doomed', 0)!.append([batchOf(['x'])], 0)
    await manager.deleteTopic('doomed')
    expect(manager.hasTopic('doomed')).toBe(false)
    await expect(manager.deleteTopic('doomed')).rejects.toBeInstanceOf(UnknownTopicOrPartitionError)
    expect((await readdir(dataDir)).filter(name => name.startsWith('doomed'))).toEqual([])
    await manager.close()
    expect(await readFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\nkept 0 0\n')

    // A deletion that got as far as its marker is finished at the next open.
    await mkdir(join(dataDir, 'half-0'))
    await writeFile(join(dataDir, 'half-0', '00000000000000000000.log'), '')
    await writeFile(join(dataDir, 'half-0', 'deleting'), '')
    manager = await openManager()
    expect(manager.topics()).toEqual(new Map([['kept', 1]]))
    await expect(access(join(dataDir, 'half-0'))).rejects.toThrow()
    await manager.close()
  })

  it('flushes every flushIntervalMs and applies retention on checkRetention', async () => {
    const manager = await openManager({ flushIntervalMs: 20, segmentBytes: 1024, retentionBytes: 2048 })
    await manager.createTopic('ticks', 1)
    const log = manager.partition('ticks', 0)!
    for (let i = 0; i < 30; i++) await log.append([batchOfSize(300, `t${i}`)], 0)
    expect(log.unflushedMessages).toBeGreaterThan(0)
    const deadline = Date.now() + 10_000
    while (log.unflushedMessages > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    expect(log.recoveryPoint).toBe(30)
    expect(await manager.checkRetention()).toBeGreaterThan(0)
    expect(log.logStartOffset).toBeGreaterThan(0)
    expect(log.sizeBytes).toBeLessThanOrEqual(2048 + 1024)
    await manager.close()
  })
})
