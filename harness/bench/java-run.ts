// `sluice bench --driver java`: the workload's load driven by Kafka's own Java client, through
// its perf tools (ProducerPerformance and ConsumerPerformance from the Kafka jars, as
// bin/kafka-producer-perf-test.sh and bin/kafka-consumer-perf-test.sh run them). The tools
// run their own loops, so this is a run of its own beside the worker-thread runner: one
// producer and one consumer on one topic, started together, then their printed figures go
// to java-result.json and report.md. Throughput is the tools' count over their own time;
// latency is ProducerPerformance's own (send to acknowledgement, whole ms), labelled so,
// and there is no end-to-end latency, since the tool's records carry no send time.

import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { locateKafka, type KafkaDist } from '../cluster/kafka-dist.ts'
import { runKafkaTool, type ToolRun } from '../cluster/kafka-tools.ts'
import type { Cluster } from '../cluster/cluster.ts'
import { collectEnvironment, type Environment } from '../results/environment.ts'
import { createRunDir } from '../results/run-dir.ts'
import type { Workload } from '../workload/types.ts'
import { adaptWorkload, probeCapabilities, startCluster, type ClusterChoice } from './cluster-setup.ts'
import { BenchError } from './errors.ts'
import { parseConsumerPerformance, parseProducerPerformance, type JavaConsumerFigures, type JavaProducerFigures } from './java-perf-output.ts'

export const JAVA_RESULT_FORMAT = 'sluice-java-perf-result'
/** producerRate 0 (as fast as it goes): the tool needs a record count, this many per second of run. */
export const MAX_RATE_RECORDS_PER_SEC = 20_000
/** On top of the expected run time: JVM start, group join, a slow broker. */
const TOOL_SLACK_MS = 120_000
const CONSUMER_IDLE_TIMEOUT_MS = 30_000

export interface JavaRunOptions {
  workload: Workload
  resultsDir: string
  cluster: ClusterChoice
  log: (line: string) => void
}

export interface JavaRunResult {
  format: typeof JAVA_RESULT_FORMAT
  runId: string
  status: 'complete' | 'failed'
  statusReason: string | null
  startTime: string
  endTime: string
  workload: string
  settings: { topic: string, partitions: number, replicationFactor: number, messageSizeBytes: number, records: number, throughputLimitPerSec: number, producerProps: string[], notes: string[] }
  producer: JavaProducerFigures | null
  consumer: JavaConsumerFigures | null
  /** Says where each figure comes from. */
  measuredBy: string
  cluster: ReturnType<Cluster['info']>
  environment: Environment
}

export interface JavaRunOutcome { result: JavaRunResult, runDir: string, exitCode: 0 | 2 }

/** Refuses workload shapes one producer and one consumer on one topic cannot honour. */
function checkShape (workload: Workload): void {
  const problems: string[] = []
  if (workload.topics !== 1) problems.push(`topics is ${workload.topics} (the java driver runs one topic)`)
  if (workload.producersPerTopic !== 1) problems.push(`producersPerTopic is ${workload.producersPerTopic} (one ProducerPerformance)`)
  if (workload.subscriptionsPerTopic > 1 || workload.consumerPerSubscription > 1) problems.push('more than one consumer (one ConsumerPerformance)')
  if (workload.security.protocol !== 'PLAINTEXT') problems.push(`security.protocol is ${workload.security.protocol} (the java driver passes no TLS or SASL settings yet)`)
  if (problems.length > 0) throw new BenchError('ERR_BENCH_UNSUPPORTED', `${workload.sourceName}: the java driver cannot run this workload: ${problems.join('; ')}; use another driver or change these fields`)
}

function producerProps (workload: Workload, bootstrap: string): string[] {
  const p = workload.producer
  return [
    `bootstrap.servers=${bootstrap}`, `acks=${p.acks === -1 ? 'all' : p.acks}`, `linger.ms=${p.lingerMs}`, `batch.size=${p.batchSizeBytes}`,
    `compression.type=${p.compression}`, `enable.idempotence=${p.idempotent}`, `max.in.flight.requests.per.connection=${p.maxInFlight}`, `retries=${p.retries}`,
  ]
}

function ok (what: string, run: ToolRun): ToolRun {
  if (run.timedOut) throw new BenchError('ERR_BENCH_JAVA_TOOL', `${what} did not finish within ${Math.round(run.elapsedMs / 1000)} s and was killed`)
  if (run.exitCode !== 0) throw new BenchError('ERR_BENCH_JAVA_TOOL', `${what} exited ${String(run.exitCode)}: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`)
  return run
}

async function driveLoad (dist: KafkaDist, settings: JavaRunResult['settings'], bootstrap: string, seconds: number): Promise<{ producer: JavaProducerFigures, consumer: JavaConsumerFigures }> {
  const timeoutMs = seconds * 1000 + TOOL_SLACK_MS
  ok('kafka-topics --create', await runKafkaTool(dist, 'topics', ['--bootstrap-server', bootstrap, '--create', '--topic', settings.topic, '--partitions', String(settings.partitions), '--replication-factor', String(settings.replicationFactor)]))
  const [produced, consumed] = await Promise.all([
    runKafkaTool(dist, 'producer-perf-test', [
      '--topic', settings.topic, '--num-records', String(settings.records), '--record-size', String(settings.messageSizeBytes),
      '--throughput', String(settings.throughputLimitPerSec), '--producer-props', ...settings.producerProps,
    ], { timeoutMs }),
    runKafkaTool(dist, 'consumer-perf-test', ['--bootstrap-server', bootstrap, '--topic', settings.topic, '--messages', String(settings.records), '--timeout', String(CONSUMER_IDLE_TIMEOUT_MS), '--group', `${settings.topic}-group`], { timeoutMs }),
  ])
  return { producer: parseProducerPerformance(ok('ProducerPerformance', produced).stdout), consumer: parseConsumerPerformance(ok('ConsumerPerformance', consumed).stdout) }
}

function reportMarkdown (r: JavaRunResult): string {
  const lines = [`# ${r.workload}: Kafka's Java client (perf tools)`, '', `Status: **${r.status}**${r.statusReason === null ? '' : ` (${r.statusReason})`}`, '']
  if (r.producer !== null && r.consumer !== null) {
    const l = r.producer.toolLatencyMs
    lines.push('| metric | value |', '|---|--:|',
      `| records produced | ${r.producer.recordsSent} |`,
      `| publish rate | ${r.producer.recordsPerSec.toFixed(1)} msg/s (${r.producer.mibPerSec.toFixed(2)} MiB/s) |`,
      `| records consumed | ${r.consumer.messagesConsumed} |`,
      `| consume rate (fetch time) | ${r.consumer.messagesPerSec.toFixed(1)} msg/s (${r.consumer.mibPerSec.toFixed(2)} MiB/s) |`,
      `| publish latency, ProducerPerformance's own, p50 / p95 / p99 / p99.9 / max | ${l.p50} / ${l.p95} / ${l.p99} / ${l.p999} / ${l.max} ms |`, '')
  }
  lines.push(`Measured by: ${r.measuredBy}`, '', ...r.settings.notes.map(n => `- ${n}`), '')
  return lines.join('\n')
}

export async function runJavaBench (options: JavaRunOptions): Promise<JavaRunOutcome> {
  checkShape(options.workload)
  const dist = await locateKafka()
  const startTime = new Date()
  const cluster = await startCluster(options.workload, options.cluster, options.log)
  try {
    const adapted = adaptWorkload(options.workload, await probeCapabilities(cluster.bootstrap))
    const workload = adapted.workload
    const bootstrap = cluster.bootstrap.join(',')
    const seconds = workload.warmupSeconds + workload.durationSeconds
    const rate = workload.producerRate
    const settings: JavaRunResult['settings'] = {
      topic: `${workload.name}-java-${startTime.getTime().toString(36)}`,
      partitions: workload.partitionsPerTopic,
      replicationFactor: Math.min(workload.replicationFactor, cluster.brokers.length),
      messageSizeBytes: workload.messageSize,
      records: Math.max(1, Math.round((rate > 0 ? rate : MAX_RATE_RECORDS_PER_SEC) * seconds)),
      throughputLimitPerSec: rate > 0 ? rate : -1,
      producerProps: producerProps(workload, bootstrap),
      notes: [
        ...adapted.notes,
        `${seconds} s of load (warm-up ${workload.warmupSeconds} s + ${workload.durationSeconds} s, not told apart: the tools report whole runs)`,
        ...(rate > 0 ? [] : [`producerRate 0: no rate search; ${MAX_RATE_RECORDS_PER_SEC} records per second of run sent as fast as the producer goes`]),
        'records have no keys (ProducerPerformance sends null keys; the Java producer spreads them over partitions itself) and one payload of random letters, reused',
      ],
    }
    options.log(`java driver: ProducerPerformance and ConsumerPerformance, ${settings.records} records of ${settings.messageSizeBytes} B on ${settings.topic}`)
    const base = { format: JAVA_RESULT_FORMAT, workload: workload.name, settings, cluster: cluster.info(), environment: await collectEnvironment({ coreSharing: `${cluster.brokers.length} broker(s), one producer JVM and one consumer JVM` }) } as const
    let figures: Awaited<ReturnType<typeof driveLoad>> | null = null
    let failure: string | null = null
    try {
      figures = await driveLoad(dist, settings, bootstrap, seconds)
    } catch (error) {
      if (!(error instanceof BenchError) && !(error instanceof Error && error.name === 'JavaPerfOutputError')) throw error
      failure = (error as Error).message
    }
    const runDir = await createRunDir(options.resultsDir, workload.name, startTime)
    const result: JavaRunResult = {
      ...base,
      runId: runDir.id,
      status: failure === null ? 'complete' : 'failed',
      statusReason: failure,
      startTime: startTime.toISOString(),
      endTime: new Date().toISOString(),
      producer: figures?.producer ?? null,
      consumer: figures?.consumer ?? null,
      measuredBy: 'Kafka\'s perf tools, not Sluice\'s recorder: rates and counts as ProducerPerformance and ConsumerPerformance print them (MB = MiB); latency is ProducerPerformance\'s own (send to acknowledgement, whole ms, over the whole run)',
    }
    await writeFile(join(runDir.path, 'java-result.json'), JSON.stringify(result, null, 2) + '\n')
    await writeFile(join(runDir.path, 'report.md'), reportMarkdown(result))
    return { result, runDir: runDir.path, exitCode: failure === null ? 0 : 2 }
  } finally {
    await cluster.stop()
  }
}
