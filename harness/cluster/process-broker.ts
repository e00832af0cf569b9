// One reference broker as a child process: `node harness/cli.ts broker` spawned with
// execa on 127.0.0.1. The first start may use port 0; the broker prints one JSON line
// with the ports it bound, and every restart passes those same ports explicitly so
// clients (and proxies in front) find it again. stderr goes straight to the log file;
// stdout is read for the listening line and appended there too.
//
// Ready means: the listening line arrived AND ApiVersions answered over TCP. A broker
// that exits or stays silent before that fails with a ClusterError naming its log file
// and quoting its last lines.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { execa } from 'execa'
import type { ChildProcess } from 'node:child_process'
import { ClusterError, type BrokerHandle } from './cluster.ts'
import { installExitHandlers, registerChild } from './child-registry.ts'
import { terminateChild } from './terminate.ts'
import { waitForApiVersions } from './ready.ts'

/** A paused broker cannot answer; the fault fails rather than waiting on it. */
const STALL_REQUEST_TIMEOUT_MS = 3000

export interface ProcessBrokerOptions {
  index: number
  nodePath: string
  cliPath: string
  cwd: string
  dataDir: string
  logFile: string
  brokerConfig: Record<string, string | number | boolean>
  /** 0 = let the OS choose on first start. */
  kafkaPort: number
  httpPort: number
  advertise: string | undefined
  startTimeoutMs: number
  stopTimeoutMs: number
  /** A taskset(1) CPU list the broker runs on (e.g. "0" or "0-1"); null: wherever the OS puts it. */
  cpus?: string | null
  /** Node flags before the script (broker-node-flags.ts); none when absent. */
  nodeFlags?: readonly string[]
}

interface ListeningLine {
  event: 'listening'
  kafka: string
  http: string | null
}

const LOG_TAIL_LINES = 20

export function logTail (file: string, lines = LOG_TAIL_LINES): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd()
    return text === '' ? '(log is empty)' : text.split('\n').slice(-lines).map(l => `  ${l}`).join('\n')
  } catch (err) {
    return `(cannot read log: ${(err as Error).message})`
  }
}

function portOf (address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1))
}

export class ProcessBroker implements BrokerHandle {
  readonly id: number
  readonly dataDir: string
  readonly logFile: string
  readonly nodeFlags: readonly string[]
  readonly #opts: ProcessBrokerOptions
  #child: ChildProcess | null = null
  #exited: Promise<void> = Promise.resolve()
  #paused = false
  /** The process whose disk stallDisk stalled last, if any. */
  #stalledPid: number | undefined
  #kafkaPort: number
  #httpPort: number

  constructor (opts: ProcessBrokerOptions) {
    this.#opts = opts
    this.id = opts.index
    this.dataDir = opts.dataDir
    this.logFile = opts.logFile
    this.nodeFlags = opts.nodeFlags ?? []
    this.#kafkaPort = opts.kafkaPort
    this.#httpPort = opts.httpPort
  }

  get kafkaAddress (): string {
    return `127.0.0.1:${this.#kafkaPort}`
  }

  get httpUrl (): string | null {
    return this.#httpPort > 0 ? `http://127.0.0.1:${this.#httpPort}` : null
  }

  get pid (): number | null {
    return this.#child?.pid ?? null
  }

  alive (): boolean {
    const child = this.#child
    return child !== null && child.exitCode === null && child.signalCode === null
  }

  #args (): string[] {
    const args = [...this.nodeFlags, this.#opts.cliPath, 'broker',
      '--listen', `127.0.0.1:${this.#kafkaPort}`,
      '--http', `127.0.0.1:${this.#httpPort}`,
      '--data-dir', this.dataDir,
      '--broker-id', String(this.#opts.index),
      // Timed lines let a failed chaos run's broker logs be read against its history.
      '--log-timestamps']
    if (this.#opts.advertise !== undefined) args.push('--advertise', this.#opts.advertise)
    for (const [key, value] of Object.entries(this.#opts.brokerConfig)) args.push('-o', `${key}=${String(value)}`)
    return args
  }

  /** Spawns the process and resolves once it answers ApiVersions. */
  async start (): Promise<void> {
    if (this.alive()) throw new ClusterError('ERR_BROKER_RUNNING', `broker ${this.id} is already running (pid ${this.pid})`)
    const fd = openSync(this.logFile, 'a')
    writeSync(fd, `--- ${new Date().toISOString()} starting: node ${this.#args().join(' ')}\n`)
    installExitHandlers()
    // taskset execs node, so the child's pid stays the broker's.
    const cpus = this.#opts.cpus ?? null
    const [file, args] = cpus === null ? [this.#opts.nodePath, this.#args()] : ['taskset', ['-c', cpus, this.#opts.nodePath, ...this.#args()]]
    const subprocess = execa(file, args, {
      cwd: this.#opts.cwd,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: { file: this.logFile, append: true },
      buffer: false,
      reject: false,
      // Our own registry kills children on exit and signals (with SIGKILL, which also
      // ends a paused broker); execa's cleanup would send SIGTERM and, by holding a
      // signal listener of its own, stop a Ctrl-C from ending the harness.
      cleanup: false,
      forceKillAfterDelay: false,
    })
    // execa's promise settles on exit; with reject: false it never rejects, but keep it handled.
    subprocess.catch(() => {})
    // execa's escape hatch to the node ChildProcess: exitCode, signalCode and events.
    const child = subprocess.nodeChildProcess
    this.#child = child
    this.#paused = false
    registerChild(child)
    // The log fd is closed only when the process has exited AND its stdout has drained,
    // so no late chunk is written to a closed (or reused) descriptor.
    this.#exited = Promise.all([
      new Promise(resolve => child.once('exit', resolve)),
      new Promise(resolve => child.stdout!.once('close', resolve)),
    ]).then(() => closeSync(fd))
    const listening = this.#readListeningLine(child, fd)
    const deadline = Date.now() + this.#opts.startTimeoutMs
    const line = await Promise.race([
      listening,
      this.#exited.then(() => null),
      new Promise<null>(resolve => setTimeout(() => resolve(null), this.#opts.startTimeoutMs).unref()),
    ])
    if (line === null) {
      // stdout ends a moment before the exit event: give the exit a chance to land so
      // the message says "exited with code N" rather than "printed nothing".
      await Promise.race([this.#exited, new Promise(resolve => setTimeout(resolve, 1000).unref())])
      await this.#failStart(child, this.alive() ? `printed no listening line within ${this.#opts.startTimeoutMs} ms` : this.#exitText(child))
    }
    this.#kafkaPort = portOf(line!.kafka)
    if (line!.http !== null) this.#httpPort = portOf(line!.http)
    const problem = await waitForApiVersions(this.kafkaAddress, Math.max(1000, deadline - Date.now()), () => this.alive())
    if (problem !== null) await this.#failStart(child, this.alive() ? `did not answer ApiVersions on ${this.kafkaAddress}: ${problem}` : this.#exitText(child))
  }

  #exitText (child: ChildProcess): string {
    return child.signalCode !== null ? `was killed by ${child.signalCode} before it was ready` : `exited with code ${child.exitCode} before it was ready`
  }

  async #failStart (child: ChildProcess, what: string): Promise<never> {
    if (this.alive()) child.kill('SIGKILL')
    await this.#exited
    throw new ClusterError('ERR_BROKER_START', `broker ${this.id} failed to start: it ${what}. Log: ${this.logFile}; last lines:\n${logTail(this.logFile)}`)
  }

  /** Resolves with the parsed listening line; copies all stdout into the log. */
  #readListeningLine (child: ChildProcess, fd: number): Promise<ListeningLine | null> {
    return new Promise(resolve => {
      let pending = ''
      let found = false
      child.stdout!.on('data', (chunk: Buffer) => {
        writeSync(fd, chunk)
        if (found) return
        pending += chunk.toString('utf8')
        let newline: number
        while ((newline = pending.indexOf('\n')) >= 0) {
          const text = pending.slice(0, newline)
          pending = pending.slice(newline + 1)
          try {
            const parsed = JSON.parse(text) as ListeningLine
            if (parsed.event === 'listening') {
              found = true
              resolve(parsed)
              return
            }
          } catch {
            // Not JSON: ordinary output.
          }
        }
      })
      child.stdout!.once('end', () => { if (!found) resolve(null) })
    })
  }

  #signal (signal: NodeJS.Signals, what: string): void {
    if (!this.alive()) throw new ClusterError('ERR_BROKER_NOT_RUNNING', `cannot ${what} broker ${this.id}: it is not running`)
    this.#child!.kill(signal)
  }

  async kill (): Promise<void> {
    if (!this.alive()) return
    this.#child!.kill('SIGKILL')
    this.#paused = false
    await this.#exited
  }

  async pause (): Promise<void> {
    this.#signal('SIGSTOP', 'pause')
    this.#paused = true
  }

  async resume (): Promise<void> {
    this.#signal('SIGCONT', 'resume')
    this.#paused = false
  }

  /**
   * Stalls the broker's disk for `durationMs` (0 ends a stall) through its debug fault
   * endpoint; the broker must run with sluice.debug.fault.endpoints=true.
   */
  async stallDisk (durationMs: number): Promise<void> {
    // A stall lives in the broker process's memory: one started since has none to end.
    if (durationMs === 0 && this.#stalledPid !== this.#child?.pid) return
    if (!this.alive()) throw new ClusterError('ERR_BROKER_NOT_RUNNING', `cannot stall the disk of broker ${this.id}: it is not running`)
    this.#stalledPid = durationMs > 0 ? this.#child?.pid : undefined
    if (this.httpUrl === null) throw new ClusterError('ERR_UNSUPPORTED', `broker ${this.id} has no HTTP API, which the disk-stall fault goes through`)
    const res = await fetch(`${this.httpUrl}/admin/faults/disk-stall?durationMs=${Math.round(durationMs)}`, { method: 'POST', signal: AbortSignal.timeout(STALL_REQUEST_TIMEOUT_MS) })
    if (!res.ok) throw new ClusterError('ERR_FAULT', `broker ${this.id} refused the disk stall: HTTP ${res.status} ${await res.text()}`)
  }

  /** Starts again on the same ports and data dir; a running broker is killed first. */
  async restart (): Promise<void> {
    await this.kill()
    await this.start()
  }

  /** SIGTERM (after SIGCONT if paused), then SIGKILL once `stopTimeoutMs` passes. */
  async stop (): Promise<void> {
    if (!this.alive()) return
    await terminateChild(this.#child!, this.#exited, { paused: this.#paused, graceMs: this.#opts.stopTimeoutMs })
  }
}
