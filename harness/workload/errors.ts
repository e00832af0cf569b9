// Operating errors of workload loading. A bad workload file is the user's to fix, so the
// error collects every problem at once (not just the first) and each line names the file,
// the field path, the bad value and what is allowed. None is retriable.

export type WorkloadErrorCode =
  | 'ERR_WORKLOAD_READ' // the file could not be read
  | 'ERR_WORKLOAD_YAML' // the text is not valid YAML
  | 'ERR_WORKLOAD_INVALID' // valid YAML, but the fields break the schema or each other
  | 'ERR_WORKLOAD_OVERRIDE' // a CLI override names an unknown path or has a bad value

/** One problem; `path` is dotted (`producer.acks`, `nemesis.schedule[0].fault`), '' for the root. */
export interface WorkloadIssue {
  readonly path: string
  readonly message: string
}

export class WorkloadError extends Error {
  readonly code: WorkloadErrorCode
  readonly retriable = false
  readonly sourceName: string
  readonly issues: readonly WorkloadIssue[]
  constructor (code: WorkloadErrorCode, sourceName: string, issues: readonly WorkloadIssue[]) {
    super(issues.map((issue) => formatIssue(sourceName, issue)).join('\n'))
    this.name = 'WorkloadError'
    this.code = code
    this.sourceName = sourceName
    this.issues = issues
  }
}

function formatIssue (sourceName: string, issue: WorkloadIssue): string {
  const where = issue.path === '' ? '' : `${issue.path} `
  return `${sourceName}: ${where}${issue.message}`
}

const VALUE_TEXT_LENGTH_MAX = 60

/** Renders a bad value for a message: strings quoted, long values cut short. */
export function showValue (value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value) && value.length > 8) return `a list of ${value.length} items`
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > VALUE_TEXT_LENGTH_MAX ? `${text.slice(0, VALUE_TEXT_LENGTH_MAX - 3)}...` : text
}

/** Joins a field path the way messages print it: `a.b`, `a[0].b`. */
export function joinPath (parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}
