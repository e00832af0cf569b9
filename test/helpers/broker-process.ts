// Starts a real reference broker as a child process (`sluice broker`), the way users and
// the harness run it, and waits for its "listening" line. Tests use this to exercise the
// broker over TCP with real clients, and to SIGKILL it.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../harness/cli.ts', import.meta.url))

export interface BrokerProcess {
  child: ChildProcess
  kafkaPort: number
  httpPort: number | null
  bootstrap: string
  httpUrl: string | null
  dataDir: string
  stderr: () => string
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>
  stop (): Promise<void>
  kill (): Promise<void>
}

export interface StartOptions {
  dataDir?: string
  kafkaPort?: number
  httpPort?: number | 'none'
  overrides?: Record<string, string | number | boolean>
  readyTimeoutMs?: number
  /** A config file given with -c; the flags above still win over its keys. */
  configFile?: string
  /** Run the broker with this RLIMIT_NOFILE (soft and hard), through prlimit(1). */
  fileLimit?: number
}

export async function makeDataDir (): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-test-'))
}

export async function removeDir (dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

export async function startBrokerProcess (opts: StartOptions = {}): Promise<BrokerProcess> {
  const dataDir = opts.dataDir ?? await makeDataDir()
  const http = opts.httpPort === 'none' ? 'none' : `127.0.0.1:${opts.httpPort ?? 0}`
  const args = [CLI, 'broker', '--listen', `127.0.0.1:${opts.kafkaPort ?? 0}`, '--http', http, '--data-dir', dataDir]
  if (opts.configFile !== undefined) args.push('-c', opts.configFile)
  for (const [k, v] of Object.entries(opts.overrides ?? {})) args.push('-o', `${k}=${v}`)
  // prlimit execs the broker, so the child's pid is the broker's.
  const child = opts.fileLimit === undefined
    ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('prlimit', [`--nofile=${opts.fileLimit}:${opts.fileLimit}`, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderrText = ''
  child.stderr!.on('data', (d: Buffer) => { stderrText = (stderrText + d.toString()).slice(-20_000) })
  const exited = new Promise<number | string>(resolve => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  const ready = await new Promise<{ kafka: string, http: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A broker that never says it is listening must not outlive the test.
      child.kill('SIGKILL')
      reject(new Error(`broker did not start within ${opts.readyTimeoutMs ?? 20_000} ms:\n${stderrText}`))
    }, opts.readyTimeoutMs ?? 20_000)
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', line => {
      try {
        const msg = JSON.parse(line) as { event?: string, kafka: string, http: string | null }
        if (msg.event === 'listening') {
          clearTimeout(timer)
          resolve(msg)
        }
      } catch { /* not our line */ }
    })
    void exited.then(code => {
      clearTimeout(timer)
      reject(new Error(`broker exited (${code}) before listening:\n${stderrText}`))
    })
  })
  const kafkaPort = Number(ready.kafka.split(':').pop())
  const httpPort = ready.http === null ? null : Number(ready.http.split(':').pop())
  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    await exited
  }
  return {
    child,
    kafkaPort,
    httpPort,
    bootstrap: `127.0.0.1:${kafkaPort}`,
    httpUrl: httpPort === null ? null : `http://127.0.0.1:${httpPort}`,
    dataDir,
    stderr: () => stderrText,
    exited,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
  }
}
