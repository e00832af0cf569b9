// The cluster keys as Kafka's KRaft mode reads them, checked across keys once at start:
// `process.roles`, `node.id`, the controller quorum (`controller.quorum.voters` or
// `controller.quorum.bootstrap.servers`), and named `listeners` with
// `controller.listener.names` and `inter.broker.listener.name`. Each problem names the key
// and the fix. With no `process.roles` the broker is the one-node cluster it always was.

import { parseListener, type Listener } from './config.ts'

export type ProcessRole = 'broker' | 'controller'

export interface NamedListener extends Listener {
  /** PLAINTEXT, CONTROLLER, ...; PLAINTEXT when the listener is written as host:port. */
  name: string
}

export interface QuorumVoter { id: number, host: string, port: number }

export interface ClusterConfig {
  nodeId: number
  roles: ReadonlySet<ProcessRole>
  voters: readonly QuorumVoter[]
  bootstrapServers: readonly Listener[]
  controllerListenerNames: readonly string[]
  interBrokerListenerName: string
  /** sluice.inter.broker.addresses: per broker id, where this node reaches its inter-broker listener. */
  interBrokerAddresses: ReadonlyMap<number, Listener>
}

type Values = Readonly<Record<string, number | boolean | string | null>>

const splitList = (text: string): string[] => text.split(',').map(s => s.trim()).filter(s => s.length > 0)

/** `NAME://host:port,...`; throws with the key named on the first bad entry. */
export function parseListeners (text: string, key = 'listeners'): NamedListener[] {
  const entries = splitList(text)
  if (entries.length === 0) throw new Error(`${key} must list at least one listener, like PLAINTEXT://127.0.0.1:9092`)
  return entries.map(entry => {
    const scheme = /^([A-Za-z_][A-Za-z0-9_]*):\/\//.exec(entry)
    return { name: scheme === null ? 'PLAINTEXT' : scheme[1]!.toUpperCase(), ...parseListener(entry, key) }
  })
}

/** `id@host:port,...` as Kafka's controller.quorum.voters (and sluice.inter.broker.addresses). */
export function parseVoters (text: string, key = 'controller.quorum.voters'): QuorumVoter[] {
  return splitList(text).map(entry => {
    const match = /^(\d+)@(.+)$/.exec(entry)
    if (match === null) throw new Error(`${key} entry ${JSON.stringify(entry)} must look like 1@127.0.0.1:9093`)
    const { host, port } = parseListener(match[2]!, key)
    return { id: Number(match[1]), host, port }
  })
}

/** sluice.inter.broker.addresses; a broker id listed twice is an error naming the key. */
function parseInterBrokerAddresses (text: string): Map<number, Listener> {
  const addresses = new Map<number, Listener>()
  for (const { id, host, port } of parseVoters(text, 'sluice.inter.broker.addresses')) {
    if (addresses.has(id)) throw new Error(`sluice.inter.broker.addresses lists broker ${id} twice; give each broker one address`)
    addresses.set(id, { host, port })
  }
  return addresses
}

function parseRoles (text: string): Set<ProcessRole> {
  const roles = splitList(text)
  const bad = roles.find(r => r !== 'broker' && r !== 'controller')
  if (bad !== undefined || roles.length === 0 || new Set(roles).size !== roles.length) {
    throw new Error(`process.roles must be "broker", "controller" or "broker,controller" (got ${JSON.stringify(text)})`)
  }
  return new Set(roles as ProcessRole[])
}

/** Listener names and ports must be distinct; the HTTP API may not share a Kafka port. */
function listenerClashes (listeners: readonly NamedListener[], http: Listener | null): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  const ports = new Map<string, string>()
  for (const l of listeners) {
    if (names.has(l.name)) problems.push(`listeners names ${l.name} twice: each listener needs its own name`)
    names.add(l.name)
    const where = `${l.host}:${l.port}`
    if (l.port !== 0 && ports.has(where)) problems.push(`listeners: ${l.name} and ${ports.get(where)} both use ${where}; give each its own port`)
    ports.set(where, l.name)
  }
  if (http !== null && http.port !== 0 && listeners.some(l => l.port === http.port && (l.host === http.host || l.host === '0.0.0.0'))) {
    problems.push(`sluice.http.listener port ${http.port} clashes with a Kafka listener in listeners`)
  }
  return problems
}

function listenerNameProblems (roles: ReadonlySet<ProcessRole>, names: Set<string>, controllerNames: string[], interBroker: string): string[] {
  const problems: string[] = []
  if (controllerNames.length === 0) problems.push('controller.listener.names is required with process.roles (e.g. controller.listener.names=CONTROLLER)')
  if (roles.has('controller') && !controllerNames.some(n => names.has(n))) {
    problems.push(`controller.listener.names (${controllerNames.join(',')}) must name one of the listeners of a controller; add e.g. CONTROLLER://127.0.0.1:9093 to listeners`)
  }
  if (!roles.has('controller') && controllerNames.some(n => names.has(n))) {
    problems.push('listeners of a broker-only node must not include a controller listener from controller.listener.names')
  }
  if (roles.has('broker')) {
    if (!names.has(interBroker)) problems.push(`inter.broker.listener.name ${interBroker} is not one of the listeners`)
    if (controllerNames.includes(interBroker)) problems.push(`inter.broker.listener.name ${interBroker} is a controller listener; brokers talk to each other on a broker listener`)
  }
  return problems
}

function quorumProblems (nodeId: number, roles: ReadonlySet<ProcessRole>, voters: QuorumVoter[], bootstrap: Listener[]): string[] {
  const problems: string[] = []
  if (voters.length === 0 && bootstrap.length === 0) {
    problems.push('process.roles needs controller.quorum.voters (1@host:port,...) or controller.quorum.bootstrap.servers (host:port,...)')
  }
  const seen = new Set<number>()
  for (const v of voters) {
    if (seen.has(v.id)) problems.push(`controller.quorum.voters lists node ${v.id} twice; every voter needs its own node id`)
    seen.add(v.id)
  }
  if (roles.has('controller') && voters.length > 0 && !seen.has(nodeId)) {
    problems.push(`controller.quorum.voters does not contain this controller's node.id ${nodeId}; add ${nodeId}@host:port or drop "controller" from process.roles`)
  }
  return problems
}

/**
 * The effective node id: node.id when set, else broker.id; both set must agree.
 * `explicitKeys` are the keys the user set, to tell a default broker.id from a chosen one.
 */
export function nodeIdOf (values: Values, explicitKeys: ReadonlySet<string>, problems: string[]): number {
  const nodeId = values['node.id'] as number
  const brokerId = values['broker.id'] as number
  if (nodeId >= 0 && explicitKeys.has('broker.id') && brokerId !== nodeId) problems.push(`node.id ${nodeId} and broker.id ${brokerId} differ; set only node.id`)
  return nodeId >= 0 ? nodeId : brokerId
}

function tryParse<T> (problems: string[], parse: () => T, fallback: T): T {
  try {
    return parse()
  } catch (err) {
    problems.push((err as Error).message)
    return fallback
  }
}

/**
 * Cross-key checks; pushes problems and returns the cluster config, or null for the
 * one-node mode (no process.roles).
 */
export interface ClusterKeysInput {
  values: Values
  /** From nodeIdOf. */
  nodeId: number
  listeners: readonly NamedListener[]
  http: Listener | null
}

export function buildClusterConfig ({ values, nodeId, listeners, http }: ClusterKeysInput, problems: string[]): ClusterConfig | null {
  problems.push(...listenerClashes(listeners, http))
  if ((values['broker.heartbeat.interval.ms'] as number) >= (values['broker.session.timeout.ms'] as number)) {
    problems.push('broker.heartbeat.interval.ms must be below broker.session.timeout.ms, or a live broker is fenced between two heartbeats')
  }
  const rolesText = values['process.roles'] as string | null
  if (rolesText === null) return null
  // Every later check depends on the roles: with bad roles, that one problem is enough.
  const roles = tryParse(problems, () => parseRoles(rolesText), null)
  if (roles === null) return null
  const voters = tryParse(problems, () => parseVoters((values['controller.quorum.voters'] as string | null) ?? ''), [])
  const bootstrapText = (values['controller.quorum.bootstrap.servers'] as string | null) ?? ''
  const bootstrapServers = tryParse(problems, () => splitList(bootstrapText).map(s => parseListener(s, 'controller.quorum.bootstrap.servers')), [])
  const controllerListenerNames = splitList((values['controller.listener.names'] as string | null) ?? '').map(n => n.toUpperCase())
  const interBrokerListenerName = ((values['inter.broker.listener.name'] as string | null) ?? 'PLAINTEXT').toUpperCase()
  const interBrokerAddresses = tryParse(problems, () => parseInterBrokerAddresses((values['sluice.inter.broker.addresses'] as string | null) ?? ''), new Map<number, Listener>())
  problems.push(...quorumProblems(nodeId, roles, voters, bootstrapServers))
  if (values['cluster.id'] === null) problems.push('cluster.id is required with process.roles: give every node of the cluster the same id (e.g. cluster.id=MkU3OEVBNTcwNTJENDM2Qg)')
  if (bootstrapServers.length > 0 && voters.length === 0) problems.push('controller.quorum.bootstrap.servers without controller.quorum.voters is not supported yet (dynamic quorums, KIP-853); list the voters as id@host:port')
  problems.push(...listenerNameProblems(roles, new Set(listeners.map(l => l.name)), controllerListenerNames, interBrokerListenerName))
  return { nodeId, roles, voters, bootstrapServers, controllerListenerNames, interBrokerListenerName, interBrokerAddresses }
}
