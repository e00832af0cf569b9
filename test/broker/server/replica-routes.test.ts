// GET /admin/replicas on a one-node broker (a real process over HTTP): the checksum is a
// SHA-256 of exactly the bytes of the segment file below the HW, read in chunks when the log
// is larger than one chunk; it stops at a batch boundary and says where; limits answer with
// an error; bad parameters get a 400 that names the parameter.

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { splitBatches } from '../../../broker/protocol/record-batch.ts'
import type { ReplicasReport } from '../../../broker/server/replica-report.ts'

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

describe('GET /admin/replicas', () => {
  let broker: BrokerProcess
  let base: string
  beforeAll(async () => {
    broker = await startBrokerProcess({ overrides: { 'num.partitions': 1 } })
    base = broker.httpUrl!
  })
  afterAll(async () => {
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  const post = async (topic: string, records: unknown[]): Promise<void> => {
    const res = await fetch(`${base}/topics/${topic}/records`, { method: 'POST', body: JSON.stringify(records) })
    expect(res.status).toBe(200)
  }
  const get = async (query: string): Promise<{ status: number, body: ReplicasReport & { error?: string } }> => {
    const res = await fetch(`${base}/admin/replicas${query}`)
    return { status: res.status, body: await res.json() as ReplicasReport & { error?: string } }
  }
  const segmentBytes = (topic: string): Promise<Buffer> => readFile(join(broker.dataDir, `${topic}-0`, '00000000000000000000.log'))

  it('hashes the raw batch bytes below the HW, and stops at a batch boundary below upTo', async () => {
    // Three batches of three records: offsets 0-2, 3-5, 6-8.
    for (let b = 0; b < 3; b++) await post('small', [0, 1, 2].map(i => ({ key: `k${b}`, value: `batch ${b} record ${i}` })))
    const file = await segmentBytes('small')
    const batches = splitBatches(file)
    expect(batches).toHaveLength(3)

    const { status, body } = await get('?topic=small&partition=0')
    expect(status).toBe(200)
    const [replica] = body.replicas
    expect(replica).toMatchObject({ topic: 'small', partition: 0, role: 'leader', leaderId: body.brokerId, logStartOffset: 0, logEndOffset: 9, highWatermark: 9, checksumUpToOffset: 9 })
    expect(replica!.leaderEpochs).toEqual([{ epoch: 0, startOffset: 0 }])
    expect(replica!.checksum).toEqual({ algorithm: 'sha256', startOffset: 0, stopOffset: 9, batchCount: 3, sizeBytes: file.length, value: sha256(file) })

    // upTo inside the second batch: only the first is whole below it.
    const cut = (await get('?topic=small&partition=0&upTo=5')).body.replicas[0]!.checksum!
    expect(cut).toMatchObject({ startOffset: 0, stopOffset: 3, batchCount: 1, value: sha256(batches[0]!) })
    // from inside the second batch: that batch is hashed whole.
    const tail = (await get('?topic=small&partition=0&from=4')).body.replicas[0]!.checksum!
    expect(tail).toMatchObject({ startOffset: 3, stopOffset: 9, batchCount: 2, value: sha256(Buffer.concat([batches[1]!, batches[2]!])) })
    // upTo past the log end stops at the log end.
    expect((await get('?topic=small&partition=0&upTo=1000')).body.replicas[0]!.checksum!.stopOffset).toBe(9)
  })

  it('streams a log larger than one read chunk and gets the same hash as the file', async () => {
    const value = 'x'.repeat(16 * 1024)
    for (let b = 0; b < 20; b++) await post('large', Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: `${b}/${i}/${value}` })))
    const file = await segmentBytes('large')
    expect(file.length).toBeGreaterThan(2 * 1024 * 1024)
    const { body } = await get('?topic=large&partition=0')
    expect(body.replicas[0]!.checksum).toMatchObject({ stopOffset: 160, batchCount: 20, sizeBytes: file.length, value: sha256(file) })
  })

  it('lists every local replica without filters, and skips the checksum on request', async () => {
    const { status, body } = await get('?checksum=false')
    expect(status).toBe(200)
    const names = body.replicas.map(r => `${r.topic}-${r.partition}`)
    expect(names).toEqual(expect.arrayContaining(['small-0', 'large-0']))
    expect(body.replicas.every(r => r.checksum === null)).toBe(true)
    expect(typeof body.incarnation).toBe('string')
  })

  it('answers a byte limit as 413 saying what to change', async () => {
    const { status, body } = await get('?topic=large&partition=0&maxBytes=100000')
    expect(status).toBe(413)
    expect(body.error).toMatch(/more than 100000 bytes.*raise maxBytes or lower upTo/)
  })

  it('rejects bad parameters with a 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['?topic=small&partition=x', /parameter partition/],
      ['?topic=small&partition=-1', /parameter partition/],
      ['?topic=small&partition=0&upTo=-5', /parameter upTo/],
      ['?topic=small&partition=0&upTo=1.5', /parameter upTo/],
      ['?topic=small&partition=0&from=abc', /parameter from/],
      ['?topic=small&partition=0&maxBytes=0', /parameter maxBytes/],
      ['?topic=small&partition=0&timeoutMs=0', /parameter timeoutMs/],
      ['?topic=small&partition=0&timeoutMs=99999999', /parameter timeoutMs/],
      ['?topic=small&checksum=maybe', /parameter checksum/],
      ['?partition=0', /parameter partition needs parameter topic/],
      ['?topic=', /parameter topic/],
      ['?upto=3', /unknown parameter "upto"/],
      ['?topic=small&topic=large', /parameter topic given more than once/],
    ]
    for (const [query, message] of cases) {
      const { status, body } = await get(query)
      expect({ query, status }).toEqual({ query, status: 400 })
      expect(body.error).toMatch(message)
    }
    expect((await get('?topic=nope')).status).toBe(404)
    expect((await get('?topic=small&partition=7')).status).toBe(404)
    expect((await fetch(`${base}/admin/replicas`, { method: 'POST' })).status).toBe(405)
    // Still serving after all that.
    expect((await get('?topic=small&partition=0')).status).toBe(200)
  })
})
