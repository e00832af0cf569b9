// ApiVersions v0-3 answered with the advertised ranges; a version we do not know gets
// error 35 (UNSUPPORTED_VERSION) in v0 framing so the client can step down.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { Reader } from '../../../broker/protocol/reader.ts'
import { Writer } from '../../../broker/protocol/writer.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'

describe('ApiVersions', () => {
  let broker: BrokerProcess
  beforeAll(async () => { broker = await startBrokerProcess({ httpPort: 'none' }) })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  for (const version of [0, 1, 2, 3]) {
    it(`answers v${version} with the advertised ranges`, async () => {
      const conn = await RawConnection.open(broker.kafkaPort)
      const { correlationId, response } = await conn.request(ApiVersions, version, { clientSoftwareName: 'sluice-test', clientSoftwareVersion: '1.0' })
      conn.close()
      expect(correlationId).toBe(1)
      expect(response.errorCode).toBe(0)
      const ranges = new Map(response.apiKeys.map(k => [k.apiKey, [k.minVersion, k.maxVersion]]))
      expect(ranges.get(0)).toEqual([3, 8])
      expect(ranges.get(1)).toEqual([4, 11])
      expect(ranges.get(2)).toEqual([1, 5])
      expect(ranges.get(3)).toEqual([0, 8])
      expect(ranges.get(18)).toEqual([0, 3])
      expect(ranges.get(19)).toEqual([0, 4])
      expect(ranges.get(20)).toEqual([0, 3])
      expect(ranges.get(32)).toEqual([0, 3])
    })
  }

  it('answers an unsupported version with error 35 in v0 framing', async () => {
    const conn = await RawConnection.open(broker.kafkaPort)
    const w = new Writer()
    // A v9 ApiVersions request: header v2 (flexible), then a body we do not understand.
    w.writeInt16(18).writeInt16(9).writeInt32(42).writeNullableString('future-client').writeTaggedFields()
    w.writeCompactString('x').writeCompactString('y').writeTaggedFields()
    conn.writeBytes(Buffer.concat(w.finishFrame()))
    const body = await conn.readFrame()
    const r = new Reader(body)
    expect(r.readInt32()).toBe(42)
    const response = ApiVersions.decodeResponse(r, 0)
    expect(response.errorCode).toBe(35)
    expect(response.apiKeys.find(k => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 })
    // The connection stays usable: the client steps down.
    const { response: ok } = await conn.request(ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: 'y' })
    expect(ok.errorCode).toBe(0)
    conn.close()
  })
})
