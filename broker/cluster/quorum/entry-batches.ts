// Metadata-log entries as Kafka record batches, the form Fetch carries them in (and the
// form `__cluster_metadata-0` stores them in Kafka): a run of data entries of one epoch is
// one uncompressed batch whose partitionLeaderEpoch is that epoch, one record per entry
// with the serialised metadata record as value; a `leaderChange` entry is a control batch
// (attribute bit 5) of one record, key = control type 2, value = LeaderChangeMessage v0.

import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_CRC, BATCH_OFFSET_LEADER_EPOCH, batchCrc, checkBatch, decodeRecordBatch, encodeRecordBatch, isControlBatch, patchBatchHeader, splitBatches } from '../../protocol/record-batch.ts'
import { Writer } from '../../protocol/writer.ts'
import type { Entry, NodeId } from '../raft/types.ts'

export const CONTROL_TYPE_LEADER_CHANGE = 2

/** What a LeaderChangeMessage says; Entry does not carry it, so the sender fills it in. */
export interface LeaderChangeInfo { leaderId: NodeId; voters: readonly NodeId[] }

export function encodeLeaderChange (info: LeaderChangeInfo): Buffer {
  const w = new Writer(64)
  const voter = (w: Writer, id: number): void => { w.writeInt32(id).writeTaggedFields() }
  w.writeInt16(0).writeInt32(info.leaderId)
  w.writeCompactArray(info.voters, voter)
  w.writeCompactArray([], voter)
  w.writeTaggedFields()
  return w.toBuffer()
}

function controlKey (type: number): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(type, 2)
  return key
}

function asBuffer (data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/** Control record key of a LEADER_CHANGE record: version int16 0, type int16 2. */
export const LEADER_CHANGE_KEY = controlKey(CONTROL_TYPE_LEADER_CHANGE)

/** A control batch (attribute bit 5) of one LEADER_CHANGE record at `offset` in `epoch`. */
export function leaderChangeBatch (value: Buffer, offset: number, epoch: number): Buffer {
  const batch = encodeRecordBatch({ records: [{ key: LEADER_CHANGE_KEY, value }], baseOffset: offset })
  batch.writeInt16BE(batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) | ATTR_CONTROL, BATCH_OFFSET_ATTRIBUTES)
  batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  patchBatchHeader(batch, offset, epoch)
  return batch
}

/** Entries (consecutive offsets) as concatenated batches; `info` names the leader of an epoch. */
export function encodeEntries (entries: readonly Entry[], info: (epoch: number) => LeaderChangeInfo): Buffer {
  const batches: Buffer[] = []
  let i = 0
  while (i < entries.length) {
    const first = entries[i]!
    if (first.kind === 'leaderChange') {
      batches.push(leaderChangeBatch(encodeLeaderChange(info(first.epoch)), first.offset, first.epoch))
      i++
      continue
    }
    let end = i + 1
    while (end < entries.length && entries[end]!.kind === 'data' && entries[end]!.epoch === first.epoch) end++
    const records = entries.slice(i, end).map(e => ({ key: null, value: asBuffer(e.data) }))
    const batch = encodeRecordBatch({ records, baseOffset: first.offset })
    patchBatchHeader(batch, first.offset, first.epoch)
    batches.push(batch)
    i = end
  }
  return Buffer.concat(batches)
}

function controlType (key: Buffer | null, offset: number): number {
  if (key === null || key.length < 4) throw new RangeError(`control record at offset ${offset} has no valid key`)
  const version = key.readInt16BE(0)
  if (version !== 0) throw new RangeError(`control record at offset ${offset} has key version ${version}, only 0 is known`)
  return key.readInt16BE(2)
}

/** Decodes a Fetch response's records; throws RangeError naming the offset on anything malformed. */
export function decodeEntries (records: Buffer | null): Entry[] {
  if (records === null || records.length === 0) return []
  const entries: Entry[] = []
  for (const batch of splitBatches(records)) {
    const check = checkBatch(batch, false)
    if (check.errorCode !== 0) throw new RangeError(`metadata batch: ${check.reason}`)
    if ((batch.readInt16BE(BATCH_OFFSET_ATTRIBUTES) & ATTR_COMPRESSION_MASK) !== 0) throw new RangeError('metadata batch: compressed batches are not used by the quorum')
    const epoch = batch.readInt32BE(BATCH_OFFSET_LEADER_EPOCH)
    const control = isControlBatch(batch)
    for (const rec of decodeRecordBatch(batch)) {
      if (control) {
        const type = controlType(rec.key, rec.offset)
        if (type !== CONTROL_TYPE_LEADER_CHANGE) throw new RangeError(`control record type ${type} at offset ${rec.offset} is not one the quorum knows`)
        entries.push({ offset: rec.offset, epoch, kind: 'leaderChange', data: new Uint8Array(0) })
      } else {
        entries.push({ offset: rec.offset, epoch, kind: 'data', data: Buffer.from(rec.value ?? Buffer.alloc(0)) })
      }
    }
  }
  return entries
}
