// One Compose project driven through the npm package `docker-compose`, which speaks both
// Compose v2 (`docker compose`) and v1 (the standalone `docker-compose`, what podman
// machines have), plus the few container verbs Compose lacks or gets wrong, through the
// `docker` CLI by container id (`docker-compose unpause` was seen to exit 1 and leave the
// container paused on podman: design/containers.md).

import { spawnSync } from 'node:child_process'
import * as compose from 'docker-compose'
import type { IDockerComposeExecutableOptions, IDockerComposeOptions, IDockerComposeResult } from 'docker-compose'
import { execa } from 'execa'
import { ClusterError } from './cluster.ts'

const DOCKER_TIMEOUT_MS = 120_000
const ERROR_LINES = 6

export interface ComposeProjectOptions {
  executable: IDockerComposeExecutableOptions
  files: string[]
  project: string
  profiles: string[]
  cwd: string
  /** Added to this process's environment for every command. */
  env: Record<string, string>
}

function lastLines (text: string): string {
  return text.trim().split('\n').slice(-ERROR_LINES).join('\n')
}

function isComposeResult (value: unknown): value is IDockerComposeResult {
  return typeof value === 'object' && value !== null && 'exitCode' in value && 'err' in value
}

function commandError (what: string, error: unknown): ClusterError {
  const detail = isComposeResult(error) ? `exit ${error.exitCode}: ${lastLines(error.err || error.out)}` : (error as Error).message
  return new ClusterError('ERR_DOCKER_COMMAND', `${what} failed (${detail})`, { cause: error })
}

/** Per DOCKER_HOST: each probe starts a CLI, seconds on a loaded machine. */
const detected = new Map<string, IDockerComposeExecutableOptions>()

/** v2 (`docker compose`) when the docker CLI has it, else the standalone v1 `docker-compose`. */
export async function detectComposeExecutable (env: Record<string, string>): Promise<IDockerComposeExecutableOptions> {
  const fullEnv = { ...process.env, ...env }
  const known = detected.get(fullEnv.DOCKER_HOST ?? '')
  if (known !== undefined) return known
  const problems: string[] = []
  for (const executable of [{ executablePath: 'docker' }, { standalone: true }] as IDockerComposeExecutableOptions[]) {
    try {
      await compose.version({ executable, env: fullEnv })
      detected.set(fullEnv.DOCKER_HOST ?? '', executable)
      return executable
    } catch (error) {
      const name = executable.standalone === true ? 'docker-compose' : 'docker compose'
      problems.push(`${name}: ${isComposeResult(error) ? lastLines(error.err) : (error as Error).message}`)
    }
  }
  throw new ClusterError('ERR_DOCKER_UNAVAILABLE', `no Compose CLI found (${problems.join('; ')}); install Docker Compose v2 or docker-compose`)
}

export class ComposeProject {
  readonly options: ComposeProjectOptions
  readonly #env: NodeJS.ProcessEnv

  constructor (options: ComposeProjectOptions) {
    this.options = options
    this.#env = { ...process.env, ...options.env }
  }

  /** The network `name` of compose file as Docker knows it (`<project>_<name>` in v1 and v2). */
  networkName (name: string): string {
    return `${this.options.project}_${name}`
  }

  #composeOptions (): IDockerComposeOptions {
    return {
      cwd: this.options.cwd,
      executable: this.options.executable,
      config: this.options.files,
      composeOptions: ['-p', this.options.project, ...this.options.profiles.flatMap(p => ['--profile', p])],
      env: this.#env,
    }
  }

  async #run<T> (what: string, action: (options: IDockerComposeOptions) => Promise<T>): Promise<T> {
    try {
      return await action(this.#composeOptions())
    } catch (error) {
      throw commandError(`compose ${what}`, error)
    }
  }

  /** Starts `services`; Compose builds their image first when no image of that tag exists. */
  async up (services: string[]): Promise<void> {
    await this.#run(`up ${services.join(' ')}`, o => compose.upMany(services, o))
  }

  /** Removes the project's containers, network and (with volumes) its named volumes. */
  async down (volumes: boolean): Promise<void> {
    await this.#run('down', o => compose.downAll({ ...o, commandOptions: ['--remove-orphans', '-t', '5', ...(volumes ? ['-v'] : [])] }))
  }

  /** `down` for the exit handler, where only synchronous work runs. */
  downSync (): void {
    const { executable } = this.options
    const command = executable.standalone === true ? [executable.executablePath ?? 'docker-compose'] : [executable.executablePath ?? 'docker', 'compose']
    const args = [...command.slice(1), '-p', this.options.project, ...this.options.profiles.flatMap(p => ['--profile', p]),
      ...this.options.files.flatMap(f => ['-f', f]), 'down', '--remove-orphans', '-t', '0', '-v']
    spawnSync(command[0]!, args, { cwd: this.options.cwd, env: this.#env, stdio: 'ignore', timeout: 60_000 })
  }

  async containerId (service: string): Promise<string> {
    const out = await this.#run(`ps -q ${service}`, o => compose.execCompose('ps', ['-q', service], o))
    const id = out.out.trim().split('\n')[0]?.trim() ?? ''
    if (id === '') throw new ClusterError('ERR_DOCKER_COMMAND', `compose has no container for service ${service}`)
    return id
  }

  async logs (service: string, tail: number): Promise<string> {
    const result = await this.#run(`logs ${service}`, o => compose.logs(service, { ...o, commandOptions: ['--no-color', '--tail', String(tail)] }))
    return result.out
  }

  /** A `docker` CLI command with this project's environment; returns stdout. */
  async docker (args: string[]): Promise<string> {
    const r = await execa('docker', args, { reject: false, timeout: DOCKER_TIMEOUT_MS, stdin: 'ignore', env: this.#env })
    if (r.exitCode !== 0) throw new ClusterError('ERR_DOCKER_COMMAND', `\`docker ${args.join(' ')}\` failed (exit ${r.exitCode}): ${lastLines(String(r.stderr || r.stdout || r.shortMessage))}`)
    return String(r.stdout).trim()
  }
}
