// Operating errors of the partition log. Each has a stable `code` string, a `retriable`
// flag, and the Kafka error code (`errorCode`) the produce/fetch/admin handlers write into
// the response for the partition concerned, so handlers never need a lookup table.

import { ErrorCode } from '../protocol/errors.ts'

export type LogErrorCodeString =
  | 'ERR_STORAGE'
  | 'ERR_OFFSET_OUT_OF_RANGE'
  | 'ERR_LOG_CLOSED'
  | 'ERR_RECORD_TOO_LARGE'
  | 'ERR_INVALID_TOPIC'
  | 'ERR_TOPIC_EXISTS'
  | 'ERR_UNKNOWN_TOPIC'
  | 'ERR_INVALID_PARTITIONS'
  | 'ERR_INVALID_LOG_CONFIG'
  | 'ERR_META_PROPERTIES'
  | 'ERR_DATA_DIR_LOCKED'
  | 'ERR_CORRUPT_RECORD'

export class LogError extends Error {
  readonly code: LogErrorCodeString
  readonly retriable: boolean
  readonly errorCode: number

  constructor (code: LogErrorCodeString, errorCode: number, retriable: boolean, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'LogError'
    this.code = code
    this.errorCode = errorCode
    this.retriable = retriable
  }
}

/**
 * A read, write, fsync or metadata operation on the log's files failed (or a test injected
 * such a failure). The partition that saw it goes offline until the broker restarts, as
 * Kafka does with a failed log directory. Clients treat KAFKA_STORAGE_ERROR as retriable.
 */
export class KafkaStorageError extends LogError {
  /** The errno-style code of the underlying failure (EIO, ENOSPC, ...), if any. */
  readonly syscallCode: string | undefined

  constructor (message: string, options?: ErrorOptions & { syscallCode?: string }) {
    super('ERR_STORAGE', ErrorCode.KAFKA_STORAGE_ERROR, true, message, options)
    this.name = 'KafkaStorageError'
    this.syscallCode = options?.syscallCode
  }
}

export class OffsetOutOfRangeError extends LogError {
  readonly offset: number
  readonly logStartOffset: number
  readonly highWatermark: number

  constructor (offset: number, logStartOffset: number, highWatermark: number) {
    super('ERR_OFFSET_OUT_OF_RANGE', ErrorCode.OFFSET_OUT_OF_RANGE, false,
      `offset ${offset} is outside [${logStartOffset}, ${highWatermark}]`)
    this.name = 'OffsetOutOfRangeError'
    this.offset = offset
    this.logStartOffset = logStartOffset
    this.highWatermark = highWatermark
  }
}

/** The log is closing or closed (shutdown, topic deletion): the client should look elsewhere. */
export class LogClosedError extends LogError {
  constructor (message: string) {
    super('ERR_LOG_CLOSED', ErrorCode.NOT_LEADER_OR_FOLLOWER, true, message)
    this.name = 'LogClosedError'
  }
}

export class RecordTooLargeError extends LogError {
  constructor (batchBytes: number, segmentBytes: number) {
    super('ERR_RECORD_TOO_LARGE', ErrorCode.MESSAGE_TOO_LARGE, false,
      `a batch of ${batchBytes} bytes does not fit in a segment of ${segmentBytes} bytes`)
    this.name = 'RecordTooLargeError'
  }
}

/** A replicated batch failed its check (CRC, length) or does not continue the log's offsets. */
export class CorruptRecordError extends LogError {
  constructor (message: string) {
    super('ERR_CORRUPT_RECORD', ErrorCode.CORRUPT_MESSAGE, false, message)
    this.name = 'CorruptRecordError'
  }
}

export class InvalidTopicError extends LogError {
  constructor (message: string) {
    super('ERR_INVALID_TOPIC', ErrorCode.INVALID_TOPIC_EXCEPTION, false, message)
    this.name = 'InvalidTopicError'
  }
}

export class TopicExistsError extends LogError {
  constructor (topic: string) {
    super('ERR_TOPIC_EXISTS', ErrorCode.TOPIC_ALREADY_EXISTS, false, `topic ${topic} already exists`)
    this.name = 'TopicExistsError'
  }
}

export class UnknownTopicOrPartitionError extends LogError {
  constructor (message: string) {
    super('ERR_UNKNOWN_TOPIC', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, true, message)
    this.name = 'UnknownTopicOrPartitionError'
  }
}

export class InvalidPartitionsError extends LogError {
  constructor (message: string) {
    super('ERR_INVALID_PARTITIONS', ErrorCode.INVALID_PARTITIONS, false, message)
    this.name = 'InvalidPartitionsError'
  }
}

export class InvalidLogConfigError extends LogError {
  constructor (message: string) {
    super('ERR_INVALID_LOG_CONFIG', ErrorCode.INVALID_CONFIG, false, message)
    this.name = 'InvalidLogConfigError'
  }
}

/** meta.properties is unreadable or belongs to another broker or cluster. */
export class MetaPropertiesError extends LogError {
  constructor (message: string) {
    super('ERR_META_PROPERTIES', ErrorCode.UNKNOWN_SERVER_ERROR, false, message)
    this.name = 'MetaPropertiesError'
  }
}

/** Another live process (a second broker) holds the data dir's lock. */
export class DataDirLockedError extends LogError {
  readonly dataDir: string

  constructor (dataDir: string, holder: string) {
    super('ERR_DATA_DIR_LOCKED', ErrorCode.UNKNOWN_SERVER_ERROR, false,
      `data dir ${dataDir} is in use by another broker (${holder}); stop that broker first, or give this one another --data-dir`)
    this.name = 'DataDirLockedError'
    this.dataDir = dataDir
  }
}
