// `<dataDir>/meta.properties`: which broker and cluster a data dir belongs to, in Kafka's
// properties format, so a data dir is never opened by the wrong broker by mistake.
//
//   version=0
//   broker.id=1
//   cluster.id=Qx3bYzLJQvWw3b0pYgJqIg

import { randomBytes } from 'node:crypto'
import { MetaPropertiesError } from './errors.ts'
import type { Storage } from './storage.ts'

export const META_PROPERTIES_FILE = 'meta.properties'
const META_PROPERTIES_BYTES_MAX = 64 * 1024

export interface MetaProperties {
  brokerId: number
  clusterId: string
}

/** A new cluster id like Kafka's: 16 random bytes in URL-safe base64 (22 characters). */
export function generateClusterId (): string {
  return randomBytes(16).toString('base64url')
}

export function parseMetaProperties (text: string): MetaProperties {
  const values = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.length === 0 || line.startsWith('#') || line.startsWith('!')) continue
    const equals = line.indexOf('=')
    if (equals < 0) throw new MetaPropertiesError(`${META_PROPERTIES_FILE}: line without '=': ${JSON.stringify(line)}`)
    values.set(line.slice(0, equals).trim(), line.slice(equals + 1).trim())
  }
  const brokerId = Number(values.get('broker.id') ?? values.get('node.id'))
  const clusterId = values.get('cluster.id') ?? ''
  if (!Number.isInteger(brokerId) || brokerId < 0) throw new MetaPropertiesError(`${META_PROPERTIES_FILE}: bad broker.id`)
  if (clusterId.length === 0) throw new MetaPropertiesError(`${META_PROPERTIES_FILE}: missing cluster.id`)
  return { brokerId, clusterId }
}

export function encodeMetaProperties (meta: MetaProperties): Buffer {
  // node.id is what Kafka's KRaft mode reads; broker.id stays for older readers.
  return Buffer.from(`#\n#${new Date().toISOString()}\nversion=0\nbroker.id=${meta.brokerId}\nnode.id=${meta.brokerId}\ncluster.id=${meta.clusterId}\n`)
}

/**
 * Reads meta.properties and checks it against this broker; writes it (atomically) for a new
 * data dir. A clusterId of undefined accepts whatever the file says, or generates one.
 */
export async function loadMetaProperties (storage: Storage, brokerId: number, clusterId: string | undefined): Promise<MetaProperties> {
  const data = await storage.readFile(META_PROPERTIES_FILE, META_PROPERTIES_BYTES_MAX)
  if (data === null) {
    const meta = { brokerId, clusterId: clusterId ?? generateClusterId() }
    await storage.writeFileAtomic(META_PROPERTIES_FILE, encodeMetaProperties(meta))
    return meta
  }
  const meta = parseMetaProperties(data.toString('utf8'))
  if (meta.brokerId !== brokerId) {
    throw new MetaPropertiesError(`${storage.dataDir} belongs to broker ${meta.brokerId}, not broker ${brokerId}`)
  }
  if (clusterId !== undefined && meta.clusterId !== clusterId) {
    throw new MetaPropertiesError(`refusing to start: ${storage.dataDir} belongs to cluster ${meta.clusterId} (its ${META_PROPERTIES_FILE}), but cluster.id is ${clusterId}; use this cluster's data dir (log.dirs) or its cluster.id`)
  }
  return meta
}
