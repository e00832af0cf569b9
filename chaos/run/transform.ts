// The consume-transform-produce side of a chaos run: a group of processors (processor.ts)
// reading the input topic and writing the output topic, with crashes on a seeded schedule
// and successors started in their place. The input sends come from the ordinary workers;
// the topology (input key -> output key) is declared in the history by `transform` ops.
//
// Before the final polls the group must have caught up: drain() waits until the group's
// committed offset of every input partition reached the partition's end and no processor
// holds unprocessed records, bounded in time. In auto-commit mode committed offsets run
// ahead of processing, so a caught-up group can still be missing outputs: that is the
// anomaly the exactly-once checker must then report.

import { ListOffsetsTimestamp } from '../../broker/protocol/02-list-offsets.ts'
import { KafkaClient } from '../../broker/client/kafka-client.ts'
import type { HistoryWriter } from './interpreter.ts'
import { fetchCommitted } from './native-reads.ts'
import { Processor } from './processor.ts'
import type { ProcessorOptions } from './processor.ts'
import type { Prng } from './prng.ts'
import { sleep, withDeadline } from './sleep.ts'

/** How long a crash waits for its processor to have records in hand. */
export const CRASH_BUSY_WAIT_MS = 2000
const DRAIN_CHECK_MS = 250
/** A processor's join may wait out a rebalance (its rebalance timeout is 10 s). */
const PROCESSOR_START_TIMEOUT_MS = 20_000
const PROCESSORS_MAX = 64

export interface TransformOptions extends Omit<ProcessorOptions, 'onDeath'> {
  processors: number
  log?: (line: string) => void
}

export class TransformGroup {
  readonly #options: TransformOptions
  readonly #live = new Set<Processor>()
  readonly #starting = new Set<Promise<void>>()
  #stopped = false
  crashes = 0
  readonly deaths: string[] = []

  constructor (options: TransformOptions) {
    if (!Number.isInteger(options.processors) || options.processors < 1 || options.processors > PROCESSORS_MAX) {
      throw new RangeError(`processors must be 1..${PROCESSORS_MAX} (got ${options.processors})`)
    }
    this.#options = options
  }

  get history (): HistoryWriter {
    return this.#options.history
  }

  async start (): Promise<void> {
    await Promise.all(Array.from({ length: this.#options.processors }, () => this.#startOne()))
  }

  /** Starts one processor; a failed start is logged and retried later by the caller's crash cycle. */
  #startOne (): Promise<void> {
    const processor = new Processor(this.history.newProcess(), {
      ...this.#options,
      onDeath: (dead, reason) => {
        this.deaths.push(`process ${dead.process}: ${reason}`)
        this.#replace(dead, 0).catch((error: unknown) => { this.#options.log?.(`replacing processor ${dead.process}: ${(error as Error).message}`) })
      },
    })
    const started = (async () => {
      try {
        await withDeadline(processor.start(), PROCESSOR_START_TIMEOUT_MS, `starting processor ${processor.process}`)
        if (this.#stopped) await processor.close()
        else this.#live.add(processor)
      } catch (error) {
        this.#options.log?.(`processor ${processor.process} failed to start: ${(error as Error).message}`)
        await processor.close()
      }
    })()
    this.#starting.add(started)
    void started.finally(() => this.#starting.delete(started))
    return started
  }

  async #replace (processor: Processor, busyWaitMs: number): Promise<void> {
    if (!this.#live.delete(processor)) return
    await processor.crash(busyWaitMs)
    if (!this.#stopped) await this.#startOne()
  }

  /** Crashes one live processor chosen by `prng` (mid-batch when it can) and starts a successor. */
  async crashOne (prng: Prng): Promise<void> {
    const live = [...this.#live].sort((a, b) => a.process - b.process)
    if (live.length === 0) {
      if (!this.#stopped && this.#starting.size === 0) await this.#startOne()
      return
    }
    this.crashes++
    await this.#replace(prng.pick(live), CRASH_BUSY_WAIT_MS)
  }

  /** Keeps the group at full strength (processors that failed to start are tried again). */
  async topUp (): Promise<void> {
    while (!this.#stopped && this.#live.size + this.#starting.size < this.#options.processors) await this.#startOne()
  }

  /** Waits until the group committed every input record and nothing is in hand; false on timeout. */
  async drain (timeoutMs: number): Promise<boolean> {
    const o = this.#options
    const client = new KafkaClient({ bootstrap: o.bootstrap, clientId: 'sluice-transform-drain', requestTimeoutMs: 5000, connectTimeoutMs: 3000 })
    const partitions = Array.from({ length: o.partitions }, (_, p) => p)
    const deadline = Date.now() + timeoutMs
    try {
      while (Date.now() < deadline) {
        await this.topUp()
        try {
          const ends = await client.listOffsets(o.inputTopic, partitions, ListOffsetsTimestamp.latest)
          const committed = await fetchCommitted(client, o.group, o.inputTopic, partitions)
          const caughtUp = partitions.every(p => (committed.get(p) ?? -1) >= (ends.get(p) ?? 0) || (ends.get(p) ?? 0) === 0)
          const idle = [...this.#live].every(processor => processor.inHand === 0)
          if (caughtUp && idle) return true
        } catch (error) {
          o.log?.(`transform drain check: ${(error as Error).message}`)
        }
        await sleep(DRAIN_CHECK_MS)
      }
      return false
    } finally {
      client.close()
    }
  }

  async stop (): Promise<void> {
    this.#stopped = true
    await Promise.allSettled([...this.#starting])
    const live = [...this.#live]
    this.#live.clear()
    await Promise.allSettled(live.map(processor => processor.close()))
  }
}
