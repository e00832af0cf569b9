// Readiness and reachability by a real Kafka request: a broker counts as ready when it
// answers ApiVersions over TCP, not when its port merely accepts connections.

import { connect } from 'node:net'
import { Connection } from '../../broker/client/connection.ts'
import { KafkaClientError } from '../../broker/client/errors.ts'
import { parseAddress } from '../../broker/client/kafka-client.ts'
import { Metadata } from '../../broker/protocol/03-metadata.ts'

const ATTEMPT_TIMEOUT_MS_MAX = 2000
const RETRY_DELAY_MS = 100

/** One ApiVersions exchange with `address`; rejects with the client's error. */
export async function probeApiVersions (address: string, timeoutMs: number): Promise<void> {
  const { host, port } = parseAddress(address)
  const connection = await Connection.connect({ host, port, clientId: 'sluice-cluster', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs })
  connection.close()
}

/**
 * Resolves when `address` accepts a TCP connection, rejects with the reason otherwise: the
 * check for a cluster behind TLS or SASL, which the harness's own client does not speak.
 */
export function probeTcp (address: string, timeoutMs: number): Promise<void> {
  const { host, port } = parseAddress(address)
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs })
    const done = (problem: string | null): void => {
      socket.destroy()
      if (problem === null) resolve()
      else reject(new Error(problem))
    }
    socket.once('connect', () => done(null))
    socket.once('timeout', () => done(`no TCP connection within ${timeoutMs} ms`))
    socket.once('error', error => done(`cannot connect: ${(error as NodeJS.ErrnoException).code ?? error.message}`))
  })
}

/**
 * Retries ApiVersions until it answers or `timeoutMs` passes; `stillWorthTrying` lets the
 * caller stop early (the process died). Returns the last error's message on failure.
 */
export async function waitForApiVersions (address: string, timeoutMs: number, stillWorthTrying: () => boolean = () => true): Promise<string | null> {
  const deadline = Date.now() + timeoutMs
  let last = 'no attempt made'
  while (Date.now() < deadline && stillWorthTrying()) {
    try {
      await probeApiVersions(address, Math.max(100, Math.min(ATTEMPT_TIMEOUT_MS_MAX, deadline - Date.now())))
      return null
    } catch (err) {
      last = err instanceof KafkaClientError ? err.message : String(err)
      await new Promise(resolve => setTimeout(resolve, RETRY_DELAY_MS))
    }
  }
  return last
}

/** "cannot reach 127.0.0.1:9999: connection refused" -> "connection refused". */
export function reasonOf (message: string, address: string): string {
  const prefix = `cannot reach ${address}: `
  return message.startsWith(prefix) ? message.slice(prefix.length) : message
}

export interface ClusterHealth {
  brokers: number
  controllerId: number
  /** topic-partition names without a leader. */
  leaderless: string[]
}

/** One Metadata answer from `address`: live brokers, controller, partitions without a leader. */
export async function clusterHealth (address: string, timeoutMs: number): Promise<ClusterHealth> {
  const { host, port } = parseAddress(address)
  const connection = await Connection.connect({ host, port, clientId: 'sluice-cluster', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs })
  try {
    const response = await connection.request(Metadata, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    const leaderless = response.topics.flatMap(t => t.partitions.filter(p => p.leaderId < 0).map(p => `${t.name}-${p.partitionIndex}`))
    return { brokers: response.brokers.length, controllerId: response.controllerId, leaderless }
  } finally {
    connection.close()
  }
}

/**
 * Resolves when every address reports `brokers` live brokers, an active controller and a
 * leader for every partition; rejects after `timeoutMs` saying what was still missing.
 */
export async function waitForClusterReady (addresses: readonly string[], brokers: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let missing = 'no answer yet'
  while (Date.now() < deadline) {
    const answers = await Promise.all(addresses.map(a => clusterHealth(a, Math.max(100, Math.min(ATTEMPT_TIMEOUT_MS_MAX, deadline - Date.now())))
      .then(h => ({ address: a, h }), (err: Error) => ({ address: a, error: err.message }))))
    const problems = answers.flatMap(a => {
      if ('error' in a) return [`${a.address}: ${a.error}`]
      const { h } = a
      const out: string[] = []
      if (h.brokers < brokers) out.push(`${a.address} sees ${h.brokers} of ${brokers} brokers`)
      if (h.controllerId < 0) out.push(`${a.address} knows no controller`)
      if (h.leaderless.length > 0) out.push(`${a.address}: no leader for ${h.leaderless.slice(0, 5).join(', ')}${h.leaderless.length > 5 ? ', ...' : ''}`)
      return out
    })
    if (problems.length === 0) return
    missing = problems.join('; ')
    await new Promise(resolve => setTimeout(resolve, RETRY_DELAY_MS))
  }
  throw new Error(`the cluster was not ready within ${timeoutMs} ms: ${missing}`)
}
