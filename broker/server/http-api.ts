// The HTTP API, REST-proxy style, for curl users and for autocannon load:
//
//   POST /topics/{topic}/records?acks=1|all&timeoutMs=   JSON [{key, value, headers?, partition?}]
//   GET  /topics/{topic}/partitions/{p}/records?offset=&maxBytes=
//   GET  /topics   GET /healthz   GET /metrics (Prometheus text)
//
// Keyed records go to the partition Java's murmur2 rule picks; unkeyed ones rotate. Every
// 4xx says what to fix. Records are written through the same log path as Kafka produce:
// acks=1 (the default) answers once the leader wrote them, acks=all once the in-sync
// replicas have them (503 with NOT_ENOUGH_REPLICAS before writing anything when the ISR is
// below min.insync.replicas; 503 naming the error when the wait fails, as Kafka would).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { ErrorCode, errorName } from '../protocol/errors.ts'
import { batchBaseOffset, batchLastOffset, encodeRecordBatch, splitBatches, type Record as KafkaRecord } from '../protocol/record-batch.ts'
import { decodeBatchRecords, validatePlainBatch } from '../protocol/batch-validation.ts'
import { CompressionError } from '../protocol/compression.ts'
import { partitionForKey } from '../protocol/partitioner.ts'
import { LogError, OffsetOutOfRangeError } from '../log/errors.ts'
import type { ReadResult } from '../log/partition-log.ts'
import { INTERNAL_TOPICS, topicNameProblem, type Broker } from './broker.ts'
import { HttpError } from './http-error.ts'
import { parseProduceBody, type HttpRecord } from './http-records.ts'

export type RouteExtension = (broker: Broker, method: string, path: string[], url: URL) => Promise<unknown> | undefined

function send (res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = contentType === 'application/json' ? JSON.stringify(body) : String(body)
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readBody (req: IncomingMessage, bytesMax: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length
    if (bytes > bytesMax) throw new HttpError(413, `request body exceeds ${bytesMax} bytes (socket.request.max.bytes); send fewer records per request`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

let roundRobin = 0

const HTTP_ACKS_TIMEOUT_MS_DEFAULT = 30_000

/** `acks` and `timeoutMs` query parameters of a produce: 400 naming the parameter when bad. */
function produceParams (url: URL): { acks: -1 | 1, timeoutMs: number } {
  const acksText = url.searchParams.get('acks') ?? '1'
  if (acksText !== '1' && acksText !== 'all' && acksText !== '-1') throw new HttpError(400, `acks must be 1 or all (got "${acksText}")`)
  const timeoutMs = Number(url.searchParams.get('timeoutMs') ?? HTTP_ACKS_TIMEOUT_MS_DEFAULT)
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new HttpError(400, `timeoutMs must be a positive integer (got "${url.searchParams.get('timeoutMs')}")`)
  return { acks: acksText === '1' ? 1 : -1, timeoutMs }
}

async function produce (broker: Broker, topic: string, records: HttpRecord[], params: { acks: -1 | 1, timeoutMs: number } = { acks: 1, timeoutMs: HTTP_ACKS_TIMEOUT_MS_DEFAULT }): Promise<unknown> {
  if (INTERNAL_TOPICS.has(topic)) throw new HttpError(403, `${topic} is internal: only the broker writes to it`)
  const nameProblem = topicNameProblem(topic)
  if (nameProblem !== null) throw new HttpError(400, `invalid topic: ${nameProblem}`)
  const created = await broker.ensureTopic(topic)
  if (created !== ErrorCode.NONE) throw new HttpError(404, `unknown topic "${topic}" (${errorName(created)}); create it first or enable auto.create.topics.enable`)
  const partitionCount = broker.partitionCount(topic)!
  const byPartition = new Map<number, number[]>()
  records.forEach((r, i) => {
    const p = r.partition ?? (r.key !== null ? partitionForKey(r.key, partitionCount) : roundRobin++ % partitionCount)
    if (p < 0 || p >= partitionCount) throw new HttpError(400, `record ${i}: partition ${p} does not exist (topic "${topic}" has ${partitionCount})`)
    const indexes = byPartition.get(p)
    if (indexes === undefined) byPartition.set(p, [i])
    else indexes.push(i)
  })
  // Every batch is built and checked before any is appended, so a refused request writes nothing.
  const batchBytesMax = broker.config.int('message.max.bytes')
  const logAppendTimeMs = broker.logAppendTimeMs(topic)
  const batches = [...byPartition].map(([partition, indexes]) => {
    const batch = encodeRecordBatch({ records: indexes.map(i => records[i]!) })
    if (batch.length > batchBytesMax) {
      throw new HttpError(413, `the records for partition ${partition} make a batch of ${batch.length} bytes, more than message.max.bytes (${batchBytesMax}); send fewer or smaller records`)
    }
    // The same pass as Produce: stamps the append time under LogAppendTime.
    const check = validatePlainBatch(batch, { fromClient: true, logAppendTimeMs })
    if (check.errorCode !== ErrorCode.NONE) throw new HttpError(400, `records for partition ${partition}: ${check.reason}`)
    return { partition, indexes, batch }
  })
  // In a cluster only the leader of every partition concerned may take the request; checked
  // before any append, so a misdirected request writes nothing.
  const leaders = batches.map(({ partition }) => {
    const lookup = broker.leaderLog(topic, partition)
    if (lookup.errorCode !== undefined) throw new HttpError(lookup.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? 421 : 503, `partition ${partition}: ${lookup.message}`)
    const minIsr = broker.topicSettings(topic).minInsyncReplicas
    if (params.acks === -1 && lookup.isr.length < minIsr && !broker.debug.ignoreMinIsr) {
      throw new HttpError(503, `partition ${partition}: NOT_ENOUGH_REPLICAS: ${lookup.isr.length} in-sync replica(s), min.insync.replicas is ${minIsr}; nothing was written`)
    }
    return lookup
  })
  const offsets = new Array<{ partition: number, offset: number }>(records.length)
  await Promise.all(batches.map(async ({ partition, indexes, batch }, b) => {
    const { log, leaderEpoch } = leaders[b]!
    if (!log.canAccept()) await log.whenWritable()
    const { baseOffset, lastOffset } = await log.append([batch], leaderEpoch)
    if (params.acks === -1 && broker.replicas !== null) {
      const errorCode = await broker.replicas.waitForAcks(topic, partition, lastOffset + 1, params.timeoutMs)
      if (errorCode !== ErrorCode.NONE) throw new HttpError(503, `partition ${partition}: ${errorName(errorCode)} waiting for the in-sync replicas (records up to offset ${lastOffset} were written by the leader and may or may not survive)`)
    }
    indexes.forEach((recordIndex, i) => { offsets[recordIndex] = { partition, offset: baseOffset + i } })
  }))
  return { offsets }
}

function textOrBase64 (b: Buffer | null): string | null {
  if (b === null) return null
  const text = b.toString('utf8')
  return Buffer.from(text, 'utf8').equals(b) ? text : `base64:${b.toString('base64')}`
}

/**
 * Decodes whole batches in order (compressed ones too). A batch that cannot be decoded (one
 * stored before Produce checked every record, or damaged on disk) ends the answer there: the
 * records before it are returned, and a read starting at it gets a 500 that names its
 * offsets and the offset to skip to.
 */
async function decodeBatches (batches: Buffer[], fromOffset: number): Promise<KafkaRecord[]> {
  const records: KafkaRecord[] = []
  for (const batch of batches) {
    try {
      for (const record of await decodeBatchRecords(batch)) if (record.offset >= fromOffset) records.push(record)
    } catch (err) {
      if (!(err instanceof RangeError || err instanceof CompressionError)) throw err
      if (records.length > 0) break
      const first = batchBaseOffset(batch)
      const last = batchLastOffset(batch)
      throw new HttpError(500, `stored batch at offsets ${first}..${last} cannot be decoded (${err.message}); read from offset ${last + 1} to skip it`)
    }
  }
  return records
}

async function readRecords (broker: Broker, topic: string, partitionText: string, url: URL): Promise<unknown> {
  const partition = Number(partitionText)
  const log = broker.partition(topic, partition)
  if (broker.partitionCount(topic) === undefined) throw new HttpError(404, `unknown topic "${topic}"`)
  if (log === undefined) throw new HttpError(404, `topic "${topic}" has no partition ${partitionText} (it has ${broker.partitionCount(topic)})`)
  const offset = Number(url.searchParams.get('offset') ?? log.logStartOffset)
  const maxBytes = Number(url.searchParams.get('maxBytes') ?? 1024 * 1024)
  if (!Number.isSafeInteger(offset) || offset < 0) throw new HttpError(400, `offset must be a non-negative integer (got "${url.searchParams.get('offset')}")`)
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new HttpError(400, `maxBytes must be a positive integer (got "${url.searchParams.get('maxBytes')}")`)
  if (offset === log.highWatermark) return []
  let read: ReadResult
  try {
    read = await log.read(offset, maxBytes)
  } catch (err) {
    if (err instanceof OffsetOutOfRangeError) throw new HttpError(416, `offset ${offset} is out of range: partition holds ${log.logStartOffset} to ${log.highWatermark - 1}`)
    if (err instanceof LogError) throw new HttpError(503, `reading ${topic}-${partition} failed: ${err.message} (${errorName(err.errorCode)}); the partition stays online, retry or report it`)
    throw err
  }
  const records = await decodeBatches(splitBatches(Buffer.concat(read.buffers)), offset)
  return records.map(r => ({ topic, partition, offset: r.offset, timestamp: r.timestamp, key: textOrBase64(r.key), value: textOrBase64(r.value), headers: r.headers.map(h => ({ key: h.key, value: textOrBase64(h.value) })) }))
}

async function route (broker: Broker, req: IncomingMessage, extensions: readonly RouteExtension[]): Promise<[number, unknown, string?]> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const path = url.pathname.split('/').filter(s => s !== '').map(decodeURIComponent)
  const method = req.method ?? 'GET'
  if (method === 'GET' && path.length === 1 && path[0] === 'healthz') return [200, { status: 'ok', brokerId: broker.nodeId }]
  if (method === 'GET' && path.length === 1 && path[0] === 'metrics') return [200, broker.metrics.render(broker.partitionGauges()) + (broker.replicas?.renderMetrics() ?? ''), 'text/plain; version=0.0.4']
  if (method === 'GET' && path.length === 1 && path[0] === 'topics') {
    return [200, broker.cluster.topicNames().map(name => ({ name, partitions: broker.partitionCount(name) ?? 0 }))]
  }
  if (path[0] === 'topics' && path.length === 3 && path[2] === 'records') {
    if (method !== 'POST') throw new HttpError(405, 'use POST to write records')
    const body = await readBody(req, broker.config.int('socket.request.max.bytes'))
    return [200, await produce(broker, path[1]!, parseProduceBody(body), produceParams(url))]
  }
  if (path[0] === 'topics' && path.length === 5 && path[2] === 'partitions' && path[4] === 'records' && method === 'GET') {
    return [200, await readRecords(broker, path[1]!, path[3]!, url)]
  }
  for (const extension of extensions) {
    const result = extension(broker, method, path, url)
    if (result !== undefined) return [200, await result]
  }
  throw new HttpError(404, `no route for ${method} ${url.pathname}; see GET /topics, /healthz, /metrics, POST /topics/{topic}/records`)
}

export async function listenHttp (broker: Broker, host: string, port: number, extensions: readonly RouteExtension[] = []): Promise<{ port: number, server: Server }> {
  const server = createServer((req, res) => {
    broker.metrics.httpRequests++
    route(broker, req, extensions).then(([status, body, type]) => send(res, status, body, type), (err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, { error: err.message, status: err.status })
      else {
        broker.log(`HTTP ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`)
        send(res, 500, { error: (err as Error).message, status: 500 })
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => { server.off('error', reject); resolve() })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('programmer error: HTTP listener has no port')
  return { port: address.port, server }
}
