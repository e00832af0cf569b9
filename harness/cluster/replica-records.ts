// Evidence for a replica disagreement: the records each replica holds where the replicas
// part, read from each broker's own log through the HTTP API's records route (which reads
// the local log of any replica, leader or not). One batch per replica, a few records, values
// cut short: enough for a reader to see what differs without dumping the log.

import type { PartitionPlan } from './replica-compare.ts'

export interface RecordSample {
  brokerId: number
  fromOffset: number
  records: Array<{ offset: number, key: string | null, value: string | null }>
  /** Why no records could be read (the batch cannot be decoded, the broker did not answer). */
  error: string | null
}

const RECORDS_MAX = 5
const TEXT_CHARS_MAX = 120

const cut = (text: string | null): string | null => text === null || text.length <= TEXT_CHARS_MAX ? text : `${text.slice(0, TEXT_CHARS_MAX)}... (${text.length} chars)`

async function sampleOne (httpUrl: string, plan: PartitionPlan, brokerId: number, fromOffset: number, toOffset: number, timeoutMs: number): Promise<RecordSample> {
  const url = new URL(`/topics/${encodeURIComponent(plan.topic)}/partitions/${plan.partition}/records`, httpUrl)
  url.searchParams.set('offset', String(fromOffset))
  // One byte still returns one whole batch (KIP-74): the first batch at fromOffset.
  url.searchParams.set('maxBytes', '1')
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const body = await response.json() as unknown
    if (!response.ok || !Array.isArray(body)) {
      return { brokerId, fromOffset, records: [], error: `HTTP ${response.status}: ${JSON.stringify(body).slice(0, 200)}` }
    }
    const records = (body as Array<{ offset: number, key: string | null, value: string | null }>)
      .filter(r => r.offset < toOffset)
      .slice(0, RECORDS_MAX)
      .map(r => ({ offset: r.offset, key: cut(r.key), value: cut(r.value) }))
    return { brokerId, fromOffset, records, error: null }
  } catch (err) {
    return { brokerId, fromOffset, records: [], error: (err as Error).message }
  }
}

/** The first batch at `fromOffset` on every compared replica, records below `toOffset`. */
export async function divergenceSample (plan: PartitionPlan, urlOf: ReadonlyMap<number, string>, fromOffset: number, toOffset: number, timeoutMs: number): Promise<RecordSample[]> {
  return await Promise.all(plan.compared.map(async brokerId => {
    const httpUrl = urlOf.get(brokerId)
    if (httpUrl === undefined) return { brokerId, fromOffset, records: [], error: 'no HTTP address for this broker' }
    return await sampleOne(httpUrl, plan, brokerId, fromOffset, toOffset, timeoutMs)
  }))
}
