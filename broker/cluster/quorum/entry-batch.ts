// How a metadata-log entry sits in the `__cluster_metadata-0` partition: one entry is one
// record batch holding one record, at the entry's offset, with partitionLeaderEpoch = the
// entry's epoch (so the partition log's leader-epoch-checkpoint is the quorum's epoch cache).
//
//   data          an ordinary batch; the record's value is the entry's bytes, key null.
//   leaderChange  a control batch (attribute bit 5) whose record key is the control record
//                 key (version int16 0, type int16 2 = LEADER_CHANGE) and whose value is a
//                 LeaderChangeMessage. The core appends these with empty data and knows no
//                 voters, so an empty entry is written as LeaderChangeMessage v0 with
//                 leaderId -1 and no voters, and that exact value reads back as empty data;
//                 any other value is carried as the entry's data unchanged.
//
// Kafka-shaped, not Kafka-complete: one record per batch keeps offset == entry, which is what
// the core's synchronous reads need; Kafka batches several records per batch.

import {
  BATCH_OFFSET_LEADER_EPOCH, BATCH_OFFSET_RECORDS_COUNT, batchBaseOffset, decodeRecordBatch, encodeRecordBatch, isControlBatch, patchBatchHeader,
} from '../../protocol/record-batch.ts'
import type { Entry } from '../raft/types.ts'
import { LEADER_CHANGE_KEY, leaderChangeBatch } from './entry-batches.ts'

/**
 * LeaderChangeMessage, value version int16 0, flexible: LeaderId int32 -1, Voters and
 * GrantingVoters as empty compact arrays (uvarint 1 each), no tagged fields (uvarint 0).
 */
export const EMPTY_LEADER_CHANGE_VALUE = Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff, 1, 1, 0])

/** The record batch for one entry, ready for PartitionLog.appendAsFollower. */
export function encodeEntry (entry: Entry): Buffer {
  const data = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength)
  if (entry.kind === 'data') {
    const batch = encodeRecordBatch({ records: [{ key: null, value: data }] })
    patchBatchHeader(batch, entry.offset, entry.epoch)
    return batch
  }
  return leaderChangeBatch(data.length === 0 ? EMPTY_LEADER_CHANGE_VALUE : data, entry.offset, entry.epoch)
}

/** The entry a batch written by encodeEntry holds; throws a RangeError naming what is wrong otherwise. */
export function decodeEntry (batch: Buffer): Entry {
  const offset = batchBaseOffset(batch)
  const count = batch.readInt32BE(BATCH_OFFSET_RECORDS_COUNT)
  if (count !== 1) throw new RangeError(`metadata batch at ${offset} holds ${count} records, expected 1`)
  const epoch = batch.readInt32BE(BATCH_OFFSET_LEADER_EPOCH)
  const record = decodeRecordBatch(batch)[0]!
  const value = record.value ?? Buffer.alloc(0)
  if (!isControlBatch(batch)) return { offset, epoch, kind: 'data', data: new Uint8Array(value) }
  if (record.key === null || !record.key.equals(LEADER_CHANGE_KEY)) {
    throw new RangeError(`metadata control batch at ${offset} has key ${record.key?.toString('hex') ?? 'null'}, expected a LEADER_CHANGE key`)
  }
  const data = value.equals(EMPTY_LEADER_CHANGE_VALUE) ? new Uint8Array(0) : new Uint8Array(value)
  return { offset, epoch, kind: 'leaderChange', data }
}
