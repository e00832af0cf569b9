// One Apache Kafka node (KRaft, broker+controller) as a local JVM: `java ... kafka.Kafka
// server.properties`, stdout and stderr appended to its log file, registered with the child
// registry so no JVM outlives the harness. Faults are signals to the JVM's PID: SIGKILL,
// SIGSTOP/SIGCONT; restart starts it again on the same ports and data dir.
//
// Ready means: the node answers Metadata on its own listener, lists itself among the live
// (unfenced) brokers and names a controller, i.e. it rejoined the quorum and registered.
// The cluster waits for more (every node listed, see kafka-backend.ts).

import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { execa } from 'execa'
import { Metadata } from '../../broker/protocol/03-metadata.ts'
import { FindCoordinator } from '../../broker/protocol/10-find-coordinator.ts'
import { parseAddress } from '../../broker/client/kafka-client.ts'
import { Connection } from '../../broker/client/connection.ts'
import { ClusterError, type BrokerHandle } from './cluster.ts'
import { installExitHandlers, registerChild } from './child-registry.ts'
import { terminateChild } from './terminate.ts'
import { javaArgs, type KafkaDist } from './kafka-dist.ts'
import { logTail } from './process-broker.ts'

export interface KafkaNodeOptions {
  nodeId: number
  dist: KafkaDist
  propertiesFile: string
  log4jFile: string
  dataDir: string
  logFile: string
  kafkaPort: number
  heapMb: number
  startTimeoutMs: number
  stopTimeoutMs: number
}

export interface NodeMetadata {
  brokerIds: number[]
  controllerId: number
  clusterId: string | null
}

const PROBE_TIMEOUT_MS = 2000
const PROBE_RETRY_MS = 250
const OFFSETS_TOPIC = '__consumer_offsets'

/** One Metadata request (no topics) to `address`. */
export async function probeMetadata (address: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<NodeMetadata> {
  const { host, port } = parseAddress(address)
  const connection = await Connection.connect({ host, port, clientId: 'sluice-kafka-backend', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs })
  try {
    const res = await connection.request(Metadata, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    return { brokerIds: res.brokers.map(b => b.nodeId).sort((a, b) => a - b), controllerId: res.controllerId, clusterId: res.clusterId }
  } finally {
    connection.close()
  }
}

/**
 * Waits until consumer groups work: FindCoordinator answers (which makes Kafka create
 * __consumer_offsets) and every partition of __consumer_offsets has a leader. Without this a
 * client joining the first group of a fresh cluster meets NOT_COORDINATOR for a while, and
 * some give up (the reference broker has groups from its first second).
 */
export async function waitForGroupCoordinator (address: string, deadlineMs: number): Promise<void> {
  const { host, port } = parseAddress(address)
  let last = 'no answer yet'
  while (Date.now() < deadlineMs) {
    try {
      const connection = await Connection.connect({ host, port, clientId: 'sluice-kafka-backend', connectTimeoutMs: PROBE_TIMEOUT_MS, requestTimeoutMs: PROBE_TIMEOUT_MS })
      try {
        const found = await connection.request(FindCoordinator, { key: 'sluice-kafka-backend-ready', keyType: 0 })
        if (found.errorCode === 0) {
          const md = await connection.request(Metadata, { topics: [OFFSETS_TOPIC], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
          const topic = md.topics.find(t => t.name === OFFSETS_TOPIC)
          if (topic !== undefined && topic.errorCode === 0 && topic.partitions.length > 0 && topic.partitions.every(p => p.errorCode === 0 && p.leaderId >= 0)) return
          last = `${OFFSETS_TOPIC}: ${topic === undefined ? 'absent' : `error ${topic.errorCode}, ${topic.partitions.filter(p => p.leaderId < 0).length} partitions without a leader`}`
        } else {
          last = `FindCoordinator error ${found.errorCode}`
        }
      } finally {
        connection.close()
      }
    } catch (err) {
      last = (err as Error).message
    }
    await new Promise(resolve => setTimeout(resolve, PROBE_RETRY_MS))
  }
  throw new ClusterError('ERR_BROKER_START', `the Kafka cluster formed but its group coordinator was not ready in time (last: ${last})`)
}

const FATAL_START = /Unable to start acceptor|Exiting Kafka due to fatal exception|Fatal error during KafkaServer startup/
const LOG_SCAN_BYTES_MAX = 4 * 1024 * 1024

/** The first line of the log since `offset` that means the start has failed, or null. */
export function fatalLineSince (logFile: string, offset: number): string | null {
  let fd: number | null = null
  try {
    fd = openSync(logFile, 'r')
    const buffer = Buffer.alloc(Math.min(LOG_SCAN_BYTES_MAX, Math.max(0, fstatSync(fd).size - offset)))
    const n = readSync(fd, buffer, 0, buffer.length, offset)
    const text = buffer.subarray(0, n).toString('utf8')
    return text.split('\n').find(line => FATAL_START.test(line)) ?? null
  } catch {
    return null
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

/**
 * What the log of the last start says went wrong: the first ERROR line (Kafka logs the cause
 * long before the shutdown noise that ends the log) and a hint for the causes users can fix.
 */
export function startFailureDetail (logFile: string): string {
  let text: string
  try {
    text = readFileSync(logFile, 'utf8')
  } catch {
    return ''
  }
  const lastStart = text.lastIndexOf('\n--- ')
  const section = lastStart >= 0 ? text.slice(lastStart) : text
  const firstError = section.split('\n').find(line => / (ERROR|FATAL) /.test(line))
  let hint = ''
  if (/Address already in use/i.test(section)) hint = ' A port it needs is taken by another process: stop that process, or let the backend choose free ports (leave the kafka backend\'s kafkaPorts unset).'
  else if (/OutOfMemoryError|Could not reserve enough space/i.test(section)) hint = ' The JVM ran out of memory: raise the kafka backend\'s heapMb.'
  else if (/UnsupportedClassVersionError/.test(section)) hint = ' The Java is too old for this Kafka: use Java 17+.'
  return `${hint}${firstError === undefined ? '' : ` First error: ${firstError.trim().slice(0, 500)}`}`
}

export class KafkaNode implements BrokerHandle {
  readonly id: number
  readonly dataDir: string
  readonly logFile: string
  readonly httpUrl = null
  readonly #opts: KafkaNodeOptions
  #child: ChildProcess | null = null
  #exited: Promise<void> = Promise.resolve()
  #paused = false
  /** Where this start's output begins in the log file. */
  #logOffset = 0

  constructor (opts: KafkaNodeOptions) {
    this.#opts = opts
    this.id = opts.nodeId
    this.dataDir = opts.dataDir
    this.logFile = opts.logFile
  }

  get kafkaAddress (): string {
    return `127.0.0.1:${this.#opts.kafkaPort}`
  }

  get pid (): number | null {
    return this.#child?.pid ?? null
  }

  alive (): boolean {
    const child = this.#child
    return child !== null && child.exitCode === null && child.signalCode === null
  }

  /** Spawns the JVM; `start` also waits until it is ready. */
  spawn (): void {
    if (this.alive()) throw new ClusterError('ERR_BROKER_RUNNING', `kafka node ${this.id} is already running (pid ${this.pid})`)
    const args = javaArgs(this.#opts.dist, { heapMb: this.#opts.heapMb, log4jFile: this.#opts.log4jFile, mainClass: 'kafka.Kafka', args: [this.#opts.propertiesFile] })
    writeFileSync(this.logFile, `--- ${new Date().toISOString()} starting: ${this.#opts.dist.javaPath} ${args.join(' ')}\n`, { flag: 'a' })
    this.#logOffset = statSync(this.logFile).size
    installExitHandlers()
    const subprocess = execa(this.#opts.dist.javaPath, args, {
      stdin: 'ignore',
      stdout: { file: this.logFile, append: true },
      stderr: { file: this.logFile, append: true },
      buffer: false,
      reject: false,
      // The child registry kills with SIGKILL on exit and signals (see process-broker.ts).
      cleanup: false,
      forceKillAfterDelay: false,
    })
    subprocess.catch(() => {})
    const child = subprocess.nodeChildProcess
    this.#child = child
    this.#paused = false
    registerChild(child)
    this.#exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  }

  /** Spawns the JVM and waits until it is a live broker with a known controller. */
  async start (): Promise<void> {
    this.spawn()
    await this.waitReady(Date.now() + this.#opts.startTimeoutMs, ids => ids.includes(this.id))
  }

  /** Polls Metadata until `enough(brokerIds)` holds and a controller is known; fails the start otherwise. */
  async waitReady (deadlineMs: number, enough: (brokerIds: number[]) => boolean): Promise<NodeMetadata> {
    let last = 'no answer yet'
    while (Date.now() < deadlineMs && this.alive()) {
      // Kafka can take minutes to shut down after a fatal start error; do not wait for it.
      const fatal = fatalLineSince(this.logFile, this.#logOffset)
      if (fatal !== null) {
        last = fatal
        break
      }
      try {
        const md = await probeMetadata(this.kafkaAddress)
        if (md.controllerId >= 0 && enough(md.brokerIds)) return md
        last = `Metadata lists brokers [${md.brokerIds.join(',')}], controller ${md.controllerId}`
      } catch (err) {
        last = (err as Error).message
      }
      await new Promise(resolve => setTimeout(resolve, PROBE_RETRY_MS))
    }
    if (!this.alive()) await Promise.race([this.#exited, new Promise(resolve => setTimeout(resolve, 1000).unref())])
    const child = this.#child!
    const what = this.alive()
      ? Date.now() < deadlineMs ? `logged a fatal error (${last.trim().slice(0, 300)})` : `was not ready within ${this.#opts.startTimeoutMs} ms (last: ${last})`
      : child.signalCode !== null ? `was killed by ${child.signalCode}` : `exited with code ${child.exitCode}`
    await this.kill()
    throw new ClusterError('ERR_BROKER_START', `kafka node ${this.id} failed to start: it ${what}.${startFailureDetail(this.logFile)} Log: ${this.logFile}; last lines:\n${logTail(this.logFile)}`)
  }

  async kill (): Promise<void> {
    if (!this.alive()) return
    this.#child!.kill('SIGKILL')
    this.#paused = false
    await this.#exited
  }

  async pause (): Promise<void> {
    if (!this.alive()) throw new ClusterError('ERR_BROKER_NOT_RUNNING', `cannot pause kafka node ${this.id}: it is not running`)
    this.#child!.kill('SIGSTOP')
    this.#paused = true
  }

  async resume (): Promise<void> {
    if (!this.alive()) throw new ClusterError('ERR_BROKER_NOT_RUNNING', `cannot resume kafka node ${this.id}: it is not running`)
    this.#child!.kill('SIGCONT')
    this.#paused = false
  }

  async restart (): Promise<void> {
    await this.kill()
    await this.start()
  }

  /** SIGTERM (after SIGCONT if paused): Kafka's controlled shutdown; SIGKILL after `stopTimeoutMs`. */
  async stop (): Promise<void> {
    if (!this.alive()) return
    await terminateChild(this.#child!, this.#exited, { paused: this.#paused, graceMs: this.#opts.stopTimeoutMs })
  }
}
