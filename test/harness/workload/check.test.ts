import { describe, expect, it } from 'vitest'
import { parseWorkload } from '../../../harness/workload/index.ts'
import { workloadErrorOf, yamlWith } from './helpers.ts'

function problems (text: string): string[] {
  return workloadErrorOf(() => parseWorkload(text, 'w.yaml')).message.split('\n')
}

describe('rules between fields', () => {
  it('needs a test duration in minutes or seconds', () => {
    expect(problems(yamlWith().replace('testDurationSeconds: 10', ''))).toEqual([
      'w.yaml: testDurationMinutes or testDurationSeconds is required (the length of the measured phase)',
    ])
  })

  it('refuses a zero-length measured phase unless draining a backlog', () => {
    expect(problems(yamlWith().replace('testDurationSeconds: 10', 'testDurationMinutes: 0'))).toEqual([
      'w.yaml: testDurationMinutes must be above 0 unless the run drains a backlog (got 0)',
    ])
    expect(parseWorkload(yamlWith('consumerBacklogSizeGB: 1').replace('testDurationSeconds: 10', 'testDurationMinutes: 0'), 'w').durationSeconds).toBe(0)
  })

  it('needs consumers in each subscription', () => {
    expect(problems(yamlWith().replace('consumerPerSubscription: 1', ''))).toEqual([
      'w.yaml: consumerPerSubscription is required when subscriptionsPerTopic is above 0 (an integer from 0 to 10000)',
    ])
    const noConsumers = parseWorkload(yamlWith().replace('consumerPerSubscription: 1', '').replace('subscriptionsPerTopic: 1', 'subscriptionsPerTopic: 0'), 'w')
    expect(noConsumers.consumerPerSubscription).toBe(0)
  })

  it('keeps mode and backlog consistent', () => {
    expect(problems(yamlWith('mode: backlog-drain'))).toEqual(['w.yaml: consumerBacklogSizeGB must be above 0 when mode is "backlog-drain" (got 0)'])
    expect(problems(yamlWith('mode: throughput\nconsumerBacklogSizeGB: 1'))).toEqual([
      'w.yaml: mode must be "backlog-drain" when consumerBacklogSizeGB is above 0 (got "throughput", consumerBacklogSizeGB 1)',
    ])
  })

  it('needs a pool for randomized payloads', () => {
    expect(problems(yamlWith('useRandomizedPayloads: true'))).toEqual([
      'w.yaml: randomizedPayloadPoolSize must be at least 1 when useRandomizedPayloads is true (got 0)',
    ])
  })

  it('rejects keys with NO_KEY, and a zipf exponent without zipf', () => {
    expect(problems(yamlWith('keyDistributor: NO_KEY\nkeys: { count: 5 }'))).toEqual(['w.yaml: keys cannot be used with keyDistributor "NO_KEY"; remove one of them'])
    expect(problems(yamlWith('keys: { zipfExponent: 2 }'))).toEqual([
      'w.yaml: keys.zipfExponent applies only when keys.distribution is "zipf" (got distribution "uniform")',
    ])
  })

  it('applies Kafka\'s rule for explicit idempotence', () => {
    expect(problems(yamlWith('producer: { idempotent: true, acks: 1, maxInFlight: 6 }'))).toEqual([
      'w.yaml: producer.idempotent requires producer.acks -1 or "all", as in Kafka (got acks 1)',
      'w.yaml: producer.idempotent requires producer.maxInFlight at most 5, as in Kafka (got 6)',
    ])
  })

  it('keeps replicas within the brokers', () => {
    expect(problems(yamlWith('replicationFactor: 3'))).toEqual(['w.yaml: replicationFactor must be at most brokers (got 3, brokers 1)'])
    expect(parseWorkload(yamlWith('replicationFactor: 3\nbrokers: 3'), 'w').replicationFactor).toBe(3)
  })

  it('checks fault parameters, durations and targets per schedule entry', () => {
    const lines = problems(yamlWith([
      'brokers: 2',
      'nemesis:',
      '  - { fault: kill, latencyMs: 5, intervalSeconds: 5, durationSeconds: 6, targets: broker-2 }',
      '  - { fault: delay, intervalSeconds: 5, durationSeconds: 1, rateKBps: 10 }',
    ].join('\n')))
    expect(lines).toEqual([
      'w.yaml: nemesis[0].latencyMs does not apply to fault "kill" (kill takes no parameters)',
      'w.yaml: nemesis[0].durationSeconds must be at most intervalSeconds so one fault heals before the next starts (got 6, intervalSeconds 5)',
      'w.yaml: nemesis[0].targets names broker-2 but the cluster has 2 broker(s), broker-0 to broker-1',
      'w.yaml: nemesis[1].rateKBps does not apply to fault "delay" (delay takes latencyMs, jitterMs, stream)',
      'w.yaml: nemesis[1].latencyMs is required for fault "delay" (delay takes latencyMs, jitterMs, stream)',
    ])
  })

  it('checks a split: enough brokers for its topology, direction and clients where they apply', () => {
    const lines = problems(yamlWith([
      'brokers: 2',
      'nemesis:',
      '  - { fault: split, topology: halves, intervalSeconds: 5, durationSeconds: 1 }',
      '  - { fault: split, topology: bridge, direction: in, clients: cut, intervalSeconds: 5, durationSeconds: 1 }',
      '  - { fault: split, targets: leader, direction: out, clients: cut, intervalSeconds: 5, durationSeconds: 1 }',
    ].join('\n')))
    expect(lines).toEqual([
      'w.yaml: nemesis[0].fault split with topology halves needs at least 3 brokers (the workload has 2); set brokers: 3',
      'w.yaml: nemesis[1].fault split with topology bridge needs at least 3 brokers (the workload has 2); set brokers: 3',
      'w.yaml: nemesis[1].direction applies to topology isolate only (this split is bridge); remove it',
      'w.yaml: nemesis[1].clients applies to topologies isolate and halves only (this split is bridge); remove it',
    ])
  })

  it('checks split peers: isolate only, brokers that exist, never a target', () => {
    const lines = problems(yamlWith([
      'brokers: 3',
      'nemesis:',
      '  - { fault: split, topology: ring, peers: [broker-0], intervalSeconds: 5, durationSeconds: 1 }',
      '  - { fault: split, targets: [broker-1], peers: [broker-1, broker-3], links: controller, intervalSeconds: 5, durationSeconds: 1 }',
      '  - { fault: kill, links: replication, intervalSeconds: 5, durationSeconds: 1 }',
    ].join('\n')))
    expect(lines).toEqual([
      'w.yaml: nemesis[0].peers applies to topology isolate only (this split is ring); remove it',
      'w.yaml: nemesis[1].peers names broker-1, which is also a target; a broker cannot be cut from itself',
      'w.yaml: nemesis[1].peers names broker-3 but the cluster has 3 broker(s), broker-0 to broker-2',
      'w.yaml: nemesis[2].links does not apply to fault "kill" (kill takes no parameters)',
    ])
  })

  it('keeps the transform-only chaos fields off a register workload, naming each field', () => {
    const chaosYaml = (block: string): string => yamlWith(`chaos: ${block}`).replace('subscriptionsPerTopic: 1', 'subscriptionsPerTopic: 0')
    expect(problems(chaosYaml('{ processors: 2, commitMode: auto-commit }'))).toEqual([
      'w.yaml: chaos.processors applies only when chaos.workload is "transform" (got workload "register")',
      'w.yaml: chaos.commitMode applies only when chaos.workload is "transform" (got workload "register")',
    ])
    expect(problems(chaosYaml('{ workload: register, commitMode: after-produce }'))).toEqual([
      'w.yaml: chaos.commitMode applies only when chaos.workload is "transform" (got workload "register")',
    ])
    const register = parseWorkload(chaosYaml('{}'), 'w')
    expect(register.chaos).toMatchObject({ workload: 'register', processors: null, commitMode: null })
    const transform = parseWorkload(chaosYaml('{ workload: transform }'), 'w')
    expect(transform.chaos).toMatchObject({ workload: 'transform', processors: 3, commitMode: 'after-produce' })
    const seeded = parseWorkload(chaosYaml('{ workload: transform, processors: 5, commitMode: auto-commit }'), 'w')
    expect(seeded.chaos).toMatchObject({ workload: 'transform', processors: 5, commitMode: 'auto-commit' })
  })

  it('names what the chaos workload fields allow', () => {
    const chaosYaml = (block: string): string => yamlWith(`chaos: ${block}`).replace('subscriptionsPerTopic: 1', 'subscriptionsPerTopic: 0')
    expect(problems(chaosYaml('{ workload: transfrom, processors: 0, commitMode: before-produce }'))).toEqual([
      'w.yaml: chaos.workload must be one of "register", "transform" (got "transfrom"); did you mean "transform"?',
      'w.yaml: chaos.processors must be an integer from 1 to 64 (got 0)',
      'w.yaml: chaos.commitMode must be one of "after-produce", "auto-commit" (got "before-produce")',
    ])
  })

  it('refuses the old implicit transform rule in a chaos workload', () => {
    expect(problems(yamlWith('chaos: {}'))).toEqual([
      'w.yaml: subscriptionsPerTopic is unused in a chaos run; a consume-transform-produce run is chosen with chaos.workload "transform" (got 1)',
    ])
    expect(parseWorkload(yamlWith('chaos: { workload: transform }'), 'w').chaos?.workload).toBe('transform')
  })

  it('reports schema and cross-field problems together', () => {
    const lines = problems(yamlWith('producer: { acks: 7 }\nreplicationFactor: 2').replace('testDurationSeconds: 10', ''))
    expect(lines).toHaveLength(3)
  })
})
