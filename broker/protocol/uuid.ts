// Kafka's Uuid as Sluice keeps it in metadata: the 22-character URL-safe base64 text Kafka
// prints (`Uuid.toString()`), so ids compare with === and serve as map keys. The wire and
// the metadata log carry the 16 raw bytes; these helpers convert at that edge.

import { randomBytes } from 'node:crypto'
import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export const UUID_BYTES = 16
/** Kafka's Uuid.ZERO_UUID: "no topic id". */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export function uuidFromBytes (bytes: Buffer): string {
  if (bytes.length !== UUID_BYTES) throw new RangeError(`a uuid is ${UUID_BYTES} bytes (got ${bytes.length})`)
  return bytes.toString('base64url')
}

export function uuidToBytes (id: string): Buffer {
  const bytes = Buffer.from(id, 'base64url')
  if (bytes.length !== UUID_BYTES || bytes.toString('base64url') !== id) throw new RangeError(`not a Kafka uuid: ${JSON.stringify(id)}`)
  return bytes
}

/**
 * A random id that is neither zero nor Kafka's reserved METADATA_TOPIC_ID (1), and does not
 * start with '-' (Kafka avoids those so an id never looks like a command-line flag).
 */
export function randomUuid (random: (bytes: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = uuidFromBytes(random(UUID_BYTES))
    if (id !== ZERO_UUID && id !== 'AAAAAAAAAAAAAAAAAAAAAQ' && !id.startsWith('-')) return id
  }
}

/** A UUID field read as its text form. */
export function readUuidText (r: Reader): string {
  return uuidFromBytes(r.readUuid())
}

export function writeUuidText (w: Writer, id: string): void {
  w.writeUuid(uuidToBytes(id))
}
