// Hostile-but-well-formed requests for every API and version the broker advertises,
// derived from the codecs themselves so a new API file is fuzzed the day it is registered.
//
// The trick: a request codec's decodeRequest walks the message's grammar field by field
// through a Reader. ShapeReader stands in for that Reader and, instead of reading bytes,
// chooses each field's value: extremes for integers (int32 max, -1, 0, ...), maximal
// (32,767-byte), empty, invalid or null strings, huge or empty arrays, bytes that are empty,
// null, random or record batches with hostile headers. The decoded object is then encoded
// back with the codec, which gives a frame any Kafka codec would parse, carrying the worst
// values its types allow. A byte budget keeps each frame under the broker's frame limit.

import type { ApiCodec } from '../../broker/protocol/api.ts'
import type { Reader } from '../../broker/protocol/reader.ts'
import { encodeRecordBatch } from '../../broker/protocol/record-batch.ts'
import { Writer } from '../../broker/protocol/writer.ts'
import { writeRequestHeader } from '../../broker/protocol/headers.ts'
import type { Prng } from '../../chaos/run/prng.ts'
import { hostileBatch } from './hostile-batches.ts'

export const FUZZ_TOPIC = 'fuzz'
const INT8 = [0, 1, -1, 127, -128]
const INT16 = [0, 1, -1, 32_767, -32_768]
// 10,000 (the largest valid partition count) is left out on purpose: a topic that big
// exhausts file descriptors, which is the log's file budget to bound, not what this fuzz measures.
const INT32 = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 100_000]
const INT64 = [0, 1, -1, -2, -3, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 31]
/** Strings a field may get. FUZZ_TOPIC is the only valid topic name among them, so the fuzz creates no topic but that one (group ids and protocol names here are invalid topic names). */
const STRINGS = [FUZZ_TOPIC, FUZZ_TOPIC, 'fuzz group', '', '.', '..', 'bad name!', 'ünïcödé', '__consumer_offsets', 'x'.repeat(250)]
const MAX_STRING = 'x'.repeat(32_767)
const MAX_STRING_MULTIBYTE = 'é'.repeat(16_383)

/** How hostile one generated request is: 0 = mostly plausible values, 1 = extremes everywhere. */
export interface ShapePolicy {
  hostility: number
  /** Bytes the whole request may take; huge arrays and strings stop growing past it. */
  budgetBytes: number
  /** Send record batches whose CRC is valid but whose header lies (false: only honest batches). */
  lyingBatches: boolean
}

class ShapeReader {
  readonly #random: Prng
  readonly #policy: ShapePolicy
  #spentBytes = 0
  #depth = 0
  #maximalStringsLeft = 2

  constructor (random: Prng, policy: ShapePolicy) {
    this.#random = random
    this.#policy = policy
  }

  get remaining (): number { return 0 }

  #hostile (): boolean {
    return this.#random.chance(this.#policy.hostility)
  }

  /** Charges `bytes` if they fit the budget; false (and nothing charged) if not. */
  #spend (bytes: number): boolean {
    if (this.#spentBytes + bytes > this.#policy.budgetBytes) return false
    this.#spentBytes += bytes
    return true
  }

  /** Charges what a field takes whatever the budget, so arrays see it run out. */
  #charge (bytes: number): void {
    this.#spentBytes += bytes
  }

  #int (extremes: readonly number[], plausible: number): number {
    this.#charge(8)
    return this.#hostile() ? this.#random.pick(extremes) : plausible
  }

  readInt8 (): number { return this.#int(INT8, this.#random.int(2)) }
  readUInt8 (): number { return this.#int([0, 1, 255], 0) }
  readBoolean (): boolean { return this.#random.chance(0.5) }
  readInt16 (): number { return this.#int(INT16, this.#random.pick([0, 1, -1])) }
  readInt32 (): number { return this.#int(INT32, this.#random.int(3)) }
  readUInt32 (): number { return this.#int([0, 1, 2 ** 32 - 1], 0) }
  readInt64 (): number { return this.#int(INT64, 0) }
  readUuid (): Buffer { return Buffer.alloc(16, this.#hostile() ? 0xff : 0) }
  readUnsignedVarInt (): number { return this.#int([0, 1, 2 ** 31 - 1], 0) }
  readVarInt (): number { return this.#int(INT32, 0) }
  readVarLong (): number { return this.#int(INT64, 0) }

  #string (nullable: boolean): string | null {
    if (nullable && this.#hostile() && this.#random.chance(0.3)) return null
    // Maximal strings have their own allowance, outside the byte budget: even a small
    // request gets them, since echoing one is what overflows a response.
    if (this.#hostile() && this.#random.chance(0.3) && this.#maximalStringsLeft > 0) {
      this.#maximalStringsLeft--
      return this.#random.chance(0.5) ? MAX_STRING : MAX_STRING_MULTIBYTE
    }
    const s = this.#hostile() ? this.#random.pick(STRINGS) : this.#random.pick(STRINGS.slice(0, 3))
    this.#charge(2 + s.length)
    return s
  }

  readNullableString (): string | null { return this.#string(true) }
  readString (): string { return this.#string(false)! }
  readCompactNullableString (): string | null { return this.#string(true) }
  readCompactString (): string { return this.#string(false)! }

  #bytes (nullable: boolean): Buffer | null {
    if (nullable && this.#hostile() && this.#random.chance(0.2)) return null
    let choice = this.#hostile() ? this.#random.int(4) : 0
    if (choice === 1 && !this.#policy.lyingBatches) choice = 0
    let bytes: Buffer
    if (choice === 0) bytes = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('fuzz') }] })
    else if (choice === 1) bytes = hostileBatch(this.#random)
    else if (choice === 2) bytes = Buffer.alloc(0)
    else bytes = Buffer.alloc(Math.min(this.#random.int(70_000), Math.max(0, this.#policy.budgetBytes - this.#spentBytes)), this.#random.int(256))
    if (!this.#spend(bytes.length)) bytes = Buffer.alloc(0)
    return bytes
  }

  readNullableBytes (): Buffer | null { return this.#bytes(true) }
  readBytes (): Buffer { return this.#bytes(false)! }
  readCompactNullableBytes (): Buffer | null { return this.#bytes(true) }
  readRaw (length: number): Buffer { return Buffer.alloc(Math.max(0, Math.min(length, 1024))) }

  #array<T> (readItem: (r: Reader) => T, nullable: boolean): T[] | null {
    if (nullable && this.#hostile() && this.#random.chance(0.3)) return null
    // Nested arrays multiply: only the outer two levels may be huge.
    const huge = this.#hostile() && this.#random.chance(0.3) && this.#depth < 2
    const wanted = huge ? 1 + this.#random.int(20_000) : this.#hostile() ? this.#random.pick([0, 1, 2, 5]) : 1
    const items: T[] = []
    this.#depth++
    try {
      for (let i = 0; i < wanted; i++) {
        if (i > 0 && this.#spentBytes >= this.#policy.budgetBytes) break
        items.push(readItem(this as unknown as Reader))
      }
    } finally {
      this.#depth--
    }
    return items
  }

  readNullableArray<T> (readItem: (r: Reader) => T): T[] | null { return this.#array(readItem, true) }
  readArray<T> (readItem: (r: Reader) => T): T[] { return this.#array(readItem, false)! }
  readCompactNullableArray<T> (readItem: (r: Reader) => T): T[] | null { return this.#array(readItem, true) }
  readCompactArray<T> (readItem: (r: Reader) => T): T[] { return this.#array(readItem, false)! }
  skipTaggedFields (): void {}
}

/** One hostile request of `codec` at `version`, as a whole frame (size prefix included), or null if the codec refused to encode what it decoded. */
export function hostileFrame (codec: ApiCodec<unknown, unknown>, version: number, random: Prng, policy: ShapePolicy, correlationId: number): Buffer | null {
  const w = new Writer()
  try {
    const request = codec.decodeRequest(new ShapeReader(random, policy) as unknown as Reader, version)
    const clientId = random.chance(policy.hostility * 0.2) ? MAX_STRING : 'sluice-fuzz'
    writeRequestHeader(w, codec, version, correlationId, clientId)
    codec.encodeRequest(w, version, request)
  } catch {
    // A shape the codec refuses (a null where this version forbids it, a value its field type cannot carry): skip it.
    return null
  }
  return Buffer.concat(w.finishFrame())
}

