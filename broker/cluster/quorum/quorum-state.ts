// `<metadataDir>/quorum-state`: the election state a voter must not forget (epoch, vote,
// leader), as JSON in the shape of Kafka's quorum-state file (data_version 0: leaderId,
// leaderEpoch, votedId, appliedOffset, currentVoters). Written atomically: temp file,
// fsync, rename, fsync of the directory, so a crash leaves the old or the new state, never
// a torn one. Synchronous on purpose: the core's rule is "persist before any message of the
// step leaves", and a tiny file written only on election changes is cheaper to wait for
// than to order around.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { NO_NODE, type QuorumStateRecord } from '../raft/types.ts'

export const QUORUM_STATE_FILE = 'quorum-state'

interface QuorumStateJson {
  clusterId: string
  leaderId: number
  leaderEpoch: number
  votedId: number
  appliedOffset: number
  currentVoters: Array<{ voterId: number }>
  data_version: number
}

export class QuorumStateError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'QuorumStateError'
  }
}

function intField (json: Record<string, unknown>, key: string, file: string, min: number): number {
  const value = json[key]
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new QuorumStateError(`${file}: "${key}" must be an integer >= ${min} (got ${JSON.stringify(value)}); the file is corrupt, restore it or remove it to forget this node's vote`)
  }
  return value
}

/** The state at start, or null when the file does not exist (a fresh node). */
export function readQuorumState (metadataDir: string): QuorumStateRecord | null {
  const file = join(metadataDir, QUORUM_STATE_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new QuorumStateError(`cannot read ${file}: ${(err as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new QuorumStateError(`${file} is not valid JSON (${(err as Error).message}); the file is corrupt, restore it or remove it to forget this node's vote`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new QuorumStateError(`${file} must hold a JSON object`)
  const record = json as Record<string, unknown>
  return {
    epoch: intField(record, 'leaderEpoch', file, 0),
    votedFor: intField(record, 'votedId', file, NO_NODE),
    leaderId: intField(record, 'leaderId', file, NO_NODE),
  }
}

function fsyncPath (path: string, flags: string): void {
  const fd = openSync(path, flags)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export function writeQuorumState (metadataDir: string, state: QuorumStateRecord, extra: { clusterId: string; voters: readonly number[] }): void {
  const file = join(metadataDir, QUORUM_STATE_FILE)
  const temp = `${file}.tmp`
  const json: QuorumStateJson = {
    clusterId: extra.clusterId,
    leaderId: state.leaderId,
    leaderEpoch: state.epoch,
    votedId: state.votedFor,
    appliedOffset: 0,
    currentVoters: extra.voters.map(voterId => ({ voterId })),
    data_version: 0,
  }
  const fd = openSync(temp, 'w')
  try {
    writeSync(fd, JSON.stringify(json))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, file)
  fsyncPath(metadataDir, 'r')
}
