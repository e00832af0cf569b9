// The debug fault endpoint behind the chaos harness's disk-stall: off unless
// sluice.debug.fault.endpoints is on (and then it says how to turn it on); on, a stall makes
// an fsynced write wait until the stall ends, and ending it early releases the write at once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'

const post = (url: string): Promise<Response> => fetch(url, { method: 'POST' })

describe('POST /admin/faults/disk-stall', () => {
  let off: BrokerProcess
  let on: BrokerProcess
  beforeAll(async () => {
    off = await startBrokerProcess()
    on = await startBrokerProcess({ overrides: { 'sluice.debug.fault.endpoints': true, 'log.flush.interval.messages': 1 } })
  }, 60_000)
  afterAll(async () => {
    for (const b of [off, on]) {
      await b?.stop()
      if (b !== undefined) await removeDir(b.dataDir)
    }
  })

  it('is off by default and says which key turns it on', async () => {
    const res = await post(`${off.httpUrl}/admin/faults/disk-stall?durationMs=1000`)
    expect(res.status).toBe(404)
    expect(await res.text()).toMatch(/sluice.debug.fault.endpoints=true/)
  })

  it('refuses a bad duration, naming the allowed range', async () => {
    const res = await post(`${on.httpUrl}/admin/faults/disk-stall?durationMs=soon`)
    expect(res.status).toBe(400)
    expect(await res.text()).toMatch(/durationMs must be an integer from 0 to 600000/)
  })

  it('holds fsynced writes until the stall ends, and ending it early releases them', async () => {
    const write = async (): Promise<number> => {
      const startMs = Date.now()
      const res = await fetch(`${on.httpUrl}/topics/stall/records?acks=all`, { method: 'POST', body: JSON.stringify([{ key: 'k', value: 'v' }]), headers: { 'content-type': 'application/json' } })
      expect(res.status).toBe(200)
      return Date.now() - startMs
    }
    const baselineMs = await write()
    expect((await post(`${on.httpUrl}/admin/faults/disk-stall?durationMs=60000`)).status).toBe(200)
    const faults = await (await fetch(`${on.httpUrl}/admin/faults`)).json() as { diskStallMs: number }
    expect(faults.diskStallMs).toBeGreaterThan(50_000)
    const stalled = write()
    let done = false
    void stalled.then(() => { done = true })
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(done, 'a write finished while the disk was stalled').toBe(false)
    expect((await post(`${on.httpUrl}/admin/faults/disk-stall?durationMs=0`)).status).toBe(200)
    const stalledMs = await stalled
    expect(stalledMs).toBeGreaterThanOrEqual(1500)
    expect(stalledMs).toBeLessThan(30_000)
    expect(baselineMs).toBeLessThan(stalledMs)
  }, 60_000)
})
