// The breakdown's edge cases without a bench run: a /metrics that cannot be read, or one
// without RequestMetrics (a target that is not the reference broker), gives no breakdown
// rather than an error; a real pair of scrapes gives means per request over the window.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { computeBrokerBreakdown, scrapeBrokers } from '../../../harness/measure/broker-breakdown.ts'
import { parsePrometheusText } from '../../../harness/measure/prometheus-text.ts'

const family = (part: string, request: string, sum: number, count: number): string =>
  `kafka_network_requestmetrics_${part}_sum{request="${request}"} ${sum}\nkafka_network_requestmetrics_${part}_count{request="${request}"} ${count}\n`

function scrape (produceTotal: number, count: number): string {
  return ['requestqueuetimems', 'localtimems', 'remotetimems', 'responsequeuetimems', 'responsesendtimems']
    .map((part, i) => family(part, 'Produce', (i + 1) * count / 10, count)).join('') + family('totaltimems', 'Produce', produceTotal, count)
}

describe('broker breakdown', () => {
  it('is null when /metrics cannot be read (nothing listens, or an HTTP error)', async () => {
    const server = createServer((_req, res) => { res.statusCode = 500; res.end('no') })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    try {
      expect(await scrapeBrokers([`http://127.0.0.1:${port}`])).toBeNull()
    } finally {
      await new Promise(resolve => server.close(resolve))
    }
    expect(await scrapeBrokers([`http://127.0.0.1:${port}`], 500)).toBeNull()
    expect(await scrapeBrokers([])).toBeNull()
  })

  it('is null for a target whose /metrics has no RequestMetrics', () => {
    const other = parsePrometheusText('# HELP x y\nkafka_server_brokertopicmetrics_messagesin_total 10\n')
    expect(computeBrokerBreakdown(other, other, 2000, 100)).toBeNull()
    expect(computeBrokerBreakdown(null, other, 2000, 100)).toBeNull()
  })

  it('gives per-request means over the window between two scrapes', () => {
    const before = parsePrometheusText(scrape(100, 100))
    const after = parsePrometheusText(scrape(400, 200))
    const b = computeBrokerBreakdown(before, after, 5000, 200)!
    const produce = b.apis.find(a => a.request === 'Produce')!
    expect(produce.count).toBe(100)
    expect(produce.meanMs.TotalTimeMs).toBeCloseTo(3, 9)
    expect(produce.meanMs.RequestQueueTimeMs).toBeCloseTo(0.1, 9)
    expect(produce.meanMs.LocalTimeMs).toBeCloseTo(0.2, 9)
    // On the path: queue + local (0.3) and remote (0.3); the produce response is not.
    expect(b.endToEnd!.restMs).toBeCloseTo(5 - 0.6, 9)
    expect(b.approximate).toBe(true)
  })
})
