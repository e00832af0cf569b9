// Record batches whose CRC is right but whose contents lie: the inputs that get past a
// CRC check and reach storage and readers (issue 17: a record count of 2^31-1, a record
// length of -1, junk records, maxTimestamp -1, compression flags over plain bytes).

import {
  BATCH_HEADER_BYTES, BATCH_OFFSET_ATTRIBUTES, BATCH_OFFSET_CRC, BATCH_OFFSET_LAST_OFFSET_DELTA, BATCH_OFFSET_MAX_TIMESTAMP,
  BATCH_OFFSET_BASE_TIMESTAMP, BATCH_OFFSET_RECORDS_COUNT, batchCrc, encodeRecordBatch,
} from '../../broker/protocol/record-batch.ts'
import type { Prng } from '../../chaos/run/prng.ts'

type Lie = (batch: Buffer, random: Prng) => Buffer

const LIES: readonly Lie[] = [
  batch => { batch.writeInt32BE(2 ** 31 - 1, BATCH_OFFSET_RECORDS_COUNT); return batch },
  batch => { batch.writeInt32BE(-1, BATCH_OFFSET_RECORDS_COUNT); return batch },
  batch => { batch.writeInt32BE(2 ** 31 - 1, BATCH_OFFSET_LAST_OFFSET_DELTA); return batch },
  batch => { batch.writeInt32BE(-1, BATCH_OFFSET_LAST_OFFSET_DELTA); return batch },
  batch => { batch.writeBigInt64BE(-1n, BATCH_OFFSET_MAX_TIMESTAMP); return batch },
  batch => { batch.writeBigInt64BE(-(2n ** 63n), BATCH_OFFSET_BASE_TIMESTAMP); return batch },
  (batch, random) => { batch.writeInt16BE(random.int(8) | (random.chance(0.5) ? 0x08 : 0), BATCH_OFFSET_ATTRIBUTES); return batch },
  // Junk where the records are: valid header, garbage body.
  (batch, random) => {
    for (let i = BATCH_HEADER_BYTES; i < batch.length; i++) batch[i] = random.int(256)
    return batch
  },
  // A record length of -1 (the first varint of the first record).
  batch => { batch[BATCH_HEADER_BYTES] = 0x01; return batch },
  // A record length far past the batch.
  batch => { batch.writeUInt32BE(0xfeffffff, BATCH_HEADER_BYTES); return batch },
]

/** One batch with a valid CRC and one or two lies in it. */
export function hostileBatch (random: Prng): Buffer {
  const records = Array.from({ length: 1 + random.int(3) }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from('fuzz'.repeat(1 + random.int(8))) }))
  let batch = encodeRecordBatch({ records })
  const lies = 1 + random.int(2)
  for (let i = 0; i < lies; i++) batch = random.pick(LIES)(batch, random)
  batch.writeUInt32BE(batchCrc(batch), BATCH_OFFSET_CRC)
  return batch
}
