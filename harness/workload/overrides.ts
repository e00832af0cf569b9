// CLI overrides: `--duration 20s`, `--producerRate 5000`, `--producer.acks all`,
// `--brokerConfig.log.flush.interval.messages 1`. Keys are field paths; values are strings
// parsed by the type the schema gives that field, then the whole document is validated
// again, so an override can never produce a workload a file could not.

import { describeSchema, schemaAt } from './json-schema.ts'
import type { JsonSchema } from './json-schema.ts'
import { DurationError, parseDurationMs, parseDurationSeconds } from './duration.ts'
import { WorkloadError } from './errors.ts'
import type { WorkloadIssue } from './errors.ts'
import { buildWorkload } from './normalise.ts'
import { FIELD_ALIASES, workloadSchema } from './schema.ts'
import { didYouMean } from '../../broker/config/suggest.ts'
import type { Workload } from './types.ts'

/** Short names for the overrides people type most. */
export const OVERRIDE_ALIASES = FIELD_ALIASES
const OVERRIDES_MAX = 100
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i

type Doc = Record<string, unknown>

/** Applies overrides to a loaded workload and returns a new, re-validated one. */
export function applyOverrides (workload: Workload, overrides: Readonly<Record<string, string>>): Workload {
  const document = overrideDocument(workload.document, overrides, workload.sourceName)
  return buildOverridden(document, workload.sourceName, overrides)
}

/** Builds a workload from a document plus overrides, tagging problems an override caused. */
export function buildOverridden (document: unknown, sourceName: string, overrides: Readonly<Record<string, string>>): Workload {
  try {
    return buildWorkload(document, sourceName)
  } catch (error) {
    if (!(error instanceof WorkloadError) || Object.keys(overrides).length === 0) throw error
    const tagged = error.issues.map((issue) => tagIssue(issue, overrides))
    throw new WorkloadError(error.code, sourceName, tagged)
  }
}

/** Returns a copy of `document` with every override set, or throws listing every bad override. */
export function overrideDocument (document: unknown, overrides: Readonly<Record<string, string>>, sourceName: string): Doc {
  const entries = Object.entries(overrides)
  if (entries.length > OVERRIDES_MAX) {
    throw new WorkloadError('ERR_WORKLOAD_OVERRIDE', sourceName, [{ path: '', message: `at most ${OVERRIDES_MAX} overrides are allowed (got ${entries.length})` }])
  }
  const result = structuredClone(typeof document === 'object' && document !== null && !Array.isArray(document) ? document : {}) as Doc
  const issues: WorkloadIssue[] = []
  for (const [rawPath, text] of entries) {
    const keys = splitPath(rawPath)
    const shown = rawPath.replace(/^--/, '')
    const schema = schemaAt(workloadSchema, schemaKeys(keys, result))
    if (keys.length === 0 || schema === undefined) {
      const suggestion = didYouMean(shown, overridablePaths())
      const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`
      issues.push({ path: shown, message: `is not a field that can be overridden${hint}` })
      continue
    }
    const parsed = parseValue(text, schema, keys[keys.length - 1]!)
    if ('problem' in parsed) {
      issues.push({ path: shown, message: `${parsed.problem} (got ${JSON.stringify(text)})` })
      continue
    }
    const problem = setAt(result, keys, parsed.value)
    if (problem !== undefined) issues.push({ path: shown, message: problem })
  }
  if (issues.length > 0) throw new WorkloadError('ERR_WORKLOAD_OVERRIDE', sourceName, issues)
  return result
}

/** `producer.acks` -> ['producer', 'acks']; brokerConfig keys keep their dots; `[0]` is `.0`. */
function splitPath (rawPath: string): string[] {
  const path = rawPath.replace(/^--/, '').trim()
  const alias = OVERRIDE_ALIASES[path]
  if (alias !== undefined) return [alias]
  if (path.startsWith('brokerConfig.')) return ['brokerConfig', path.slice('brokerConfig.'.length)]
  if (path === '') return []
  return path.replace(/\[(\d+)\]/g, '.$1').split('.')
}

/** A bare nemesis list in the document is the schedule itself. */
function schemaKeys (keys: readonly string[], document: Doc): readonly string[] {
  if (keys[0] === 'nemesis' && Array.isArray(document.nemesis) && keys[1] !== undefined && /^\d+$/.test(keys[1])) {
    return ['nemesis', 'schedule', ...keys.slice(1)]
  }
  return keys
}

type Parsed = { value: unknown } | { problem: string }

function parseValue (text: string, schema: JsonSchema, fieldName: string): Parsed {
  const trimmed = text.trim()
  if (schema.enum !== undefined) {
    const member = schema.enum.find((value) => String(value) === trimmed)
    return { value: member ?? trimmed } // a non-member is reported by validation, with a hint
  }
  if (schema.anyOf !== undefined) return { value: parseList(trimmed) }
  const types = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type]
  if (types.includes('null') && trimmed === 'null') return { value: null }
  if (types.includes('boolean') && /^(true|false)$/i.test(trimmed)) return { value: trimmed.toLowerCase() === 'true' }
  if (types.includes('number') || types.includes('integer')) {
    if (NUMBER.test(trimmed)) return { value: Number(trimmed) }
    const duration = parseDurationFor(trimmed, fieldName, schema)
    if (duration !== undefined) return duration
    if (!types.includes('string')) return { problem: `must be ${describeSchema(schema)}` }
  }
  if (types.includes('object') || types.includes('array')) {
    try {
      return { value: JSON.parse(trimmed) }
    } catch {
      return { problem: `must be ${describeSchema(schema)}, written as JSON` }
    }
  }
  return { value: text }
}

/** Seconds, minutes and milliseconds fields also take durations such as `2m` or `250ms`. */
function parseDurationFor (text: string, fieldName: string, schema: JsonSchema): Parsed | undefined {
  const unit = ['Seconds', 'Minutes', 'Ms'].find((suffix) => fieldName.endsWith(suffix))
  if (unit === undefined) return undefined
  try {
    if (unit === 'Seconds') return { value: parseDurationSeconds(text) }
    if (unit === 'Minutes') return { value: parseDurationSeconds(text) / 60 }
    return { value: parseDurationMs(text) }
  } catch (error) {
    if (!(error instanceof DurationError)) throw error
    return { problem: `must be ${describeSchema(schema)} or a duration such as 500ms, 20s, 1.5m, 2h (at most 7 days)` }
  }
}

/** targets: `random`, `broker-1`, `broker-0,broker-2` or a JSON list. */
function parseList (text: string): unknown {
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text.includes(',') ? text.split(',').map((part) => part.trim()) : text
}

/** Keys that would reach an object's prototype instead of a field. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

function setAt (document: Doc, keys: readonly string[], value: unknown): string | undefined {
  if (keys.some((key) => FORBIDDEN_KEYS.has(key))) return 'is not a field that can be overridden'
  let node: unknown = document
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!
    const container = node as Record<string, unknown>
    if (container[key] === undefined) {
      if (/^\d+$/.test(keys[i + 1]!)) return `needs an existing list at ${keys.slice(0, i + 1).join('.')}`
      container[key] = {}
    }
    node = container[key]
    if (typeof node !== 'object' || node === null) return `cannot be set: ${keys.slice(0, i + 1).join('.')} is not a mapping or list`
    if (Array.isArray(node) && Number(keys[i + 1]) >= node.length) {
      return `names entry ${keys[i + 1]} but the list has ${node.length} entries`
    }
  }
  (node as Record<string, unknown>)[keys[keys.length - 1]!] = value
  return undefined
}

let pathsCache: string[] | undefined

/** Every leaf path a user could mean, for suggestions: `producer.acks`, `duration`, ... */
function overridablePaths (): string[] {
  if (pathsCache !== undefined) return pathsCache
  const paths: string[] = Object.keys(OVERRIDE_ALIASES)
  const walk = (schema: JsonSchema, prefix: string): void => {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      paths.push(path)
      if (child.properties !== undefined) walk(child, path)
    }
  }
  walk(workloadSchema, '')
  pathsCache = paths
  return paths
}

function tagIssue (issue: WorkloadIssue, overrides: Readonly<Record<string, string>>): WorkloadIssue {
  for (const [rawPath, text] of Object.entries(overrides)) {
    const keys = splitPath(rawPath)
    const target = keys[0] === 'brokerConfig' ? `brokerConfig.${keys[1] ?? ''}` : keys.join('.')
    const dotted = issue.path.replace(/\[(\d+)\]/g, '.$1')
    if (dotted === target || dotted.startsWith(`${target}.`)) {
      return { path: issue.path, message: `${issue.message} (from the override ${rawPath.replace(/^--/, '')}=${text})` }
    }
  }
  return issue
}
