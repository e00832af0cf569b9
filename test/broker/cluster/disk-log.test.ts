// DiskRaftLog: the RaftLog behaviours MemoryRaftLog has (run against both), then what only
// the disk adds: reopen, crashes that lose what was not flushed, truncations that stay
// truncated, snapshot files (corrupt ones skipped), the log prefix dropped under a snapshot.

import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiskRaftLog, METADATA_DIR, METADATA_TOPIC } from '../../../broker/cluster/quorum/disk-log.ts'
import { snapshotFileName } from '../../../broker/cluster/quorum/snapshot-files.ts'
import type { RaftLog } from '../../../broker/cluster/raft/log.ts'
import { MemoryRaftLog } from '../../../broker/cluster/raft/memory-log.ts'
import { RaftNode } from '../../../broker/cluster/raft/raft-node.ts'
import type { Entry, Output, QuorumStateRecord, RaftConfig } from '../../../broker/cluster/raft/types.ts'
import { logConfig } from '../../../broker/log/config.ts'
import type { LogConfig } from '../../../broker/log/config.ts'
import { LogManager } from '../../../broker/log/log-manager.ts'
import { loseUnsyncedWrites, Storage } from '../../../broker/log/storage.ts'
import { makeTempDir, removeDir } from '../log/helpers.ts'

function entries (from: number, epochs: number[]): Entry[] {
  return epochs.map((epoch, i) => ({ offset: from + i, epoch, kind: 'data', data: Buffer.from(`e${from + i}`) }))
}

function leaderChange (offset: number, epoch: number): Entry {
  return { offset, epoch, kind: 'leaderChange', data: new Uint8Array(0) }
}

function summary (log: RaftLog): string[] {
  return log.read(log.startOffset(), 1000).map(e => `${e.offset}:${e.epoch}:${e.kind}:${Buffer.from(e.data).toString()}`)
}

let dataDir: string
let storages: Storage[] = []
let openLogs: DiskRaftLog[] = []
let logLines: string[] = []

beforeEach(async () => {
  dataDir = await makeTempDir()
  storages = []
  openLogs = []
  logLines = []
})

afterEach(async () => {
  for (const log of openLogs) await log.close().catch(() => {})
  for (const storage of storages) await storage.close().catch(() => {})
  await removeDir(dataDir)
})

async function openDisk (config: Partial<LogConfig> = {}): Promise<DiskRaftLog> {
  const storage = await Storage.open(dataDir)
  storages.push(storage)
  const log = await DiskRaftLog.open({ storage, config, log: line => { logLines.push(line) } })
  openLogs.push(log)
  return log
}

async function closeDisk (log: DiskRaftLog): Promise<void> {
  openLogs = openLogs.filter(open => open !== log)
  await log.close()
  await storages.pop()!.close()
}

/** A process crash: the files keep whatever reached them, torn writes included. */
async function killDisk (log: DiskRaftLog): Promise<void> {
  openLogs = openLogs.filter(open => open !== log)
  await log.halt()
  await storages.pop()!.close()
}

/** A machine crash: the process stops, then whatever was not fsynced is lost. */
async function crashDisk (log: DiskRaftLog): Promise<void> {
  await killDisk(log)
  await loseUnsyncedWrites(dataDir)
}

interface Subject { log: RaftLog, flush: () => Promise<void> }

const subjects: Array<[string, () => Promise<Subject>]> = [
  ['MemoryRaftLog', async () => {
    const log = new MemoryRaftLog()
    return { log, flush: async () => { log.flush() } }
  }],
  ['DiskRaftLog', async () => {
    const log = await openDisk()
    return { log, flush: () => log.flush() }
  }],
]

describe.each(subjects)('RaftLog behaviours: %s', (_name, make) => {
  it('answers endOffsetForEpoch as Kafka does: the largest epoch held at or below, and where the next starts', async () => {
    const { log } = await make()
    log.append(entries(0, [1, 1, 3, 3, 5]))
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, offset: 2 })
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, offset: 2 })
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 3, offset: 4 })
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 5, offset: 5 })
    expect(log.lastEpoch()).toBe(5)
  })

  it('refuses gaps and epochs going backwards', async () => {
    const { log } = await make()
    log.append(entries(0, [2]))
    expect(() => { log.append(entries(2, [2])) }).toThrow(/ends at 1/)
    expect(() => { log.append(entries(1, [1])) }).toThrow(/after epoch 2/)
    expect(log.endOffset()).toBe(1)
  })

  it('moves the flushed end only on flush, and down with a truncation', async () => {
    const { log, flush } = await make()
    log.append(entries(0, [1, 1, 1, 1]))
    expect(log.flushedEndOffset()).toBe(0)
    await flush()
    expect(log.flushedEndOffset()).toBe(4)
    log.truncateTo(2)
    expect([log.endOffset(), log.flushedEndOffset()]).toEqual([2, 2])
    log.append(entries(2, [4]))
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, offset: 2 })
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, offset: 3 })
    await flush()
    expect(log.flushedEndOffset()).toBe(3)
  })

  it('drops the prefix under a snapshot and keeps answering for the epochs after it', async () => {
    const { log, flush } = await make()
    log.append(entries(0, [1, 1, 2, 2, 3]))
    await flush()
    log.storeSnapshot({ endOffset: 3, epoch: 2, data: Buffer.from('{}') })
    expect([log.startOffset(), log.endOffset()]).toEqual([3, 5])
    expect(log.read(3, 10).map(e => e.offset)).toEqual([3, 4])
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, offset: 4 })
    expect(log.endOffsetForEpoch(1)).toBeNull()
    expect(() => log.read(2, 1)).toThrow(/outside/)
  })

  it('never snapshots beyond what is flushed', async () => {
    const { log } = await make()
    log.append(entries(0, [1, 1]))
    expect(() => { log.storeSnapshot({ endOffset: 2, epoch: 1, data: Buffer.alloc(0) }) }).toThrow(/flushed/)
  })

  it('replaces the whole log when a snapshot is installed', async () => {
    const { log, flush } = await make()
    log.append(entries(0, [1, 1, 1]))
    log.installSnapshot({ endOffset: 10, epoch: 4, data: Buffer.from('s') })
    expect([log.startOffset(), log.endOffset(), log.flushedEndOffset(), log.lastEpoch()]).toEqual([10, 10, 10, 4])
    log.append(entries(10, [5]))
    await flush()
    expect(summary(log)).toEqual(['10:5:data:e10'])
  })
})

describe('DiskRaftLog on disk', () => {
  it('survives close and reopen with entries, control entries, epochs and snapshot intact', async () => {
    const log = await openDisk()
    log.append([leaderChange(0, 1), ...entries(1, [1, 1]), leaderChange(3, 3), ...entries(4, [3, 3])])
    await log.flush()
    log.storeSnapshot({ endOffset: 2, epoch: 1, data: Buffer.from('state@2') })
    log.append([{ offset: 6, epoch: 3, kind: 'leaderChange', data: Buffer.from('custom') }])
    await log.flush()
    const before = summary(log)
    await closeDisk(log)

    const reopened = await openDisk()
    expect(summary(reopened)).toEqual(before)
    expect(before[1]).toBe('3:3:leaderChange:')
    expect(before.at(-1)).toBe('6:3:leaderChange:custom')
    expect([reopened.startOffset(), reopened.endOffset(), reopened.flushedEndOffset(), reopened.lastEpoch()]).toEqual([2, 7, 7, 3])
    expect(Buffer.from(reopened.latestSnapshot()!.data).toString()).toBe('state@2')
    expect(reopened.endOffsetForEpoch(1)).toEqual({ epoch: 1, offset: 3 })
    expect(reopened.endOffsetForEpoch(2)).toEqual({ epoch: 1, offset: 3 })
    expect(reopened.endOffsetForEpoch(3)).toEqual({ epoch: 3, offset: 7 })
    expect(reopened.partitionLog.leaderEpochs()).toEqual([{ epoch: 1, startOffset: 2 }, { epoch: 3, startOffset: 3 }])
    expect(logLines).toEqual([])
    await closeDisk(reopened)
  })

  it('keeps every flushed entry through a crash and loses the unflushed tail', async () => {
    const log = await openDisk()
    log.append(entries(0, [1, 1, 1]))
    await log.flush()
    log.append(entries(3, [2, 2]))
    await new Promise(resolve => setTimeout(resolve, 20)) // written to the file, never fsynced
    await crashDisk(log)

    const reopened = await openDisk()
    expect(summary(reopened)).toEqual(['0:1:data:e0', '1:1:data:e1', '2:1:data:e2'])
    expect(reopened.flushedEndOffset()).toBe(3)
    expect(reopened.lastEpoch()).toBe(1)
    await closeDisk(reopened)
  })

  it('never resurrects truncated entries once a later flush resolved', async () => {
    const log = await openDisk()
    log.append(entries(0, [1, 1, 1, 1, 1]))
    await log.flush()
    log.truncateTo(2)
    log.append(entries(2, [2]))
    await log.flush()
    await crashDisk(log)

    const reopened = await openDisk()
    expect(summary(reopened)).toEqual(['0:1:data:e0', '1:1:data:e1', '2:2:data:e2'])
    expect(reopened.endOffsetForEpoch(1)).toEqual({ epoch: 1, offset: 2 })
    await closeDisk(reopened)
  })

  it('a flush that began before a truncation does not vouch for entries appended after it', async () => {
    const log = await openDisk()
    log.append(entries(0, [1, 1, 1, 1]))
    const early = log.flush()
    log.truncateTo(1)
    log.append(entries(1, [2, 2, 2, 2]))
    await early
    expect(log.flushedEndOffset()).toBe(1)
    await log.flush()
    expect(log.flushedEndOffset()).toBe(5)
    await closeDisk(log)
  })

  it('rejects every flush after a failed disk write, and does not count the entries as flushed', async () => {
    const log = await openDisk()
    log.append(entries(0, [1]))
    await log.flush()
    storages.at(-1)!.failNextWrite(undefined, /\.log$/)
    log.append(entries(1, [1]))
    await expect(log.flush()).rejects.toThrow(/injected/)
    log.append(entries(2, [1]))
    await expect(log.flush()).rejects.toThrow(/injected/)
    expect(log.flushedEndOffset()).toBe(1)
    await crashDisk(log)
  })

  it('reopens after a torn write with the entries before it', async () => {
    const log = await openDisk()
    log.append(entries(0, [1, 1]))
    await log.flush()
    storages.at(-1)!.tearNextWrite(30, undefined, /\.log$/)
    log.append(entries(2, [2]))
    await expect(log.flush()).rejects.toThrow()
    await killDisk(log)

    const reopened = await openDisk()
    expect(reopened.partitionLog.recovery.truncation).toMatchObject({ offset: 2, droppedBytes: 30 })
    expect(summary(reopened)).toEqual(['0:1:data:e0', '1:1:data:e1'])
    expect(reopened.lastEpoch()).toBe(1)
    await closeDisk(reopened)
  })

  it('ignores a corrupt snapshot file with a log line and opens from the previous one', async () => {
    const log = await openDisk()
    log.append(entries(0, [1, 1, 1, 2]))
    await log.flush()
    log.storeSnapshot({ endOffset: 2, epoch: 1, data: Buffer.from('good') })
    await log.flush()
    await closeDisk(log)
    const good = join(dataDir, METADATA_DIR, snapshotFileName(2, 1))
    const bytes = await readFile(good)
    bytes[bytes.length - 1]! ^= 0xff
    await writeFile(join(dataDir, METADATA_DIR, snapshotFileName(3, 1)), bytes)
    await writeFile(join(dataDir, METADATA_DIR, snapshotFileName(4, 2)), 'not a batch')

    const reopened = await openDisk()
    expect(Buffer.from(reopened.latestSnapshot()!.data).toString()).toBe('good')
    expect(summary(reopened)).toEqual(['2:1:data:e2', '3:2:data:e3'])
    expect(logLines).toHaveLength(2)
    expect(logLines.join('\n')).toMatch(/ignoring snapshot .*00000000000000000004-0000000002\.checkpoint/)
    expect(logLines.join('\n')).toMatch(/ignoring snapshot .*00000000000000000003-0000000001\.checkpoint: CRC/)
    await closeDisk(reopened)
  })

  it('drops whole segments under a snapshot and older snapshot files', async () => {
    const log = await openDisk({ segmentBytes: 256 })
    log.append(entries(0, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
    await log.flush()
    const segmentsBefore = log.partitionLog.segmentCount
    log.storeSnapshot({ endOffset: 4, epoch: 1, data: Buffer.from('a') })
    log.storeSnapshot({ endOffset: 8, epoch: 1, data: Buffer.from('b') })
    await log.flush()
    expect(log.partitionLog.segmentCount).toBeLessThan(segmentsBefore)
    expect(log.partitionLog.logStartOffset).toBe(8)
    const snapshots = (await readdir(join(dataDir, METADATA_DIR))).filter(name => name.endsWith('.checkpoint') && !name.startsWith('leader'))
    expect(snapshots).toEqual([snapshotFileName(8, 1)])
    await closeDisk(log)

    const reopened = await openDisk({ segmentBytes: 256 })
    expect([reopened.startOffset(), reopened.endOffset()]).toEqual([8, 10])
    expect(summary(reopened)).toEqual(['8:1:data:e8', '9:1:data:e9'])
    await closeDisk(reopened)
  })

  it('reopens an installed snapshot with the entries after it and no trace of the old log', async () => {
    const log = await openDisk()
    log.append(entries(0, [1, 1, 1]))
    await log.flush()
    log.installSnapshot({ endOffset: 20, epoch: 6, data: Buffer.from('leader state') })
    log.append(entries(20, [6, 7]))
    await log.flush()
    await crashDisk(log)

    const reopened = await openDisk()
    expect([reopened.startOffset(), reopened.endOffset(), reopened.lastEpoch()]).toEqual([20, 22, 7])
    expect(summary(reopened)).toEqual(['20:6:data:e20', '21:7:data:e21'])
    expect(reopened.latestSnapshot()).toMatchObject({ endOffset: 20, epoch: 6 })
    await closeDisk(reopened)
  })

  it('is left alone by a LogManager opening the same data dir', async () => {
    const log = await openDisk()
    log.append(entries(0, [1]))
    await closeDisk(log)
    const manager = await LogManager.open({ dataDir, config: logConfig({}), brokerId: 1 })
    expect([...manager.topics().keys()]).toEqual([])
    await expect(manager.createTopic(METADATA_TOPIC, 1)).rejects.toThrow(/metadata quorum/)
    await manager.close()
    const reopened = await openDisk()
    expect(summary(reopened)).toEqual(['0:1:data:e0'])
    await closeDisk(reopened)
  })

  it('carries a single-voter RaftNode through commits, a snapshot and a restart', async () => {
    const cfg: RaftConfig = { nodeId: 1, voters: [1], electionTimeoutMs: 1000, fetchTimeoutMs: 2000, requestTimeoutMs: 500, fetchIntervalMs: 100, fetchMaxEntries: 10, snapshotChunkBytes: 64 }
    const random = { int: () => 0 }
    const committed: string[] = []
    let persisted: QuorumStateRecord | null = null
    // The driver's loop: persist, flush the log then report it, collect what committed.
    const drive = async (node: RaftNode, log: DiskRaftLog, first: Output, nowMs: number): Promise<void> => {
      let output: Output | null = first
      while (output !== null) {
        if (output.persist !== null) persisted = output.persist
        for (const entry of output.committed) if (entry.kind === 'data') committed.push(Buffer.from(entry.data).toString())
        if (!output.flush) break
        await log.flush()
        output = node.onFlushed(nowMs)
      }
    }
    const log = await openDisk()
    const node = new RaftNode(cfg, log, random, null, 0)
    await drive(node, log, node.tick(5000), 5000)
    expect(node.status().role).toBe('leader')
    const proposal = node.propose([Buffer.from('r1'), Buffer.from('r2')], 5001)
    expect(proposal.result.ok).toBe(true)
    await drive(node, log, proposal.output, 5001)
    expect(committed).toEqual(['r1', 'r2'])
    await drive(node, log, node.createSnapshot(log.endOffset(), Buffer.from('r1,r2'), 5002), 5002)
    const epoch = node.status().epoch
    await closeDisk(log)

    const reopened = await openDisk()
    expect(reopened.latestSnapshot()).toMatchObject({ endOffset: 3, epoch })
    expect(reopened.lastEpoch()).toBe(epoch)
    const restarted = new RaftNode(cfg, reopened, random, persisted, 10_000)
    await drive(restarted, reopened, restarted.tick(20_000), 20_000)
    expect(restarted.status().role).toBe('leader')
    expect(restarted.status().epoch).toBeGreaterThan(epoch)
    const again = restarted.propose([Buffer.from('r3')], 20_001)
    await drive(restarted, reopened, again.output, 20_001)
    expect(committed).toEqual(['r1', 'r2', 'r3'])
    await closeDisk(reopened)
  })
})
