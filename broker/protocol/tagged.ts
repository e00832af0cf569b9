// Tagged fields of flexible versions (KIP-482) for the few messages where we read or
// write one: a count, then per field its tag, its size and its bytes, in tag order.
// Unknown tags are skipped, as the protocol requires.

import { ProtocolError, Reader } from './reader.ts'
import { Writer } from './writer.ts'

export type TaggedField = [tag: number, write: (w: Writer) => void]

export function writeTagged (w: Writer, fields: readonly TaggedField[]): void {
  w.writeUnsignedVarInt(fields.length)
  for (const [tag, write] of fields) {
    const sub = new Writer()
    write(sub)
    const bytes = sub.toBuffer()
    w.writeUnsignedVarInt(tag).writeUnsignedVarInt(bytes.length).writeRaw(bytes)
  }
}

/** Calls `onTag` with a reader over each field's bytes; a field must be read exactly. */
export function readTagged (r: Reader, onTag: (tag: number, field: Reader) => void): void {
  const count = r.readUnsignedVarInt()
  if (count > r.remaining) throw new ProtocolError(`${count} tagged fields cannot fit in ${r.remaining} bytes`)
  for (let i = 0; i < count; i++) {
    const tag = r.readUnsignedVarInt()
    const field = new Reader(r.readRaw(r.readUnsignedVarInt()))
    onTag(tag, field)
    if (field.remaining !== 0) throw new ProtocolError(`tagged field ${tag} has ${field.remaining} unread bytes`)
  }
}
