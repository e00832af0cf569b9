// Broker configuration: read a Kafka-style properties file or a YAML mapping, apply
// overrides from the command line, validate every key strictly once at start, freeze.
// An unknown or mistyped key is an error that names the key and the fix.

import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { CONFIG_KEYS, type KeySpec } from './keys.ts'
import { didYouMean } from './suggest.ts'

export class ConfigError extends Error {
  readonly code = 'ERR_SLUICE_CONFIG'
  readonly retriable = false
  readonly problems: string[]
  constructor (source: string, problems: string[]) {
    super(`invalid broker config (${source}):\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

export interface Listener {
  host: string
  port: number
}

export interface BrokerConfig {
  readonly values: Readonly<Record<string, number | boolean | string | null>>
  readonly brokerId: number
  readonly clusterId: string | null
  readonly listener: Listener
  readonly advertised: Listener | null
  readonly http: Listener | null
  readonly dataDir: string
  get (key: string): number | boolean | string | null
  int (key: string): number
  bool (key: string): boolean
}

export type RawConfig = Record<string, unknown>

/** `key=value` lines; `#` and `!` start comments, as in Java properties files. */
export function parseProperties (text: string): RawConfig {
  const out: RawConfig = {}
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const at = line.search(/[=:]/)
    if (at < 0) throw new ConfigError('properties', [`line "${line}" has no "=": write key=value`])
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim()
  }
  return out
}

export async function readConfigFile (path: string): Promise<RawConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code
    const reason = code === 'ENOENT'
      ? 'no such file: give -c an existing .properties or .yaml file (config/broker.properties is an example), or leave -c out to run on the defaults'
      : code === 'EISDIR' ? 'it is a directory: give -c a .properties or .yaml file' : `cannot read it: ${(error as Error).message}`
    throw new ConfigError(path, [reason])
  }
  if (/\.(ya?ml)$/i.test(path)) {
    let parsed: unknown
    try {
      parsed = parseYaml(text)
    } catch (error) {
      throw new ConfigError(path, [`YAML syntax error: ${(error as Error).message.split('\n')[0]}`])
    }
    if (parsed === null || parsed === undefined) return {}
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(path, ['a YAML broker config must be a mapping of key: value'])
    }
    return parsed as RawConfig
  }
  return parseProperties(text)
}

function describe (key: string, spec: KeySpec): string {
  switch (spec.type) {
    case 'int': return `${key} must be an integer between ${spec.min} and ${spec.max}`
    case 'bool': return `${key} must be true or false`
    case 'listener': return `${key} must look like PLAINTEXT://127.0.0.1:9092 (or host:port)`
    default: return spec.values === undefined ? `${key} must be a string` : `${key} must be one of ${spec.values.join(', ')}`
  }
}

function coerce (key: string, spec: KeySpec, raw: unknown): number | boolean | string | null {
  if (raw === null) return null
  const text = String(raw).trim()
  switch (spec.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : Number(text.replace(/_/g, ''))
      if (!Number.isSafeInteger(n) || n < spec.min! || n > spec.max!) throw new Error(`${describe(key, spec)} (got ${JSON.stringify(raw)})`)
      return n
    }
    case 'bool':
      if (raw === true || text === 'true') return true
      if (raw === false || text === 'false') return false
      throw new Error(`${describe(key, spec)} (got ${JSON.stringify(raw)})`)
    case 'listener':
      if (text === 'none') return 'none'
      parseListener(text, key)
      return text
    default:
      if (spec.values !== undefined && !spec.values.includes(text)) throw new Error(`${describe(key, spec)} (got ${JSON.stringify(raw)})`)
      return text
  }
}

export function parseListener (text: string, key = 'listener'): Listener {
  const match = /^(?:[A-Za-z_]+:\/\/)?([^:/]*|\[[^\]]+\]):(\d{1,5})\/?$/.exec(text.trim())
  if (match === null || Number(match[2]) > 65535) {
    throw new Error(`${key} must look like PLAINTEXT://127.0.0.1:9092 or host:port (got ${JSON.stringify(text)})`)
  }
  const host = match[1] === '' ? '127.0.0.1' : match[1]!.replace(/^\[|\]$/g, '')
  return { host, port: Number(match[2]) }
}

/**
 * Validates `raw` (file values overlaid with command-line overrides) against the key table
 * and returns a frozen config. Collects every problem before failing.
 */
export function buildConfig (raw: RawConfig, source = 'config'): BrokerConfig {
  const problems: string[] = []
  const values: Record<string, number | boolean | string | null> = {}
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) values[key] = spec.default
  for (const [key, value] of Object.entries(raw)) {
    const spec = CONFIG_KEYS[key]
    if (spec === undefined) {
      const hint = didYouMean(key, Object.keys(CONFIG_KEYS))
      problems.push(`unknown key "${key}"` + (hint !== undefined ? `: did you mean "${hint}"?` : ': run `sluice broker --list-config` for the keys Sluice accepts'))
      continue
    }
    try {
      values[key] = coerce(key, spec, value)
    } catch (err) {
      problems.push((err as Error).message)
    }
  }
  if (problems.length > 0) throw new ConfigError(source, problems)
  const listenerOf = (key: string): Listener | null => {
    const v = values[key]
    return v === null || v === 'none' ? null : parseListener(String(v), key)
  }
  const config: BrokerConfig = {
    values: Object.freeze({ ...values }),
    brokerId: values['broker.id'] as number,
    clusterId: values['cluster.id'] as string | null,
    listener: listenerOf('listeners')!,
    advertised: listenerOf('advertised.listeners'),
    http: listenerOf('sluice.http.listener'),
    dataDir: values['log.dirs'] as string,
    get: key => {
      if (!(key in values)) throw new Error(`programmer error: unknown config key ${key}`)
      return values[key]!
    },
    int: key => config.get(key) as number,
    bool: key => config.get(key) as boolean,
  }
  return Object.freeze(config)
}

/** `key=value` strings from `--override` flags. */
export function parseOverrides (pairs: readonly string[]): RawConfig {
  const out: RawConfig = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new ConfigError('--override', [`"${pair}" is not key=value (example: --override log.segment.bytes=1048576)`])
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return out
}

/** A readable table of every key, default and meaning, for `sluice broker --list-config`. */
export function describeKeys (): string {
  return Object.entries(CONFIG_KEYS)
    .map(([key, spec]) => `${key.padEnd(34)} ${String(spec.default).padEnd(28)} ${spec.doc}`)
    .join('\n')
}
