// Small helpers shared by broker tests: create a topic and read a whole partition back
// through our own codecs over TCP.

import { CreateTopics } from '../../broker/protocol/19-create-topics.ts'
import { Fetch } from '../../broker/protocol/01-fetch.ts'
import { decodeRecordBatch, splitBatches, type Record as KafkaRecord } from '../../broker/protocol/record-batch.ts'
import { RawConnection } from './raw-client.ts'

export async function createTopic (port: number, name: string, partitions: number): Promise<void> {
  const conn = await RawConnection.open(port)
  try {
    const { response } = await conn.request(CreateTopics, 4, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    })
    const code = response.topics[0]!.errorCode
    if (code !== 0) throw new Error(`CreateTopics ${name} failed with error ${code}: ${response.topics[0]!.errorMessage}`)
  } finally {
    conn.close()
  }
}

/** Every record of a partition from `fromOffset` up to the high watermark. */
export async function readPartition (port: number, topic: string, partition: number, fromOffset = 0): Promise<KafkaRecord[]> {
  const conn = await RawConnection.open(port)
  const out: KafkaRecord[] = []
  try {
    let offset = fromOffset
    for (;;) {
      const { response } = await conn.request(Fetch, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 50 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 4 * 1024 * 1024 }] }],
        forgottenTopics: [], rackId: '',
      })
      const p = response.topics[0]!.partitions[0]!
      if (p.errorCode !== 0) throw new Error(`Fetch ${topic}-${partition}@${offset} failed with error ${p.errorCode}`)
      const records = p.records === null ? [] : splitBatches(Buffer.isBuffer(p.records) ? p.records : Buffer.concat(p.records as Buffer[])).flatMap(b => decodeRecordBatch(b))
      const fresh = records.filter(r => r.offset >= offset)
      out.push(...fresh)
      if (fresh.length === 0 || offset >= p.highWatermark) break
      offset = fresh[fresh.length - 1]!.offset + 1
      if (offset >= p.highWatermark) break
    }
  } finally {
    conn.close()
  }
  return out
}
