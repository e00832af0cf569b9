// Debug-only fault hooks over the HTTP API, for the chaos harness's faults that only the
// broker itself can apply. Off unless sluice.debug.fault.endpoints=true:
//   POST /admin/faults/disk-stall?durationMs=N   every log write and fsync waits until N ms
//                                                from now (0 ends a stall); reads are served
//   GET  /admin/faults                           what is in force
// The stall covers the whole data dir, the metadata log included, as a stuck disk would.

import type { Broker } from './broker.ts'
import type { RouteExtension } from './http-api.ts'
import { HttpError } from './http-error.ts'

/** A stall longer than this is a mistake in the schedule, not a fault. */
const STALL_MS_MAX = 600_000

function faultsInForce (broker: Broker): { diskStallMs: number } {
  return { diskStallMs: broker.logs.storage.diskStallMs }
}

function stallDisk (broker: Broker, url: URL): { diskStallMs: number } {
  const text = url.searchParams.get('durationMs')
  const durationMs = Number(text)
  if (text === null || !Number.isInteger(durationMs) || durationMs < 0 || durationMs > STALL_MS_MAX) {
    throw new HttpError(400, `durationMs must be an integer from 0 to ${STALL_MS_MAX} (got ${JSON.stringify(text)})`)
  }
  broker.logs.storage.stallDisk(durationMs)
  broker.log(durationMs > 0 ? `fault: disk stalled for ${durationMs} ms (writes and fsyncs wait)` : 'fault: disk stall ended')
  return faultsInForce(broker)
}

export const faultRoutes: RouteExtension = (broker, method, path, url) => {
  if (path[0] !== 'admin' || path[1] !== 'faults') return undefined
  if (!broker.config.bool('sluice.debug.fault.endpoints')) {
    return Promise.reject(new HttpError(404, 'fault endpoints are off; start the broker with sluice.debug.fault.endpoints=true (debug only)'))
  }
  if (path.length === 2 && method === 'GET') return Promise.resolve(faultsInForce(broker))
  if (path.length === 3 && path[2] === 'disk-stall') {
    if (method !== 'POST') return Promise.reject(new HttpError(405, 'use POST for /admin/faults/disk-stall'))
    try {
      return Promise.resolve(stallDisk(broker, url))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return Promise.reject(new HttpError(404, `no fault endpoint /${path.join('/')}; there is POST /admin/faults/disk-stall?durationMs=N`))
}
