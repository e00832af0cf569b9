// `fail` claims an op did not happen; it must only be used when that is certain. These cases
// pin the rule: sends are `info` unless the broker refused the one and only attempt; reads
// are `fail` (they change nothing); commits are `fail` only on a broker refusal.

import { describe, expect, it } from 'vitest'
import kafkajs from 'kafkajs'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { KafkaClientError, kafkaError } from '../../../broker/client/errors.ts'
import { classifyError, OutcomeError } from '../../../chaos/run/outcome.ts'
import { DeadlineError } from '../../../chaos/run/sleep.ts'

const { KafkaJSProtocolError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError } = kafkajs

function protocolError (type: string): Error {
  return new KafkaJSProtocolError({ message: type, type, code: 0, retriable: false } as unknown as string)
}

describe('classifyError', () => {
  it('makes timeouts and broken connections of a send info', () => {
    expect(classifyError(new DeadlineError('send', 10), 'send', { clientRetries: 0 }).type).toBe('info')
    expect(classifyError(new KafkaJSConnectionError('Connection error: read ECONNRESET'), 'send', { clientRetries: 0 }).type).toBe('info')
    expect(classifyError(new KafkaClientError('ERR_TIMEOUT', 'timed out'), 'send', { clientRetries: 0 }).type).toBe('info')
    expect(classifyError(protocolError('NOT_LEADER_OR_FOLLOWER'), 'send', { clientRetries: 0 }).type).toBe('info')
    expect(classifyError(protocolError('REQUEST_TIMED_OUT'), 'send', { clientRetries: 0 }).type).toBe('info')
  })

  it('makes a broker refusal of a single attempt fail, and of a retried send info', () => {
    expect(classifyError(protocolError('MESSAGE_TOO_LARGE'), 'send', { clientRetries: 0 })).toEqual({ type: 'fail', reason: 'MESSAGE_TOO_LARGE' })
    // With client retries, an earlier attempt may have been written.
    expect(classifyError(protocolError('MESSAGE_TOO_LARGE'), 'send', { clientRetries: 5 }).type).toBe('info')
    const retried = new KafkaJSNumberOfRetriesExceeded(protocolError('UNKNOWN_TOPIC_OR_PARTITION'), { retryCount: 3, retryTime: 100 })
    expect(classifyError(retried, 'send', { clientRetries: 0 })).toEqual({ type: 'info', reason: 'UNKNOWN_TOPIC_OR_PARTITION' })
  })

  it('makes failed reads fail whatever the cause', () => {
    for (const kind of ['poll', 'assign'] as const) {
      expect(classifyError(new KafkaJSConnectionError('closed'), kind, { clientRetries: 0 }).type).toBe('fail')
      expect(classifyError(kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'Fetch'), kind, { clientRetries: 0 }).type).toBe('fail')
    }
    expect(classifyError(new DeadlineError('poll', 10), 'poll', { clientRetries: 0 }).type).toBe('info')
  })

  it('makes commits fail on a broker refusal and info when the answer was lost', () => {
    expect(classifyError(kafkaError(ErrorCode.ILLEGAL_GENERATION, 'OffsetCommit'), 'commit', { clientRetries: 0 }).type).toBe('fail')
    expect(classifyError(protocolError('REBALANCE_IN_PROGRESS'), 'commit', { clientRetries: 0 }).type).toBe('fail')
    expect(classifyError(new KafkaClientError('ERR_CONNECTION_CLOSED', 'closed'), 'commit', { clientRetries: 0 }).type).toBe('info')
    expect(classifyError(new KafkaClientError('ERR_CONNECT', 'connection refused'), 'commit', { clientRetries: 0 }).type).toBe('fail')
    expect(classifyError(kafkaError(ErrorCode.REQUEST_TIMED_OUT, 'OffsetCommit'), 'commit', { clientRetries: 0 }).type).toBe('info')
  })

  it('keeps an outcome a client already decided', () => {
    expect(classifyError(new OutcomeError('info', 'partial commit'), 'commit', { clientRetries: 0 })).toEqual({ type: 'info', reason: 'partial commit' })
    expect(classifyError(new OutcomeError('fail', 'not subscribed'), 'poll', { clientRetries: 0 }).type).toBe('fail')
  })
})
