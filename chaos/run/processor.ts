// One consume-transform-produce processor: a kafkajs group consumer on the input topic and a
// kafkajs producer on the output topic. For every input record (key K, value v) it writes
// (key "out-K", value v) to the output topic and commits the input offsets, in one of two
// orders:
//
// - after-produce: produce every output of a batch, then commit the batch's end
//   offset. A crash between the two re-processes the batch: outputs may repeat
//   (at-least-once), but none is ever missing.
// - auto-commit: commit the batch's end offset as soon as the batch arrives, then process
//   it (what enable.auto.commit does when records are handed to another thread). A crash
//   mid-batch loses the rest of the batch for good: missing outputs, the seeded
//   exactly-once failure.
//
// Each record takes `processingMs` to "process", so batches are in hand for a while and a
// crash can land mid-batch. Commits are recorded as `commit` ops of this processor's
// process; a crash as a `crash` op. Output sends are not recorded as sends (history.ts:
// the transformer's own sends are not `send` ops).

import type { Consumer, EachBatchPayload, Producer } from 'kafkajs'
import type { HistoryWriter } from './interpreter.ts'
import { classifyError } from './outcome.ts'
import { chaosKafka, RETRIES_MAX } from './producer.ts'
import { sleep, withDeadline } from './sleep.ts'
import { keyPartition, outputKeyFor, parseValue, partitionName } from './topology.ts'
import type { Acks } from '../../broker/client/kafka-client.ts'
import type { CommitMode } from '../spec.ts'

export interface ProcessorOptions {
  bootstrap: readonly string[]
  inputTopic: string
  outputTopic: string
  partitions: number
  group: string
  mode: CommitMode
  processingMs: number
  opTimeoutMs: number
  acks: Acks
  retries: number
  history: HistoryWriter
  /** Called when the processor dies on its own (a failed produce or an unknown commit). */
  onDeath: (processor: Processor, reason: string) => void
}

const CLOSE_TIMEOUT_MS = 3000

export class Processor {
  readonly process: number
  readonly #options: ProcessorOptions
  readonly #consumer: Consumer
  readonly #producer: Producer
  /** Input records fetched and not yet written out. */
  inHand = 0
  #dead = false
  #crashed: Promise<void> | null = null
  #opInFlight: Promise<unknown> = Promise.resolve()

  constructor (process: number, options: ProcessorOptions) {
    this.process = process
    this.#options = options
    const kafka = chaosKafka({ bootstrap: options.bootstrap, clientId: `sluice-processor-p${process}`, opTimeoutMs: options.opTimeoutMs, retries: options.retries })
    this.#consumer = kafka.consumer({ groupId: options.group, sessionTimeout: 6000, rebalanceTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 100, allowAutoTopicCreation: false })
    this.#producer = kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: Math.min(options.retries, RETRIES_MAX), initialRetryTime: 100, maxRetryTime: 1000 } })
  }

  get dead (): boolean {
    return this.#dead
  }

  async start (): Promise<void> {
    await this.#producer.connect()
    await this.#consumer.connect()
    await this.#consumer.subscribe({ topics: [this.#options.inputTopic], fromBeginning: true })
    await this.#consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: payload => this.#onBatch(payload) })
  }

  async #onBatch ({ batch, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (this.#dead || batch.messages.length === 0) return
    const o = this.#options
    const end = Number(batch.lastOffset()) + 1
    const commit = (): Promise<boolean> => this.#commit(batch.partition, end, commitOffsetsIfNecessary)
    this.inHand = batch.messages.length
    try {
      if (o.mode === 'auto-commit' && !(await commit())) return
      for (const message of batch.messages) {
        if (this.#dead) return
        await sleep(o.processingMs)
        if (this.#dead) return
        const value = parseValue(message.value)
        if (message.key !== null && value !== null) await this.#produce(outputKeyFor(message.key.toString('utf8')), value)
        this.inHand--
      }
      if (o.mode === 'after-produce') await commit()
    } finally {
      this.inHand = 0
    }
  }

  async #produce (key: string, value: number): Promise<void> {
    const o = this.#options
    try {
      await this.#producer.send({ topic: o.outputTopic, acks: o.acks, timeout: o.opTimeoutMs, messages: [{ key, value: String(value), partition: keyPartition(key, o.partitions) }] })
    } catch (error) {
      // Without its output written the processor cannot go on: it dies, and the group hands
      // its partitions to a successor that resumes from the committed offset.
      this.#die(`output produce failed: ${(error as Error).message}`)
      throw error
    }
  }

  /** Commits `offset` for `partition`; recorded as a commit op. True when it succeeded. */
  async #commit (partition: number, offset: number, commitOffsets: EachBatchPayload['commitOffsetsIfNecessary']): Promise<boolean> {
    const o = this.#options
    // A crashing processor commits nothing more (and must not start an op its crash op would overlap).
    if (this.#dead) return false
    const value = { group: o.group, offsets: { [partitionName(o.inputTopic, partition)]: offset } }
    o.history.invoke(this.process, 'commit', value)
    const attempt = withDeadline(commitOffsets({ topics: [{ topic: o.inputTopic, partitions: [{ partition, offset: String(offset) }] }] }), o.opTimeoutMs, 'processor commit')
    this.#opInFlight = attempt.catch(() => {})
    try {
      await attempt
      o.history.complete(this.process, 'ok', value)
      return true
    } catch (error) {
      const { type, reason } = classifyError(error, 'commit', { clientRetries: 0 })
      o.history.complete(this.process, type, { ...value, error: reason })
      if (type === 'info') this.#die(`commit outcome unknown: ${reason}`)
      return false
    }
  }

  #die (reason: string): void {
    if (this.#dead) return
    this.#dead = true
    this.#options.onDeath(this, reason)
  }

  /**
   * Crashes the processor: it stops processing at once (after waiting up to `busyWaitMs` for
   * a batch to be in hand, so the crash lands mid-work), then its clients are torn down.
   */
  crash (busyWaitMs: number): Promise<void> {
    this.#crashed ??= this.#crash(busyWaitMs)
    return this.#crashed
  }

  async #crash (busyWaitMs: number): Promise<void> {
    const deadline = Date.now() + busyWaitMs
    while (this.inHand === 0 && Date.now() < deadline && !this.#dead) await sleep(10)
    this.#dead = true
    const inHand = this.inHand
    await this.#opInFlight
    const history = this.#options.history
    history.invoke(this.process, 'crash', null)
    await this.close()
    history.complete(this.process, 'info', { reason: 'processor crashed', inHand })
  }

  async close (): Promise<void> {
    this.#dead = true
    await Promise.allSettled([
      withDeadline(this.#consumer.disconnect(), CLOSE_TIMEOUT_MS, 'processor consumer disconnect'),
      withDeadline(this.#producer.disconnect(), CLOSE_TIMEOUT_MS, 'processor producer disconnect'),
    ])
  }
}
