// Produce v3-8. Batches are checked in full (length, magic, CRC-32C, offset delta, size,
// every record, compressed ones decompressed) and appended as received, except that each
// header's maxTimestamp is set from its records (or to the append time under
// log.message.timestamp.type=LogAppendTime), as Kafka does. A partition whose batches fail
// gets CORRUPT_MESSAGE (or INVALID_RECORD / MESSAGE_TOO_LARGE) and the other partitions of
// the request still append. acks=0 gets no response at all. acks=all needs the topic's min.insync.replicas;
// a single node has one. Internal topics (__consumer_offsets) refuse client writes with
// INVALID_TOPIC_EXCEPTION, as Kafka does. With sluice.sink the broker acknowledges without
// validating or storing, so a benchmark measures its load generator alone.

import { ErrorCode, errorName } from '../../protocol/errors.ts'
import { Produce, type ProducePartitionResponse } from '../../protocol/00-produce.ts'
import { isCompressed, validateBatch, validatePlainBatch } from '../../protocol/batch-validation.ts'
import { splitBatches, BATCH_LOG_OVERHEAD_BYTES } from '../../protocol/record-batch.ts'
import { LogError } from '../../log/errors.ts'
import { INTERNAL_TOPICS, topicNameProblem } from '../broker.ts'
import { defineHandler, NO_RESPONSE, type HandlerContext } from '../handler.ts'
import { markParked } from '../request-parking.ts'


function failed (partitionIndex: number, errorCode: number, errorMessage: string | null): ProducePartitionResponse {
  return { partitionIndex, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage }
}

/**
 * Splits a partition's records into batches and validates each fully (header, CRC, every
 * record, decompressing when needed), fixing each header's maxTimestamp on the way; returns
 * the batches or the error to answer. `logAppendTimeMs` is the append time under
 * LogAppendTime, else null.
 */
export async function validateRecords (records: Buffer | null, batchBytesMax: number, logAppendTimeMs: number | null): Promise<Buffer[] | { errorCode: number, message: string }> {
  if (records === null || records.length === 0) return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: 'no records' }
  const batches = splitBatches(records)
  const options = { fromClient: true, logAppendTimeMs }
  let bytes = 0
  for (const batch of batches) {
    bytes += batch.length
    if (batch.length > batchBytesMax) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `batch of ${batch.length} bytes exceeds max.message.bytes (${batchBytesMax})` }
    // Uncompressed batches, the common case, skip the promise.
    const check = isCompressed(batch) ? await validateBatch(batch, options) : validatePlainBatch(batch, options)
    if (check.errorCode !== ErrorCode.NONE) return { errorCode: check.errorCode, message: check.reason }
  }
  if (bytes !== records.length) {
    const tail = records.length - bytes
    return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `${tail} trailing bytes do not form a whole batch (a batch header is ${BATCH_LOG_OVERHEAD_BYTES}+ bytes)` }
  }
  return batches
}

// Appends happen synchronously in request order (offsets are assigned at the call), so one
// producer's batches keep their order within a partition. A full append queue never fails
// or delays a batch: it pauses reading from this connection until the queue drains.
async function producePartition (ctx: HandlerContext, topic: string, partitionIndex: number, records: Buffer | null, acks: number, timeoutMs: number): Promise<ProducePartitionResponse> {
  const { broker, connection } = ctx
  // Checked first so that no error path below quotes a name that is not a valid topic name.
  const nameProblem = topicNameProblem(topic)
  if (nameProblem !== null) return failed(partitionIndex, ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem)
  if (INTERNAL_TOPICS.has(topic)) return failed(partitionIndex, ErrorCode.INVALID_TOPIC_EXCEPTION, `${topic} is internal: only the broker writes to it`)
  const lookup = broker.leaderLog(topic, partitionIndex)
  if (lookup.errorCode !== undefined) return failed(partitionIndex, lookup.errorCode, lookup.message)
  const { log, leaderEpoch, isr } = lookup
  const settings = broker.topicSettings(topic)
  // The debug key sluice.debug.replication.ignore.min.isr skips this on purpose (historical bug 3).
  if (acks === -1 && settings.minInsyncReplicas > isr.length && !broker.debug.ignoreMinIsr) {
    return failed(partitionIndex, ErrorCode.NOT_ENOUGH_REPLICAS, `min.insync.replicas is ${settings.minInsyncReplicas}, this partition has ${isr.length} in-sync replica${isr.length === 1 ? '' : 's'}`)
  }
  if (broker.sink) return { partitionIndex, errorCode: ErrorCode.NONE, baseOffset: broker.sinkAppend(topic, partitionIndex, records), logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null }
  const logAppendTimeMs = broker.logAppendTimeMs(topic)
  const batches = await validateRecords(records, settings.maxMessageBytes, logAppendTimeMs)
  if (!Array.isArray(batches)) return failed(partitionIndex, batches.errorCode, batches.message)
  try {
    const appended = log.append(batches, leaderEpoch)
    // Backpressure: a partition whose write queue is over its bound stops this connection's
    // reads until it drains; the write itself is never refused or reordered.
    if (!log.canAccept()) connection.pauseUntil(log.whenWritable())
    const { baseOffset, lastOffset } = await appended
    if (acks === -1 && broker.replicas !== null) {
      // acks=all in a cluster: parked until the high watermark passes the batch (RequestMetrics' remote time).
      markParked(ctx.timing)
      const errorCode = await broker.replicas.waitForAcks(topic, partitionIndex, lastOffset + 1, timeoutMs)
      if (errorCode !== ErrorCode.NONE) return failed(partitionIndex, errorCode, `acks=all: ${errorName(errorCode)} waiting for the in-sync replicas to reach offset ${lastOffset}`)
    }
    return { partitionIndex, errorCode: ErrorCode.NONE, baseOffset, logAppendTimeMs: logAppendTimeMs ?? -1, logStartOffset: log.logStartOffset, recordErrors: [], errorMessage: null }
  } catch (err) {
    if (err instanceof LogError) return failed(partitionIndex, err.errorCode, err.message)
    throw err
  }
}

export const produceHandler = defineHandler(Produce, async (ctx, request) => {
  const { acks } = request
  const validAcks = acks === -1 || acks === 0 || acks === 1
  const topics = await Promise.all(request.topics.map(async t => ({
    name: t.name,
    partitions: await Promise.all(t.partitions.map(p => validAcks
      ? producePartition(ctx, t.name, p.partitionIndex, p.records, acks, request.timeoutMs)
      : failed(p.partitionIndex, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1 (got ${acks})`))),
  })))
  // Every append succeeded, so every write of the request's batches is done and nothing
  // reads its bytes again: the connection may lend the frame's memory anew. After any
  // error (a log going offline fails appends whose write may still be running) it may not.
  if (ctx.frame !== undefined && topics.every(t => t.partitions.every(p => p.errorCode === ErrorCode.NONE))) ctx.frame.reusable = true
  if (acks === 0) return NO_RESPONSE
  return { topics, throttleTimeMs: 0 }
})
