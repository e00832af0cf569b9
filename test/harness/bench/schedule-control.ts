// Worker thread for producer-loop.test.ts: the same ProducerLoop, at the same rate, against a
// producer that acknowledges at once and does nothing else. Its publish delay is the
// machine's own schedule error over the same seconds (a thread that sleeps to a schedule on
// cores shared with other work), weighted per record exactly as the loop under test is.
// Posts the encoded publish-delay histogram of the measured window.

import { parentPort, workerData } from 'node:worker_threads'
import { ProducerLoop } from '../../../harness/bench/producer-loop.ts'
import { createKeyGenerator } from '../../../harness/bench/keys.ts'
import { PayloadPool } from '../../../harness/bench/payload.ts'
import { WorkerStats } from '../../../harness/measure/worker-stats.ts'

const { ratePerSec, warmupMs, measureMs } = workerData as { ratePerSec: number, warmupMs: number, measureMs: number }
const stats = new WorkerStats('schedule-control')
const producer = { send: async (): Promise<void> => {}, close: async (): Promise<void> => {} }
const payloads = await PayloadPool.create({ messageSize: 100, payloadFile: null, useRandomizedPayloads: false, randomBytesRatio: 0, randomizedPayloadPoolSize: 1 }, 1)
const loop = new ProducerLoop({ producer, stats, keys: createKeyGenerator(null, 1), payloads, outstandingMax: 10_000 })
loop.setRate(ratePerSec)
await new Promise(resolve => setTimeout(resolve, warmupMs))
stats.takeSnapshot()
await new Promise(resolve => setTimeout(resolve, measureMs))
const encoded = stats.takeSnapshot().publishDelayUs
await loop.stop(1000)
parentPort!.postMessage(encoded)
