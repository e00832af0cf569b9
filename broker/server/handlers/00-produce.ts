// Produce v3-8. Batches are checked in full (length, magic, CRC-32C, offset delta, size,
// every record, compressed ones decompressed) and appended as received, except that each
// header's maxTimestamp is set from its records (or to the append time under
// log.message.timestamp.type=LogAppendTime), as Kafka does. A partition whose batches fail
// gets CORRUPT_MESSAGE (or INVALID_RECORD / MESSAGE_TOO_LARGE) and the other partitions of
// the request still append. acks=0 gets no response at all. acks=all needs min.insync.replicas replicas;
// a single node has one. Internal topics (__consumer_offsets) refuse client writes with
// INVALID_TOPIC_EXCEPTION, as Kafka does. With sluice.sink the broker acknowledges without
// validating or storing, so a benchmark measures its load generator alone.

import { ErrorCode } from '../../protocol/errors.ts'
import { Produce, type ProducePartitionResponse } from '../../protocol/00-produce.ts'
import { isCompressed, validateBatch, validatePlainBatch } from '../../protocol/batch-validation.ts'
import { splitBatches, BATCH_LOG_OVERHEAD_BYTES } from '../../protocol/record-batch.ts'
import { LogError } from '../../log/errors.ts'
import { INTERNAL_TOPICS, LEADER_EPOCH, type Broker } from '../broker.ts'
import { defineHandler, NO_RESPONSE } from '../handler.ts'

const REPLICAS_IN_SYNC = 1

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
    if (batch.length > batchBytesMax) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `batch of ${batch.length} bytes exceeds message.max.bytes (${batchBytesMax})` }
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

async function producePartition (broker: Broker, topic: string, partitionIndex: number, records: Buffer | null, acks: number): Promise<ProducePartitionResponse> {
  if (INTERNAL_TOPICS.has(topic)) return failed(partitionIndex, ErrorCode.INVALID_TOPIC_EXCEPTION, `${topic} is internal: only the broker writes to it`)
  const log = broker.partition(topic, partitionIndex)
  if (log === undefined) return failed(partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${topic}-${partitionIndex}`)
  if (acks === -1 && broker.config.int('min.insync.replicas') > REPLICAS_IN_SYNC) {
    return failed(partitionIndex, ErrorCode.NOT_ENOUGH_REPLICAS, `min.insync.replicas is ${broker.config.int('min.insync.replicas')}, this partition has ${REPLICAS_IN_SYNC} in-sync replica`)
  }
  if (broker.sink) return { partitionIndex, errorCode: ErrorCode.NONE, baseOffset: broker.sinkAppend(topic, partitionIndex, records), logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null }
  const logAppendTimeMs = broker.logAppendTimeMs(topic)
  const batches = await validateRecords(records, broker.config.int('message.max.bytes'), logAppendTimeMs)
  if (!Array.isArray(batches)) return failed(partitionIndex, batches.errorCode, batches.message)
  try {
    // Backpressure: a partition whose write queue is full makes the producer wait here.
    if (!log.canAccept()) await log.whenWritable()
    const { baseOffset } = await log.append(batches, LEADER_EPOCH)
    return { partitionIndex, errorCode: ErrorCode.NONE, baseOffset, logAppendTimeMs: logAppendTimeMs ?? -1, logStartOffset: log.logStartOffset, recordErrors: [], errorMessage: null }
  } catch (err) {
    if (err instanceof LogError) return failed(partitionIndex, err.errorCode, err.message)
    throw err
  }
}

export const produceHandler = defineHandler(Produce, async ({ broker }, request) => {
  const { acks } = request
  const validAcks = acks === -1 || acks === 0 || acks === 1
  const topics = await Promise.all(request.topics.map(async t => ({
    name: t.name,
    partitions: await Promise.all(t.partitions.map(p => validAcks
      ? producePartition(broker, t.name, p.partitionIndex, p.records, acks)
      : failed(p.partitionIndex, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1 (got ${acks})`))),
  })))
  if (acks === 0) return NO_RESPONSE
  return { topics, throttleTimeMs: 0 }
})
