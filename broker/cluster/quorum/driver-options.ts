// What the owner of a QuorumDriver gives it (QuorumDriverOptions) and what the driver tells
// the owner (QuorumListener), with the checks that make a wiring mistake a clear error.

import type { RaftLog } from '../raft/log.ts'
import type { Entry, RaftConfig, Random, Snapshot } from '../raft/types.ts'

export interface QuorumListener {
  /** Committed entries in offset order (data entries only are interesting; leaderChange too, for offsets). */
  onCommitted (entries: Entry[]): void
  onLoadSnapshot (snapshot: Snapshot): void
  /** This node became leader in `epoch` and every entry before its epoch is committed (the controller may activate now). */
  onLeaderReady (epoch: number): void
  /** Leadership lost or resigned (controller deactivates). Only called after onLeaderReady. */
  onLeaderLost (): void
  /** The state machine's snapshot of everything it applied (for snapshotAfterEntries); null to skip. */
  snapshot? (): { endOffset: number, data: Uint8Array } | null
}

export interface QuorumDriverOptions {
  nodeId: number
  clusterId: string
  /** Controller listener of each voter. */
  voters: ReadonlyMap<number, { host: string, port: number }>
  log: RaftLog & { flush (): Promise<void> | void }
  /** Where quorum-state goes. */
  metadataDir: string
  timing: Partial<Pick<RaftConfig, 'electionTimeoutMs' | 'fetchTimeoutMs' | 'requestTimeoutMs' | 'fetchIntervalMs'>>
  listener: QuorumListener
  logLine: (line: string) => void
  random?: Random
  /** After this many applied entries past the last snapshot, ask listener.snapshot() and store it. */
  snapshotAfterEntries?: number
}

export function checkDriverOptions (opts: QuorumDriverOptions): void {
  if (!Number.isSafeInteger(opts.nodeId) || opts.nodeId < 0) throw new RangeError(`node.id must be a non-negative integer (got ${opts.nodeId})`)
  if (typeof opts.clusterId !== 'string' || opts.clusterId === '') throw new RangeError('cluster id must be a non-empty string')
  for (const [id, a] of opts.voters) {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`controller.quorum.voters: id ${id} must be a non-negative integer`)
    if (typeof a.host !== 'string' || a.host === '' || !Number.isInteger(a.port) || a.port < 1 || a.port > 65535) {
      throw new RangeError(`controller.quorum.voters: node ${id} needs a host and a port in 1-65535 (got ${a.host}:${a.port})`)
    }
  }
  const n = opts.snapshotAfterEntries
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) throw new RangeError(`snapshotAfterEntries must be a positive integer (got ${n})`)
}
