// How a client error becomes an op outcome. The history is only as good as this rule:
// `fail` claims the op definitely did not happen, so it is used only when that is certain;
// everything else is `info` (unknown outcome), and the worker retires the process.
//
// - Reads (poll, assign, subscribe) change nothing on the broker and the harness advances
//   its own positions only on success, so any error of theirs is `fail`, except that an
//   out-of-range fetch (the log shrank under the consumer) is `info`: the consumer must be
//   set up again, and its next position is not a continuation.
// - A send is `fail` only when the broker answered with an error that means "not written"
//   and the client made exactly one attempt. After a retry an earlier attempt may have been
//   written, and a timeout or a broken connection says nothing about the broker: `info`.
// - A commit is `fail` on a broker error code (the coordinator refused it) or when no
//   connection could be made (nothing was sent), `info` on a timeout or a lost connection.

import { KafkaClientError } from '../../broker/client/errors.ts'
import { ErrorCode, errorName } from '../../broker/protocol/errors.ts'
import { DeadlineError } from './sleep.ts'

export type OpKind = 'send' | 'poll' | 'commit' | 'assign' | 'subscribe'

/** A failure whose outcome the client already knows (thrown by the chaos clients). */
export class OutcomeError extends Error {
  readonly code = 'ERR_CHAOS_OUTCOME'
  readonly retriable = false
  readonly type: 'fail' | 'info'
  constructor (type: 'fail' | 'info', message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'OutcomeError'
    this.type = type
  }
}

/** Kafka error names after which a produce was certainly not appended. */
const NOT_WRITTEN = new Set([
  'CORRUPT_MESSAGE', 'MESSAGE_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION', 'RECORD_LIST_TOO_LARGE',
  'INVALID_REQUIRED_ACKS', 'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED',
  'UNSUPPORTED_VERSION', 'INVALID_RECORD', 'UNKNOWN_TOPIC_OR_PARTITION', 'NOT_ENOUGH_REPLICAS',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT', 'INVALID_TIMESTAMP',
])

export interface Classified {
  type: 'fail' | 'info'
  /** A short reason for the op's value: an error name or code. */
  reason: string
}

interface KafkajsLike {
  name?: unknown
  type?: unknown
  code?: unknown
  retryCount?: unknown
  cause?: unknown
}

function reasonOf (error: unknown): string {
  if (error instanceof KafkaClientError) return error.kafkaErrorCode !== null ? errorName(error.kafkaErrorCode) : error.code
  const e = error as KafkajsLike
  if (typeof e?.type === 'string') return e.type
  if (typeof e?.name === 'string' && e.name !== 'Error') return e.name
  if (typeof e?.code === 'string') return e.code
  return 'ERROR'
}

const NESTING_DEPTH_MAX = 4

/** The innermost error kafkajs wrapped (NumberOfRetriesExceeded keeps the last attempt's as `cause`). */
function innermost (error: unknown): { error: unknown, retried: boolean } {
  let current = error as KafkajsLike
  let retried = false
  for (let depth = 0; depth < NESTING_DEPTH_MAX && typeof current === 'object' && current !== null; depth++) {
    if (current.name === 'KafkaJSNumberOfRetriesExceeded' || (typeof current.retryCount === 'number' && current.retryCount > 0)) retried = true
    if (!(current.cause instanceof Error) || current instanceof KafkaClientError) break
    current = current.cause as KafkajsLike
  }
  return { error: current, retried }
}

export function classifyError (error: unknown, kind: OpKind, options: { clientRetries: number }): Classified {
  if (error instanceof OutcomeError) return { type: error.type, reason: error.message }
  if (error instanceof DeadlineError) return { type: 'info', reason: 'timeout' }
  const { error: inner, retried } = innermost(error)
  const reason = reasonOf(inner)
  if (kind === 'poll' || kind === 'assign' || kind === 'subscribe') return { type: 'fail', reason }
  if (kind === 'commit') {
    // Sluice's own client fails with ERR_CONNECT before it writes anything: never sent.
    if (inner instanceof KafkaClientError && inner.code === 'ERR_CONNECT') return { type: 'fail', reason }
    const brokerSaidNo = (inner instanceof KafkaClientError && inner.kafkaErrorCode !== null && inner.kafkaErrorCode !== ErrorCode.REQUEST_TIMED_OUT) ||
      ((inner as KafkajsLike)?.name === 'KafkaJSProtocolError' && reason !== 'REQUEST_TIMED_OUT')
    return { type: brokerSaidNo && !retried ? 'fail' : 'info', reason }
  }
  const oneAttempt = options.clientRetries === 0 && !retried
  return { type: oneAttempt && NOT_WRITTEN.has(reason) ? 'fail' : 'info', reason }
}
