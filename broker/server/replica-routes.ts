// The white-box replica endpoint (issue 9, item 8), for the chaos harness's end-of-run check
// that replicas agree below the high watermark:
//
//   GET /admin/replicas[?topic=&partition=][&from=][&upTo=][&checksum=false][&maxBytes=][&timeoutMs=]
//
// Answers a ReplicasReport: every local partition replica (or those of `topic`, or the one
// `topic`/`partition` names) with its role, leader and leader epoch as this broker knows
// them, log start and end, replicated high watermark, leader-epoch cache, and a SHA-256 of
// its batches from `from` (default: log start) up to `upTo` (default: its HW), stopping at a
// batch boundary it reports. The checksum reads the log in 1 MiB chunks; more than maxBytes
// of batches (summed over the request) is 413, a request past timeoutMs is 503, and at most
// CHECKSUMS_RUNNING_MAX requests checksum at once (503 beyond). Bad parameters are 400s that
// name the parameter. It only reads: nothing here changes a log or a replica's state.

import { randomUUID } from 'node:crypto'
import { LogError, OffsetOutOfRangeError } from '../log/errors.ts'
import { ChecksumLimitError, checksumLog, type LogChecksum } from '../log/log-checksum.ts'
import type { PartitionLog } from '../log/partition-log.ts'
import { errorName } from '../protocol/errors.ts'
import { quoteTopic, type Broker } from './broker.ts'
import { HttpError } from './http-error.ts'
import type { RouteExtension } from './http-api.ts'
import type { ReplicaStateView } from './cluster-hooks.ts'
import type { ReplicaReport, ReplicasReport } from './replica-report.ts'

const INCARNATION = randomUUID()
const STARTED_AT_MS = Date.now()

const CHUNK_BYTES = 1024 * 1024
const BYTES_MAX_DEFAULT = 1024 * 1024 * 1024
const TIMEOUT_MS_DEFAULT = 30_000
const TIMEOUT_MS_MAX = 600_000
const CHECKSUMS_RUNNING_MAX = 2
const PARAMETERS = new Set(['topic', 'partition', 'from', 'upTo', 'checksum', 'maxBytes', 'timeoutMs'])

let checksumsRunning = 0

interface Query {
  topic: string | null
  partition: number | null
  fromOffset: number
  upToOffset: number | null
  checksum: boolean
  bytesMax: number
  timeoutMs: number
}

function integerParameter (url: URL, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = url.searchParams.get(name)
  if (text === null) return fallback
  const value = /^-?[0-9]+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new HttpError(400, `parameter ${name} must be an integer from ${min} to ${max} (got "${text.slice(0, 40)}")`)
  }
  return value
}

function parseQuery (url: URL): Query {
  for (const name of url.searchParams.keys()) {
    if (!PARAMETERS.has(name)) throw new HttpError(400, `unknown parameter "${name.slice(0, 40)}"; known: ${[...PARAMETERS].join(', ')}`)
    if (url.searchParams.getAll(name).length > 1) throw new HttpError(400, `parameter ${name} given more than once`)
  }
  const topic = url.searchParams.get('topic')
  if (topic === '') throw new HttpError(400, 'parameter topic must not be empty')
  const hasPartition = url.searchParams.has('partition')
  if (hasPartition && topic === null) throw new HttpError(400, 'parameter partition needs parameter topic')
  const checksumText = url.searchParams.get('checksum') ?? 'true'
  if (checksumText !== 'true' && checksumText !== 'false') throw new HttpError(400, `parameter checksum must be true or false (got "${checksumText.slice(0, 40)}")`)
  return {
    topic,
    partition: hasPartition ? integerParameter(url, 'partition', 0, 0, 2 ** 31 - 1) : null,
    fromOffset: integerParameter(url, 'from', 0, 0),
    upToOffset: url.searchParams.has('upTo') ? integerParameter(url, 'upTo', 0, 0) : null,
    checksum: checksumText === 'true',
    bytesMax: integerParameter(url, 'maxBytes', BYTES_MAX_DEFAULT, 1),
    timeoutMs: integerParameter(url, 'timeoutMs', TIMEOUT_MS_DEFAULT, 1, TIMEOUT_MS_MAX),
  }
}

/** The local logs the query names, in topic then partition order. */
function selectLogs (broker: Broker, query: Query): PartitionLog[] {
  const local = broker.logs.topics()
  if (query.topic !== null && !local.has(query.topic)) throw new HttpError(404, `this broker (${broker.nodeId}) holds no replica of topic ${quoteTopic(query.topic)}`)
  const topics = query.topic !== null ? [query.topic] : [...local.keys()].sort()
  const logs: PartitionLog[] = []
  for (const topic of topics) {
    const count = local.get(topic)!
    if (query.partition !== null && query.partition >= count) throw new HttpError(404, `topic ${quoteTopic(topic)} has no partition ${query.partition} here (it has ${count})`)
    for (let p = 0; p < count; p++) {
      if (query.partition !== null && p !== query.partition) continue
      const log = broker.partition(topic, p)
      if (log !== undefined) logs.push(log)
    }
  }
  return logs
}

/**
 * Role, replicated HW, leading epoch and topic id as the replication layer holds them; a
 * one-node broker leads everything at its fixed epoch and its topics have no ids.
 */
function replicaStateOf (broker: Broker, log: PartitionLog): ReplicaStateView {
  if (broker.replicas === null) return { role: 'leader', highWatermark: log.highWatermark, leadingEpoch: broker.cluster.partition(log.topic, log.partition)?.leaderEpoch ?? null, topicId: null }
  return broker.replicas.replicaState(log.topic, log.partition)
}

async function checksumOf (log: PartitionLog, query: Query, upToOffset: number, budget: { bytesLeft: number, deadlineMs: number }): Promise<LogChecksum> {
  try {
    const result = await checksumLog(log, { fromOffset: query.fromOffset, upToOffset, chunkBytes: CHUNK_BYTES, bytesMax: budget.bytesLeft, deadlineMs: budget.deadlineMs })
    budget.bytesLeft -= result.sizeBytes
    return result
  } catch (err) {
    if (err instanceof ChecksumLimitError) throw new HttpError(err.limit === 'bytes' ? 413 : 503, err.message)
    if (err instanceof OffsetOutOfRangeError) throw new HttpError(409, `${log.topic}-${log.partition} changed during the checksum (${err.message}); retry`)
    if (err instanceof LogError) throw new HttpError(503, `reading ${log.topic}-${log.partition} failed: ${err.message} (${errorName(err.errorCode)})`)
    throw err
  }
}

async function report (broker: Broker, url: URL): Promise<ReplicasReport> {
  const query = parseQuery(url)
  const logs = selectLogs(broker, query)
  if (query.checksum && checksumsRunning >= CHECKSUMS_RUNNING_MAX) {
    throw new HttpError(503, `${checksumsRunning} checksum requests already running on broker ${broker.nodeId}; retry later or pass checksum=false`)
  }
  const budget = { bytesLeft: query.bytesMax, deadlineMs: Date.now() + query.timeoutMs }
  if (query.checksum) checksumsRunning++
  try {
    const replicas: ReplicaReport[] = []
    for (const log of logs) {
      const view = broker.cluster.partition(log.topic, log.partition)
      const { role, highWatermark, leadingEpoch, topicId } = replicaStateOf(broker, log)
      const upToOffset = query.upToOffset ?? highWatermark ?? log.highWatermark
      replicas.push({
        topic: log.topic,
        topicId,
        partition: log.partition,
        role,
        leaderId: view?.leader ?? -1,
        leaderEpoch: view?.leaderEpoch ?? -1,
        leadingEpoch,
        replicas: [...(view?.replicas ?? [])],
        isr: [...(view?.isr ?? [])],
        logStartOffset: log.logStartOffset,
        logEndOffset: log.highWatermark,
        highWatermark,
        leaderEpochs: log.leaderEpochs(),
        checksumUpToOffset: query.checksum ? upToOffset : null,
        checksum: query.checksum ? await checksumOf(log, query, upToOffset, budget) : null,
      })
    }
    return { brokerId: broker.nodeId, incarnation: INCARNATION, startedAtMs: STARTED_AT_MS, nowMs: Date.now(), replicas }
  } finally {
    if (query.checksum) checksumsRunning--
  }
}

export const replicaRoutes: RouteExtension = (broker, method, path, url) => {
  if (path[0] !== 'admin' || path[1] !== 'replicas' || path.length !== 2) return undefined
  if (method !== 'GET') return Promise.reject(new HttpError(405, 'use GET for /admin/replicas'))
  return report(broker, url)
}
