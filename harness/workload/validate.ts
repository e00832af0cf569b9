// Schema validation with Ajv, and the translation of Ajv's errors into messages a person can
// act on: the field path, the bad value, what is allowed, and a "did you mean" for typos.
// Validation runs on a copy with Ajv filling in schema defaults, so the caller keeps the
// document as written (overrides are applied to that and re-validated).

import { Ajv } from 'ajv'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { describeSchema } from './json-schema.ts'
import type { JsonSchema } from './json-schema.ts'
import { joinPath, showValue } from './errors.ts'
import type { WorkloadIssue } from './errors.ts'
import { FIELD_ALIASES, workloadSchema } from './schema.ts'
import { didYouMean } from '../../broker/config/suggest.ts'

/** Listing known fields helps for small objects; for the top level a suggestion is enough. */
const KNOWN_FIELDS_LISTED_MAX = 12

let compiled: ValidateFunction | undefined

function validator (): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: true, allowUnionTypes: true, strictTypes: false })
    ajv.addKeyword({ keyword: 'patternText', schemaType: 'string' })
    compiled = ajv.compile(workloadSchema)
  }
  return compiled
}

export interface SchemaResult {
  readonly issues: WorkloadIssue[]
  /** A copy of the document with schema defaults filled in; meaningful only without issues. */
  readonly filled: Record<string, unknown>
}

export function validateDocument (document: unknown): SchemaResult {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    const issue = { path: '', message: `the document must be a mapping of field names to values (got ${showValue(document)})` }
    return { issues: [issue], filled: {} }
  }
  const filled = structuredClone(document) as Record<string, unknown>
  const validate = validator()
  if (validate(filled)) return { issues: [], filled }
  return { issues: translateErrors(validate.errors ?? []), filled }
}

function translateErrors (errors: readonly ErrorObject[]): WorkloadIssue[] {
  // An anyOf failure is reported once for the whole field, not once per branch.
  const anyOfPaths = errors.filter((error) => error.keyword === 'anyOf').map((error) => `${error.schemaPath}/`)
  const issues: WorkloadIssue[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    if (anyOfPaths.some((prefix) => error.schemaPath.startsWith(prefix))) continue
    const issue = translateError(error)
    if (issue === undefined) continue
    const key = `${issue.path}\u0000${issue.message}`
    if (seen.has(key)) continue
    seen.add(key)
    issues.push(issue)
  }
  return issues
}

function translateError (error: ErrorObject): WorkloadIssue | undefined {
  const path = pointerToPath(error.instancePath)
  const parent = (error.parentSchema ?? {}) as JsonSchema
  const params = error.params as Record<string, unknown>
  const propertyName = (error as { propertyName?: string }).propertyName
  if (propertyName !== undefined) {
    return { path: joinPath(path, propertyName), message: `is not a valid name: must be ${describeSchema(parent)}` }
  }
  switch (error.keyword) {
    case 'propertyNames':
      return undefined // reported through the inner error, which carries propertyName
    case 'required': {
      const missing = String(params.missingProperty)
      const field = parent.properties?.[missing]
      const allowed = field === undefined ? '' : ` (${describeSchema(field)})`
      return { path: joinPath(path, missing), message: `is required${allowed}` }
    }
    case 'additionalProperties':
      return unknownField(path, String(params.additionalProperty), parent)
    case 'type': case 'enum': case 'anyOf': case 'minimum': case 'maximum':
    case 'exclusiveMinimum': case 'exclusiveMaximum': case 'minLength': case 'maxLength': case 'pattern':
      return { path, message: `must be ${describeSchema(parent)} (got ${showValue(error.data)})${enumHint(error, parent)}` }
    case 'maxItems': case 'minItems': case 'maxProperties':
      return { path, message: `${error.message ?? 'is out of bounds'} (got ${countOf(error.data)})` }
    case 'uniqueItems':
      return { path, message: `must not list the same entry twice (got ${showValue(error.data)})` }
    default:
      return { path, message: `${error.message ?? 'is invalid'} (got ${showValue(error.data)})` }
  }
}

function unknownField (path: string, name: string, parent: JsonSchema): WorkloadIssue {
  const known = Object.keys(parent.properties ?? {})
  const alias = path === '' && Object.hasOwn(FIELD_ALIASES, name) ? FIELD_ALIASES[name] : undefined
  const suggestion = alias ?? didYouMean(name, known)
  let message = 'is not a known field'
  if (suggestion !== undefined) message += `; did you mean "${suggestion}"?`
  if (known.length <= KNOWN_FIELDS_LISTED_MAX) message += ` (known fields: ${known.join(', ')})`
  return { path: joinPath(path, name), message }
}

function enumHint (error: ErrorObject, parent: JsonSchema): string {
  if (error.keyword !== 'enum' || typeof error.data !== 'string' || parent.enum === undefined) return ''
  const names = parent.enum.filter((value): value is string => typeof value === 'string')
  const suggestion = didYouMean(error.data, names)
  return suggestion === undefined ? '' : `; did you mean "${suggestion}"?`
}

function countOf (data: unknown): string {
  if (Array.isArray(data)) return `${data.length} items`
  if (typeof data === 'object' && data !== null) return `${Object.keys(data).length} entries`
  return showValue(data)
}

/** `/nemesis/schedule/0/fault` -> `nemesis.schedule[0].fault`. */
function pointerToPath (pointer: string): string {
  if (pointer === '') return ''
  let path = ''
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    path = /^\d+$/.test(segment) ? joinPath(path, Number(segment)) : joinPath(path, segment)
  }
  return path
}
