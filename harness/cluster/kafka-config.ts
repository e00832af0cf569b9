// server.properties for one node of a local KRaft cluster: combined broker+controller roles
// (node ids 0..N-1, the same ids the harness uses as broker indexes), a PLAINTEXT listener for
// clients and replication (advertised as the proxy in front of it, when there is one, so
// follower fetches cross the fault layer too) and a CONTROLLER listener for the Raft quorum.
//
// The workload's brokerConfig uses Kafka's own key names and is written as given, after the
// backend's defaults for a small cluster (internal topics' replication capped at the node
// count, no initial rebalance delay). Keys that shape the cluster itself (roles, ids,
// listeners, log dirs) belong to the backend and are refused with the reason.

import { CONFIG_KEYS } from '../../broker/config/keys.ts'
import { ClusterError } from './cluster.ts'

export interface KafkaNodePorts {
  kafka: number
  controller: number
}

export interface NodeConfigInput {
  nodeId: number
  /** Every node's ports, by node id. */
  ports: readonly KafkaNodePorts[]
  /** host:port clients should use; the node's own listener when undefined. */
  advertised: string | undefined
  logDir: string
  brokerConfig: Readonly<Record<string, string | number | boolean>>
}

/** Keys the backend sets itself; a workload setting them would break the cluster's wiring. */
export const BACKEND_OWNED_KEYS: readonly string[] = [
  'process.roles', 'node.id', 'broker.id', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers',
  'listeners', 'advertised.listeners', 'controller.listener.names', 'listener.security.protocol.map',
  'inter.broker.listener.name', 'log.dirs', 'log.dir', 'metadata.log.dir',
]

function smallClusterDefaults (nodes: number): Record<string, string> {
  return {
    'offsets.topic.replication.factor': String(Math.min(3, nodes)),
    'transaction.state.log.replication.factor': String(Math.min(3, nodes)),
    'transaction.state.log.min.isr': String(Math.min(2, nodes)),
    'share.coordinator.state.topic.replication.factor': String(Math.min(3, nodes)),
    'share.coordinator.state.topic.min.isr': String(Math.min(2, nodes)),
    'group.initial.rebalance.delay.ms': '0',
  }
}

export function checkBrokerConfig (brokerConfig: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(brokerConfig)) {
    if (BACKEND_OWNED_KEYS.includes(key)) {
      throw new ClusterError('ERR_CLUSTER_SPEC', `brokerConfig.${key} is set by the kafka backend itself (node ids, listeners and log dirs wire the local cluster); remove it from the workload`)
    }
    if (/[\r\n]/.test(key) || /[\r\n]/.test(String(brokerConfig[key]))) {
      throw new ClusterError('ERR_CLUSTER_SPEC', `brokerConfig.${key}: keys and values must be single lines`)
    }
  }
}

/** The server.properties text for one node. */
export function renderServerProperties (input: NodeConfigInput): string {
  const own = input.ports[input.nodeId]
  if (own === undefined) throw new Error(`programmer error: no ports for node ${input.nodeId}`)
  const voters = input.ports.map((p, id) => `${id}@127.0.0.1:${p.controller}`).join(',')
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(input.nodeId),
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${own.kafka},CONTROLLER://127.0.0.1:${own.controller}`,
    'advertised.listeners': `PLAINTEXT://${input.advertised ?? `127.0.0.1:${own.kafka}`}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': input.logDir,
    ...smallClusterDefaults(input.ports.length),
  }
  for (const [key, value] of Object.entries(input.brokerConfig)) settings[key] = String(value)
  const lines = ['# Written by the sluice kafka backend (harness/cluster/kafka-config.ts).']
  for (const [key, value] of Object.entries(settings)) lines.push(`${key}=${value.replace(/\\/g, '\\\\')}`)
  return `${lines.join('\n')}\n`
}

export interface ConfigKeyReport {
  /** Keys of the workload that Kafka's DescribeConfigs did not list: Kafka ignores them. */
  unknownToKafka: string[]
  /** Keys of the workload the reference broker does not have (it would refuse them). */
  unknownToReference: string[]
}

/** Compares the workload's keys with what each broker knows; `kafkaKeys` null = could not ask. */
export function reportConfigKeys (brokerConfig: Readonly<Record<string, unknown>>, kafkaKeys: ReadonlySet<string> | null): ConfigKeyReport {
  const keys = Object.keys(brokerConfig)
  return {
    unknownToKafka: kafkaKeys === null ? [] : keys.filter(k => !kafkaKeys.has(k)),
    unknownToReference: keys.filter(k => !Object.hasOwn(CONFIG_KEYS, k)),
  }
}

/** Splits a brokerConfig into the keys the reference broker knows and those it does not. */
export function splitReferenceKeys<T> (brokerConfig: Readonly<Record<string, T>>): { kept: Record<string, T>, dropped: string[] } {
  const kept: Record<string, T> = {}
  const dropped: string[] = []
  for (const [key, value] of Object.entries(brokerConfig)) {
    if (Object.hasOwn(CONFIG_KEYS, key)) kept[key] = value
    else dropped.push(key)
  }
  return { kept, dropped }
}

export function formatConfigKeyReport (report: ConfigKeyReport): string[] {
  const lines: string[] = []
  if (report.unknownToKafka.length > 0) lines.push(`brokerConfig keys Apache Kafka does not know (it ignores them): ${report.unknownToKafka.join(', ')}`)
  if (report.unknownToReference.length > 0) lines.push(`brokerConfig keys the reference broker does not know (passed to Kafka only): ${report.unknownToReference.join(', ')}`)
  return lines
}
