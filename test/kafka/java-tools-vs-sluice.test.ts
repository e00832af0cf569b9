// Kafka's own Java clients and tools against the reference broker: the verifiable producer
// and consumer that Kafka's system tests use, the perf tools, and the topics,
// consumer-groups and configs admin commands, and against a three-node reference cluster
// kafka-metadata-quorum (DescribeQuorum) and kafka-configs --alter (IncrementalAlterConfigs).
// Each tool's own output is the evidence. The Java producer turns idempotence on by default,
// which needs InitProducerId; the reference broker does not have it yet, so the producers
// here set it off explicitly.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runKafkaTool as runTool, type KafkaToolName, type ToolRun } from '../../harness/cluster/kafka-tools.ts'
import type { KafkaDist } from '../../harness/cluster/kafka-dist.ts'
import { ProcessBackend, type ProcessCluster } from '../../harness/cluster/process-backend.ts'
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.ts'
import { announceSkip, kafkaEnv } from './kafka-env.ts'

const env = await kafkaEnv()
announceSkip('java-tools-vs-sluice.test.ts', env)

const RECORDS = 1000
const KEYS = 20
const TOPIC = 'verifiable'
const GROUP = 'verifiable-group'

/** The tests measure nothing: start each JVM fast. */
function runKafkaTool (dist: KafkaDist, tool: KafkaToolName, args: string[]): Promise<ToolRun> {
  return runTool(dist, tool, args, { quickStart: true })
}

function ok (run: ToolRun): ToolRun {
  expect(run.timedOut, run.stderr).toBe(false)
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0)
  return run
}

describe.skipIf(env.dist === null)('Kafka 4 Java tools against the reference broker', () => {
  const dist = env.dist!
  let broker: BrokerProcess
  let dir: string
  let producerConfig: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-tools-'))
    producerConfig = join(dir, 'producer.properties')
    writeFileSync(producerConfig, 'enable.idempotence=false\n')
    broker = await startBrokerProcess({ dataDir: join(dir, 'data'), httpPort: 'none', readyTimeoutMs: 60_000 })
  }, 90_000)
  afterAll(async () => {
    await broker?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('VerifiableProducer writes N keyed records with acks=all and VerifiableConsumer reads them all back in a group', async () => {
    ok(await runKafkaTool(dist, 'topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', TOPIC, '--partitions', '3', '--replication-factor', '1']))
    const produced = ok(await runKafkaTool(dist, 'verifiable-producer', [
      '--bootstrap-server', broker.bootstrap, '--topic', TOPIC, '--max-messages', String(RECORDS),
      '--acks', '-1', '--repeating-keys', String(KEYS), '--producer.config', producerConfig,
    ]))
    const events = jsonLines(produced.stdout)
    const summary = events.find(e => e.name === 'tool_data')
    expect(summary, produced.stdout.slice(-2000)).toMatchObject({ sent: RECORDS, acked: RECORDS })
    expect(events.filter(e => e.name === 'producer_send_error')).toEqual([])
    const successes = events.filter(e => e.name === 'producer_send_success')
    expect(successes).toHaveLength(RECORDS)
    expect(new Set(successes.map(e => e.key)).size).toBe(KEYS)

    const consumed = ok(await runKafkaTool(dist, 'verifiable-consumer', [
      '--bootstrap-server', broker.bootstrap, '--topic', TOPIC, '--group-id', GROUP,
      '--max-messages', String(RECORDS), '--reset-policy', 'earliest', '--verbose',
    ]))
    const consumerEvents = jsonLines(consumed.stdout)
    expect(consumerEvents.some(e => e.name === 'partitions_assigned')).toBe(true)
    const commits = consumerEvents.filter(e => e.name === 'offsets_committed')
    expect(commits.length).toBeGreaterThan(0)
    expect(commits.filter(e => e.success !== true)).toEqual([])
    const records = consumerEvents.filter(e => e.name === 'record_data')
    // Every acknowledged (partition, offset) was read exactly once, with its key and value.
    const sent = new Map(successes.map(e => [`${e.partition}/${e.offset}`, `${e.key}=${e.value}`]))
    const read = new Map(records.map(e => [`${e.partition}/${e.offset}`, `${e.key}=${e.value}`]))
    expect(records).toHaveLength(RECORDS)
    expect(read).toEqual(sent)
    expect(consumerEvents.at(-1)?.name).toBe('shutdown_complete')
  }, 120_000)

  it('the topics, consumer-groups and configs commands describe what the clients left', async () => {
    const [list, describeTopic, groups, describeGroup, configs] = await Promise.all([
      runKafkaTool(dist, 'topics', ['--bootstrap-server', broker.bootstrap, '--list']),
      runKafkaTool(dist, 'topics', ['--bootstrap-server', broker.bootstrap, '--describe', '--topic', TOPIC]),
      runKafkaTool(dist, 'consumer-groups', ['--bootstrap-server', broker.bootstrap, '--list']),
      runKafkaTool(dist, 'consumer-groups', ['--bootstrap-server', broker.bootstrap, '--describe', '--group', GROUP]),
      runKafkaTool(dist, 'configs', ['--bootstrap-server', broker.bootstrap, '--describe', '--entity-type', 'topics', '--entity-name', TOPIC]),
    ])
    expect(ok(list).stdout.split('\n')).toContain(TOPIC)
    expect(ok(describeTopic).stdout).toMatch(new RegExp(`Topic: ${TOPIC}\\s+TopicId: \\S+\\s+PartitionCount: 3|Topic: ${TOPIC}\\s+PartitionCount: 3`))
    expect(describeTopic.stdout.match(/Partition: \d\s+Leader: 0/g)).toHaveLength(3)
    expect(ok(groups).stdout.split('\n')).toContain(GROUP)
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...: all consumed, no lag.
    const rows = ok(describeGroup).stdout.split('\n').filter(line => line.startsWith(`${GROUP} `)).map(line => line.trim().split(/\s+/))
    expect(rows).toHaveLength(3)
    expect(rows.reduce((sum, row) => sum + Number(row[4]), 0)).toBe(RECORDS)
    for (const row of rows) expect(row[3]).toBe(row[4])
    expect(ok(configs).stdout).toContain(`configs for topic ${TOPIC}`)
  }, 120_000)

  it('the producer and consumer perf tools move every record', async () => {
    const n = 20_000
    ok(await runKafkaTool(dist, 'topics', ['--bootstrap-server', broker.bootstrap, '--create', '--topic', 'perf', '--partitions', '2', '--replication-factor', '1']))
    const produced = ok(await runKafkaTool(dist, 'producer-perf-test', [
      '--topic', 'perf', '--num-records', String(n), '--record-size', '100', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=all', 'enable.idempotence=false',
    ]))
    expect(produced.stdout).toMatch(new RegExp(`^${n} records sent, `, 'm'))
    const consumed = ok(await runKafkaTool(dist, 'consumer-perf-test', ['--bootstrap-server', broker.bootstrap, '--topic', 'perf', '--messages', String(n), '--timeout', '30000']))
    // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, ...
    const row = consumed.stdout.trim().split('\n').at(-1)!.split(',').map(s => s.trim())
    expect(Number(row[4]), consumed.stdout).toBe(n)
  }, 120_000)
})

describe.skipIf(env.dist === null)('Kafka 4 admin tools against a three-node reference cluster', () => {
  const dist = env.dist!
  let cluster: ProcessCluster
  let bootstrap: string

  beforeAll(async () => {
    cluster = await new ProcessBackend().start({ brokers: 3, brokerConfig: { 'group.initial.rebalance.delay.ms': 0 } })
    bootstrap = cluster.bootstrap.join(',')
  }, 90_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('kafka-metadata-quorum describes the leader, three voters and their replication', async () => {
    const [status, replication] = await Promise.all([
      runKafkaTool(dist, 'metadata-quorum', ['--bootstrap-server', bootstrap, 'describe', '--status']),
      runKafkaTool(dist, 'metadata-quorum', ['--bootstrap-server', bootstrap, 'describe', '--replication']),
    ])
    // "Name:   value" lines; a value may hold ": " itself (CurrentVoters is JSON).
    const fields = new Map(ok(status).stdout.split('\n').filter(line => line.includes(':')).map(line => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as const
    }))
    expect(['0', '1', '2'], status.stdout).toContain(fields.get('LeaderId'))
    expect(Number(fields.get('LeaderEpoch'))).toBeGreaterThanOrEqual(1)
    expect(Number(fields.get('HighWatermark'))).toBeGreaterThan(0)
    const voters = JSON.parse(fields.get('CurrentVoters') ?? 'null') as Array<{ id: number }>
    expect(voters.map(v => v.id).sort()).toEqual([0, 1, 2])
    // NodeId DirectoryId LogEndOffset Lag LastFetchTimestamp LastCaughtUpTimestamp Status
    const rows = ok(replication).stdout.split('\n').slice(1).filter(line => line.trim() !== '').map(line => line.trim().split(/\s+/))
    expect(rows.map(row => row[0]).sort(), replication.stdout).toEqual(['0', '1', '2'])
    expect(rows.map(row => row.at(-1)).sort()).toEqual(['Follower', 'Follower', 'Leader'])
    expect(rows.find(row => row.at(-1) === 'Leader')?.[0]).toBe(fields.get('LeaderId'))
  }, 120_000)

  it('kafka-configs --alter adds and deletes topic configs, and --describe shows the result', async () => {
    const configs = (...args: string[]) => runKafkaTool(dist, 'configs', ['--bootstrap-server', bootstrap, '--entity-type', 'topics', '--entity-name', 'altered', ...args])
    const described = async (): Promise<string[]> => ok(await configs('--describe')).stdout.split('\n').slice(1).map(line => line.trim().split(' ')[0]!).filter(s => s !== '').sort()
    ok(await runKafkaTool(dist, 'topics', ['--bootstrap-server', bootstrap, '--create', '--topic', 'altered', '--partitions', '2', '--replication-factor', '3']))
    expect(ok(await configs('--alter', '--add-config', 'retention.ms=123456789,max.message.bytes=65536')).stdout).toContain('Completed updating config for topic altered')
    expect(await described()).toEqual(['max.message.bytes=65536', 'retention.ms=123456789'])
    ok(await configs('--alter', '--delete-config', 'retention.ms'))
    expect(await described()).toEqual(['max.message.bytes=65536'])
    // A value the reference broker cannot honour is refused with the reason, not ignored.
    const refused = await configs('--alter', '--add-config', 'cleanup.policy=compact')
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toMatch(/InvalidConfigurationException: cleanup.policy must be delete/)
  }, 120_000)
})

