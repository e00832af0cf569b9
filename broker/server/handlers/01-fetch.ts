// Fetch v4-11. Whole batches are served from the segment files as raw bytes (no record
// decoding), up to partition_max_bytes per partition and max_bytes in all (itself capped
// by the broker's fetch.max.bytes). Only the first batch of the first partition that has
// data may exceed those limits, so a consumer can never stall on a big batch (KIP-74); a
// later partition whose next batch does not fit what is left gets no records this time.
// With fewer than min_bytes available the request parks until data arrives, max_wait_ms
// passes or its connection closes. Every fetch is a full fetch: session_id is always 0.
// last_stable_offset = high watermark until transactions exist.

import { ErrorCode } from '../../protocol/errors.ts'
import { Fetch, type FetchPartitionResponse, type FetchRequest, type FetchResponse } from '../../protocol/01-fetch.ts'
import { LogError } from '../../log/errors.ts'
import type { PartitionLog } from '../../log/partition-log.ts'
import type { Broker } from '../broker.ts'
import { defineHandler } from '../handler.ts'

// Kafka answers "no data" with an empty record set, never null: librdkafka rejects a null
// one (MessageSetSize -1) as a protocol error and backs off instead of reaching EOF.
const NO_RECORDS = Buffer.alloc(0)

interface ReadResult {
  response: FetchResponse
  bytes: number
  hasError: boolean
}

function emptyPartition (partitionIndex: number, errorCode: number, highWatermark = -1, logStartOffset = -1): FetchPartitionResponse {
  return { partitionIndex, errorCode, highWatermark, lastStableOffset: highWatermark, logStartOffset, abortedTransactions: null, preferredReadReplica: -1, records: NO_RECORDS }
}

async function readOnce (broker: Broker, request: FetchRequest): Promise<ReadResult> {
  let bytesLeft = Math.min(request.maxBytes, broker.config.int('fetch.max.bytes'))
  let bytes = 0
  let hasError = false
  const topics = []
  for (const t of request.topics) {
    const partitions: FetchPartitionResponse[] = []
    for (const p of t.partitions) {
      const lookup = broker.leaderLog(t.name, p.partitionIndex, p.currentLeaderEpoch)
      if (lookup.errorCode !== undefined) {
        hasError = true
        partitions.push(emptyPartition(p.partitionIndex, lookup.errorCode))
        continue
      }
      const { log } = lookup
      const base = emptyPartition(p.partitionIndex, ErrorCode.NONE, log.highWatermark, log.logStartOffset)
      const isFirstData = bytes === 0
      const limitBytes = Math.min(p.partitionMaxBytes, bytesLeft)
      if ((limitBytes <= 0 && !isFirstData) || p.fetchOffset === log.highWatermark) {
        partitions.push(base)
        continue
      }
      try {
        const read = await log.read(p.fetchOffset, Math.max(limitBytes, 0))
        // The log always returns one whole batch; past the first data that batch must fit.
        if (!isFirstData && read.bytes > limitBytes) {
          partitions.push({ ...base, highWatermark: log.highWatermark, lastStableOffset: log.highWatermark })
          continue
        }
        bytes += read.bytes
        bytesLeft -= read.bytes
        partitions.push({ ...base, highWatermark: log.highWatermark, lastStableOffset: log.highWatermark, records: read.buffers.length > 0 ? read.buffers : NO_RECORDS })
      } catch (err) {
        if (!(err instanceof LogError)) throw err
        hasError = true
        partitions.push({ ...base, errorCode: err.errorCode })
      }
    }
    topics.push({ name: t.name, partitions })
  }
  return { response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, topics }, bytes, hasError }
}

export const fetchHandler = defineHandler(Fetch, async ({ broker, connection }, request) => {
  const deadline = Date.now() + request.maxWaitMs
  const watched = request.topics.flatMap(t => t.partitions.map(p => broker.partition(t.name, p.partitionIndex)))
    .filter((log): log is PartitionLog => log !== undefined)
  for (;;) {
    const result = await readOnce(broker, request)
    const waitMs = deadline - Date.now()
    if (result.bytes >= request.minBytes || result.hasError || waitMs <= 0 || watched.length === 0) return result.response
    const advanced = await broker.fetchWaiters.wait(watched, waitMs, connection.signal)
    // A closed connection will never see the answer: do not read again for it.
    if (connection.signal.aborted) return result.response
    if (!advanced) return (await readOnce(broker, request)).response
  }
})
