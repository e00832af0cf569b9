// Errors of Sluice's own Kafka client. Two kinds reach callers: a Kafka error code the
// broker wrote into a response (code 'ERR_KAFKA', kafkaErrorCode set, named after Kafka's
// own constant), and an operating error of the connection (refused, timed out, closed).
// Both carry a stable `code` and a `retriable` flag so drivers can decide without parsing
// messages.

import { ErrorCode, errorName } from '../protocol/errors.ts'

export type ClientErrorCode =
  | 'ERR_KAFKA'
  | 'ERR_CONNECT'
  | 'ERR_TIMEOUT'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_UNSUPPORTED_VERSION'
  | 'ERR_PROTOCOL'
  | 'ERR_BACKPRESSURE'
  | 'ERR_NO_LEADER'
  | 'ERR_CLIENT_CLOSED'

export class KafkaClientError extends Error {
  readonly code: ClientErrorCode
  readonly kafkaErrorCode: number | null
  readonly retriable: boolean
  /** host:port of the broker involved, when one was. */
  readonly broker: string | null

  constructor (code: ClientErrorCode, message: string, opts: { kafkaErrorCode?: number, retriable?: boolean, broker?: string | null, cause?: unknown } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'KafkaClientError'
    this.code = code
    this.kafkaErrorCode = opts.kafkaErrorCode ?? null
    this.retriable = opts.retriable ?? false
    this.broker = opts.broker ?? null
  }
}

// The codes a client may retry after a pause (and, for leadership ones, a metadata
// refresh), following the Java client's RetriableException subclasses.
const RETRIABLE = new Set<number>([
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.OFFSET_NOT_AVAILABLE,
])

/** Codes after which the partition's leader may have moved: refresh metadata first. */
const STALE_METADATA = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
])

export function isRetriableKafkaError (code: number): boolean {
  return RETRIABLE.has(code)
}

export function needsMetadataRefresh (code: number): boolean {
  return STALE_METADATA.has(code)
}

/** A KafkaClientError for an error code found in a response; `what` says where. */
export function kafkaError (kafkaErrorCode: number, what: string, brokerMessage?: string | null, broker?: string | null): KafkaClientError {
  const detail = brokerMessage !== undefined && brokerMessage !== null && brokerMessage !== '' ? `: ${brokerMessage}` : ''
  return new KafkaClientError('ERR_KAFKA', `${what} failed with ${errorName(kafkaErrorCode)} (${kafkaErrorCode})${detail}`, {
    kafkaErrorCode,
    retriable: RETRIABLE.has(kafkaErrorCode),
    broker: broker ?? null,
  })
}

/** Plain words for the socket errors a user is likely to meet. */
export function describeSocketError (err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused'
    case 'ECONNRESET': return 'connection reset by peer'
    case 'EPIPE': return 'connection closed by peer'
    case 'ETIMEDOUT': return 'connection timed out'
    case 'EHOSTUNREACH': return 'host unreachable'
    case 'ENETUNREACH': return 'network unreachable'
    case 'ENOTFOUND': return 'host name not found'
    case 'EADDRNOTAVAIL': return 'address not available'
    default: return err.message
  }
}
