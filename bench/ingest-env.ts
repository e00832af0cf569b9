// What bench/ingest.ts needs from the machine: the reference broker as a child process,
// fio's sequential-write bandwidth on the same filesystem, and CPU time from /proc so the
// report can say how the two cores were shared.

import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { brokerNodeFlags } from '../harness/cluster/broker-node-flags.ts'

const CLI = fileURLToPath(new URL('../harness/cli.ts', import.meta.url))
const READY_TIMEOUT_MS = 30_000
const FIO_TIMEOUT_MS = 300_000
// Linux reports process CPU time in clock ticks of 1/100 s on every common configuration.
const CLOCK_TICKS_PER_SECOND = 100

const run = promisify(execFile)

export interface BrokerChild {
  child: ChildProcess
  port: number
  pid: number
  /** The Node flags it runs with. */
  nodeFlags: readonly string[]
  stderrTail: () => string
  stop: () => Promise<void>
}

export interface BrokerSpawnOptions {
  dataDir: string
  overrides: readonly string[]
  /** Where `node --cpu-prof` writes the broker's profile; null = no profile. */
  cpuProfDir: string | null
  /** Extra Node flags for the broker process, e.g. --trace-gc. */
  nodeFlags: readonly string[]
}

/** Starts `sluice broker` on a free port and resolves once it prints its listening line. */
export async function spawnBroker (opts: BrokerSpawnOptions): Promise<BrokerChild> {
  // The harness's broker flags first, as a benchmarked cluster's brokers get them.
  const nodeFlags = [...brokerNodeFlags(), ...opts.nodeFlags, ...(opts.cpuProfDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir])]
  const args = [...nodeFlags, CLI, 'broker', '--listen', '127.0.0.1:0', '--http', 'none', '--data-dir', opts.dataDir]
  for (const o of opts.overrides) args.push('-o', o)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  // Node flags such as --trace-gc print to stdout; keep it flowing and pass those lines on.
  const brokerStdoutEcho = opts.nodeFlags.length > 0
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000) })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker not listening after ${READY_TIMEOUT_MS} ms:\n${stderr}`)), READY_TIMEOUT_MS)
    createInterface({ input: child.stdout! }).on('line', line => {
      if (!line.startsWith('{')) {
        if (brokerStdoutEcho) process.stderr.write(`[broker] ${line}\n`)
        return
      }
      let msg: { event?: string, kafka?: string }
      try { msg = JSON.parse(line) as typeof msg } catch { return }
      if (msg.event !== 'listening' || msg.kafka === undefined) return
      clearTimeout(timer)
      resolve(Number(msg.kafka.split(':').pop()))
    })
    void exited.then(() => { clearTimeout(timer); reject(new Error(`broker exited before listening:\n${stderr}`)) })
  })
  return {
    child,
    port,
    pid: child.pid!,
    nodeFlags,
    stderrTail: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await exited
    },
  }
}

export interface FioResult {
  bandwidthBytesPerSecond: number
  /** fio's own CPU use while writing, in cores (usr_cpu + sys_cpu percent / 100). */
  cpuCores: number
  command: string
}

export interface FioOptions {
  size: string
  /** Stop after this long even if `size` is not written yet (fio --runtime); null = write all of it. */
  runtimeSeconds: number | null
  /** Write this long first without counting it (fio --ramp_time), like the broker's warm-up. */
  rampSeconds: number
}

/**
 * Sequential buffered 64 KiB writes, no fsync: what the page cache and filesystem take. With
 * a runtime the file is not preallocated and fio writes fresh pages for the whole time,
 * as the broker does.
 */
export async function fioSequentialWrite (directory: string, opts: FioOptions): Promise<FioResult | { error: string }> {
  const args = ['--name=seqwrite', '--rw=write', '--bs=64k', `--size=${opts.size}`, '--ioengine=psync', '--end_fsync=0']
  if (opts.runtimeSeconds !== null) args.push(`--runtime=${opts.runtimeSeconds}`, '--fallocate=none')
  if (opts.rampSeconds > 0) args.push(`--ramp_time=${opts.rampSeconds}`)
  args.push(`--directory=${directory}`, '--output-format=json')
  const command = `fio ${args.join(' ')}`
  try {
    const { stdout } = await run('fio', args, { timeout: FIO_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 })
    // fio may print notes before its JSON.
    const parsed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { jobs: Array<{ write: { bw_bytes: number }, usr_cpu: number, sys_cpu: number }> }
    const job = parsed.jobs[0]!
    return { bandwidthBytesPerSecond: job.write.bw_bytes, cpuCores: (job.usr_cpu + job.sys_cpu) / 100, command }
  } catch (err) {
    return { error: `${command} failed: ${(err as Error).message}` }
  }
}

/** Cumulative CPU seconds of one process (all its threads), from /proc/<pid>/stat. */
export async function processCpuSeconds (pid: number): Promise<{ user: number, system: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // The command name may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(fields[11]) / CLOCK_TICKS_PER_SECOND, system: Number(fields[12]) / CLOCK_TICKS_PER_SECOND }
}

/** Machine-wide CPU seconds, busy and total over all cores, from /proc/stat. */
export async function machineCpuSeconds (): Promise<{ busy: number, total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!
  const ticks = line.trim().split(/\s+/).slice(1).map(Number)
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0)
  const idle = ticks[3]! + ticks[4]!
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND }
}

export interface MachineInfo {
  cpuModel: string
  cores: number
  node: string
  commit: string | null
  fioVersion: string | null
}

export async function machineInfo (): Promise<MachineInfo> {
  const info = cpus()
  const commit = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: fileURLToPath(new URL('..', import.meta.url)) })
    .then(r => r.stdout.trim(), () => null)
  const fioVersion = await run('fio', ['--version']).then(r => r.stdout.trim(), () => null)
  return { cpuModel: info[0]?.model ?? 'unknown', cores: info.length, node: process.version, commit, fioVersion }
}
