// Operating errors of `sluice bench`. A run that cannot start (a bad payload file, a
// setting the cluster cannot honour, a worker that fails to create its clients) throws a
// BenchError; a run that fails after it started does not throw: it ends with a partial
// result whose reason says what happened (see runner.ts). None is retriable as such.

export type BenchErrorCode =
  | 'ERR_BENCH_PAYLOAD' // payloadFile unreadable or its size disagrees with messageSize
  | 'ERR_BENCH_UNSUPPORTED' // the workload asks for something the cluster or driver cannot do
  | 'ERR_BENCH_WORKER' // a load-generator thread failed to start or crashed
  | 'ERR_BENCH_OPTIONS' // bad command-line options
  | 'ERR_BENCH_ABORTED' // a broker died or Ctrl-C came before load started
  | 'ERR_BENCH_JAVA_TOOL' // one of Kafka's perf tools (the java driver) failed or timed out

export class BenchError extends Error {
  readonly code: BenchErrorCode
  readonly retriable = false
  constructor (code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BenchError'
    this.code = code
  }
}
