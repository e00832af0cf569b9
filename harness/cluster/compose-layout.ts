// How the docker backend lays N brokers onto docker-compose.yml: the file defines
// sluice-0..2 (profiles `single` and `trio`) and the proxy container (`toxiproxy`), with
// host ports, advertised addresses and data directories taken from environment variables;
// the backend fills those in and writes an override file that gives each broker its exact
// command (config overrides as `-o key=value`) and adds sluice-3.. cloned from sluice-2
// when a cluster is larger than the file's.

import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ClusterError, type ClusterSpec } from './cluster.ts'

/** Brokers the compose file itself defines; larger clusters are cloned in the override. */
export const FILE_BROKERS = 3
/** Container port of broker i's listener in the proxy container (`sluice toxiproxy`). */
export const PROXY_PORT_BASE = 29092
export const NETWORK = 'sluice'

export interface BrokerPorts {
  kafka: number
  http: number
  /** Host port published for the proxy container's listener in front of this broker. */
  proxy: number | null
  advertise: string
  dataDir: string
}

/** What docker/broker.Dockerfile copies into the image (keep in step with it and .dockerignore). */
const IMAGE_INPUTS = ['docker/broker.Dockerfile', 'package.json', 'package-lock.json', 'broker', 'harness', 'chaos', 'workloads']
const IMAGE_FILES_MAX = 20_000

/**
 * A tag naming the broker image built from these inputs on this base image: a checkout
 * whose code did not change reuses its image instead of rebuilding (a cached build still
 * costs seconds to tens of seconds on a loaded machine).
 */
export function imageTag (repoRoot: string, baseImage: string): string {
  const hash = createHash('sha256').update(baseImage)
  let files = 0
  const add = (relative: string): void => {
    if (++files > IMAGE_FILES_MAX) throw new ClusterError('ERR_CLUSTER_SPEC', `more than ${IMAGE_FILES_MAX} files under ${IMAGE_INPUTS.join(', ')}`)
    const path = join(repoRoot, relative)
    const entries = (() => {
      try {
        return readdirSync(path, { withFileTypes: true })
      } catch {
        return null
      }
    })()
    if (entries === null) {
      hash.update(`\0${relative}\0`).update(readFileSync(path))
      return
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) add(join(relative, entry.name))
  }
  for (const input of IMAGE_INPUTS) add(input)
  return hash.digest('hex').slice(0, 16)
}

export function serviceName (index: number): string {
  return `sluice-${index}`
}

export function profilesFor (brokers: number, toxiproxy: boolean): string[] {
  return [brokers === 1 ? 'single' : 'trio', ...(toxiproxy ? ['toxiproxy'] : [])]
}

/** The variables docker-compose.yml reads for the brokers it defines. */
export function composeEnv (ports: readonly BrokerPorts[], toxiproxyPort: number | null): Record<string, string> {
  const env: Record<string, string> = {}
  ports.slice(0, FILE_BROKERS).forEach((p, i) => {
    env[`SLUICE_KAFKA_PORT_${i}`] = String(p.kafka)
    env[`SLUICE_HTTP_PORT_${i}`] = String(p.http)
    env[`SLUICE_ADVERTISE_${i}`] = p.advertise
    env[`SLUICE_DATA_${i}`] = p.dataDir
    if (p.proxy !== null) env[`SLUICE_PROXY_PORT_${i}`] = String(p.proxy)
  })
  if (toxiproxyPort !== null) env.TOXIPROXY_PORT = String(toxiproxyPort)
  return env
}

/** Compose interpolates "$" in the override file too; "$$" is a literal dollar. */
function literal (text: string): string {
  return text.replaceAll('$', '$$$$')
}

export function brokerCommand (index: number, advertise: string, config: ClusterSpec['brokerConfig']): string[] {
  return ['broker', '--listen', '0.0.0.0:9092', '--http', '0.0.0.0:8082', '--data-dir', '/data', '--broker-id', String(index),
    '--advertise', literal(advertise), ...Object.entries(config).flatMap(([k, v]) => ['-o', literal(`${k}=${String(v)}`)])]
}

/** sluice-2 of the compose file, merge keys resolved: the template of brokers beyond it. */
function templateService (composeFile: string): Record<string, unknown> {
  const doc = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services?: Record<string, Record<string, unknown>> }
  const template = doc.services?.[serviceName(FILE_BROKERS - 1)]
  if (template === undefined) throw new ClusterError('ERR_CLUSTER_SPEC', `${composeFile} has no service ${serviceName(FILE_BROKERS - 1)} to clone brokers from`)
  return template
}

/** The override document: every broker's command, extra brokers, their proxy ports. */
export function overrideDocument (options: { composeFile: string, ports: readonly BrokerPorts[], config: ClusterSpec['brokerConfig'], user: string | null, nodeFlags?: readonly string[] }): Record<string, unknown> {
  const services: Record<string, Record<string, unknown>> = {}
  const extraProxyPorts: string[] = []
  options.ports.forEach((p, i) => {
    const service: Record<string, unknown> = { command: brokerCommand(i, p.advertise, options.config) }
    // The broker's Node flags (broker-node-flags.ts) go before the script, so the image's
    // entrypoint (docker/broker.Dockerfile: node harness/cli.ts) is restated with them.
    const nodeFlags = options.nodeFlags ?? []
    if (nodeFlags.length > 0) service.entrypoint = ['node', ...nodeFlags.map(literal), 'harness/cli.ts']
    // Files in the bind-mounted data dir then belong to the user who runs the harness.
    if (options.user !== null) service.user = options.user
    if (i >= FILE_BROKERS) {
      const template = templateService(options.composeFile)
      Object.assign(service, {
        build: template.build,
        image: template.image,
        init: template.init,
        stop_signal: template.stop_signal,
        stop_grace_period: template.stop_grace_period,
        networks: [NETWORK],
        ports: [`127.0.0.1:${p.kafka}:9092`, `127.0.0.1:${p.http}:8082`],
        volumes: [`${literal(p.dataDir)}:/data`],
      })
      if (p.proxy !== null) extraProxyPorts.push(`127.0.0.1:${p.proxy}:${PROXY_PORT_BASE + i}`)
    }
    services[serviceName(i)] = service
  })
  if (extraProxyPorts.length > 0) services.toxiproxy = { ports: extraProxyPorts }
  return { services }
}
