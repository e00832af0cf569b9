// host:port strings as Toxiproxy writes them: `127.0.0.1:8474`, `[::1]:8474`, `:8474` (all
// interfaces). Listen addresses are compared the way Toxiproxy's Proxy.Differs does, after
// resolving `localhost` to 127.0.0.1, so `localhost:20000` and `127.0.0.1:20000` are the
// same proxy; no other name is resolved (no DNS in a request handler).

import type { AddressInfo } from 'node:net'
import { badRequestBody } from './errors.ts'

export interface HostPort {
  /** '' means every interface (listen) or the local machine (dial). */
  readonly host: string
  readonly port: number
}

const PORT_TEXT = /^\d{1,5}$/

/** Splits `host:port`; throws a 400 error naming `field` when the text is not one. */
export function parseHostPort (text: string, field: string): HostPort {
  const colon = text.lastIndexOf(':')
  if (colon < 0) throw badRequestBody(`${field} ${JSON.stringify(text)}: missing port in address`)
  let host = text.slice(0, colon)
  const portText = text.slice(colon + 1)
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1)
  } else if (host.includes(':')) {
    throw badRequestBody(`${field} ${JSON.stringify(text)}: too many colons in address`)
  }
  const port = Number(portText)
  if (!PORT_TEXT.test(portText) || port > 65535) {
    throw badRequestBody(`${field} ${JSON.stringify(text)}: invalid port`)
  }
  return { host, port }
}

/** The canonical form of a listen address, used to store and compare it. */
export function normalizeListen (text: string): string {
  const { host, port } = parseHostPort(text, 'listen')
  return formatHostPort(host === 'localhost' ? '127.0.0.1' : host, port)
}

export function formatHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** The address a listener actually bound, in the form Go's Addr().String() gives. */
export function formatBound (address: AddressInfo): string {
  return formatHostPort(address.address, address.port)
}
