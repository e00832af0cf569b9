import { describe, expect, it } from 'vitest'
import { applyOverrides, parseWorkload, WorkloadError } from '../../../harness/workload/index.ts'
import { workloadErrorOf, yamlWith } from './helpers.ts'

const base = parseWorkload(yamlWith(), 'w.yaml')

describe('applyOverrides', () => {
  it('parses each value by its field type', () => {
    const workload = applyOverrides(base, {
      producerRate: '5000',
      'producer.acks': 'all',
      'producer.idempotent': 'false',
      'producer.compression': 'lz4',
      messageSize: '2048',
      randomBytesRatio: '0.25',
      name: '1234',
      'consumer.autoCommit': 'FALSE',
    })
    expect(workload.producerRate).toBe(5000)
    expect(workload.producer.acks).toBe(-1)
    expect(workload.producer.idempotent).toBe(false)
    expect(workload.producer.compression).toBe('lz4')
    expect(workload.messageSize).toBe(2048)
    expect(workload.randomBytesRatio).toBe(0.25)
    expect(workload.name).toBe('1234') // a string field stays a string
    expect(workload.consumer.autoCommit).toBe(false)
    expect(applyOverrides(base, { 'producer.acks': '1' }).producer.acks).toBe(1)
    expect(applyOverrides(base, { 'producer.acks': '-1' }).producer.acks).toBe(-1)
  })

  it('reads durations for the duration alias and for Seconds, Minutes and Ms fields', () => {
    expect(applyOverrides(base, { duration: '2m' }).durationSeconds).toBe(120)
    expect(applyOverrides(base, { duration: '90' }).durationSeconds).toBe(90)
    expect(applyOverrides(base, { warmup: '500ms' }).warmupSeconds).toBe(0.5)
    expect(applyOverrides(base, { testDurationMinutes: '2', testDurationSeconds: '1m' }).durationSeconds).toBe(60)
    expect(applyOverrides(base, { 'producer.lingerMs': '20' }).producer.lingerMs).toBe(20)
    expect(applyOverrides(base, { 'producer.lingerMs': '1s' }).producer.lingerMs).toBe(1000)
    expect(() => applyOverrides(base, { duration: '8d' })).toThrow(/duration must be a number from 0 to 604800/)
  })

  it('sets broker config keys that contain dots, typed', () => {
    const workload = applyOverrides(base, { 'brokerConfig.log.flush.interval.messages': '1', 'brokerConfig.unclean.leader.election.enable': 'true' })
    expect(workload.brokerConfig).toEqual({ 'log.flush.interval.messages': 1, 'unclean.leader.election.enable': true })
  })

  it('reaches into the nemesis schedule by index and parses target lists', () => {
    const chaos = parseWorkload(yamlWith('brokers: 3\nnemesis: [{ fault: delay, latencyMs: 10, intervalSeconds: 10, durationSeconds: 2 }]'), 'w.yaml')
    const workload = applyOverrides(chaos, { 'nemesis.0.latencyMs': '250', 'nemesis[0].targets': 'broker-0,broker-2' })
    expect(workload.nemesis?.schedule[0]?.latencyMs).toBe(250)
    expect(workload.nemesis?.schedule[0]?.targets).toEqual(['broker-0', 'broker-2'])
  })

  it('does not change the workload it was given', () => {
    applyOverrides(base, { producerRate: '1', 'producer.acks': '0' })
    expect(base.producerRate).toBe(100)
    expect(base.producer.acks).toBe(-1)
    expect(base.document.producer).toBeUndefined()
  })

  it('rejects unknown paths, naming them, with a suggestion', () => {
    const error = workloadErrorOf(() => applyOverrides(base, { 'producer.ack': '1', flavour: 'x', 'producr.acks': '1' }))
    expect(error.code).toBe('ERR_WORKLOAD_OVERRIDE')
    expect(error.message.split('\n')).toEqual([
      'w.yaml: producer.ack is not a field that can be overridden; did you mean "producer.acks"?',
      'w.yaml: flavour is not a field that can be overridden',
      'w.yaml: producr.acks is not a field that can be overridden; did you mean "producer.acks"?',
    ])
    expect(() => applyOverrides(base, { __proto__x: '1' })).toThrow(WorkloadError)
    expect(() => applyOverrides(base, { 'brokerConfig.__proto__': '1' })).toThrow(/cannot be overridden|not a field/)
  })

  it('rejects values that do not parse as the field type', () => {
    const error = workloadErrorOf(() => applyOverrides(base, { producerRate: 'fast', duration: 'soon' }))
    expect(error.code).toBe('ERR_WORKLOAD_OVERRIDE')
    expect(error.message.split('\n')).toEqual([
      'w.yaml: producerRate must be an integer from 0 to 100000000 (got "fast")',
      'w.yaml: duration must be a number from 0 to 604800 or a duration such as 500ms, 20s, 1.5m, 2h (at most 7 days) (got "soon")',
    ])
  })

  it('re-validates the result, naming the override that broke it', () => {
    const error = workloadErrorOf(() => applyOverrides(base, { 'producer.acks': '2', replicationFactor: '2' }))
    expect(error.code).toBe('ERR_WORKLOAD_INVALID')
    expect(error.message.split('\n')).toEqual([
      'w.yaml: producer.acks must be one of 0, 1, -1, "all" (got "2") (from the override producer.acks=2)',
      'w.yaml: replicationFactor must be at most brokers (got 2, brokers 1) (from the override replicationFactor=2)',
    ])
  })

  it('works through parseWorkload too', () => {
    expect(parseWorkload(yamlWith(), 'w.yaml', { duration: '10s', brokers: '3' })).toMatchObject({ durationSeconds: 10, brokers: 3 })
  })
})
