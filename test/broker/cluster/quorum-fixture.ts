// Quorum nodes in one process over real TCP: each a QuorumDriver with a MemoryRaftLog and
// its own controller listener (listenQuorum) on a reserved 127.0.0.1 port. The log object
// outlives a node's stop, standing in for its disk, so a node can be restarted on it.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QuorumDriver } from '../../../broker/cluster/quorum/driver.ts'
import { listenQuorum } from '../../../broker/cluster/quorum/listener.ts'
import { MemoryRaftLog } from '../../../broker/cluster/raft/memory-log.ts'
import type { Entry, Snapshot } from '../../../broker/cluster/raft/types.ts'
import type { KafkaListener } from '../../../broker/server/kafka-listener.ts'
import { Metrics } from '../../../broker/server/metrics.ts'
import { reservePort, reservePorts } from '../../../harness/cluster/ports.ts'

export const CLUSTER_ID = 'quorum-test-cluster'

/** A memory log whose fsync takes a while and resolves later, as the disk log's does. */
export class SlowFlushLog extends MemoryRaftLog {
  readonly flushDelayMs: number

  constructor (flushDelayMs: number) {
    super()
    this.flushDelayMs = flushDelayMs
  }

  override async flush (): Promise<void> {
    await new Promise(resolve => setTimeout(resolve, this.flushDelayMs))
    super.flush()
  }
}
export const TIMING = { electionTimeoutMs: 150, fetchTimeoutMs: 400, requestTimeoutMs: 400, fetchIntervalMs: 20 }

export interface TestNode {
  id: number
  port: number
  dir: string
  log: MemoryRaftLog
  driver: QuorumDriver
  listener: KafkaListener
  /** Committed entries delivered to this incarnation's state machine, which starts empty (a restart replays the log). */
  committed: Entry[]
  snapshots: Snapshot[]
  /** The state machine: data values in order, and the next offset it expects. */
  values: string[]
  appliedOffset: number
  events: string[]
  lines: string[]
  /** Requests served by this node's controller listener, per API. */
  metrics: Metrics
  running: boolean
}

export class QuorumFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'sluice-quorum-'))
  readonly nodes = new Map<number, TestNode>()
  voters = new Map<number, { host: string, port: number }>()
  snapshotAfterEntries: number | undefined
  flushDelayMs = 0
  timing: typeof TIMING = TIMING

  static async create (ids: number[], opts: { snapshotAfterEntries?: number, flushDelayMs?: number, timing?: Partial<typeof TIMING> } = {}): Promise<QuorumFixture> {
    const f = new QuorumFixture()
    f.timing = { ...TIMING, ...opts.timing }
    f.snapshotAfterEntries = opts.snapshotAfterEntries
    f.flushDelayMs = opts.flushDelayMs ?? 0
    // A reserved port can be taken by another program before its node binds it (tests run
    // side by side): then every node starts again on fresh ports.
    for (let attempt = 1; ; attempt++) {
      const ports = await reservePorts(ids.length)
      ids.forEach((id, i) => f.voters.set(id, { host: '127.0.0.1', port: ports[i]! }))
      try {
        for (const id of ids) await f.start(id)
        break
      } catch (error) {
        for (const id of [...f.nodes.keys()]) await f.stop(id)
        f.nodes.clear()
        if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      }
    }
    for (const id of ids) f.node(id).driver.start()
    return f
  }

  node (id: number): TestNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** Opens (or reopens, on the same log and directory) node `id` and its listener; start() is separate. */
  async start (id: number, port?: number): Promise<TestNode> {
    const previous = this.nodes.get(id)
    const log = previous?.log ?? (this.flushDelayMs > 0 ? new SlowFlushLog(this.flushDelayMs) : new MemoryRaftLog())
    const dir = previous?.dir ?? join(this.root, `node-${id}`)
    const node: TestNode = {
      id, port: port ?? this.voters.get(id)?.port ?? await reservePort(), dir, log,
      committed: [], snapshots: [], values: [], appliedOffset: 0, events: previous?.events ?? [], lines: previous?.lines ?? [],
      driver: null as unknown as QuorumDriver, listener: null as unknown as KafkaListener, metrics: new Metrics(), running: true,
    }
    node.driver = await QuorumDriver.open({
      nodeId: id, clusterId: CLUSTER_ID, voters: this.voters, log, metadataDir: dir, timing: this.timing,
      logLine: line => { node.lines.push(line) },
      snapshotAfterEntries: this.snapshotAfterEntries,
      listener: {
        onCommitted: entries => {
          node.committed.push(...entries)
          for (const e of entries) if (e.kind === 'data') node.values.push(Buffer.from(e.data).toString())
          node.appliedOffset = entries.at(-1)!.offset + 1
        },
        onLoadSnapshot: snap => {
          node.snapshots.push(snap)
          node.values = JSON.parse(Buffer.from(snap.data).toString())
          node.appliedOffset = snap.endOffset
        },
        snapshot: () => ({ endOffset: node.appliedOffset, data: Buffer.from(JSON.stringify(node.values)) }),
        onLeaderReady: epoch => { node.events.push(`ready:${epoch}`) },
        onLeaderLost: () => { node.events.push('lost') },
      },
    })
    node.listener = await listenQuorum({ handlers: node.driver.handlers(), host: '127.0.0.1', port: node.port, log: line => { node.lines.push(line) }, metrics: node.metrics })
    this.nodes.set(id, node)
    return node
  }

  async stop (id: number): Promise<void> {
    const n = this.node(id)
    if (!n.running) return
    n.running = false
    await n.driver.close()
    await n.listener.close()
  }

  running (): TestNode[] {
    return [...this.nodes.values()].filter(n => n.running)
  }

  /** The single leader all running voters agree on, or null. */
  agreedLeader (): TestNode | null {
    const live = this.running()
    const leaders = live.filter(n => n.driver.status().role === 'leader')
    if (leaders.length !== 1) return null
    const { epoch } = leaders[0]!.driver.status()
    const agree = live.every(n => n.driver.status().epoch === epoch && n.driver.status().leaderId === leaders[0]!.id)
    return agree ? leaders[0]! : null
  }

  /** Each node's status, state machine size, log range and log lines: what a failed wait prints. */
  describe (): string {
    return [...this.nodes.values()].map(n => {
      const log = `log [${n.log.startOffset()}, ${n.log.endOffset()}) flushed ${n.log.flushedEndOffset()}`
      return `node ${n.id}${n.running ? '' : ' (stopped)'}: ${JSON.stringify(n.driver.status())} values ${n.values.length} committed-data ${dataOf(n.committed).length} snapshots-loaded ${n.snapshots.length} applied ${n.appliedOffset} ${log}\n  ${n.lines.join('\n  ')}`
    }).join('\n')
  }

  async close (): Promise<void> {
    for (const id of this.nodes.keys()) await this.stop(id)
    rmSync(this.root, { recursive: true, force: true })
  }
}

export async function waitFor<T> (what: string, probe: () => T | null | undefined | false, timeoutMs = 10_000, explain?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain === undefined ? '' : `\n${explain()}`}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

export function dataOf (entries: readonly Entry[]): string[] {
  return entries.filter(e => e.kind === 'data').map(e => `${e.offset}@${e.epoch}:${Buffer.from(e.data).toString()}`)
}
