// Where a result was measured: the commit, Node, the CPU and memory, the OS, and how the
// run's processes shared the cores. Two results are only comparable when these agree, so
// every result carries them.

import { execFile } from 'node:child_process'
import os from 'node:os'
import { promisify } from 'node:util'

const run = promisify(execFile)
const GIT_TIMEOUT_MS = 5000
const GIT_OUTPUT_BYTES_MAX = 1024 * 1024

export interface Environment {
  /** `git rev-parse HEAD` of the working tree, null outside a repository or without git. */
  gitCommit: string | null
  /** Whether tracked files had uncommitted changes; null when unknown. */
  gitDirty: boolean | null
  nodeVersion: string
  /** e.g. "Linux 6.1.0-18-amd64". */
  os: string
  arch: string
  cpuModel: string
  /** Logical cores as the OS reports them. */
  cpuCores: number
  totalMemoryBytes: number
  /**
   * How the run's processes shared the cores, written by the runner, e.g. "1 broker
   * process and 2 client worker threads on 2 cores, not pinned". Null when not recorded.
   */
  coreSharing: string | null
  /**
   * Broker software other than this checkout and how it ran (the kafka backend: which Kafka
   * and which Java), e.g. { kafka: 'Apache Kafka 4.1.1 from ...', java: 'openjdk version "17.0.15"' }.
   */
  brokerSoftware?: Record<string, string>
}

async function git (args: string[], cwd: string): Promise<string | null> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: GIT_OUTPUT_BYTES_MAX })
    return stdout
  } catch {
    return null
  }
}

export async function collectEnvironment (options: { cwd?: string, coreSharing?: string | null, brokerSoftware?: Record<string, string> } = {}): Promise<Environment> {
  const cwd = options.cwd ?? process.cwd()
  const [head, status] = await Promise.all([
    git(['rev-parse', 'HEAD'], cwd),
    git(['status', '--porcelain', '--untracked-files=no'], cwd),
  ])
  const commit = head?.trim() ?? ''
  const cpus = os.cpus()
  return {
    gitCommit: /^[0-9a-f]{40,64}$/.test(commit) ? commit : null,
    gitDirty: status === null ? null : status.trim().length > 0,
    nodeVersion: process.version,
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCores: cpus.length > 0 ? cpus.length : os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    coreSharing: options.coreSharing ?? null,
    ...(options.brokerSoftware === undefined ? {} : { brokerSoftware: { ...options.brokerSoftware } }),
  }
}
