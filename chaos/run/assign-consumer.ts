// The assign-style chaos consumer, on Sluice's own client: the harness chooses the
// partitions, keeps the positions itself and commits them with simple commits to the
// process slot's own group. There is no hidden behaviour to account for: a poll is one
// Fetch round from the current positions, and positions move only when it succeeded for
// every partition, so consecutive polls of one process read each partition contiguously.
//
// assign(): positions start at the group's committed offset (0 where none), clamped into the
// partition's current [log start, log end] range, so a log that shrank after a loss of
// un-fsynced writes is read from its new end rather than failing forever.

import { ListOffsetsTimestamp } from '../../broker/protocol/02-list-offsets.ts'
import { ErrorCode, errorName } from '../../broker/protocol/errors.ts'
import { KafkaClient } from '../../broker/client/kafka-client.ts'
import { kafkaError } from '../../broker/client/errors.ts'
import { commitSimple, fetchCommitted, fetchPartitions, readsByKey } from './native-reads.ts'
import { OutcomeError } from './outcome.ts'
import { partitionName } from './topology.ts'

/** How long one poll may wait on the broker for data. */
export const POLL_WAIT_MS = 100
const CONNECT_TIMEOUT_MS_MAX = 3000

export interface AssignConsumerOptions {
  bootstrap: readonly string[]
  clientId: string
  topic: string
  group: string
  opTimeoutMs: number
}

export class AssignConsumer {
  readonly #options: AssignConsumerOptions
  readonly #client: KafkaClient
  #positions = new Map<number, number>()

  constructor (options: AssignConsumerOptions) {
    this.#options = options
    this.#client = new KafkaClient({
      bootstrap: options.bootstrap,
      clientId: options.clientId,
      connectTimeoutMs: Math.min(CONNECT_TIMEOUT_MS_MAX, options.opTimeoutMs),
      requestTimeoutMs: options.opTimeoutMs,
    })
  }

  get group (): string {
    return this.#options.group
  }

  get assigned (): boolean {
    return this.#positions.size > 0
  }

  /** Takes `partitions`; resolves with the starting position of each (by partition name). */
  async assign (partitions: readonly number[]): Promise<Record<string, number>> {
    const { topic, group } = this.#options
    this.#positions = new Map()
    await this.#client.topic(topic, true)
    const committed = await fetchCommitted(this.#client, group, topic, partitions)
    const earliest = await this.#client.listOffsets(topic, partitions, ListOffsetsTimestamp.earliest)
    const latest = await this.#client.listOffsets(topic, partitions, ListOffsetsTimestamp.latest)
    const positions = new Map<number, number>()
    const shown: Record<string, number> = {}
    for (const partition of partitions) {
      const low = earliest.get(partition) ?? 0
      const high = latest.get(partition) ?? low
      const wanted = committed.get(partition) ?? -1
      const position = wanted < 0 ? low : Math.min(Math.max(wanted, low), high)
      positions.set(partition, position)
      shown[partitionName(topic, partition)] = position
    }
    this.#positions = positions
    return shown
  }

  /** One Fetch round; resolves with what was read, by key. */
  async poll (): Promise<Record<string, Array<[number, number]>>> {
    if (this.#positions.size === 0) return {}
    const reads = await fetchPartitions(this.#client, this.#options.topic, this.#positions, { maxWaitMs: POLL_WAIT_MS })
    for (const read of reads) {
      if (read.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        throw new OutcomeError('info', `${errorName(read.errorCode)} on ${partitionName(this.#options.topic, read.partition)} at ${this.#positions.get(read.partition)}`)
      }
      if (read.errorCode !== ErrorCode.NONE) throw kafkaError(read.errorCode, `Fetch ${partitionName(this.#options.topic, read.partition)}`)
    }
    for (const read of reads) this.#positions.set(read.partition, read.next)
    return readsByKey(reads)
  }

  /** The offsets a commit now would write, by partition name; empty when nothing is assigned. */
  commitPlan (): Record<string, number> {
    const plan: Record<string, number> = {}
    for (const [partition, position] of this.#positions) plan[partitionName(this.#options.topic, partition)] = position
    return plan
  }

  async commit (): Promise<void> {
    await commitSimple(this.#client, this.#options.group, this.#options.topic, new Map(this.#positions))
  }

  close (): void {
    this.#positions = new Map()
    this.#client.close()
  }
}
