// Metadata snapshots on disk (KIP-630): `<endOffset 20 digits>-<epoch 10 digits>.checkpoint`
// next to the segments of `__cluster_metadata-0`. A file holds one record batch (magic 2,
// CRC-32C) whose baseOffset is the snapshot's endOffset, whose partitionLeaderEpoch is its
// epoch and whose single record's value is the state-machine bytes, so a torn or flipped
// file fails its CRC. Files are written atomically (temp file, fsync, rename, fsync dir).
// Loading takes the newest file that checks out and logs a line for each one it skips.

import { ErrorCode } from '../../protocol/errors.ts'
import {
  BATCH_OFFSET_LEADER_EPOCH, batchBaseOffset, checkBatch, decodeRecordBatch, encodeRecordBatch, patchBatchHeader,
} from '../../protocol/record-batch.ts'
import type { Storage } from '../../log/storage.ts'
import type { Snapshot } from '../raft/types.ts'

export const SNAPSHOT_SUFFIX = '.checkpoint'
const SNAPSHOT_NAME = /^(\d{20})-(\d{10})\.checkpoint$/
/** A snapshot is one record batch, whose length field is an int32. */
const SNAPSHOT_BYTES_MAX = 2 ** 31 - 1

export function snapshotFileName (endOffset: number, epoch: number): string {
  return `${String(endOffset).padStart(20, '0')}-${String(epoch).padStart(10, '0')}${SNAPSHOT_SUFFIX}`
}

export function parseSnapshotFileName (name: string): { endOffset: number, epoch: number } | null {
  const match = SNAPSHOT_NAME.exec(name)
  if (match === null) return null
  const endOffset = Number(match[1])
  const epoch = Number(match[2])
  if (!Number.isSafeInteger(endOffset) || !Number.isSafeInteger(epoch)) return null
  return { endOffset, epoch }
}

export function encodeSnapshot (snapshot: Snapshot): Buffer {
  const data = Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength)
  const batch = encodeRecordBatch({ records: [{ key: null, value: data }] })
  patchBatchHeader(batch, snapshot.endOffset, snapshot.epoch)
  return batch
}

/** The snapshot in a file named `name`; throws a RangeError saying what is wrong with a bad one. */
export function decodeSnapshot (name: string, bytes: Buffer): Snapshot {
  const id = parseSnapshotFileName(name)
  if (id === null) throw new RangeError(`${name} is not a snapshot file name`)
  const check = checkBatch(bytes, false)
  if (check.errorCode !== ErrorCode.NONE) throw new RangeError(`${name}: ${check.reason}`)
  const endOffset = batchBaseOffset(bytes)
  const epoch = bytes.readInt32BE(BATCH_OFFSET_LEADER_EPOCH)
  if (endOffset !== id.endOffset || epoch !== id.epoch) throw new RangeError(`${name}: holds snapshot ${endOffset}-${epoch}`)
  const records = decodeRecordBatch(bytes)
  if (records.length !== 1) throw new RangeError(`${name}: ${records.length} records, expected 1`)
  return { endOffset, epoch, data: new Uint8Array(records[0]!.value ?? Buffer.alloc(0)) }
}

export async function writeSnapshot (storage: Storage, dir: string, snapshot: Snapshot): Promise<void> {
  await storage.writeFileAtomic(`${dir}/${snapshotFileName(snapshot.endOffset, snapshot.epoch)}`, encodeSnapshot(snapshot))
}

async function snapshotNames (storage: Storage, dir: string): Promise<Array<{ name: string, endOffset: number, epoch: number }>> {
  const names = []
  for (const entry of await storage.list(dir)) {
    const id = entry.isFile ? parseSnapshotFileName(entry.name) : null
    if (id !== null) names.push({ name: entry.name, ...id })
  }
  return names.sort((a, b) => b.endOffset - a.endOffset || b.epoch - a.epoch)
}

/** The newest snapshot in `dir` that reads back intact, or null; each file skipped gets a `log` line. */
export async function loadLatestSnapshot (storage: Storage, dir: string, log: (line: string) => void): Promise<Snapshot | null> {
  for (const { name } of await snapshotNames(storage, dir)) {
    try {
      const bytes = await storage.readFile(`${dir}/${name}`, SNAPSHOT_BYTES_MAX)
      if (bytes === null) continue
      return decodeSnapshot(name, bytes)
    } catch (error) {
      log(`metadata log: ignoring snapshot ${dir}/${name}: ${(error as Error).message}`)
    }
  }
  return null
}

/** Removes every snapshot file except `keep` (older ones after a new snapshot; all others after an install). */
export async function deleteOtherSnapshots (storage: Storage, dir: string, keep: Snapshot): Promise<void> {
  const keepName = snapshotFileName(keep.endOffset, keep.epoch)
  for (const { name } of await snapshotNames(storage, dir)) if (name !== keepName) await storage.unlink(`${dir}/${name}`)
}
