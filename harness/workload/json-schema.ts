// The small subset of JSON Schema (draft-07, as Ajv reads it) that the workload schema uses,
// plus two helpers built on it: describing what a schema allows in plain words for error
// messages, and finding the sub-schema at a field path for typed CLI overrides.

export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' |
    ReadonlyArray<'string' | 'number' | 'integer' | 'boolean' | 'null'>
  description?: string
  default?: unknown
  enum?: readonly unknown[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  pattern?: string
  properties?: Readonly<Record<string, JsonSchema>>
  additionalProperties?: boolean | JsonSchema
  propertyNames?: JsonSchema
  maxProperties?: number
  required?: readonly string[]
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  anyOf?: readonly JsonSchema[]
  /** Not JSON Schema: a plain-words description of a `pattern`, used in messages. Registered with Ajv. */
  patternText?: string
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
}

/** Says what a schema allows, e.g. `an integer from 1 to 1000`, `one of "none", "gzip"`. */
export function describeSchema (schema: JsonSchema): string {
  if (schema.anyOf !== undefined) return schema.anyOf.map(describeSchema).join(' or ')
  if (schema.enum !== undefined) {
    const values = schema.enum.map((value) => JSON.stringify(value))
    return values.length === 1 ? values[0]! : `one of ${values.join(', ')}`
  }
  const types = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type]
  const words = types.map((type) => describeType(type, schema))
  return words.length === 0 ? 'any value' : words.join(' or ')
}

function describeType (type: string, schema: JsonSchema): string {
  if (type === 'number' || type === 'integer') return TYPE_WORDS[type]! + describeRange(schema)
  if (type === 'string') {
    if (schema.patternText !== undefined) return schema.patternText
    if (schema.minLength !== undefined && schema.maxLength !== undefined) {
      return `a string of ${schema.minLength} to ${schema.maxLength} characters`
    }
    return 'a string'
  }
  if (type === 'array' && schema.items !== undefined) {
    const bound = schema.maxItems !== undefined ? ` (at most ${schema.maxItems})` : ''
    return `a list of ${describeSchema(schema.items)}${bound}`
  }
  return TYPE_WORDS[type] ?? type
}

function describeRange (schema: JsonSchema): string {
  const low = schema.minimum ?? schema.exclusiveMinimum
  const high = schema.maximum ?? schema.exclusiveMaximum
  const lowWord = schema.exclusiveMinimum !== undefined ? 'above' : 'at least'
  const highWord = schema.exclusiveMaximum !== undefined ? 'below' : 'at most'
  if (low !== undefined && high !== undefined) {
    if (schema.exclusiveMinimum === undefined && schema.exclusiveMaximum === undefined) {
      return ` from ${low} to ${high}`
    }
    return ` ${lowWord} ${low} and ${highWord} ${high}`
  }
  if (low !== undefined) return ` ${lowWord} ${low}`
  if (high !== undefined) return ` ${highWord} ${high}`
  return ''
}

/**
 * The sub-schema for a path of keys (`['producer', 'acks']`), following `properties`,
 * `additionalProperties` (maps such as brokerConfig) and `items` (numeric keys).
 * Returns undefined when the path leaves the schema.
 */
export function schemaAt (root: JsonSchema, keys: readonly string[]): JsonSchema | undefined {
  let schema: JsonSchema | undefined = root
  for (const key of keys) {
    if (schema === undefined) return undefined
    schema = childSchema(schema, key)
  }
  return schema
}

function childSchema (schema: JsonSchema, key: string): JsonSchema | undefined {
  if (schema.properties !== undefined && Object.hasOwn(schema.properties, key)) return schema.properties[key]
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties
  if (schema.items !== undefined && /^\d+$/.test(key)) return schema.items
  if (schema.anyOf !== undefined) {
    for (const branch of schema.anyOf) {
      const found = childSchema(branch, key)
      if (found !== undefined) return found
    }
  }
  return undefined
}
