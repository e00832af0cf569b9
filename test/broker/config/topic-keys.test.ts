import { describe, expect, it } from 'vitest'
import { checkTopicConfig, TOPIC_CONFIG_KEYS } from '../../../broker/config/topic-keys.ts'

describe('topic config checks', () => {
  it('normalizes good values', () => {
    expect(checkTopicConfig('retention.ms', ' 60000 ', '604800000')).toEqual({ value: '60000' })
    expect(checkTopicConfig('unclean.leader.election.enable', 'TRUE', 'false')).toEqual({ value: 'true' })
    expect(checkTopicConfig('message.timestamp.type', 'logappendtime', 'CreateTime')).toEqual({ value: 'LogAppendTime' })
    expect(checkTopicConfig('flush.messages', '9223372036854775807', String(Number.MAX_SAFE_INTEGER))).toEqual({ value: String(Number.MAX_SAFE_INTEGER) })
  })

  it('names the key and the fix for unknown keys and bad values', () => {
    expect(checkTopicConfig('retention.msx', '1', '')).toEqual({ problem: 'unknown topic config "retention.msx": did you mean "retention.ms"?' })
    expect(checkTopicConfig('retention.bytes', 'lots', '-1')).toMatchObject({ problem: expect.stringContaining('retention.bytes must be an integer') })
    expect(checkTopicConfig('retention.ms', '-2', '1')).toMatchObject({ problem: expect.stringContaining('must be in [-1,') })
    expect(checkTopicConfig('segment.bytes', null, '1')).toEqual({ problem: 'segment.bytes needs a value' })
    expect(checkTopicConfig('cleanup.policy', 'compact', 'delete')).toMatchObject({ problem: expect.stringContaining('compact is not implemented') })
    expect(checkTopicConfig('compression.type', 'gzip', 'producer')).toMatchObject({ problem: expect.stringContaining('never recompresses') })
  })

  it('accepts only the default of a key Sluice does not implement', () => {
    expect(checkTopicConfig('preallocate', 'false', 'false')).toEqual({ value: 'false' })
    expect(checkTopicConfig('preallocate', 'true', 'false')).toMatchObject({ problem: expect.stringContaining('not implemented by Sluice') })
  })

  it('knows the topic keys tools look for', () => {
    for (const key of ['cleanup.policy', 'compression.type', 'retention.ms', 'retention.bytes', 'segment.bytes', 'min.insync.replicas', 'max.message.bytes', 'message.timestamp.type']) {
      expect(TOPIC_CONFIG_KEYS[key], key).toBeDefined()
    }
  })
})
