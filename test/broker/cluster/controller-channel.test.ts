// The broker's line to the controller recovers from a connection attempt that failed: a
// cut link during the ApiVersions handshake must not leave the failure cached, or every later
// heartbeat fails with the old error and the broker stays fenced (found by a chaos split).
// A real broker process plays the controller behind the embedded Toxiproxy; the cut is a
// `timeout` toxic on the requests' direction.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Toxiproxy } from 'toxiproxy-node-client'
import type { ICreateToxicBody, Proxy } from 'toxiproxy-node-client'
import { ControllerChannel } from '../../../broker/cluster/node/controller-channel.ts'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { startToxiproxyServer, type ToxiproxyServer } from '../../../chaos/toxiproxy/server.ts'
import { startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'

let broker: BrokerProcess
let server: ToxiproxyServer
let proxy: Proxy

beforeAll(async () => {
  broker = await startBrokerProcess({ httpPort: 'none' })
  server = await startToxiproxyServer({ port: 0 })
  proxy = await new Toxiproxy(server.url).createProxy({ name: 'to-controller', listen: '127.0.0.1:0', upstream: broker.bootstrap })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await broker?.stop()
})

describe('ControllerChannel', () => {
  it('connects again after an attempt that got no answer', async () => {
    const [host, port] = proxy.listen.split(':')
    const channel = new ControllerChannel({ leaderId: () => 0, address: () => ({ host: host!, port: Number(port) }) }, 'channel-test')
    const request = { clientSoftwareName: 'test', clientSoftwareVersion: '1' }
    const never = (): boolean => false
    try {
      // Cut the requests before the first connection: its handshake gets no answer.
      const body = { name: 'cut', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } } as unknown as ICreateToxicBody<unknown>
      const toxic = await proxy.addToxic(body)
      await expect(channel.send(ApiVersions, request, never, 1_000)).rejects.toThrow(/no active controller answered ApiVersions/)
      await toxic.remove()
      // Healed: the next request must get through on a fresh connection, within its deadline.
      expect((await channel.send(ApiVersions, request, never, 8_000)).errorCode).toBe(0)
    } finally {
      channel.close()
    }
  }, 60_000)
})
