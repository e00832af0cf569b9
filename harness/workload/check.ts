// Rules that tie fields together, checked after the schema. They read the document with
// schema defaults filled in, defensively, because they also run when the schema found
// problems elsewhere: the user should see every problem in one pass.

import { describeSchema } from './json-schema.ts'
import { joinPath, showValue } from './errors.ts'
import type { WorkloadIssue } from './errors.ts'
import { FAULT_PARAM_NAMES, FAULT_PARAMS, FAULTS, TRANSFORM_ONLY_FIELDS } from './schema-chaos.ts'
import type { Fault } from './schema-chaos.ts'
import { workloadSchema } from './schema.ts'

/** Total partitions over all topics; beyond this a run cannot even create its topics here. */
export const TOTAL_PARTITIONS_MAX = 10_000_000

type Doc = Record<string, unknown>

/**
 * `doc` is the document with defaults filled in; `schemaIssues` are the schema's findings,
 * whose values are masked first so that one bad value is not reported twice.
 */
export function checkDocument (doc: Doc, schemaIssues: readonly WorkloadIssue[] = []): WorkloadIssue[] {
  for (const issue of schemaIssues) maskValue(doc, issue.path)
  const issues: WorkloadIssue[] = []
  checkDurations(doc, issues)
  checkClients(doc, issues)
  checkPayload(doc, issues)
  checkKeys(doc, issues)
  checkProducer(doc, issues)
  checkCluster(doc, issues)
  checkChaos(doc, issues)
  checkNemesis(doc, issues)
  return issues
}

/** Stands in for a value the schema rejected: no rule below matches it, none requires it again. */
const REJECTED = Symbol('rejected by the schema')

function maskValue (doc: Doc, path: string): void {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.')
  let node: unknown = doc
  for (const key of keys.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return
    node = (node as Doc)[key]
  }
  const last = keys[keys.length - 1]!
  if (typeof node === 'object' && node !== null && Object.hasOwn(node, last)) (node as Doc)[last] = REJECTED
}

function num (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function obj (value: unknown): Doc | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Doc : undefined
}

function requiredIssue (field: string, condition: string): WorkloadIssue {
  const allowed = describeSchema(workloadSchema.properties![field]!)
  return { path: field, message: `is required${condition} (${allowed})` }
}

function checkDurations (doc: Doc, issues: WorkloadIssue[]): void {
  if (doc.testDurationMinutes === undefined && doc.testDurationSeconds === undefined) {
    issues.push({ path: 'testDurationMinutes', message: 'or testDurationSeconds is required (the length of the measured phase)' })
    return
  }
  const seconds = num(doc.testDurationSeconds) ?? (num(doc.testDurationMinutes) ?? NaN) * 60
  const backlogDrain = doc.mode === 'backlog-drain' || (num(doc.consumerBacklogSizeGB) ?? 0) > 0
  if (seconds === 0 && !backlogDrain) {
    const field = doc.testDurationSeconds !== undefined ? 'testDurationSeconds' : 'testDurationMinutes'
    issues.push({ path: field, message: 'must be above 0 unless the run drains a backlog (got 0)' })
  }
}

function checkClients (doc: Doc, issues: WorkloadIssue[]): void {
  const chaos = doc.chaos !== undefined
  if (!chaos) {
    for (const field of ['producersPerTopic', 'subscriptionsPerTopic', 'producerRate']) {
      if (doc[field] === undefined) issues.push(requiredIssue(field, ' unless the workload has a chaos block'))
    }
  }
  const subscriptions = num(doc.subscriptionsPerTopic) ?? 0
  const consumers = doc.consumerPerSubscription
  if (!chaos && subscriptions > 0) {
    if (consumers === undefined) {
      issues.push(requiredIssue('consumerPerSubscription', ' when subscriptionsPerTopic is above 0'))
    } else if (consumers === 0) {
      issues.push({ path: 'consumerPerSubscription', message: 'must be at least 1 when subscriptionsPerTopic is above 0 (got 0)' })
    }
  }
  const backlogGB = num(doc.consumerBacklogSizeGB) ?? 0
  if (doc.mode === 'backlog-drain' && backlogGB === 0) {
    issues.push({ path: 'consumerBacklogSizeGB', message: 'must be above 0 when mode is "backlog-drain" (got 0)' })
  }
  if (doc.mode === 'throughput' && backlogGB > 0) {
    issues.push({ path: 'mode', message: `must be "backlog-drain" when consumerBacklogSizeGB is above 0 (got "throughput", consumerBacklogSizeGB ${backlogGB})` })
  }
  if ((doc.mode === 'backlog-drain' || backlogGB > 0) && !chaos && doc.subscriptionsPerTopic === 0) {
    issues.push({ path: 'subscriptionsPerTopic', message: 'must be at least 1 to drain a backlog (got 0)' })
  }
  const topics = num(doc.topics)
  const partitions = num(doc.partitionsPerTopic)
  if (topics !== undefined && partitions !== undefined && topics * partitions > TOTAL_PARTITIONS_MAX) {
    issues.push({ path: 'partitionsPerTopic', message: `times topics must be at most ${TOTAL_PARTITIONS_MAX} partitions in total (got ${topics} x ${partitions})` })
  }
}

function checkPayload (doc: Doc, issues: WorkloadIssue[]): void {
  if (doc.useRandomizedPayloads === true && doc.randomizedPayloadPoolSize === 0) {
    issues.push({ path: 'randomizedPayloadPoolSize', message: 'must be at least 1 when useRandomizedPayloads is true (got 0)' })
  }
}

function checkKeys (doc: Doc, issues: WorkloadIssue[]): void {
  const keys = obj(doc.keys)
  if (keys === undefined) return
  if (doc.keyDistributor === 'NO_KEY') {
    issues.push({ path: 'keys', message: 'cannot be used with keyDistributor "NO_KEY"; remove one of them' })
  }
  if (keys.zipfExponent !== undefined && keys.distribution !== 'zipf') {
    issues.push({ path: 'keys.zipfExponent', message: `applies only when keys.distribution is "zipf" (got distribution ${showValue(keys.distribution)})` })
  }
}

function checkProducer (doc: Doc, issues: WorkloadIssue[]): void {
  const producer = obj(doc.producer)
  if (producer === undefined || producer.idempotent !== true) return
  if (producer.acks !== -1 && producer.acks !== 'all') {
    issues.push({ path: 'producer.idempotent', message: `requires producer.acks -1 or "all", as in Kafka (got acks ${showValue(producer.acks)})` })
  }
  const inFlight = num(producer.maxInFlight)
  if (inFlight !== undefined && inFlight > 5) {
    issues.push({ path: 'producer.idempotent', message: `requires producer.maxInFlight at most 5, as in Kafka (got ${inFlight})` })
  }
}

function checkCluster (doc: Doc, issues: WorkloadIssue[]): void {
  const replicas = num(doc.replicationFactor)
  const brokers = num(doc.brokers)
  if (replicas !== undefined && brokers !== undefined && replicas > brokers) {
    issues.push({ path: 'replicationFactor', message: `must be at most brokers (got ${replicas}, brokers ${brokers})` })
  }
}

function checkChaos (doc: Doc, issues: WorkloadIssue[]): void {
  const chaos = obj(doc.chaos)
  if (chaos === undefined) return
  // A file written for the old implicit rule would otherwise run the register workload unnoticed.
  const subscriptions = num(doc.subscriptionsPerTopic) ?? 0
  if (subscriptions > 0 && chaos.workload === 'register') {
    issues.push({ path: 'subscriptionsPerTopic', message: `is unused in a chaos run; a consume-transform-produce run is chosen with chaos.workload "transform" (got ${subscriptions})` })
  }
  if (chaos.workload !== 'register') return
  for (const field of TRANSFORM_ONLY_FIELDS) {
    if (chaos[field] !== undefined) {
      issues.push({ path: joinPath('chaos', field), message: 'applies only when chaos.workload is "transform" (got workload "register")' })
    }
  }
}

function checkNemesis (doc: Doc, issues: WorkloadIssue[]): void {
  const schedule = obj(doc.nemesis)?.schedule
  if (!Array.isArray(schedule)) return
  const brokers = num(doc.brokers) ?? 1
  schedule.forEach((raw, index) => {
    const entry = obj(raw)
    if (entry === undefined || !FAULTS.includes(entry.fault as Fault)) return
    checkScheduleEntry(entry, entry.fault as Fault, joinPath('nemesis.schedule', index), brokers, issues)
  })
}

function checkScheduleEntry (entry: Doc, fault: Fault, path: string, brokers: number, issues: WorkloadIssue[]): void {
  const { allowed, required } = FAULT_PARAMS[fault]
  const takes = allowed.length === 0 ? `${fault} takes no parameters` : `${fault} takes ${allowed.join(', ')}`
  for (const param of FAULT_PARAM_NAMES) {
    if (entry[param] !== undefined && !allowed.includes(param)) {
      issues.push({ path: joinPath(path, param), message: `does not apply to fault "${fault}" (${takes})` })
    }
  }
  for (const param of required) {
    if (entry[param] === undefined) {
      issues.push({ path: joinPath(path, param), message: `is required for fault "${fault}" (${takes})` })
    }
  }
  const interval = num(entry.intervalSeconds)
  const duration = num(entry.durationSeconds)
  if (interval !== undefined && duration !== undefined && duration > interval) {
    issues.push({ path: joinPath(path, 'durationSeconds'), message: `must be at most intervalSeconds so one fault heals before the next starts (got ${duration}, intervalSeconds ${interval})` })
  }
  checkBrokerNames(namesIn(entry.targets), joinPath(path, 'targets'), brokers, issues)
  if (fault === 'split') checkSplit(entry, path, brokers, issues)
}

/** A broker list field as written: one name alone or a list; anything else names none. */
function namesIn (value: unknown): unknown[] {
  return typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
}

/** Each "broker-N" must be a broker of the cluster. */
function checkBrokerNames (names: readonly unknown[], path: string, brokers: number, issues: WorkloadIssue[]): void {
  for (const name of names) {
    const match = typeof name === 'string' ? /^broker-(\d+)$/.exec(name) : null
    if (match !== null && Number(match[1]) >= brokers) {
      issues.push({ path, message: `names ${name} but the cluster has ${brokers} broker(s), broker-0 to broker-${brokers - 1}` })
    }
  }
}

/** A split needs brokers to split; direction and peers fit isolate only, clients isolate and halves. */
function checkSplit (entry: Doc, path: string, brokers: number, issues: WorkloadIssue[]): void {
  const topology = (entry.topology as string | undefined) ?? 'isolate'
  const least = topology === 'isolate' ? 2 : 3
  if (brokers < least) {
    issues.push({ path: joinPath(path, 'fault'), message: `split with topology ${topology} needs at least ${least} brokers (the workload has ${brokers}); set brokers: 3` })
  }
  if (entry.direction !== undefined && topology !== 'isolate') {
    issues.push({ path: joinPath(path, 'direction'), message: `applies to topology isolate only (this split is ${topology}); remove it` })
  }
  if (entry.clients !== undefined && topology !== 'isolate' && topology !== 'halves') {
    issues.push({ path: joinPath(path, 'clients'), message: `applies to topologies isolate and halves only (this split is ${topology}); remove it` })
  }
  if (entry.peers !== undefined && topology !== 'isolate') {
    issues.push({ path: joinPath(path, 'peers'), message: `applies to topology isolate only (this split is ${topology}); remove it` })
  }
  const peers = namesIn(entry.peers)
  const targets = namesIn(entry.targets)
  for (const peer of peers) {
    if (targets.includes(peer)) issues.push({ path: joinPath(path, 'peers'), message: `names ${peer}, which is also a target; a broker cannot be cut from itself` })
  }
  checkBrokerNames(peers, joinPath(path, 'peers'), brokers, issues)
}
