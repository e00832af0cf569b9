// The workload's TLS and SASL settings (commonConfig) in the shapes kafkajs and
// @platformatic/kafka take. Certificates are read once, here, so a missing file is one
// clear error at start instead of a failed connection later. The native and http drivers
// speak PLAINTEXT only and refuse anything else.

import { readFileSync } from 'node:fs'
import type { ClientSecurity } from '../workload/client-config.ts'
import { DriverError } from './driver.ts'

export interface TlsFiles {
  ca?: Buffer[]
  cert?: Buffer
  key?: Buffer
  rejectUnauthorized: boolean
  /** false: skip the host name check (ssl.endpoint.identification.algorithm empty). */
  checkServerIdentity?: () => undefined
}

function read (path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new DriverError(`cannot read the ${what} ${path} (commonConfig): ${(error as Error).message}`, { code: 'ERR_CONFIG' })
  }
}

/** Node TLS options, or null for a protocol without TLS. */
export function tlsOptions (security: ClientSecurity): TlsFiles | null {
  if (security.tls === null) return null
  const { caFile, certFile, keyFile, verifyHostname } = security.tls
  return {
    ...(caFile === null ? {} : { ca: [read(caFile, 'CA file (ssl.ca.location)')] }),
    ...(certFile === null ? {} : { cert: read(certFile, 'certificate (ssl.certificate.location)') }),
    ...(keyFile === null ? {} : { key: read(keyFile, 'private key (ssl.key.location)') }),
    rejectUnauthorized: true,
    ...(verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  }
}

/** Refuses a secured protocol in a driver that cannot speak it. */
export function requirePlaintext (security: ClientSecurity, driver: string): void {
  if (security.protocol === 'PLAINTEXT') return
  throw new DriverError(`the ${driver} driver speaks PLAINTEXT only, and commonConfig sets security.protocol=${security.protocol}: use --driver kafkajs or platformatic`, { code: 'ERR_CONFIG' })
}
