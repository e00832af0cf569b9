// The container engine for docker-backend tests: the one .ci/run started (DOCKER_HOST), a
// Docker engine, or a podman API service started for this test file and stopped after it.
// Where none can be had, `skipReason` carries the engine's own error, and the tests skip
// with it instead of failing.

import { execa } from 'execa'
import { ensureContainerEngine, type ContainerEngine } from '../../harness/cluster/engine.ts'

export interface TestEngine {
  /** null when no engine could be had; then skipReason says why. */
  engine: ContainerEngine | null
  skipReason: string
  /** The engine without its stop(): clusters stop themselves, the file stops the engine. */
  shared: ContainerEngine | null
}

/** Starts (or finds) the engine and exports its variables to this test process and its children. */
export async function startTestEngine (): Promise<TestEngine> {
  const reason = process.env.SLUICE_CONTAINER_ENGINE_ERROR
  if (reason !== undefined && reason !== '') return { engine: null, shared: null, skipReason: `container engine unavailable: ${reason}` }
  try {
    const engine = await ensureContainerEngine()
    Object.assign(process.env, engine.env)
    return { engine, shared: { ...engine, stop: async () => {} }, skipReason: '' }
  } catch (error) {
    return { engine: null, shared: null, skipReason: (error as Error).message }
  }
}

/** What a Compose project left behind: containers, networks and volumes by its label or name. */
export async function leftovers (project: string): Promise<string[]> {
  const list = async (args: string[]): Promise<string[]> => {
    const r = await execa('docker', args, { reject: false, stdin: 'ignore' })
    return String(r.stdout).split('\n').map(s => s.trim()).filter(s => s !== '')
  }
  const label = `label=com.docker.compose.project=${project}`
  return [
    ...(await list(['ps', '-a', '--filter', label, '--format', 'container {{.Names}}'])),
    ...(await list(['network', 'ls', '--format', 'network {{.Name}}'])).filter(n => n.includes(project)),
    ...(await list(['volume', 'ls', '--format', 'volume {{.Name}}'])).filter(v => v.includes(project)),
  ]
}
