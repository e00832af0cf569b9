// Kafka's own command-line tools (the classes behind bin/*.sh) run as child JVMs from the
// jars kafka-dist.ts found: the verifiable clients Kafka's system tests use, the producer and
// consumer perf tools, and the admin commands. Each run is bounded by a timeout (SIGKILL) and
// registered with the child registry, so no JVM outlives the harness.

import { execa } from 'execa'
import { installExitHandlers, registerChild } from './child-registry.ts'
import { javaArgs, LOG4J_TOOL_FILE, type KafkaDist } from './kafka-dist.ts'

/** Main classes of the tools, by the name of their bin/ script. */
export const KAFKA_TOOLS = {
  'verifiable-producer': 'org.apache.kafka.tools.VerifiableProducer',
  'verifiable-consumer': 'org.apache.kafka.tools.VerifiableConsumer',
  'producer-perf-test': 'org.apache.kafka.tools.ProducerPerformance',
  'consumer-perf-test': 'org.apache.kafka.tools.ConsumerPerformance',
  'e2e-latency': 'org.apache.kafka.tools.EndToEndLatency',
  topics: 'org.apache.kafka.tools.TopicCommand',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  configs: 'kafka.admin.ConfigCommand',
  'metadata-quorum': 'org.apache.kafka.tools.MetadataQuorumCommand',
} as const

export type KafkaToolName = keyof typeof KAFKA_TOOLS

export interface ToolRun {
  exitCode: number | null
  /** Set when the run was ended by its timeout. */
  timedOut: boolean
  stdout: string
  stderr: string
  elapsedMs: number
}

export interface ToolOptions {
  timeoutMs?: number
  heapMb?: number
  /** Tiered compilation stops at C1: faster start, slower steady state (see javaArgs). */
  quickStart?: boolean
}

const TOOL_TIMEOUT_MS_DEFAULT = 120_000
const TOOL_HEAP_MB_DEFAULT = 256
const OUTPUT_BYTES_MAX = 64 * 1024 * 1024

export async function runKafkaTool (dist: KafkaDist, tool: KafkaToolName, args: readonly string[], options: ToolOptions = {}): Promise<ToolRun> {
  const started = Date.now()
  installExitHandlers()
  const subprocess = execa(dist.javaPath, javaArgs(dist, {
    heapMb: options.heapMb ?? TOOL_HEAP_MB_DEFAULT,
    log4jFile: LOG4J_TOOL_FILE,
    mainClass: KAFKA_TOOLS[tool],
    args,
    quickStart: options.quickStart ?? false,
  }), {
    stdin: 'ignore',
    reject: false,
    timeout: options.timeoutMs ?? TOOL_TIMEOUT_MS_DEFAULT,
    killSignal: 'SIGKILL',
    maxBuffer: OUTPUT_BYTES_MAX,
    cleanup: false,
    forceKillAfterDelay: false,
  })
  registerChild(subprocess.nodeChildProcess)
  const r = await subprocess
  return {
    exitCode: r.exitCode ?? null,
    timedOut: r.timedOut === true,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    elapsedMs: Date.now() - started,
  }
}

/** The JSON lines a verifiable client printed (other lines skipped). */
export function jsonLines (stdout: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      out.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // A partial line at a kill: skip it.
    }
  }
  return out
}
