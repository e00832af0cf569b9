import { describe, expect, it } from 'vitest'
import { parseWorkload } from '../../../harness/workload/index.ts'
import { workloadErrorOf, yamlWith } from './helpers.ts'

/** The message lines of the error a YAML text produces. */
function problems (text: string): string[] {
  return workloadErrorOf(() => parseWorkload(text, 'workloads/x.yaml')).message.split('\n')
}

describe('schema errors name the file, the field, the value and what is allowed', () => {
  it('a bad enum value', () => {
    expect(problems(yamlWith('producer: { acks: 2 }'))).toEqual(['workloads/x.yaml: producer.acks must be one of 0, 1, -1, "all" (got 2)'])
  })

  it('a bad enum string, with a suggestion', () => {
    expect(problems(yamlWith('producer: { compression: zstdd }'))).toEqual([
      'workloads/x.yaml: producer.compression must be one of "none", "gzip", "snappy", "lz4", "zstd" (got "zstdd"); did you mean "zstd"?',
    ])
  })

  it('a wrong type', () => {
    expect(problems(yamlWith().replace('messageSize: 100', 'messageSize: big'))).toEqual([
      'workloads/x.yaml: messageSize must be an integer from 1 to 104857600 (got "big")',
    ])
    expect(problems(yamlWith('useRandomizedPayloads: yes'))).toEqual([
      'workloads/x.yaml: useRandomizedPayloads must be true or false (got "yes")',
    ])
  })

  it('a negative number', () => {
    expect(problems(yamlWith().replace('producerRate: 100', 'producerRate: -5'))).toEqual([
      'workloads/x.yaml: producerRate must be an integer from 0 to 100000000 (got -5)',
    ])
    expect(problems(yamlWith('nemesis: [{ fault: kill, intervalSeconds: -1, durationSeconds: 0 }]'))).toEqual([
      'workloads/x.yaml: nemesis[0].intervalSeconds must be a number above 0 and at most 86400 (got -1)',
    ])
  })

  it('an unknown top-level field, with a did-you-mean suggestion', () => {
    expect(problems(yamlWith('partitionPerTopic: 3'))).toEqual([
      'workloads/x.yaml: partitionPerTopic is not a known field; did you mean "partitionsPerTopic"?',
    ])
    expect(problems(yamlWith('flavour: vanilla'))).toEqual(['workloads/x.yaml: flavour is not a known field'])
    // The CLI's short names are not file fields, but the message points to the real one.
    expect(problems(yamlWith('duration: 20'))).toEqual(['workloads/x.yaml: duration is not a known field; did you mean "testDurationSeconds"?'])
  })

  it('an unknown nested field lists the known ones', () => {
    expect(problems(yamlWith('producer: { lingerMS: 3 }'))).toEqual([
      'workloads/x.yaml: producer.lingerMS is not a known field; did you mean "lingerMs"? ' +
        '(known fields: acks, lingerMs, batchSizeBytes, compression, idempotent, maxInFlight, retries)',
    ])
  })

  it('a missing required field says what it takes', () => {
    expect(problems(yamlWith().replace('topics: 1\n', ''))).toEqual(['workloads/x.yaml: topics is required (an integer from 1 to 1000000)'])
  })

  it('a bad broker config name and a bad nemesis target', () => {
    expect(problems(yamlWith('brokerConfig: { "Log Dirs": x }'))).toEqual([
      'workloads/x.yaml: brokerConfig.Log Dirs is not a valid name: must be a Kafka-style config name such as "log.segment.bytes"',
    ])
    expect(problems(yamlWith('nemesis: { schedule: [{ fault: kill, intervalSeconds: 5, durationSeconds: 1, targets: broker-x }] }'))).toEqual([
      'workloads/x.yaml: nemesis.schedule[0].targets must be one of "random", "all", "leader", "follower", "controller", "minority", "majority" or "broker-N" (N a broker index from 0) ' +
        'or a list of "broker-N" (N a broker index from 0) (at most 16) (got "broker-x")',
    ])
  })

  it('a document that is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['workloads/x.yaml: the document must be a mapping of field names to values (got ["a","b"])'])
  })

  it('collects every problem, not just the first', () => {
    const lines = problems(yamlWith('producer: { acks: 2, lingerMs: -1 }\nflavour: 1\nkeys: { distribution: normal }').replace('topics: 1', 'topics: 0'))
    expect(lines).toHaveLength(5)
    expect(lines.every((line) => line.startsWith('workloads/x.yaml: '))).toBe(true)
    for (const path of ['topics ', 'producer.acks ', 'producer.lingerMs ', 'flavour ', 'keys.distribution ']) {
      expect(lines.some((line) => line.startsWith(`workloads/x.yaml: ${path}`))).toBe(true)
    }
  })

  it('has a stable code', () => {
    expect(workloadErrorOf(() => parseWorkload(yamlWith('flavour: 1'), 'x')).code).toBe('ERR_WORKLOAD_INVALID')
  })
})

describe('YAML syntax errors name line and column', () => {
  it('an unclosed flow sequence', () => {
    const error = workloadErrorOf(() => parseWorkload('name: x\ntopics: 1\npartitionsPerTopic: [1\n', 'workloads/x.yaml'))
    expect(error.code).toBe('ERR_WORKLOAD_YAML')
    expect(error.message).toMatch(/^workloads\/x\.yaml: line 4, column 1: YAML syntax error: Flow sequence/)
  })

  it('a nested mapping on one line, quoting the line', () => {
    const error = workloadErrorOf(() => parseWorkload('name: x\ntopics: partitions: 3\n', 'workloads/x.yaml'))
    expect(error.message).toBe(
      'workloads/x.yaml: line 2, column 9: YAML syntax error: Nested mappings are not allowed in compact mappings (the line reads "topics: partitions: 3")',
    )
  })

  it('a duplicate key', () => {
    const error = workloadErrorOf(() => parseWorkload('name: x\nname: y\n', 'workloads/x.yaml'))
    expect(error.message).toMatch(/^workloads\/x\.yaml: line 2, column 1: YAML syntax error: Map keys must be unique/)
  })

  it('an alias to nothing', () => {
    const error = workloadErrorOf(() => parseWorkload('name: *missing\n', 'workloads/x.yaml'))
    expect(error.code).toBe('ERR_WORKLOAD_YAML')
    expect(error.message).toMatch(/missing/)
  })
})
