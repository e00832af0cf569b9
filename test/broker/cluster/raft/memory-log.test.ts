import { describe, expect, it } from 'vitest'
import { MemoryRaftLog } from '../../../../broker/cluster/raft/memory-log.ts'
import type { Entry } from '../../../../broker/cluster/raft/types.ts'

function entries (from: number, epochs: number[]): Entry[] {
  return epochs.map((epoch, i) => ({ offset: from + i, epoch, kind: 'data', data: Buffer.from(`e${from + i}`) }))
}

describe('MemoryRaftLog', () => {
  it('loses exactly the unflushed tail in a crash', () => {
    const log = new MemoryRaftLog()
    log.append(entries(0, [1, 1, 2]))
    log.flushTo(2)
    log.append(entries(3, [2]))
    log.crash()
    expect([log.endOffset(), log.flushedEndOffset(), log.lastEpoch()]).toEqual([2, 2, 1])
  })

  it('answers endOffsetForEpoch as Kafka does: the largest epoch held at or below, and where the next starts', () => {
    const log = new MemoryRaftLog()
    log.append(entries(0, [1, 1, 3, 3, 5]))
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, offset: 2 })
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 1, offset: 2 })
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 3, offset: 4 })
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, offset: 5 })
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 5, offset: 5 })
  })

  it('refuses gaps and epochs going backwards', () => {
    const log = new MemoryRaftLog()
    log.append(entries(0, [2]))
    expect(() => { log.append(entries(2, [2])) }).toThrow(/ends at 1/)
    expect(() => { log.append(entries(1, [1])) }).toThrow(/after epoch 2/)
  })

  it('drops the prefix under a snapshot and keeps answering for the epochs after it', () => {
    const log = new MemoryRaftLog()
    log.append(entries(0, [1, 1, 2, 2, 3]))
    log.flush()
    log.storeSnapshot({ endOffset: 3, epoch: 2, data: Buffer.from('{}') })
    expect([log.startOffset(), log.endOffset()]).toEqual([3, 5])
    expect(log.read(3, 10).map(e => e.offset)).toEqual([3, 4])
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, offset: 4 })
    expect(log.endOffsetForEpoch(1)).toBeNull()
    expect(() => log.read(2, 1)).toThrow(/outside/)
  })

  it('never snapshots beyond what is flushed', () => {
    const log = new MemoryRaftLog()
    log.append(entries(0, [1, 1]))
    expect(() => { log.storeSnapshot({ endOffset: 2, epoch: 1, data: Buffer.alloc(0) }) }).toThrow(/flushed/)
  })
})
