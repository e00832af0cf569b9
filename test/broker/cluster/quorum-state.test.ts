// quorum-state on disk: Kafka's JSON shape, atomic replacement, and a corrupt file refused
// with an error that names the file (the driver does not start on it).

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { QuorumDriver } from '../../../broker/cluster/quorum/driver.ts'
import { QuorumStateError, readQuorumState, writeQuorumState } from '../../../broker/cluster/quorum/quorum-state.ts'
import { MemoryRaftLog } from '../../../broker/cluster/raft/memory-log.ts'

const dirs: string[] = []
function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-quorum-state-'))
  dirs.push(dir)
  return dir
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

describe('quorum-state', () => {
  it('is absent on a fresh node, then holds what was written, in Kafka\'s field names, with no temp file left', () => {
    const dir = tempDir()
    expect(readQuorumState(dir)).toBeNull()
    writeQuorumState(dir, { epoch: 3, votedFor: 2, leaderId: -1 }, { clusterId: 'c', voters: [1, 2, 3] })
    writeQuorumState(dir, { epoch: 4, votedFor: -1, leaderId: 3 }, { clusterId: 'c', voters: [1, 2, 3] })
    expect(readQuorumState(dir)).toEqual({ epoch: 4, votedFor: -1, leaderId: 3 })
    expect(JSON.parse(readFileSync(join(dir, 'quorum-state'), 'utf8'))).toEqual({
      clusterId: 'c', leaderId: 3, leaderEpoch: 4, votedId: -1, appliedOffset: 0, currentVoters: [{ voterId: 1 }, { voterId: 2 }, { voterId: 3 }], data_version: 0,
    })
    expect(readdirSync(dir)).toEqual(['quorum-state'])
  })

  it('refuses a torn file and a wrong field with errors naming the file and the field', () => {
    const dir = tempDir()
    const file = join(dir, 'quorum-state')
    writeFileSync(file, '{"leaderEpoch": 3, "votedId"')
    expect(() => readQuorumState(dir)).toThrow(QuorumStateError)
    expect(() => readQuorumState(dir)).toThrow(file)
    writeFileSync(file, JSON.stringify({ leaderEpoch: -2, votedId: 1, leaderId: 1 }))
    expect(() => readQuorumState(dir)).toThrow(/"leaderEpoch" must be an integer >= 0/)
    writeFileSync(file, '[]')
    expect(() => readQuorumState(dir)).toThrow(`${file} must hold a JSON object`)
  })

  it('stops QuorumDriver.open on a corrupt file, naming it', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'quorum-state'), 'garbage')
    const opening = QuorumDriver.open({
      nodeId: 1, clusterId: 'c', voters: new Map([[1, { host: '127.0.0.1', port: 9093 }]]), log: new MemoryRaftLog(), metadataDir: dir, timing: {},
      listener: { onCommitted () {}, onLoadSnapshot () {}, onLeaderReady () {}, onLeaderLost () {} },
      logLine: () => {},
    })
    await expect(opening).rejects.toThrow(join(dir, 'quorum-state'))
    expect(existsSync(join(dir, 'quorum-state.tmp'))).toBe(false)
  })
})
