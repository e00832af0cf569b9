// Shared helpers for the partition-log tests: temp data dirs, batches, opening a log.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecordBatch, encodeRecordBatch, splitBatches } from '../../../broker/protocol/record-batch.ts'
import type { Record } from '../../../broker/protocol/record-batch.ts'
import { OffsetCheckpointFile, RECOVERY_POINT_CHECKPOINT_FILE } from '../../../broker/log/checkpoint.ts'
import { logConfig } from '../../../broker/log/config.ts'
import type { LogConfig } from '../../../broker/log/config.ts'
import { PartitionLog } from '../../../broker/log/partition-log.ts'
import type { ReadResult } from '../../../broker/log/partition-log.ts'
import { Storage } from '../../../broker/log/storage.ts'

export async function makeTempDir (): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-log-'))
}

export async function removeDir (dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** A batch of one record per value; timestamps default to now. */
export function batchOf (values: string[], timestamps?: number[]): Buffer {
  return encodeRecordBatch({
    records: values.map((value, i) => ({ key: null, value: Buffer.from(value), timestamp: timestamps?.[i] })),
  })
}

/** A one-record batch whose value is `sizeBytes - 70`-ish bytes of `fill`, so the batch is about sizeBytes. */
export function batchOfSize (sizeBytes: number, label: string, timestampMs?: number): Buffer {
  const timestamps = timestampMs === undefined ? undefined : [timestampMs]
  const probe = batchOf([label], timestamps)
  const padding = Math.max(0, sizeBytes - probe.length)
  return batchOf([label + '.'.repeat(padding)], timestamps)
}

export function recordsOf (result: ReadResult): Record[] {
  return splitBatches(Buffer.concat(result.buffers)).flatMap(batch => decodeRecordBatch(batch))
}

export interface OpenedLog {
  storage: Storage
  checkpoint: OffsetCheckpointFile
  log: PartitionLog
}

export async function openLog (dataDir: string, overrides: Partial<LogConfig> = {}, clock?: () => number): Promise<OpenedLog> {
  const storage = await Storage.open(dataDir)
  const checkpoint = await OffsetCheckpointFile.load(storage, RECOVERY_POINT_CHECKPOINT_FILE)
  const log = await PartitionLog.open({ storage, topic: 'orders', partition: 0, config: logConfig(overrides), checkpoint, clock })
  return { storage, checkpoint, log }
}

export async function closeLog (opened: OpenedLog): Promise<void> {
  await opened.log.close()
  await opened.storage.close()
}

/** A crash, in-process: no flush, no checkpoint. */
export async function haltLog (opened: OpenedLog): Promise<void> {
  await opened.log.halt()
  await opened.storage.close()
}

/** Reads every record from `from` to the high watermark, `maxBytes` at a time. */
export async function readAll (log: PartitionLog, from: number, maxBytes = 64 * 1024): Promise<Record[]> {
  const records: Record[] = []
  let offset = from
  for (let guard = 0; offset < log.highWatermark && guard < 100_000; guard++) {
    const result = await log.read(offset, maxBytes)
    const batchRecords = recordsOf(result).filter(record => record.offset >= offset)
    records.push(...batchRecords)
    offset = result.nextOffset
  }
  return records
}
