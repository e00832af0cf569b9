// Turns what the metadata log says about this node into local logs (Kafka's
// ReplicaManager.applyDelta, the part that opens and deletes logs): a partition assigned
// here gets a log, a deleted topic's logs go. Leading and following are read from the
// image on every request, so nothing else changes here. Work is done one change at a time
// in log order; a failure is logged and leaves the partition without a log, which
// requests see as NOT_LEADER_OR_FOLLOWER, never as a crash.
//
// Topic config overrides (ConfigRecords) are copied into the local logs whenever they
// differ, so retention and segment settings follow AlterConfigs on every replica.
//
// The log manager keeps whole topics, so a node hosting any replica of a topic opens every
// partition of it; the cluster view still decides which of them it serves.

import type { LogManager } from '../../log/log-manager.ts'
import type { MetadataImage } from '../image.ts'
import type { LocalChanges } from '../local-changes.ts'
import { ConfigResourceType } from '../records.ts'

export class ReplicaHost {
  readonly #logs: LogManager
  readonly #log: (line: string) => void
  #chain: Promise<void> = Promise.resolve()

  constructor (logs: LogManager, log: (line: string) => void) {
    this.#logs = logs
    this.#log = log
  }

  /** Opens and deletes logs as `changes` say, then calls `then` (in order with every other change). */
  apply (changes: LocalChanges, image: MetadataImage, then: () => void = () => {}): void {
    const hosted = new Set([...changes.leaders, ...changes.followers].filter(c => c.isNew).map(c => c.topicName))
    const deleted = new Set(changes.removed.filter(r => r.topicDeleted).map(r => r.topicName))
    this.#chain = this.#chain.then(async () => {
      for (const name of deleted) await this.#run(`deleting topic ${name}`, () => this.#delete(name))
      for (const name of hosted) await this.#run(`opening ${name}`, () => this.#ensure(name, image))
      await this.#run('applying topic configs', () => this.#syncConfigs(image))
      await this.#run('applying replica roles', async () => { then() })
    })
  }

  /** Resolves when every change handed in so far is done. */
  settled (): Promise<void> {
    return this.#chain
  }

  async #run (what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (err) {
      this.#log(`metadata: ${what} failed: ${(err as Error).message}`)
    }
  }

  async #ensure (name: string, image: MetadataImage): Promise<void> {
    const count = image.topicByName(name)?.partitions.length
    if (count === undefined) return
    const local = this.#logs.topics().get(name)
    if (local === undefined) {
      const configs = image.config(ConfigResourceType.TOPIC, name)
      await this.#logs.createTopic(name, count, Object.fromEntries(configs ?? []))
    } else if (local < count) {
      await this.#logs.addPartitions(name, count)
    }
  }

  async #syncConfigs (image: MetadataImage): Promise<void> {
    for (const name of this.#logs.topics().keys()) {
      if (image.topicByName(name) === undefined) continue
      const wanted = image.config(ConfigResourceType.TOPIC, name) ?? new Map<string, string>()
      const local = this.#logs.topicConfigs.get(name)
      const same = Object.keys(local).length === wanted.size && [...wanted].every(([key, value]) => local[key] === value)
      if (!same) await this.#logs.setTopicConfig(name, Object.fromEntries(wanted))
    }
  }

  async #delete (name: string): Promise<void> {
    if (this.#logs.hasTopic(name)) await this.#logs.deleteTopic(name)
  }
}
