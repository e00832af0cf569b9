// The final phase: once every fault is healed, fresh processes read every partition of every
// topic from the beginning to its end, recorded as polls with `final: true`. That is what
// lets the checkers decide `unseen` (acknowledged, never read) and the missing outputs of
// exactly-once. One process per partition: an `assign` op, then polls from offset 0, each a
// contiguous stretch, until the position reaches the partition's end, re-checked once more so
// writes that landed meanwhile are read too. Bounded by `timeoutMs` for the whole phase;
// partitions not read completely are reported, and the verdict notes the run as incomplete.

import { ListOffsetsTimestamp } from '../../broker/protocol/02-list-offsets.ts'
import { ErrorCode, errorName } from '../../broker/protocol/errors.ts'
import { KafkaClient } from '../../broker/client/kafka-client.ts'
import type { HistoryWriter } from './interpreter.ts'
import { fetchPartitions, readsByKey } from './native-reads.ts'
import { sleep } from './sleep.ts'
import { partitionName } from './topology.ts'
import type { TopicSpec } from './topology.ts'

const FINAL_POLL_WAIT_MS = 50
const RETRY_DELAY_MS = 200
/** Bound on polls per partition, against a log that never stops growing. */
const POLLS_PER_PARTITION_MAX = 100_000

export interface FinalPollResult {
  /** Partition names read to their end. */
  complete: string[]
  /** Partition names the phase ran out of time on, with the last error seen. */
  incomplete: Array<{ partition: string, reason: string }>
  polls: number
}

async function readPartition (client: KafkaClient, history: HistoryWriter, topic: string, partition: number, deadline: number): Promise<{ polls: number, reason: string | null }> {
  const process = history.newProcess()
  history.invoke(process, 'assign', { topic, partitions: [partition] }, { final: true })
  history.complete(process, 'ok', { topic, partitions: [partition], positions: { [partitionName(topic, partition)]: 0 } })
  let position = 0
  let polls = 0
  let endChecks = 0
  let reason: string | null = null
  while (Date.now() < deadline && polls < POLLS_PER_PARTITION_MAX) {
    try {
      const end = (await client.listOffsets(topic, [partition], ListOffsetsTimestamp.latest)).get(partition) ?? 0
      if (position >= end) {
        // Reached the end twice in a row: nothing more will come.
        if (++endChecks >= 2) {
          // An empty partition was still read to its end: that observation is what lets the
          // checkers call every value acknowledged into it unseen (a crash can empty a log).
          if (polls === 0) {
            history.invoke(process, 'poll', [['poll']], { final: true })
            history.complete(process, 'ok', [['poll', {}]])
            polls++
          }
          return { polls, reason: null }
        }
        await sleep(RETRY_DELAY_MS)
        continue
      }
      endChecks = 0
      history.invoke(process, 'poll', [['poll']], { final: true })
      polls++
      try {
        const [read] = await fetchPartitions(client, topic, new Map([[partition, position]]), { maxWaitMs: FINAL_POLL_WAIT_MS })
        if (read === undefined || read.errorCode !== ErrorCode.NONE) {
          throw new Error(read === undefined ? 'no answer for the partition' : errorName(read.errorCode))
        }
        position = read.next
        history.complete(process, 'ok', [['poll', readsByKey([read])]])
      } catch (error) {
        // Reading changes nothing and the position moves only on success: a failed poll is `fail`.
        history.complete(process, 'fail', [['poll']])
        throw error
      }
    } catch (error) {
      reason = (error as Error).message
      await sleep(RETRY_DELAY_MS)
    }
  }
  return { polls, reason: reason ?? 'out of time' }
}

export async function runFinalPolls (options: { bootstrap: readonly string[], topics: readonly TopicSpec[], history: HistoryWriter, timeoutMs: number }): Promise<FinalPollResult> {
  const client = new KafkaClient({ bootstrap: options.bootstrap, clientId: 'sluice-chaos-final', requestTimeoutMs: 5000, connectTimeoutMs: 3000 })
  const deadline = Date.now() + options.timeoutMs
  const result: FinalPollResult = { complete: [], incomplete: [], polls: 0 }
  try {
    for (const topic of options.topics) {
      for (let partition = 0; partition < topic.partitions; partition++) {
        const name = partitionName(topic.name, partition)
        const { polls, reason } = await readPartition(client, options.history, topic.name, partition, deadline)
        result.polls += polls
        if (reason === null) result.complete.push(name)
        else result.incomplete.push({ partition: name, reason })
      }
    }
  } finally {
    client.close()
  }
  return result
}
