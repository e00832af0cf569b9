// Fetch v4-11. Whole batches are served from the segment files as raw bytes (no record
// decoding), up to partition_max_bytes per partition and max_bytes in all (itself capped
// by the broker's fetch.max.bytes). Only the first batch of the first partition that has
// data may exceed those limits, so a consumer can never stall on a big batch (KIP-74); a
// later partition whose next batch does not fit what is left gets no records this time.
// With fewer than min_bytes available the request parks until data arrives, max_wait_ms
// passes or its connection closes. Every fetch is a full fetch: session_id is always 0.
// last_stable_offset = high watermark until transactions exist. In a cluster a consumer
// (replica_id -1) reads only below the replicated high watermark; a follower (replica_id =
// its broker id) reads to the leader's log end, and its fetch offset is its log end for the
// leader's HW and ISR bookkeeping. Two debug keys re-create historical bugs on purpose
// (broker/config/debug-keys.ts): consumers reading to the log end, and follower fetches
// served whatever their current_leader_epoch.

import { ErrorCode } from '../../protocol/errors.ts'
import { Fetch, type FetchPartitionResponse, type FetchRequest, type FetchResponse } from '../../protocol/01-fetch.ts'
import { LogError } from '../../log/errors.ts'
import { BATCH_LOG_OVERHEAD_BYTES, batchSizeAt, readInt64 } from '../../protocol/record-batch.ts'
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

/** The batches of `buffers` that start below `endOffset` (reads are whole batches; the HW falls between them). */
function batchesBelow (buffers: readonly Buffer[], endOffset: number): { buffers: Buffer[], bytes: number } {
  const out: Buffer[] = []
  let bytes = 0
  for (const buffer of buffers) {
    let position = 0
    while (position + BATCH_LOG_OVERHEAD_BYTES <= buffer.length && readInt64(buffer, position) < endOffset) {
      position += batchSizeAt(buffer, position)
    }
    const kept = position >= buffer.length ? buffer : buffer.subarray(0, position)
    if (kept.length > 0) {
      out.push(kept)
      bytes += kept.length
    }
    if (position < buffer.length) break
  }
  return { buffers: out, bytes }
}

interface Visible {
  /** Read up to here: the replicated HW for consumers, the local log end for followers. */
  endOffset: number
  /** What the response reports as the partition's high watermark. */
  highWatermark: number
  errorCode: number
}

/** What one partition's fetcher may see: followers read to the log end and report their offset to the leader. */
function visibleTo (broker: Broker, request: FetchRequest, topic: string, partition: number, fetchOffset: number, log: PartitionLog): Visible {
  const replicas = broker.replicas
  if (replicas === null) return { endOffset: log.highWatermark, highWatermark: log.highWatermark, errorCode: ErrorCode.NONE }
  const highWatermark = replicas.highWatermark(topic, partition) ?? 0
  if (request.replicaId < 0) {
    // Historical bug 5, on purpose only: a consumer reads (and is told the HW is) the leader's log end.
    if (broker.debug.consumerReadsLogEnd) return { endOffset: log.highWatermark, highWatermark: log.highWatermark, errorCode: ErrorCode.NONE }
    return { endOffset: highWatermark, highWatermark, errorCode: ErrorCode.NONE }
  }
  const errorCode = replicas.onFollowerFetch(topic, partition, request.replicaId, fetchOffset)
  return { endOffset: log.highWatermark, highWatermark: replicas.highWatermark(topic, partition) ?? highWatermark, errorCode }
}

async function readOnce (broker: Broker, request: FetchRequest): Promise<ReadResult> {
  let bytesLeft = Math.min(request.maxBytes, broker.config.int('fetch.max.bytes'))
  let bytes = 0
  let hasError = false
  const topics = []
  for (const t of request.topics) {
    const partitions: FetchPartitionResponse[] = []
    for (const p of t.partitions) {
      const lookup = broker.leaderLog(t.name, p.partitionIndex, broker.followerLeaderEpoch(request.replicaId, p.currentLeaderEpoch))
      const visible = lookup.errorCode === undefined ? visibleTo(broker, request, t.name, p.partitionIndex, p.fetchOffset, lookup.log) : null
      if (lookup.errorCode !== undefined || visible!.errorCode !== ErrorCode.NONE) {
        hasError = true
        partitions.push(emptyPartition(p.partitionIndex, lookup.errorCode ?? visible!.errorCode))
        continue
      }
      const { log } = lookup
      const { endOffset, highWatermark } = visible!
      const base = emptyPartition(p.partitionIndex, ErrorCode.NONE, highWatermark, log.logStartOffset)
      const isFirstData = bytes === 0
      const limitBytes = Math.min(p.partitionMaxBytes, bytesLeft)
      // Between the HW and the log end a consumer gets nothing yet (not out of range).
      if ((limitBytes <= 0 && !isFirstData) || (p.fetchOffset >= endOffset && p.fetchOffset <= log.highWatermark)) {
        partitions.push(base)
        continue
      }
      try {
        // Pooled memory: the connection takes it back after the response's socket write.
        const whole = await log.read(p.fetchOffset, Math.max(limitBytes, 0), broker.bufferPool.acquire)
        const read = endOffset < log.highWatermark ? batchesBelow(whole.buffers, endOffset) : whole
        // The log always returns one whole batch; past the first data that batch must fit.
        if (!isFirstData && read.bytes > limitBytes) {
          partitions.push(base)
          continue
        }
        bytes += read.bytes
        bytesLeft -= read.bytes
        partitions.push({ ...base, records: read.buffers.length > 0 ? read.buffers : NO_RECORDS })
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
