// Client properties passed through to the drivers, as OpenMessaging Benchmark's Kafka driver
// takes them: `commonConfig` (every client), `producerConfig` and `consumerConfig`, each a
// Java-properties text block or a YAML mapping, with Kafka's client property names. This is
// how a workload reaches a real cluster that needs TLS or SASL, and how OMB driver settings
// carry over. Producer and consumer keys override the workload's `producer` / `consumer`
// blocks; a key Sluice cannot honour is an error naming it (never silently dropped).

import { didYouMean } from '../../broker/config/suggest.ts'
import type { ConsumerSpec, ProducerSpec } from './types.ts'

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export interface ClientSecurity {
  protocol: SecurityProtocol
  sasl: { mechanism: SaslMechanism, username: string, password: string } | null
  /** TLS settings when the protocol is SSL or SASL_SSL: PEM file paths, and host checking. */
  tls: { caFile: string | null, certFile: string | null, keyFile: string | null, verifyHostname: boolean } | null
}

export interface ClientConfig {
  clientId: string | null
  security: ClientSecurity
  producer: Partial<ProducerSpec>
  consumer: Partial<ConsumerSpec>
}

export const PLAINTEXT: ClientSecurity = { protocol: 'PLAINTEXT', sasl: null, tls: null }

export class ClientConfigError extends Error {
  readonly field: string
  constructor (field: string, message: string) {
    super(message)
    this.field = field
  }
}

type Section = 'commonConfig' | 'producerConfig' | 'consumerConfig'
type Overrides<T> = { -readonly [K in keyof T]?: T[K] }
type Properties = Record<string, string>

const COMMON_KEYS = ['client.id', 'security.protocol', 'sasl.mechanism', 'sasl.mechanisms', 'sasl.username', 'sasl.password',
  'sasl.jaas.config', 'ssl.ca.location', 'ssl.certificate.location', 'ssl.key.location', 'ssl.endpoint.identification.algorithm']
const PRODUCER_KEYS = ['acks', 'linger.ms', 'batch.size', 'compression.type', 'enable.idempotence', 'max.in.flight.requests.per.connection', 'retries']
const CONSUMER_KEYS = ['enable.auto.commit', 'auto.commit.interval.ms', 'fetch.max.wait.ms', 'fetch.min.bytes', 'auto.offset.reset']
const ALLOWED: Record<Section, string[]> = {
  commonConfig: COMMON_KEYS,
  producerConfig: [...COMMON_KEYS, ...PRODUCER_KEYS],
  consumerConfig: [...COMMON_KEYS, ...CONSUMER_KEYS],
}
/** Keys that OMB driver files carry and that say something this harness decides itself. */
const DECIDED_HERE: Record<string, string> = {
  'bootstrap.servers': 'give the cluster with --bootstrap host:port[,host:port]',
  'key.serializer': 'the harness sends bytes', 'value.serializer': 'the harness sends bytes',
  'key.deserializer': 'the harness reads bytes', 'value.deserializer': 'the harness reads bytes',
  'group.id': 'consumer groups are named per subscription by the harness',
}

/** Java-properties text (key=value or key: value lines, # and ! comments) or a mapping. */
export function readProperties (value: unknown, field: Section): Properties {
  if (value === undefined || value === null) return {}
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
  }
  if (typeof value !== 'string') throw new ClientConfigError(field, `${field} must be Java-properties text (key=value lines) or a mapping`)
  const out: Properties = {}
  value.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return
    const at = line.search(/[=:]/)
    if (at <= 0) throw new ClientConfigError(field, `${field} line ${index + 1}: expected key=value, got ${JSON.stringify(line)}`)
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim()
  })
  return out
}

function checkKeys (props: Properties, field: Section): void {
  for (const key of Object.keys(props)) {
    if (ALLOWED[field].includes(key)) continue
    const decided = DECIDED_HERE[key]
    if (decided !== undefined) throw new ClientConfigError(`${field}.${key}`, `${field} sets ${key}, which Sluice decides itself: ${decided}`)
    const hint = didYouMean(key, ALLOWED[field])
    throw new ClientConfigError(`${field}.${key}`, `${field}: ${key} is not a client property Sluice passes on` +
      (hint !== undefined ? ` (did you mean ${hint}?)` : `; supported: ${ALLOWED[field].join(', ')}`))
  }
}

function integer (props: Properties, key: string, field: string, min: number): number | undefined {
  const text = props[key]
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) throw new ClientConfigError(`${field}.${key}`, `${field}: ${key} must be an integer >= ${min}, got ${JSON.stringify(text)}`)
  return value
}

function flag (props: Properties, key: string, field: string): boolean | undefined {
  const text = props[key]
  if (text === undefined) return undefined
  if (text !== 'true' && text !== 'false') throw new ClientConfigError(`${field}.${key}`, `${field}: ${key} must be true or false, got ${JSON.stringify(text)}`)
  return text === 'true'
}

function oneOf<T extends string> (props: Properties, key: string, field: string, allowed: readonly T[]): T | undefined {
  const text = props[key]
  if (text === undefined) return undefined
  const match = allowed.find(a => a.toLowerCase() === text.toLowerCase())
  if (match === undefined) throw new ClientConfigError(`${field}.${key}`, `${field}: ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`)
  return match
}

/** username and password from a Java sasl.jaas.config line (PlainLoginModule or ScramLoginModule). */
function jaasCredentials (jaas: string): { username: string, password: string } | null {
  const username = /username\s*=\s*"([^"]*)"/.exec(jaas)?.[1]
  const password = /password\s*=\s*"([^"]*)"/.exec(jaas)?.[1]
  return username === undefined || password === undefined ? null : { username, password }
}

function security (props: Properties): ClientSecurity {
  const field = 'commonConfig'
  const protocol = oneOf(props, 'security.protocol', field, ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const) ?? 'PLAINTEXT'
  const usesSasl = protocol.startsWith('SASL')
  let sasl: ClientSecurity['sasl'] = null
  if (usesSasl) {
    const mechanism = oneOf(props, 'sasl.mechanism', field, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) ??
      oneOf(props, 'sasl.mechanisms', field, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) ?? 'PLAIN'
    const credentials = props['sasl.jaas.config'] !== undefined
      ? jaasCredentials(props['sasl.jaas.config'])
      : props['sasl.username'] !== undefined && props['sasl.password'] !== undefined ? { username: props['sasl.username'], password: props['sasl.password'] } : null
    if (credentials === null) throw new ClientConfigError(`${field}.sasl.jaas.config`, `security.protocol ${protocol} needs credentials: sasl.username and sasl.password, or sasl.jaas.config with username="..." password="..."`)
    sasl = { mechanism, ...credentials }
  }
  const tls = protocol.endsWith('SSL')
    ? {
        caFile: props['ssl.ca.location'] ?? null,
        certFile: props['ssl.certificate.location'] ?? null,
        keyFile: props['ssl.key.location'] ?? null,
        verifyHostname: props['ssl.endpoint.identification.algorithm'] !== '',
      }
    : null
  return { protocol, sasl, tls }
}

function producerOverrides (props: Properties): Partial<ProducerSpec> {
  const field = 'producerConfig'
  const out: Overrides<ProducerSpec> = {}
  const acks = oneOf(props, 'acks', field, ['0', '1', '-1', 'all'] as const)
  if (acks !== undefined) out.acks = acks === 'all' ? -1 : Number(acks) as ProducerSpec['acks']
  const set = <K extends keyof ProducerSpec>(key: K, value: ProducerSpec[K] | undefined): void => { if (value !== undefined) out[key] = value }
  set('lingerMs', integer(props, 'linger.ms', field, 0))
  set('batchSizeBytes', integer(props, 'batch.size', field, 1))
  set('compression', oneOf(props, 'compression.type', field, ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const))
  set('idempotent', flag(props, 'enable.idempotence', field))
  set('maxInFlight', integer(props, 'max.in.flight.requests.per.connection', field, 1))
  set('retries', integer(props, 'retries', field, 0))
  return out
}

function consumerOverrides (props: Properties): Partial<ConsumerSpec> {
  const field = 'consumerConfig'
  if (props['auto.offset.reset'] !== undefined && props['auto.offset.reset'] !== 'earliest') {
    throw new ClientConfigError(`${field}.auto.offset.reset`, `${field}: auto.offset.reset must be earliest: every benchmark consumer reads its topic from the start`)
  }
  const out: Overrides<ConsumerSpec> = {}
  const set = <K extends keyof ConsumerSpec>(key: K, value: ConsumerSpec[K] | undefined): void => { if (value !== undefined) out[key] = value }
  set('autoCommit', flag(props, 'enable.auto.commit', field))
  set('autoCommitIntervalMs', integer(props, 'auto.commit.interval.ms', field, 0))
  set('fetchMaxWaitMs', integer(props, 'fetch.max.wait.ms', field, 0))
  set('fetchMinBytes', integer(props, 'fetch.min.bytes', field, 0))
  return out
}

export function parseClientConfig (doc: Readonly<Record<string, unknown>>): ClientConfig {
  const common = readProperties(doc.commonConfig, 'commonConfig')
  const producer = readProperties(doc.producerConfig, 'producerConfig')
  const consumer = readProperties(doc.consumerConfig, 'consumerConfig')
  checkKeys(common, 'commonConfig')
  checkKeys(producer, 'producerConfig')
  checkKeys(consumer, 'consumerConfig')
  const shared = { ...common }
  for (const key of COMMON_KEYS) {
    for (const side of [producer, consumer]) {
      if (side[key] === undefined) continue
      if (shared[key] !== undefined && shared[key] !== side[key]) throw new ClientConfigError(key, `${key} differs between commonConfig and producerConfig/consumerConfig; producers and consumers share one connection setup here`)
      shared[key] = side[key]
    }
  }
  return {
    clientId: shared['client.id'] ?? null,
    security: security(shared),
    producer: producerOverrides(producer),
    consumer: consumerOverrides(consumer),
  }
}
