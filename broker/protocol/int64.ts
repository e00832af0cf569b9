// int64 fields as JS numbers, in two 32-bit halves: no BigInt, so nothing allocated per
// field. The record batch header and the codec's Reader and Writer share these.

/** An int64 field as a number: exact for every offset and timestamp a log can hold. */
export function readInt64 (buffer: Buffer, offset: number): number {
  return buffer.readInt32BE(offset) * 4294967296 + buffer.readUInt32BE(offset + 4)
}

/** Writes an int64 field from a number below 2^53 (two 32-bit halves, no BigInt). */
export function writeInt64 (buffer: Buffer, value: number, offset: number): void {
  buffer.writeInt32BE(Math.floor(value / 0x1_0000_0000), offset)
  buffer.writeUInt32BE(value >>> 0, offset + 4)
}
