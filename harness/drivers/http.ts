// The `http` driver: the broker's REST-style HTTP API (broker/server/http-api.ts).
//
// - Produce: POST /topics/{topic}/records with a JSON array; records collect in a
//   LingerBatcher (lingerMs, batchSizeBytes, at most maxInFlight requests at once), so a
//   request carries a few records. Every request goes to the first HTTP URL.
// - Partitioning: UTF-8 keys are sent as text and the broker applies Java's murmur2 rule
//   to their bytes; a key that is not valid UTF-8 is sent as `base64:...` text with the
//   partition computed here by the same rule, so placement never depends on encoding.
// - Payloads: text when valid UTF-8, else `base64:<data>`; the HTTP API stores the bytes a
//   `base64:` value encodes and returns non-UTF-8 bytes in the same form, which this
//   driver's consumer decodes back, so binary payloads and headers round-trip.
// - acks: the HTTP API always answers after the append (acks=1 semantics); the acks
//   setting is ignored. The record timestamp is the broker's arrival time (the API takes
//   no timestamp); the send time travels in the sluice-ts-us header as with every driver
//   (8 binary bytes, so usually as `base64:` text, which the API stores as the bytes).
// - Topics: the HTTP API cannot create topics, so createTopic uses the Kafka protocol
//   through Sluice's own client on the bootstrap addresses.
// - Consumer: no groups; one polling loop per partition (GET .../partitions/{p}/records
//   from offset 0, waiting fetchMaxWaitMs after an empty answer), independent positions
//   per subscription, like the native driver.

import { requirePlaintext } from './security.ts'
import { isUtf8 } from 'node:buffer'
import { partitionForKey } from '../../broker/protocol/partitioner.ts'
import { KafkaClient } from '../../broker/client/kafka-client.ts'
import { TIMESTAMP_HEADER } from '../measure/clock.ts'
import { sendTimestampHeader, toDriverError } from './common.ts'
import { DriverError, type BenchmarkConsumer, type BenchmarkDriver, type BenchmarkProducer, type ConsumedMessage, type DriverName, type DriverOptions, type RecordHeaders } from './driver.ts'
import { LingerBatcher } from './linger-batcher.ts'

interface HttpRecordOut {
  key?: string
  value: string
  headers: Record<string, string>
  partition?: number
}

interface HttpRecordIn {
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers: Array<{ key: string, value: string | null }>
}

const BASE64_PREFIX = 'base64:'
const READ_MAX_BYTES = 1024 * 1024
const BACKOFF_MS_MAX = 2000

function asText (b: Buffer): string {
  return isUtf8(b) && !b.toString('latin1', 0, BASE64_PREFIX.length).startsWith(BASE64_PREFIX) ? b.toString('utf8') : BASE64_PREFIX + b.toString('base64')
}

function fromText (s: string | null): Buffer | null {
  if (s === null) return null
  return s.startsWith(BASE64_PREFIX) ? Buffer.from(s.slice(BASE64_PREFIX.length), 'base64') : Buffer.from(s, 'utf8')
}

async function httpJson<T> (url: string, init?: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (err) {
    throw new DriverError(`${init?.method ?? 'GET'} ${url}: ${(err as Error).message}`, { code: 'ERR_HTTP_CONNECT', retriable: true, cause: err })
  }
  const text = await res.text()
  if (!res.ok) {
    let message = text
    try { message = (JSON.parse(text) as { error?: string }).error ?? text } catch {}
    throw new DriverError(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}: ${message}`, { code: `ERR_HTTP_${res.status}`, retriable: res.status >= 500 })
  }
  return JSON.parse(text) as T
}

export class HttpDriver implements BenchmarkDriver {
  readonly name: DriverName = 'http'
  readonly #options: DriverOptions
  readonly #baseUrl: string
  readonly #open = new Set<{ close (): Promise<void> }>()

  constructor (options: DriverOptions) {
    requirePlaintext(options.security, 'http')
    const url = options.httpUrls?.[0]
    if (url === undefined) throw new DriverError('the http driver needs the brokers\' HTTP URLs (DriverOptions.httpUrls)', { code: 'ERR_CONFIG' })
    this.#options = options
    this.#baseUrl = url.replace(/\/+$/, '')
  }

  async createTopic (topic: string, partitions: number, replicationFactor = 1): Promise<void> {
    const admin = new KafkaClient({ bootstrap: this.#options.bootstrap, clientId: `${this.#options.clientId}-admin` })
    try {
      await admin.createTopics([{ name: topic, partitions, replicationFactor }], { existingOk: true })
    } catch (err) {
      throw toDriverError(err, `create topic "${topic}"`)
    } finally {
      admin.close()
    }
  }

  async #partitionCount (topic: string): Promise<number> {
    const topics = await httpJson<Array<{ name: string, partitions: number }>>(`${this.#baseUrl}/topics`)
    const found = topics.find(t => t.name === topic)
    if (found === undefined) throw new DriverError(`topic "${topic}" does not exist on ${this.#baseUrl}`, { code: 'ERR_UNKNOWN_TOPIC' })
    return found.partitions
  }

  async createProducer (topic: string): Promise<BenchmarkProducer> {
    const partitionCount = await this.#partitionCount(topic)
    const url = `${this.#baseUrl}/topics/${encodeURIComponent(topic)}/records`
    const batcher = new LingerBatcher<HttpRecordOut>(this.#options.producer, `http producer for "${topic}"`, async records => {
      await httpJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(records) })
    })
    const send = (key: Buffer | null, payload: Buffer, headers?: RecordHeaders): Promise<void> => {
      const out: HttpRecordOut = { value: asText(payload), headers: {} }
      if (headers !== undefined) for (const name in headers) out.headers[name] = asText(headers[name]!)
      const stamp = sendTimestampHeader(headers)
      if (stamp !== undefined) out.headers[TIMESTAMP_HEADER] = asText(stamp)
      if (key !== null) {
        out.key = asText(key)
        if (out.key.startsWith(BASE64_PREFIX)) out.partition = partitionForKey(key, partitionCount)
      }
      return batcher.add(out, payload.length + (key?.length ?? 0) + 64)
    }
    const handle = {
      send,
      close: async () => {
        this.#open.delete(handle)
        await batcher.close()
      },
    }
    this.#open.add(handle)
    return handle
  }

  async createConsumer (topic: string, subscription: string, onMessage: (message: ConsumedMessage) => void): Promise<BenchmarkConsumer> {
    const partitionCount = await this.#partitionCount(topic)
    const state = { paused: false, closed: false, sleepers: new Set<() => void>(), errorCounts: new Map<string, number>() }
    // A sleep that resume() or close() can cut short.
    const sleep = (ms: number): Promise<void> => new Promise(resolve => {
      const wake = (): void => {
        clearTimeout(timer)
        state.sleepers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      state.sleepers.add(wake)
    })
    const wakeAll = (): void => { for (const wake of [...state.sleepers]) wake() }
    const poll = async (partition: number): Promise<void> => {
      let offset = 0
      let backoffMs = 0
      const base = `${this.#baseUrl}/topics/${encodeURIComponent(topic)}/partitions/${partition}/records?maxBytes=${READ_MAX_BYTES}&offset=`
      while (!state.closed) {
        if (state.paused) {
          await sleep(this.#options.consumer.fetchMaxWaitMs)
          continue
        }
        try {
          const records = await httpJson<HttpRecordIn[]>(base + offset)
          backoffMs = 0
          for (const r of records) {
            if (r.offset < offset) continue
            const headers: RecordHeaders = {}
            for (const h of r.headers) headers[h.key] = fromText(h.value) ?? Buffer.alloc(0)
            onMessage({ topic, partition, offset: r.offset, key: fromText(r.key), value: fromText(r.value), headers, timestampMs: r.timestamp })
            offset = r.offset + 1
          }
          if (records.length === 0) await sleep(this.#options.consumer.fetchMaxWaitMs)
        } catch (err) {
          const code = toDriverError(err, 'http consumer').code
          state.errorCounts.set(code, (state.errorCounts.get(code) ?? 0) + 1)
          backoffMs = Math.min(BACKOFF_MS_MAX, Math.max(100, backoffMs * 2))
          await sleep(backoffMs)
        }
      }
    }
    const loops = Promise.all(Array.from({ length: partitionCount }, (_, p) => poll(p)))
    const handle = {
      subscription,
      errorCounts: state.errorCounts,
      pause: () => { state.paused = true },
      resume: () => {
        state.paused = false
        wakeAll()
      },
      close: async () => {
        this.#open.delete(handle)
        state.closed = true
        wakeAll()
        await loops
      },
    }
    this.#open.add(handle)
    return handle
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.#open].map(h => h.close()))
  }
}
