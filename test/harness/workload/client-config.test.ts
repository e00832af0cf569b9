// OMB-style client properties: commonConfig / producerConfig / consumerConfig as Java
// properties text or mappings, mapped onto the workload's producer, consumer and security
// settings, and every key Sluice cannot honour named in the error.

import { describe, expect, it } from 'vitest'
import { parseWorkload } from '../../../harness/workload/load.ts'
import { WorkloadError } from '../../../harness/workload/errors.ts'

const BASE = [
  'name: cc', 'topics: 1', 'partitionsPerTopic: 2', 'messageSize: 100', 'producerRate: 100', 'producersPerTopic: 1',
  'subscriptionsPerTopic: 1', 'consumerPerSubscription: 1', 'testDurationSeconds: 2',
].join('\n')

function load (extra: string): ReturnType<typeof parseWorkload> {
  return parseWorkload(`${BASE}\n${extra}\n`, 'cc.yaml')
}

function problem (extra: string): string {
  try {
    load(extra)
  } catch (error) {
    expect(error).toBeInstanceOf(WorkloadError)
    return (error as Error).message
  }
  throw new Error('expected the workload to be refused')
}

describe('client configs', () => {
  it('default to PLAINTEXT and leave the producer block alone', () => {
    const w = load('')
    expect(w.security).toEqual({ protocol: 'PLAINTEXT', sasl: null, tls: null })
    expect(w.clientId).toBeNull()
    expect(w.producer.acks).toBe(-1)
    expect(w.producer.idempotent).toBe(true)
  })

  it('read Java-properties text as OMB driver files write it, SASL credentials from sasl.jaas.config', () => {
    const w = load([
      'commonConfig: |',
      '  # OMB style',
      '  security.protocol=SASL_SSL',
      '  sasl.mechanism=SCRAM-SHA-512',
      '  sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="pa=ss";',
      '  ssl.endpoint.identification.algorithm=',
      '  client.id=omb',
    ].join('\n'))
    expect(w.security).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pa=ss' },
      tls: { caFile: null, certFile: null, keyFile: null, verifyHostname: false },
    })
    expect(w.clientId).toBe('omb')
  })

  it('override the producer and consumer blocks, recomputing what depends on them', () => {
    const w = load('producerConfig:\n  acks: 1\n  linger.ms: 7\n  compression.type: lz4\nconsumerConfig: "fetch.max.wait.ms=250\\nenable.auto.commit=false"')
    expect(w.producer).toMatchObject({ acks: 1, lingerMs: 7, compression: 'lz4' })
    // Kafka turns idempotence on by itself only for acks=all.
    expect(w.producer.idempotent).toBe(false)
    expect(w.consumer).toMatchObject({ fetchMaxWaitMs: 250, autoCommit: false })
  })

  it('name a misspelt key with the right one', () => {
    expect(problem('producerConfig: "linger.msx=3"')).toMatch(/producerConfig\.linger\.msx.*not a client property Sluice passes on \(did you mean linger\.ms\?\)/)
  })

  it('refuse keys the harness decides itself, saying what to do instead', () => {
    expect(problem('commonConfig: "bootstrap.servers=kafka:9092"')).toMatch(/bootstrap\.servers, which Sluice decides itself: give the cluster with --bootstrap/)
    expect(problem('consumerConfig: "auto.offset.reset=latest"')).toMatch(/auto\.offset\.reset must be earliest/)
  })

  it('refuse SASL without credentials, and bad values with the allowed ones', () => {
    expect(problem('commonConfig: "security.protocol=SASL_PLAINTEXT"')).toMatch(/needs credentials: sasl\.username and sasl\.password, or sasl\.jaas\.config/)
    expect(problem('commonConfig: "security.protocol=TLS"')).toMatch(/security\.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"/)
    expect(problem('producerConfig: "acks=2"')).toMatch(/acks must be one of 0, 1, -1, all/)
    expect(problem('producerConfig: "not a property line"')).toMatch(/line 1: expected key=value/)
  })
})
