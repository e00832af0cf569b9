// Toxic definitions as the API sees them: the types Sluice implements, their attributes
// (all integers, missing ones default to 0, unknown ones are ignored, as Go's JSON decoder
// does), and the parsing of create and update bodies. A ToxicSpec is immutable: an update
// makes a new one, so a live link can keep comparing against the spec it was built from.

import { badRequestBody, invalidStream, invalidToxicType } from './errors.ts'
import { NAME_LENGTH_MAX } from './limits.ts'

export type Direction = 'upstream' | 'downstream'

export const TOXIC_ATTRIBUTES = {
  latency: ['latency', 'jitter'], // milliseconds
  bandwidth: ['rate'], // KB/s, 1 KB = 1000 bytes
  slow_close: ['delay'], // milliseconds
  timeout: ['timeout'], // milliseconds, 0 = never
  reset_peer: ['timeout'], // milliseconds
  slicer: ['average_size', 'size_variation', 'delay'], // bytes, bytes, microseconds
  limit_data: ['bytes'],
  noop: [],
} as const satisfies Record<string, readonly string[]>

export type ToxicType = keyof typeof TOXIC_ATTRIBUTES
export type ToxicAttributes = Readonly<Record<string, number>>

export interface ToxicSpec {
  readonly name: string
  readonly type: ToxicType
  readonly stream: Direction
  /** Probability in [0, 1] that the toxic is active on a given connection and direction. */
  readonly toxicity: number
  readonly attributes: ToxicAttributes
}

/** The JSON shape of a toxic in responses, in Toxiproxy's field order. */
export interface ToxicJson {
  attributes: Record<string, number>
  name: string
  type: string
  stream: Direction
  toxicity: number
}

export function isToxicType (type: string): type is ToxicType {
  return Object.hasOwn(TOXIC_ATTRIBUTES, type)
}

/** Parses the body of POST /proxies/{proxy}/toxics; defaults as in toxic_collection.go. */
export function parseToxicCreate (body: unknown): ToxicSpec {
  const input = expectObject(body, 'toxic')
  const typeText = optionalString(input, 'type') ?? ''
  const streamText = (optionalString(input, 'stream') ?? 'downstream').toLowerCase()
  const toxicity = optionalNumber(input, 'toxicity') ?? 1
  if (streamText !== 'upstream' && streamText !== 'downstream') throw invalidStream()
  const stream: Direction = streamText
  let name = optionalString(input, 'name') ?? ''
  if (name === '') name = `${typeText}_${stream}`
  if (name.length > NAME_LENGTH_MAX) throw badRequestBody(`name is longer than ${NAME_LENGTH_MAX} characters`)
  if (!isToxicType(typeText)) throw invalidToxicType()
  const attributes = mergeAttributes(typeText, zeroAttributes(typeText), input['attributes'])
  return { name, type: typeText, stream, toxicity, attributes }
}

/**
 * Parses the body of POST/PATCH /proxies/{proxy}/toxics/{toxic}: only `attributes` (merged
 * onto the current ones) and `toxicity` are read; name, type and stream cannot change.
 */
export function parseToxicUpdate (current: ToxicSpec, body: unknown): ToxicSpec {
  const input = expectObject(body, 'toxic')
  const toxicity = optionalNumber(input, 'toxicity') ?? current.toxicity
  const attributes = mergeAttributes(current.type, current.attributes, input['attributes'])
  return { ...current, toxicity, attributes }
}

export function toxicJson (spec: ToxicSpec): ToxicJson {
  return {
    attributes: { ...spec.attributes },
    name: spec.name,
    type: spec.type,
    stream: spec.stream,
    toxicity: spec.toxicity,
  }
}

function zeroAttributes (type: ToxicType): Record<string, number> {
  const attributes: Record<string, number> = {}
  for (const key of TOXIC_ATTRIBUTES[type]) attributes[key] = 0
  return attributes
}

function mergeAttributes (type: ToxicType, base: ToxicAttributes, value: unknown): ToxicAttributes {
  const merged: Record<string, number> = { ...base }
  if (value === undefined || value === null) return merged
  const input = expectObject(value, 'attributes')
  for (const key of TOXIC_ATTRIBUTES[type]) {
    const attribute = input[key]
    if (attribute === undefined || attribute === null) continue
    if (typeof attribute !== 'number' || !Number.isSafeInteger(attribute)) {
      throw badRequestBody(`attributes.${key} must be an integer (got ${JSON.stringify(attribute)})`)
    }
    merged[key] = attribute
  }
  return merged
}

/** Narrows a parsed JSON value to an object, or fails with a 400 naming `what`. */
export function expectObject (value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequestBody(`${what} must be a JSON object`)
  }
  return value as Record<string, unknown>
}

/** A string field, undefined when absent or null; any other type is a 400. */
export function optionalString (input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequestBody(`${key} must be a string`)
  return value
}

export function optionalNumber (input: Record<string, unknown>, key: string): number | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequestBody(`${key} must be a number`)
  return value
}

export function optionalBoolean (input: Record<string, unknown>, key: string): boolean | undefined {
  const value = input[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw badRequestBody(`${key} must be a boolean`)
  return value
}
