// Operating errors of `sluice compare`. Each has a stable `code` so the CLI can map it to
// an exit status and a one-line message, and none is retriable: the same inputs fail the
// same way every time.

export type CompareErrorCode = 'ERR_COMPARE_INPUT' | 'ERR_COMPARE_OPTIONS' | 'ERR_COMPARE_NO_METRICS'

export class CompareError extends Error {
  readonly code: CompareErrorCode
  readonly retriable = false
  constructor (code: CompareErrorCode, message: string) {
    super(message)
    this.name = 'CompareError'
    this.code = code
  }
}
