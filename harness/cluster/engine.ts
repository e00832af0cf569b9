// The container engine the docker backend talks to: a Docker engine that already answers
// (DOCKER_HOST or the default socket), or, where none does but podman is installed, a
// podman API service started for this run by scripts/container-engine.sh in a private
// state dir and stopped again by its PID at the end, on failure and on Ctrl-C
// (design/containers.md). The docker CLI is the probe: what it says is the reason given
// when no engine can be had.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { ClusterError } from './cluster.ts'
import { registerExitCleanup, unregisterExitCleanup } from './child-registry.ts'

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const ENGINE_SCRIPT = join(REPO_ROOT, 'scripts', 'container-engine.sh')
const PROBE_TIMEOUT_MS = 15_000
/** `up` may install packages and build the base image on a fresh machine. */
const ENGINE_UP_TIMEOUT_MS = 600_000

export interface ContainerEngine {
  /** Variables the docker and compose CLIs need (DOCKER_HOST, SLUICE_BASE_IMAGE...). */
  readonly env: Readonly<Record<string, string>>
  /** True when this process started the engine (and stop() ends it). */
  readonly startedHere: boolean
  readonly description: string
  stop (): Promise<void>
}

function firstLines (text: string, lines = 3): string {
  return text.trim().split('\n').filter(line => line.trim() !== '').slice(-lines).join(' / ')
}

/** null when `docker version` reaches a server with `env`, else what the CLI said. */
export async function dockerProblem (env: Record<string, string> = {}): Promise<string | null> {
  const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: PROBE_TIMEOUT_MS, stdin: 'ignore', env })
  if (r.exitCode === 0) return null
  return firstLines(`${String(r.stderr ?? '')}\n${String(r.stdout ?? '')}`) || (r.shortMessage ?? `exit code ${r.exitCode}`)
}

async function hasCommand (name: string): Promise<boolean> {
  const r = await execa('sh', ['-c', `command -v ${name}`], { reject: false, stdin: 'ignore' })
  return r.exitCode === 0
}

/** `export KEY=value` lines, as the script prints them, to an object. */
export function parseExports (text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (match !== null) env[match[1]!] = match[2]!
  }
  return env
}

/**
 * An engine that answers, or one started here through the script when `start` allows
 * (default: only where podman is already installed, so a bench run never installs
 * packages). Throws ERR_DOCKER_UNAVAILABLE with the engine's own error.
 */
export async function ensureContainerEngine (options: { start?: boolean, log?: (line: string) => void } = {}): Promise<ContainerEngine> {
  const existing = await dockerProblem()
  if (existing === null) {
    const env: Record<string, string> = {}
    if (process.env.SLUICE_BASE_IMAGE !== undefined) env.SLUICE_BASE_IMAGE = process.env.SLUICE_BASE_IMAGE
    return { env, startedHere: false, description: `Docker engine at ${process.env.DOCKER_HOST ?? 'the default socket'}`, stop: async () => {} }
  }
  const start = options.start ?? await hasCommand('podman')
  if (!start || !await hasCommand('bash')) {
    throw new ClusterError('ERR_DOCKER_UNAVAILABLE', `no Docker engine answers (docker: ${existing}) and podman is not installed; ` +
      `run \`eval "$(${ENGINE_SCRIPT} up)"\`, start Docker, or use the process backend`)
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'sluice-engine-'))
  const scriptEnv = { ...process.env, SLUICE_ENGINE_DIR: stateDir }
  const stopSync = (): void => {
    spawnSync('bash', [ENGINE_SCRIPT, 'down'], { env: scriptEnv, stdio: 'ignore', timeout: 30_000 })
    rmSync(stateDir, { recursive: true, force: true })
  }
  registerExitCleanup(stopSync)
  options.log?.(`starting a podman Docker API service (${ENGINE_SCRIPT} up)`)
  const up = await execa('bash', [ENGINE_SCRIPT, 'up'], { reject: false, timeout: ENGINE_UP_TIMEOUT_MS, stdin: 'ignore', env: scriptEnv })
  if (up.exitCode !== 0) {
    unregisterExitCleanup(stopSync)
    stopSync()
    throw new ClusterError('ERR_DOCKER_UNAVAILABLE', `the container engine did not start: ${firstLines(String(up.stderr ?? ''), 4) || up.shortMessage}`)
  }
  const env = parseExports(String(up.stdout))
  let stopped = false
  return {
    env,
    startedHere: true,
    description: `podman API service at ${env.DOCKER_HOST ?? '?'}`,
    stop: async () => {
      if (stopped) return
      stopped = true
      unregisterExitCleanup(stopSync)
      await execa('bash', [ENGINE_SCRIPT, 'down'], { reject: false, timeout: 30_000, stdin: 'ignore', env: scriptEnv })
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}
