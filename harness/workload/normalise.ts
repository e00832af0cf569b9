// From a parsed document to a Workload: validate (schema, then cross-field rules), throw one
// WorkloadError listing every problem, then fill in what the file left implicit. Loading and
// overrides both come through buildWorkload, so an override is validated exactly like a file.

import { WorkloadError } from './errors.ts'
import type { WorkloadIssue } from './errors.ts'
import { checkDocument } from './check.ts'
import { ClientConfigError, parseClientConfig, type ClientConfig } from './client-config.ts'
import { validateDocument } from './validate.ts'
import { DEFAULT_COMMIT_MODE, DEFAULT_PROCESSORS, FAULT_PARAMS } from './schema-chaos.ts'
import type { CommitMode, Fault } from './schema-chaos.ts'
import type { SplitClients, SplitDirection, SplitLinks, SplitTopology } from '../../chaos/spec.ts'
import type {
  Acks, BrokerConfigValue, ChaosSpec, ConsumerSpec, KeyDistributor, KeySpec, MaxRateSpec,
  NemesisEntry, NemesisSpec, NemesisTargets, ProducerSpec, ProxyStream, Workload,
} from './types.ts'

/** OMB's key pool size for KEY_ROUND_ROBIN and RANDOM_NANO. */
export const OMB_KEY_COUNT = 10_000
const GiB = 1024 * 1024 * 1024

type Doc = Record<string, unknown>

export function buildWorkload (document: unknown, sourceName: string): Workload {
  // `nemesis: [ ... ]` is shorthand for `nemesis: { schedule: [ ... ] }`; messages keep the short path.
  const bareNemesis = isDoc(document) && Array.isArray(document.nemesis)
  const expanded = bareNemesis ? { ...(document as Doc), nemesis: { schedule: (document as Doc).nemesis } } : document
  const { issues, filled } = validateDocument(expanded)
  if (isDoc(expanded)) issues.push(...checkDocument(filled, issues))
  if (issues.length > 0) {
    const shown = bareNemesis ? issues.map(shortenNemesisPath) : issues
    throw new WorkloadError('ERR_WORKLOAD_INVALID', sourceName, shown)
  }
  let client: ClientConfig
  try {
    client = parseClientConfig(filled)
  } catch (error) {
    if (!(error instanceof ClientConfigError)) throw error
    throw new WorkloadError('ERR_WORKLOAD_INVALID', sourceName, [{ path: error.field, message: error.message }])
  }
  return normalise(filled, document as Doc, sourceName, client)
}

function isDoc (value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function shortenNemesisPath (issue: WorkloadIssue): WorkloadIssue {
  if (!issue.path.startsWith('nemesis.schedule')) return issue
  return { path: `nemesis${issue.path.slice('nemesis.schedule'.length)}`, message: issue.message }
}

function normalise (doc: Doc, document: Doc, sourceName: string, client: ClientConfig): Workload {
  const durationSeconds = (doc.testDurationSeconds as number | undefined) ?? (doc.testDurationMinutes as number) * 60
  const warmupSeconds = (doc.warmupDurationSeconds as number | undefined) ?? (doc.warmupDurationMinutes as number) * 60
  const backlogGB = doc.consumerBacklogSizeGB as number
  const { keyDistributor, keys } = resolveKeys(doc)
  const subscriptionsPerTopic = (doc.subscriptionsPerTopic as number | undefined) ?? 0
  return {
    sourceName,
    name: doc.name as string,
    topics: doc.topics as number,
    partitionsPerTopic: doc.partitionsPerTopic as number,
    messageSize: doc.messageSize as number,
    payloadFile: (doc.payloadFile as string | null | undefined) ?? null,
    useRandomizedPayloads: doc.useRandomizedPayloads as boolean,
    randomBytesRatio: doc.randomBytesRatio as number,
    randomizedPayloadPoolSize: doc.randomizedPayloadPoolSize as number,
    keyDistributor,
    subscriptionsPerTopic,
    consumerPerSubscription: (doc.consumerPerSubscription as number | undefined) ?? (subscriptionsPerTopic > 0 ? 1 : 0),
    producersPerTopic: (doc.producersPerTopic as number | undefined) ?? 1,
    producerRate: (doc.producerRate as number | undefined) ?? 0,
    consumerBacklogSizeGB: backlogGB,
    backlogDrainRatio: doc.backlogDrainRatio as number,
    testDurationMinutes: durationSeconds / 60,
    warmupDurationMinutes: warmupSeconds / 60,
    durationSeconds,
    warmupSeconds,
    backlogSizeBytes: Math.round(backlogGB * GiB),
    mode: (doc.mode as Workload['mode'] | undefined) ?? (backlogGB > 0 ? 'backlog-drain' : 'throughput'),
    keys,
    producer: resolveProducer({ ...(doc.producer as Doc), ...client.producer }),
    consumer: { ...(doc.consumer as Doc) as unknown as ConsumerSpec, ...client.consumer },
    security: client.security,
    clientId: client.clientId,
    replicationFactor: doc.replicationFactor as number,
    brokers: doc.brokers as number,
    backend: doc.backend as Workload['backend'],
    brokerConfig: { ...(doc.brokerConfig as Record<string, BrokerConfigValue>) },
    driver: doc.driver as Workload['driver'],
    maxRate: { ...(doc.maxRate as Doc) } as unknown as MaxRateSpec,
    nemesis: doc.nemesis === undefined ? null : resolveNemesis(doc.nemesis as Doc),
    chaos: doc.chaos === undefined ? null : resolveChaos(doc.chaos as Doc),
    document: structuredClone(document),
  }
}

function resolveKeys (doc: Doc): { keyDistributor: KeyDistributor, keys: KeySpec | null } {
  const written = doc.keyDistributor as KeyDistributor | undefined
  const block = doc.keys as Doc | undefined
  if (block !== undefined) {
    const distribution = block.distribution as KeySpec['distribution']
    const keys = { count: block.count as number, distribution, zipfExponent: (block.zipfExponent as number | undefined) ?? 1 }
    return { keyDistributor: written ?? (distribution === 'sequential' ? 'KEY_ROUND_ROBIN' : 'RANDOM_NANO'), keys }
  }
  const keyDistributor = written ?? 'NO_KEY'
  if (keyDistributor === 'NO_KEY') return { keyDistributor, keys: null }
  const distribution = keyDistributor === 'KEY_ROUND_ROBIN' ? 'sequential' : 'uniform'
  return { keyDistributor, keys: { count: OMB_KEY_COUNT, distribution, zipfExponent: 1 } }
}

function resolveProducer (producer: Doc): ProducerSpec {
  const acks: Acks = producer.acks === 'all' ? -1 : producer.acks as Acks
  const maxInFlight = producer.maxInFlight as number
  // Kafka turns idempotence on by default only where it is allowed; so do we.
  const idempotent = (producer.idempotent as boolean | undefined) ?? (acks === -1 && maxInFlight <= 5)
  return {
    acks,
    lingerMs: producer.lingerMs as number,
    batchSizeBytes: producer.batchSizeBytes as number,
    compression: producer.compression as ProducerSpec['compression'],
    idempotent,
    maxInFlight,
    retries: producer.retries as number,
  }
}

function resolveChaos (chaos: Doc): ChaosSpec {
  const transform = chaos.workload === 'transform'
  return {
    ...chaos,
    processors: transform ? (chaos.processors as number | undefined) ?? DEFAULT_PROCESSORS : null,
    commitMode: transform ? (chaos.commitMode as CommitMode | undefined) ?? DEFAULT_COMMIT_MODE : null,
  } as unknown as ChaosSpec
}

function resolveNemesis (nemesis: Doc): NemesisSpec {
  const schedule = (nemesis.schedule as Doc[]).map((entry): NemesisEntry => {
    const fault = entry.fault as Fault
    const takes = FAULT_PARAMS[fault].allowed
    const param = <T>(name: string, fallback: T | null): T | null =>
      takes.includes(name) ? (entry[name] as T | undefined) ?? fallback : null
    const targets = Array.isArray(entry.targets) ? [...entry.targets as string[]] : entry.targets as NemesisTargets
    return {
      fault,
      targets,
      startSeconds: (entry.startSeconds as number | undefined) ?? (entry.intervalSeconds as number),
      intervalSeconds: entry.intervalSeconds as number,
      durationSeconds: entry.durationSeconds as number,
      latencyMs: param<number>('latencyMs', null),
      jitterMs: param<number>('jitterMs', 0),
      rateKBps: param<number>('rateKBps', null),
      resetAfterMs: param<number>('resetAfterMs', 0),
      stream: param<ProxyStream>('stream', 'both'),
      topology: param<SplitTopology>('topology', 'isolate'),
      direction: param<SplitDirection>('direction', 'both'),
      clients: param<SplitClients>('clients', 'reach'),
      links: param<SplitLinks>('links', 'both'),
      peers: param<string[]>('peers', null),
    }
  })
  return { schedule, seed: (nemesis.seed as number | undefined) ?? null, quietEndSeconds: nemesis.quietEndSeconds as number }
}
