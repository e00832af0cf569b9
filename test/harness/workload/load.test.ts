import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadWorkload, parseWorkload, WorkloadError } from '../../../harness/workload/index.ts'
import { workloadErrorOf, yamlWith } from './helpers.ts'

const root = resolve(import.meta.dirname, '../../..')
const shipped = [
  'smoke', 'max-throughput-1kb', 'max-throughput-100b', 'latency-fixed-rate', 'backlog-drain', 'many-partitions', 'omb/simple-workload',
]

describe('shipped workloads', () => {
  it.each(shipped)('%s loads, and opens with a comment saying what it measures', async (name) => {
    const path = join(root, 'workloads', `${name}.yaml`)
    const workload = await loadWorkload(path)
    expect(workload.sourceName).toBe(path)
    expect(workload.durationSeconds).toBeGreaterThan(0)
    const text = await readFile(path, 'utf8')
    expect(text.split('\n').slice(0, 3).every((line) => line.startsWith('# '))).toBe(true)
  })

  it('smoke is about 20 seconds, keyed, 1 KiB at a fixed modest rate', async () => {
    const workload = await loadWorkload(join(root, 'workloads/smoke.yaml'))
    expect(workload.durationSeconds + workload.warmupSeconds).toBeGreaterThanOrEqual(15)
    expect(workload.durationSeconds + workload.warmupSeconds).toBeLessThanOrEqual(30)
    expect(workload.warmupSeconds).toBeGreaterThan(0)
    expect(workload.topics).toBe(1)
    expect(workload.messageSize).toBe(1024)
    expect(workload.producerRate).toBeGreaterThan(0)
    expect(workload.subscriptionsPerTopic).toBe(1)
    expect(workload.keys).not.toBeNull()
  })

  it('the max-throughput workloads search for the rate, the backlog one drains, many-partitions has 100', async () => {
    for (const name of ['max-throughput-1kb', 'max-throughput-100b']) {
      expect((await loadWorkload(join(root, `workloads/${name}.yaml`))).producerRate).toBe(0)
    }
    const backlog = await loadWorkload(join(root, 'workloads/backlog-drain.yaml'))
    expect(backlog.mode).toBe('backlog-drain')
    expect(backlog.backlogSizeBytes).toBe(0.25 * 1024 ** 3)
    expect((await loadWorkload(join(root, 'workloads/many-partitions.yaml'))).partitionsPerTopic).toBe(100)
  })
})

describe('the OMB workload file', () => {
  const omb = join(root, 'workloads/omb/simple-workload.yaml')

  it('loads unchanged with OMB meanings and defaults', async () => {
    const workload = await loadWorkload(omb)
    expect(workload.testDurationMinutes).toBe(15)
    expect(workload.durationSeconds).toBe(900)
    expect(workload.warmupDurationMinutes).toBe(1) // OMB's default warm-up
    expect(workload.warmupSeconds).toBe(60)
    expect(workload.keyDistributor).toBe('NO_KEY')
    expect(workload.keys).toBeNull()
    expect(workload.backlogDrainRatio).toBe(1)
    expect(workload.mode).toBe('throughput')
    expect(workload.partitionsPerTopic).toBe(10)
    expect(workload.producerRate).toBe(10000)
  })

  it('holds only OMB field names', async () => {
    const workload = await loadWorkload(omb)
    const ombFields = ['name', 'topics', 'partitionsPerTopic', 'messageSize', 'payloadFile', 'useRandomizedPayloads', 'randomBytesRatio',
      'randomizedPayloadPoolSize', 'keyDistributor', 'subscriptionsPerTopic', 'consumerPerSubscription', 'producersPerTopic', 'producerRate',
      'consumerBacklogSizeGB', 'backlogDrainRatio', 'testDurationMinutes', 'warmupDurationMinutes']
    for (const key of Object.keys(workload.document)) expect(ombFields).toContain(key)
  })

  it('with --duration 10s runs for 10 seconds', async () => {
    const workload = await loadWorkload(omb, { duration: '10s' })
    expect(workload.durationSeconds).toBe(10)
    expect(workload.testDurationMinutes).toBeCloseTo(10 / 60)
    expect(workload.name).toBe('Simple Workload 1 producer on 1 topic')
  })
})

describe('parseWorkload normalisation', () => {
  it('fills in explicit defaults', () => {
    const workload = parseWorkload(yamlWith(), 'inline')
    expect(workload.warmupSeconds).toBe(60)
    expect(workload.producer).toEqual({ acks: -1, lingerMs: 5, batchSizeBytes: 16384, compression: 'none', idempotent: true, maxInFlight: 5, retries: 2147483647 })
    expect(workload.consumer).toEqual({ autoCommit: true, autoCommitIntervalMs: 5000, fetchMaxWaitMs: 500, fetchMinBytes: 1 })
    expect(workload.brokers).toBe(1)
    expect(workload.replicationFactor).toBe(1)
    expect(workload.brokerConfig).toEqual({})
    expect(workload.maxRate.stepFactor).toBe(1.5)
    expect(workload.nemesis).toBeNull()
    expect(workload.chaos).toBeNull()
    expect(workload.payloadFile).toBeNull()
  })

  it('lets seconds win over minutes', () => {
    const workload = parseWorkload(yamlWith('testDurationMinutes: 15\nwarmupDurationMinutes: 2\nwarmupDurationSeconds: 3'), 'inline')
    expect(workload.durationSeconds).toBe(10)
    expect(workload.warmupSeconds).toBe(3)
  })

  it('maps OMB key distributors onto key specs', () => {
    expect(parseWorkload(yamlWith('keyDistributor: KEY_ROUND_ROBIN'), 'inline').keys).toEqual({ count: 10000, distribution: 'sequential', zipfExponent: 1 })
    expect(parseWorkload(yamlWith('keyDistributor: RANDOM_NANO'), 'inline').keys).toEqual({ count: 10000, distribution: 'uniform', zipfExponent: 1 })
    const zipf = parseWorkload(yamlWith('keys: { count: 50, distribution: zipf, zipfExponent: 1.2 }'), 'inline')
    expect(zipf.keys).toEqual({ count: 50, distribution: 'zipf', zipfExponent: 1.2 })
    expect(zipf.keyDistributor).toBe('RANDOM_NANO')
  })

  it('normalises acks "all" to -1 and turns idempotence off by default where Kafka would', () => {
    expect(parseWorkload(yamlWith('producer: { acks: all }'), 'inline').producer.acks).toBe(-1)
    const acks1 = parseWorkload(yamlWith('producer: { acks: 1 }'), 'inline').producer
    expect(acks1).toMatchObject({ acks: 1, idempotent: false })
    expect(parseWorkload(yamlWith('producer: { maxInFlight: 10 }'), 'inline').producer.idempotent).toBe(false)
    expect(parseWorkload(yamlWith('producer: { idempotent: false }'), 'inline').producer.idempotent).toBe(false)
  })

  it('infers backlog-drain mode from consumerBacklogSizeGB, as OMB does', () => {
    const workload = parseWorkload(yamlWith('consumerBacklogSizeGB: 2'), 'inline')
    expect(workload.mode).toBe('backlog-drain')
    expect(workload.backlogSizeBytes).toBe(2 * 1024 ** 3)
  })

  it('normalises a nemesis schedule, bare list or mapping, with fault defaults', () => {
    const bare = parseWorkload(yamlWith([
      'brokers: 3', 'chaos: { processes: 2 }', 'nemesis:',
      '  - { fault: delay, latencyMs: 50, intervalSeconds: 10, durationSeconds: 3, targets: [broker-0, broker-2] }',
      '  - { fault: kill, intervalSeconds: 20, durationSeconds: 5, startSeconds: 1 }',
    ].join('\n')).replace('subscriptionsPerTopic: 1', 'subscriptionsPerTopic: 0'), 'inline')
    expect(bare.nemesis).toEqual({
      seed: null,
      quietEndSeconds: 10,
      schedule: [
        { fault: 'delay', targets: ['broker-0', 'broker-2'], startSeconds: 10, intervalSeconds: 10, durationSeconds: 3, latencyMs: 50, jitterMs: 0, rateKBps: null, resetAfterMs: null, stream: 'both', topology: null, direction: null, clients: null, links: null, peers: null },
        { fault: 'kill', targets: 'random', startSeconds: 1, intervalSeconds: 20, durationSeconds: 5, latencyMs: null, jitterMs: null, rateKBps: null, resetAfterMs: null, stream: null, topology: null, direction: null, clients: null, links: null, peers: null },
      ],
    })
    expect(bare.chaos).toMatchObject({ processes: 2, keysPerProcess: 2, subscribeVia: 'assign' })
    const mapping = parseWorkload(yamlWith('nemesis: { seed: 7, schedule: [{ fault: pause, intervalSeconds: 4, durationSeconds: 1 }] }'), 'inline')
    expect(mapping.nemesis?.seed).toBe(7)
    expect(mapping.nemesis?.schedule[0]?.fault).toBe('pause')
  })

  it('lets a chaos workload leave out the OMB client counts', () => {
    const text = ['name: c', 'topics: 1', 'partitionsPerTopic: 3', 'messageSize: 64', 'testDurationSeconds: 30', 'chaos: {}'].join('\n')
    const workload = parseWorkload(text, 'inline')
    expect(workload.chaos?.processes).toBe(4)
    expect(() => parseWorkload(text.replace('chaos: {}', ''), 'inline')).toThrow(/producerRate is required unless the workload has a chaos block/)
  })

  it('passes brokerConfig through with its types', () => {
    const workload = parseWorkload(yamlWith('brokerConfig: { log.flush.interval.messages: 1, unclean.leader.election.enable: true, log.dirs: /tmp/x }'), 'inline')
    expect(workload.brokerConfig).toEqual({ 'log.flush.interval.messages': 1, 'unclean.leader.election.enable': true, 'log.dirs': '/tmp/x' })
  })
})

describe('loadWorkload from disk', () => {
  let dir = ''
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sluice-workload-')) })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('names a missing file', async () => {
    const path = join(dir, 'missing.yaml')
    const error = await loadWorkload(path).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(WorkloadError)
    expect((error as WorkloadError).code).toBe('ERR_WORKLOAD_READ')
    expect((error as WorkloadError).message).toContain(`${path}: cannot read the workload file`)
  })

  it('refuses a file larger than the limit without parsing it', async () => {
    const path = join(dir, 'huge.yaml')
    await writeFile(path, `name: x\n# ${'x'.repeat(1024 * 1024)}\n`)
    const error = await loadWorkload(path).catch((caught: unknown) => caught)
    expect((error as WorkloadError).code).toBe('ERR_WORKLOAD_READ')
    expect((error as WorkloadError).message).toMatch(/at most 1048576/)
  })

  it('names the file in validation errors', async () => {
    const path = join(dir, 'bad.yaml')
    await writeFile(path, yamlWith('producer: { acks: 2 }'))
    const error = await loadWorkload(path).catch((caught: unknown) => caught)
    expect((error as WorkloadError).message).toBe(`${path}: producer.acks must be one of 0, 1, -1, "all" (got 2)`)
  })

  it('reports YAML errors with line and column', () => {
    const error = workloadErrorOf(() => parseWorkload('name: x\ntopics: [1\n', 'x.yaml'))
    expect(error.code).toBe('ERR_WORKLOAD_YAML')
    expect(error.message).toMatch(/^x\.yaml: line \d+, column \d+: YAML syntax error: /)
  })
})
