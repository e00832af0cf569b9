// Micro-benchmarks of the wire codec's hot paths, printed as comparable figures:
//   - CRC-32C (@node-rs/crc32) at 1 KiB, 16 KiB and 1 MiB, the check every produced batch gets;
//   - murmur2 of 16- and 64-byte keys, the partitioner every keyed client runs per record;
//   - the batch header patch that assigns offsets, old (BigInt) and new (two int32 halves)
//     implementations side by side, plus whatever record-batch.ts ships now;
//   - a Writer building a Produce request around a 64 KiB batch (client side);
//   - a Reader decoding a Produce request (broker side) and a Fetch response (client side);
//   - the consumer's long-poll loop as the broker sees it: decoding a Fetch request and
//     encoding its response, 8 partitions (three int64s each way per partition);
//   - checkBatch on a 64 KiB batch (length, magic, CRC, offsets): the header checks alone;
//   - validatePlainBatch on 64 KiB batches of 64 and of 1,000 records: the produce path's full
//     validation (header checks plus every record), the second the worst case per byte.
// Operations that take nanoseconds run many times per sample so the timer's own cost does
// not swamp them; figures are per operation, from the median sample.
// Run: node bench/protocol.bench.ts

import { crc32c } from '@node-rs/crc32'
import { Bench } from 'tinybench'
import type { Task } from 'tinybench'
import { Produce, type ProduceRequest } from '../broker/protocol/00-produce.ts'
import { Fetch, type FetchRequest, type FetchResponse } from '../broker/protocol/01-fetch.ts'
import {
  readRequestHeaderPrefix, readRequestHeaderRest, readResponseHeader, writeRequestHeader, writeResponseHeader,
} from '../broker/protocol/headers.ts'
import { murmur2 } from '../broker/protocol/partitioner.ts'
import { Reader } from '../broker/protocol/reader.ts'
import {
  BATCH_OFFSET_BASE_OFFSET, BATCH_OFFSET_LEADER_EPOCH, checkBatch, encodeRecordBatch, patchBatchHeader,
} from '../broker/protocol/record-batch.ts'
import { validatePlainBatch } from '../broker/protocol/batch-validation.ts'
import { Writer } from '../broker/protocol/writer.ts'

const KiB = 1024
const MiB = 1024 * 1024
const PATCHES_PER_SAMPLE = 1000
const HASHES_PER_SAMPLE = 1000
const FETCH_PARTITIONS = 8

interface Case {
  name: string
  /** Operations one call of fn performs. */
  opsPerCall: number
  /** Payload bytes per operation, for MiB/s; 0 when throughput in bytes means nothing. */
  bytesPerOp: number
  fn: () => void
}

// The implementation record-batch.ts shipped first: one BigInt allocation per batch.
function patchBigInt (batch: Buffer, baseOffset: number, leaderEpoch: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), BATCH_OFFSET_BASE_OFFSET)
  batch.writeInt32BE(leaderEpoch, BATCH_OFFSET_LEADER_EPOCH)
}

// The replacement: the int64 written as two 32-bit halves. Exact for every offset below
// 2^53, negative ones included (floor division and >>> 0 give the two's-complement halves).
function patchInt32Halves (batch: Buffer, baseOffset: number, leaderEpoch: number): void {
  batch.writeInt32BE(Math.floor(baseOffset / 0x1_0000_0000), BATCH_OFFSET_BASE_OFFSET)
  batch.writeUInt32BE(baseOffset >>> 0, BATCH_OFFSET_BASE_OFFSET + 4)
  batch.writeInt32BE(leaderEpoch, BATCH_OFFSET_LEADER_EPOCH)
}

function randomBuffer (bytes: number): Buffer {
  const b = Buffer.allocUnsafe(bytes)
  for (let i = 0; i < bytes; i++) b[i] = (i * 2654435761) >>> 24
  return b
}

/** A batch of `count` records of `valueBytes` each, about `count * (valueBytes + 10)` bytes. */
function makeBatch (count: number, valueBytes: number): Buffer {
  const value = randomBuffer(valueBytes)
  return encodeRecordBatch({ records: Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`key-${i}`), value })) })
}

function produceRequest (batch: Buffer, partitions: number): ProduceRequest {
  return {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topics: [{ name: 'bench', partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, records: batch })) }],
  }
}

function encodeProduceFrame (request: ProduceRequest, version: number, correlationId: number): Buffer[] {
  const w = new Writer()
  writeRequestHeader(w, Produce, version, correlationId, 'sluice-bench')
  Produce.encodeRequest(w, version, request)
  return w.finishFrame()
}

function fetchResponseBody (batch: Buffer, version: number): Buffer {
  const response: FetchResponse = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    topics: [{
      name: 'bench',
      partitions: Array.from({ length: FETCH_PARTITIONS }, (_, i) => ({
        partitionIndex: i, errorCode: 0, highWatermark: 1_000_000 + i, lastStableOffset: 1_000_000 + i, logStartOffset: 0,
        abortedTransactions: null, preferredReadReplica: -1, records: [batch, batch],
      })),
    }],
  }
  const w = new Writer()
  writeResponseHeader(w, Fetch, version, 1)
  Fetch.encodeResponse(w, version, response)
  return w.toBuffer()
}

function fetchRequestBody (version: number): Buffer {
  const request: FetchRequest = {
    replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 52_428_800, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{
      name: 'bench',
      partitions: Array.from({ length: FETCH_PARTITIONS }, (_, i) => ({
        partitionIndex: i, currentLeaderEpoch: 0, fetchOffset: 1_000_000 + i, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1_048_576,
      })),
    }],
    forgottenTopics: [],
    rackId: '',
  }
  const w = new Writer()
  Fetch.encodeRequest(w, version, request)
  return w.toBuffer()
}

function cases (): Case[] {
  const crcInputs = [1 * KiB, 16 * KiB, 1 * MiB].map(bytes => ({ bytes, data: randomBuffer(bytes) }))
  const keys16 = Array.from({ length: HASHES_PER_SAMPLE }, (_, i) => Buffer.from(`k${String(i).padStart(15, '0')}`))
  const keys64 = Array.from({ length: HASHES_PER_SAMPLE }, (_, i) => Buffer.from(`k${String(i).padStart(63, '0')}`))
  const header = Buffer.alloc(64)
  const batch64k = makeBatch(64, 1000)
  const produceBody = Buffer.concat(encodeProduceFrame(produceRequest(batch64k, FETCH_PARTITIONS), 7, 1)).subarray(4)
  const fetchBody = fetchResponseBody(batch64k, 11)
  const fetchRequest = fetchRequestBody(11)
  const smallBatch = makeBatch(1, 1024)
  let sink = 0
  let offset = 0
  let correlationId = 0

  const out: Case[] = crcInputs.map(({ bytes, data }) => ({
    name: `crc32c ${bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`}`,
    opsPerCall: 1,
    bytesPerOp: bytes,
    fn: () => { sink ^= crc32c(data) },
  }))
  for (const [label, keys] of [['16 B', keys16], ['64 B', keys64]] as const) {
    out.push({
      name: `murmur2 ${label} key`,
      opsPerCall: keys.length,
      bytesPerOp: 0,
      fn: () => { for (const k of keys) sink ^= murmur2(k) },
    })
  }
  for (const [label, patch] of [['old: BigInt', patchBigInt], ['new: two int32 halves', patchInt32Halves], ['record-batch.ts now', patchBatchHeader]] as const) {
    out.push({
      name: `patchBatchHeader (${label})`,
      opsPerCall: PATCHES_PER_SAMPLE,
      bytesPerOp: 0,
      fn: () => {
        for (let i = 0; i < PATCHES_PER_SAMPLE; i++) patch(header, offset + i * 64, 7)
        offset += PATCHES_PER_SAMPLE * 64
      },
    })
  }
  out.push({
    name: `Writer: Produce v7 around a ${(batch64k.length / KiB).toFixed(1)} KiB batch`,
    opsPerCall: 1,
    bytesPerOp: batch64k.length,
    fn: () => { sink ^= encodeProduceFrame(produceRequest(batch64k, 1), 7, correlationId = (correlationId + 1) & 0x7fffffff).length },
  })
  out.push({
    name: `Reader: header + Produce v7 request, ${FETCH_PARTITIONS} x 64 KiB`,
    opsPerCall: 1,
    bytesPerOp: produceBody.length,
    fn: () => {
      const r = new Reader(produceBody)
      const prefix = readRequestHeaderPrefix(r)
      readRequestHeaderRest(r, false)
      sink ^= Produce.decodeRequest(r, prefix.apiVersion).topics[0]!.partitions.length
    },
  })
  out.push({
    name: `Reader: header + Fetch v11 response, ${FETCH_PARTITIONS} x 128 KiB`,
    opsPerCall: 1,
    bytesPerOp: fetchBody.length,
    fn: () => {
      const r = new Reader(fetchBody)
      sink ^= readResponseHeader(r, Fetch, 11)
      sink ^= Fetch.decodeResponse(r, 11).topics[0]!.partitions.length
    },
  })
  out.push({
    name: `broker: decode a Fetch v11 request + encode its response, ${FETCH_PARTITIONS} partitions of one 1 KiB batch`,
    opsPerCall: 1,
    bytesPerOp: fetchRequest.length,
    fn: () => {
      const request = Fetch.decodeRequest(new Reader(fetchRequest), 11)
      const w = new Writer()
      writeResponseHeader(w, Fetch, 11, 1)
      Fetch.encodeResponse(w, 11, {
        throttleTimeMs: 0, errorCode: 0, sessionId: 0,
        topics: request.topics.map(t => ({
          name: t.name,
          partitions: t.partitions.map(p => ({
            partitionIndex: p.partitionIndex, errorCode: 0, highWatermark: p.fetchOffset + 1, lastStableOffset: p.fetchOffset + 1,
            logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, records: [smallBatch],
          })),
        })),
      })
      sink ^= w.finishFrame().length
    },
  })
  out.push({
    name: 'checkBatch 64 KiB (CRC + header checks)',
    opsPerCall: 1,
    bytesPerOp: batch64k.length,
    fn: () => { sink ^= checkBatch(batch64k, true).errorCode },
  })
  const batchSmallRecords = makeBatch(1000, 50)
  for (const [label, batch] of [['64 x 1000 B records', batch64k], ['1000 x 50 B records', batchSmallRecords]] as const) {
    out.push({
      name: `validatePlainBatch ${(batch.length / KiB).toFixed(0)} KiB, ${label}`,
      opsPerCall: 1,
      bytesPerOp: batch.length,
      fn: () => { sink ^= validatePlainBatch(batch, { fromClient: true, logAppendTimeMs: null }).errorCode },
    })
  }
  // Keeps the results observable so no engine may drop the work.
  process.on('exit', () => { if (sink === 0.5) console.log(sink) })
  return out
}

function medianMsPerCall (task: Task | undefined): number | null {
  const result = task?.result
  if (result !== undefined && 'error' in result) {
    console.error(`${task!.name} failed: ${result.error.stack ?? result.error.message}`)
    process.exitCode = 1
  }
  if (result === undefined || !('latency' in result)) return null
  return result.latency.p50 ?? null
}

function formatNs (ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(1)} ns`
}

function formatRate (opsPerSecond: number): string {
  return opsPerSecond >= 1e6 ? `${(opsPerSecond / 1e6).toFixed(2)} M` : opsPerSecond >= 1e3 ? `${(opsPerSecond / 1e3).toFixed(1)} k` : opsPerSecond.toFixed(0)
}

async function main (): Promise<void> {
  const all = cases()
  const bench = new Bench({ time: 800, warmupTime: 200 })
  for (const c of all) bench.add(c.name, c.fn)
  await bench.run()

  const rows = all.map((c, i) => {
    const msPerCall = medianMsPerCall(bench.tasks[i])
    if (msPerCall === null) return { task: c.name, 'median / op': 'n/a', 'ops/s': 'n/a', 'MiB/s': '' }
    const nsPerOp = msPerCall * 1e6 / c.opsPerCall
    const opsPerSecond = 1e9 / nsPerOp
    const mibPerSecond = c.bytesPerOp > 0 ? (opsPerSecond * c.bytesPerOp / MiB).toFixed(0) : ''
    return { task: c.name, 'median / op': formatNs(nsPerOp), 'ops/s': formatRate(opsPerSecond), 'MiB/s': mibPerSecond }
  })
  console.table(rows)
  const byName = new Map(rows.map(r => [r.task, r]))
  const oldPatch = byName.get('patchBatchHeader (old: BigInt)')
  const newPatch = byName.get('patchBatchHeader (new: two int32 halves)')
  if (oldPatch !== undefined && newPatch !== undefined) console.log(`patchBatchHeader: old ${oldPatch['median / op']}, new ${newPatch['median / op']} per batch`)
  console.log('MiB/s for Writer/Reader rows counts the payload carried by reference, not bytes copied')
  console.log('machine: 2 cores shared with whatever else runs; compare runs on the same machine only')
}

await main()
