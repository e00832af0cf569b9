// The shape every API file (`00-produce.ts`, `18-api-versions.ts`, ...) exports: its key,
// the version range we advertise (declared once, read by ApiVersions), and one codec per
// direction driven by the version. Requests and responses are plain objects.
//
// We advertise only non-flexible versions except ApiVersions v3 (see kafka-wire.md), but
// every codec still knows where its flexible versions start so headers are right.

import type { Reader } from './reader.ts'
import type { Writer } from './writer.ts'

export interface ApiCodec<Req, Res> {
  readonly key: number
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  /** The first version that uses compact encodings and tagged fields. */
  readonly flexibleVersion: number
  encodeRequest (w: Writer, version: number, request: Req): void
  decodeRequest (r: Reader, version: number): Req
  encodeResponse (w: Writer, version: number, response: Res): void
  decodeResponse (r: Reader, version: number): Res
}

export type RequestOf<C> = C extends ApiCodec<infer Req, unknown> ? Req : never
export type ResponseOf<C> = C extends ApiCodec<unknown, infer Res> ? Res : never

export function isFlexible (codec: ApiCodec<unknown, unknown>, version: number): boolean {
  return version >= codec.flexibleVersion
}

/** Helpers for codecs whose fields switch between classic and compact encodings. */
export function readStr (r: Reader, flexible: boolean): string {
  return flexible ? r.readCompactString() : r.readString()
}

export function readNullableStr (r: Reader, flexible: boolean): string | null {
  return flexible ? r.readCompactNullableString() : r.readNullableString()
}

export function writeStr (w: Writer, flexible: boolean, v: string): void {
  if (flexible) w.writeCompactString(v)
  else w.writeString(v)
}

export function writeNullableStr (w: Writer, flexible: boolean, v: string | null): void {
  if (flexible) w.writeCompactNullableString(v)
  else w.writeNullableString(v)
}

/**
 * Error messages often quote client input (a topic name can be 32,767 bytes), so every
 * message field goes through this: cut to a readable length that always fits an int16
 * string, never an encoder failure.
 */
export const ERROR_MESSAGE_CHARS_MAX = 1024

export function writeErrorMessage (w: Writer, flexible: boolean, v: string | null): void {
  writeNullableStr(w, flexible, v === null || v.length <= ERROR_MESSAGE_CHARS_MAX ? v : `${v.slice(0, ERROR_MESSAGE_CHARS_MAX - 3)}...`)
}

export function readArr<T> (r: Reader, flexible: boolean, item: (r: Reader) => T): T[] {
  return flexible ? r.readCompactArray(item) : r.readArray(item)
}

export function writeArr<T> (w: Writer, flexible: boolean, items: readonly T[], item: (w: Writer, v: T) => void): void {
  if (flexible) w.writeCompactArray(items, item)
  else w.writeArray(items, item)
}

export function readTags (r: Reader, flexible: boolean): void {
  if (flexible) r.skipTaggedFields()
}

export function writeTags (w: Writer, flexible: boolean): void {
  if (flexible) w.writeTaggedFields()
}

export function readNullableArr<T> (r: Reader, flexible: boolean, item: (r: Reader) => T): T[] | null {
  return flexible ? r.readCompactNullableArray(item) : r.readNullableArray(item)
}

export function writeNullableArr<T> (w: Writer, flexible: boolean, items: readonly T[] | null, item: (w: Writer, v: T) => void): void {
  if (flexible) w.writeCompactNullableArray(items, item)
  else w.writeNullableArray(items, item)
}

/** Nullable bytes as a view into the frame. */
export function readNullableBuf (r: Reader, flexible: boolean): Buffer | null {
  return flexible ? r.readCompactNullableBytes() : r.readNullableBytes()
}

export function writeNullableBuf (w: Writer, flexible: boolean, v: Buffer | null): void {
  if (flexible) w.writeCompactNullableBytes(v)
  else w.writeNullableBytes(v)
}

export function readInt32Arr (r: Reader, flexible: boolean): number[] {
  return flexible ? r.readCompactArray(readInt32Item) : r.readArray(readInt32Item)
}

export function writeInt32Arr (w: Writer, flexible: boolean, items: readonly number[]): void {
  if (flexible) w.writeCompactArray(items, writeInt32Item)
  else w.writeArray(items, writeInt32Item)
}

export function readStrArr (r: Reader, flexible: boolean): string[] {
  return flexible ? r.readCompactArray(readCompactStrItem) : r.readArray(readStrItem)
}

export function writeStrArr (w: Writer, flexible: boolean, items: readonly string[]): void {
  if (flexible) w.writeCompactArray(items, writeCompactStrItem)
  else w.writeArray(items, writeStrItem)
}

const readInt32Item = (r: Reader): number => r.readInt32()
const writeInt32Item = (w: Writer, v: number): void => { w.writeInt32(v) }
const readStrItem = (r: Reader): string => r.readString()
const readCompactStrItem = (r: Reader): string => r.readCompactString()
const writeStrItem = (w: Writer, v: string): void => { w.writeString(v) }
const writeCompactStrItem = (w: Writer, v: string): void => { w.writeCompactString(v) }
