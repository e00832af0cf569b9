// An HTTP API failure the caller can fix: a status code and a message saying how.

export class HttpError extends Error {
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.name = 'HttpError'
    this.status = status
  }
}
