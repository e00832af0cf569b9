// The broker's GC pauses in /metrics and the report's flag built from two scrapes: buckets
// are cumulative and add up, a real broker process counts the collections its traffic
// causes, and the harness counts the pauses over the threshold between its scrapes and
// names the bucket of the longest.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { GC_PAUSE_BUCKETS_SECONDS, GcPauses } from '../../../broker/server/gc-pauses.ts'
import { brokerGcFlag, brokerGcPauses } from '../../../harness/measure/broker-gc.ts'
import { parsePrometheusText } from '../../../harness/measure/prometheus-text.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'
import { createTopic } from '../../helpers/topics.ts'

const scrapeOf = (pauses: GcPauses): Map<string, number> => parsePrometheusText(pauses.render().join('\n'))

describe('GC pauses', () => {
  it('keeps cumulative buckets, a sum and a count', () => {
    const pauses = new GcPauses()
    for (const ms of [0.4, 1, 3, 12, 700, 5000]) pauses.record(ms)
    const m = scrapeOf(pauses)
    expect(m.get('sluice_gc_pause_seconds_bucket{le="0.001"}')).toBe(2)
    expect(m.get('sluice_gc_pause_seconds_bucket{le="0.005"}')).toBe(3)
    expect(m.get('sluice_gc_pause_seconds_bucket{le="0.02"}')).toBe(4)
    expect(m.get('sluice_gc_pause_seconds_bucket{le="1"}')).toBe(5)
    expect(m.get('sluice_gc_pause_seconds_bucket{le="+Inf"}')).toBe(6)
    expect(m.get('sluice_gc_pause_seconds_count')).toBe(6)
    expect(m.get('sluice_gc_pause_seconds_sum')).toBeCloseTo(5.7164, 6)
    expect(GC_PAUSE_BUCKETS_SECONDS).toContain(0.01)
  })

  it('counts the pauses over the threshold between two scrapes and bounds the longest', () => {
    const pauses = new GcPauses()
    for (const ms of [0.5, 15, 90]) pauses.record(ms)
    const before = scrapeOf(pauses)
    for (const ms of [0.5, 2, 12, 30]) pauses.record(ms)
    const gc = brokerGcPauses(before, scrapeOf(pauses), 10)
    expect(gc).toEqual({ thresholdMs: 10, over: 2, total: 4, longestMs: { aboveMs: 20, atMostMs: 50 } })
    expect(brokerGcFlag(gc)).toMatch(/had 2 GC pause\(s\) over 10 ms in the measured phase \(the longest 20-50 ms; 4 in all\)/)
    // No pause over the threshold, or no scrapes (not the reference broker): no flag.
    const quiet = scrapeOf(pauses)
    pauses.record(1)
    expect(brokerGcFlag(brokerGcPauses(quiet, scrapeOf(pauses), 10))).toBeNull()
    expect(brokerGcPauses(null, quiet, 10)).toBeNull()
    expect(brokerGcPauses(new Map(), quiet, 10)).toBeNull()
  })

  describe('a real broker process', () => {
    let broker: BrokerProcess
    beforeAll(async () => {
      broker = await startBrokerProcess({})
      await createTopic(broker.kafkaPort, 'gc', 1)
    })
    afterAll(async () => {
      await broker?.stop()
      await removeDir(broker.dataDir)
    })

    it('counts the collections its traffic causes in /metrics', async () => {
      const scrape = async (): Promise<Map<string, number>> => parsePrometheusText(await (await fetch(`${broker.httpUrl!}/metrics`)).text())
      const before = await scrape()
      const conn = await RawConnection.open(broker.kafkaPort)
      try {
        const records = encodeRecordBatch({ records: Array.from({ length: 64 }, () => ({ key: null, value: Buffer.alloc(1024, 7) })) })
        // About 40 MB through the broker's young generation: several collections at least.
        for (let i = 0; i < 600; i++) {
          await conn.request(Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 1000, topics: [{ name: 'gc', partitions: [{ partitionIndex: 0, records }] }] })
        }
      } finally {
        conn.close()
      }
      const after = await scrape()
      expect(after.get('sluice_gc_pause_seconds_count')!).toBeGreaterThan(before.get('sluice_gc_pause_seconds_count')!)
      expect(after.get('sluice_gc_pause_seconds_bucket{le="+Inf"}')).toBe(after.get('sluice_gc_pause_seconds_count'))
    })
  })
})
