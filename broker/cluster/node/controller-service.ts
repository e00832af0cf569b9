// The active controller wired to the metadata quorum: requests go through the Controller
// state machine, its records are proposed to Raft, and the reply waits until the last of
// them is committed (Kafka answers a controller request only then). Committed entries come
// back from the quorum driver in log order and feed the controller's committed image.
// Losing leadership answers every waiting request NOT_CONTROLLER: its records may never
// commit. Time enters only through `nowMs` arguments and one timer for Controller.tick.

import type { Entry, ProposeResult } from '../raft/types.ts'
import { Controller, notController } from '../controller.ts'
import type { ControllerOptions } from '../context.ts'
import type { MetadataImage } from '../image.ts'
import { PendingReplies } from '../pending-replies.ts'
import { decodeRecord, encodeRecord } from '../record-codec.ts'
import type { MetadataRecord } from '../records.ts'
import type { ControllerRequest, ReplyOf } from '../requests.ts'

/** What the service needs of the quorum driver. */
export interface QuorumProposer {
  propose (records: Uint8Array[]): ProposeResult
  status (): { logEndOffset: number }
}

interface Waiter { request: ControllerRequest, reply: unknown, resolve: (reply: unknown) => void }

/** Metadata records of the data entries among `entries`, in runs of consecutive offsets. */
export function recordRuns (entries: readonly Entry[]): Array<{ records: MetadataRecord[], lastOffset: number }> {
  const runs: Array<{ records: MetadataRecord[], lastOffset: number }> = []
  let current: { records: MetadataRecord[], lastOffset: number } | null = null
  for (const entry of entries) {
    if (entry.kind !== 'data') {
      current = null
      continue
    }
    if (current === null || current.lastOffset !== entry.offset - 1) {
      current = { records: [], lastOffset: entry.offset - 1 }
      runs.push(current)
    }
    current.records.push(decodeRecord(Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength)))
    current.lastOffset = entry.offset
  }
  return runs
}

export class ControllerService {
  readonly #options: ControllerOptions
  readonly #quorum: QuorumProposer
  readonly #log: (line: string) => void
  #controller: Controller
  #pending = new PendingReplies<Waiter>()
  #lastProposedOffset = -1
  #lastCommittedOffset = -1
  #timer: NodeJS.Timeout | null = null
  #closed = false

  constructor (options: ControllerOptions, quorum: QuorumProposer, log: (line: string) => void) {
    this.#options = options
    this.#quorum = quorum
    this.#log = log
    this.#controller = new Controller(options)
  }

  get isActive (): boolean { return this.#controller.isActive }
  get committedImage (): MetadataImage { return this.#controller.committedImage }

  /** Answers once the request's records are committed; NOT_CONTROLLER when this node is not (or stops being) active. */
  handle<R extends ControllerRequest> (request: R): Promise<ReplyOf<R>> {
    const result = this.#controller.handle(request, Date.now())
    if (!this.#controller.isActive) return Promise.resolve(result.reply)
    const offset = this.#propose(result.records)
    if (offset === null) return Promise.resolve(notController(request) as ReplyOf<R>)
    const answer = new Promise<ReplyOf<R>>(resolve => {
      this.#pending.add(offset, { request, reply: result.reply, resolve: resolve as (reply: unknown) => void })
    })
    this.#answerCommitted()
    this.#arm()
    return answer
  }

  /** Committed entries from the quorum, in offset order. */
  onCommitted (entries: readonly Entry[]): void {
    for (const run of recordRuns(entries)) this.#controller.commit(run.records, run.lastOffset)
    const last = entries.at(-1)
    if (last !== undefined) this.#lastCommittedOffset = last.offset
    this.#answerCommitted()
    this.#arm()
  }

  /** A snapshot replaced the log prefix (only ever while inactive). */
  onSnapshot (image: MetadataImage, endOffset: number): void {
    if (this.#controller.isActive) throw new Error('controller: a snapshot was loaded while active')
    this.#controller = new Controller(this.#options, image, endOffset - 1)
    this.#lastCommittedOffset = endOffset - 1
  }

  /** This node leads the quorum and everything before its epoch is committed. */
  onLeaderReady (): void {
    this.#lastProposedOffset = this.#quorum.status().logEndOffset - 1
    const result = this.#controller.activate(Date.now())
    this.#log(`controller: active (metadata log end ${this.#lastProposedOffset + 1})`)
    this.#propose(result.records)
    this.#arm()
  }

  onLeaderLost (): void {
    if (!this.#controller.isActive) return
    this.#log('controller: no longer active')
    this.#deactivate()
  }

  close (): void {
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#deactivate()
  }

  #deactivate (): void {
    this.#controller.deactivate()
    for (const waiter of this.#pending.drain()) waiter.resolve(notController(waiter.request))
  }

  /** The offset of the last record proposed (the request waits for it), or null when Raft refused. */
  #propose (records: readonly MetadataRecord[]): number | null {
    if (records.length === 0) return this.#lastProposedOffset
    const result = this.#quorum.propose(records.map(encodeRecord))
    if (!result.ok) {
      this.#log(`controller: the quorum refused a proposal (leader now ${result.leaderId}, epoch ${result.epoch})`)
      this.#deactivate()
      return null
    }
    this.#lastProposedOffset = result.lastOffset
    return result.lastOffset
  }

  #answerCommitted (): void {
    for (const waiter of this.#pending.committed(this.#lastCommittedOffset)) waiter.resolve(waiter.reply)
  }

  /** One timer for Controller.tick: session expiry and leader balancing. */
  #arm (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    if (this.#closed || !this.#controller.isActive) return
    const dueMs = this.#controller.nextTickMs()
    if (!Number.isFinite(dueMs)) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      if (!this.#controller.isActive) return
      const result = this.#controller.tick(Date.now())
      this.#propose(result.records)
      this.#arm()
    }, Math.max(0, dueMs - Date.now()))
    this.#timer.unref()
  }
}
