// The docker backend for real: broker containers from docker-compose.yml on Docker, or on
// podman's Docker API where no Docker engine runs (scripts/container-engine.sh). Faults go
// through the engine (SIGKILL, freezer, network disconnect), clients reach the broker over
// its published port, and nothing is left behind, also after Ctrl-C. Without an engine the
// container tests skip with the engine's own error; the compose file checks always run.

import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { Toxiproxy } from 'toxiproxy-node-client'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FILE_BROKERS, imageTag, overrideDocument } from '../../../harness/cluster/compose-layout.ts'
import { DockerBackend, type DockerCluster } from '../../../harness/cluster/docker-backend.ts'
import { brokerNodeFlags } from '../../../harness/cluster/broker-node-flags.ts'
import { parseExports } from '../../../harness/cluster/engine.ts'
import { probeApiVersions, waitForApiVersions } from '../../../harness/cluster/ready.ts'
import { leftovers, startTestEngine, type TestEngine } from '../../helpers/container-engine.ts'
import { readPartition, createTopic } from '../../helpers/topics.ts'

const REPO = join(import.meta.dirname, '..', '..', '..')
const composeFile = join(REPO, 'docker-compose.yml')

interface Service {
  image?: string
  build?: { context: string, dockerfile?: string, args?: Record<string, string> }
  profiles?: string[]
  command?: string[]
  ports?: string[]
  volumes?: string[]
  init?: boolean
  entrypoint?: string[]
}
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as Record<string, unknown> & { services: Record<string, Service> }

describe('docker-compose.yml', () => {
  it('runs on Compose v1 and v2 alike: a Dockerfile file, no top-level name, base image from a build argument', () => {
    expect(compose).not.toHaveProperty('name')
    const dockerfile = readFileSync(join(REPO, 'docker', 'broker.Dockerfile'), 'utf8')
    expect(dockerfile).toMatch(/^ARG SLUICE_BASE_IMAGE=node:24-slim$/m)
    expect(dockerfile).toMatch(/^FROM \$\{SLUICE_BASE_IMAGE\}$/m)
    for (let i = 0; i < FILE_BROKERS; i++) {
      const svc = compose.services[`sluice-${i}`]!
      expect(svc.build?.dockerfile).toBe('docker/broker.Dockerfile')
      expect(svc.build?.args?.SLUICE_BASE_IMAGE).toBe('${SLUICE_BASE_IMAGE:-node:24-slim}')
      expect(svc.init).toBe(true)
      expect(svc.profiles).toContain('trio')
      expect(svc.command?.[svc.command.indexOf('--broker-id') + 1]).toBe(String(i))
      expect(svc.ports?.every(p => p.startsWith('127.0.0.1:'))).toBe(true)
      expect(svc.volumes?.[0]).toBe(`\${SLUICE_DATA_${i}:-sluice-${i}-data}:/data`)
    }
    expect(compose.services['sluice-0']!.profiles).toContain('single')
    expect(compose.services.toxiproxy!.command?.[0]).toBe('toxiproxy')
  })

  it('lays out clusters larger than the file by cloning sluice-2, with config overrides taken literally', () => {
    const ports = Array.from({ length: 5 }, (_, i) => ({ kafka: 100 + i, http: 200 + i, proxy: 300 + i, advertise: `127.0.0.1:${100 + i}`, dataDir: `/d/${i}` }))
    const doc = overrideDocument({ composeFile, ports, config: { 'sluice.note': 'a$b' }, user: null }) as { services: Record<string, Service> }
    expect(Object.keys(doc.services)).toEqual(['sluice-0', 'sluice-1', 'sluice-2', 'sluice-3', 'sluice-4', 'toxiproxy'])
    expect(doc.services['sluice-0']!.ports).toBeUndefined()
    expect(doc.services['sluice-4']!.ports).toEqual(['127.0.0.1:104:9092', '127.0.0.1:204:8082'])
    expect(doc.services['sluice-4']!.volumes).toEqual(['/d/4:/data'])
    expect(doc.services['sluice-4']!.build).toEqual(compose.services['sluice-2']!.build)
    expect(doc.services['sluice-3']!.command).toContain('sluice.note=a$$b')
    expect(doc.services.toxiproxy!.ports).toEqual(['127.0.0.1:303:29095', '127.0.0.1:304:29096'])
  })

  it('restates the image entrypoint with the broker\'s Node flags before the script, and leaves it alone without flags', () => {
    const ports = [{ kafka: 100, http: 200, proxy: null, advertise: '127.0.0.1:100', dataDir: '/d/0' }]
    const withFlags = overrideDocument({ composeFile, ports, config: {}, user: null, nodeFlags: ['--max-semi-space-size=8'] }) as { services: Record<string, Service> }
    expect(withFlags.services['sluice-0']!.entrypoint).toEqual(['node', '--max-semi-space-size=8', 'harness/cli.ts'])
    expect(readFileSync(join(REPO, 'docker', 'broker.Dockerfile'), 'utf8')).toMatch(/^ENTRYPOINT \["node", "harness\/cli.ts"\]$/m)
    const without = overrideDocument({ composeFile, ports, config: {}, user: null, nodeFlags: [] }) as { services: Record<string, Service> }
    expect(without.services['sluice-0']!.entrypoint).toBeUndefined()
  })

  it('names the broker image by what goes into it', () => {
    expect(imageTag(REPO, 'node:24-slim')).toBe(imageTag(REPO, 'node:24-slim'))
    expect(imageTag(REPO, 'node:24-slim')).not.toBe(imageTag(REPO, 'sluice-node:24-bookworm'))
  })

  it('reads the variables the engine script prints', () => {
    expect(parseExports('export DOCKER_HOST=unix:///tmp/x/podman.sock\nnoise\nexport SLUICE_BASE_IMAGE=img:1\n'))
      .toEqual({ DOCKER_HOST: 'unix:///tmp/x/podman.sock', SLUICE_BASE_IMAGE: 'img:1' })
  })
})

describe('docker backend on a container engine', () => {
  let t: TestEngine = { engine: null, shared: null, skipReason: 'not started' }
  beforeAll(async () => { t = await startTestEngine() }, 600_000)
  afterAll(async () => { await t.engine?.stop() }, 60_000)

  async function kcatProduce (bootstrap: string, topic: string, count: number): Promise<void> {
    const lines = Array.from({ length: count }, (_, i) => `k${i}:v${i}`).join('\n')
    const r = await execa('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K', ':', '-X', 'acks=all'], { input: `${lines}\n`, timeout: 30_000, reject: false })
    expect(r.exitCode, r.stderr).toBe(0)
  }

  function portOf (address: string): number {
    return Number(address.slice(address.lastIndexOf(':') + 1))
  }

  it('runs a broker in a container: clients over the published port, data in a host dir, kill, restart, pause', async ({ skip }) => {
    if (t.shared === null) skip(t.skipReason)
    const cluster = await new DockerBackend({ engine: t.shared! }).start({ brokers: 1, brokerConfig: { 'log.flush.interval.messages': 1 } })
    const project = cluster.project.options.project
    try {
      const broker = cluster.brokers[0]!
      await createTopic(portOf(broker.kafkaAddress), 'orders', 1)
      await kcatProduce(cluster.bootstrap.join(','), 'orders', 50)
      expect(await readPartition(portOf(broker.kafkaAddress), 'orders', 0)).toHaveLength(50)
      // The log is in the bind-mounted host dir, where the disk nemesis can reach it.
      const segment = join(broker.dataDir, 'orders-0', '00000000000000000000.log')
      expect(statSync(segment).size).toBeGreaterThan(50 * 10)

      await broker.kill()
      expect(broker.alive()).toBe(false)
      expect(await execa('docker', ['inspect', '--format', '{{.State.Running}}', broker.containerId]).then(r => r.stdout)).toBe('false')
      await expect(probeApiVersions(broker.kafkaAddress, 1000)).rejects.toThrow()
      await broker.restart()
      expect(await readPartition(portOf(broker.kafkaAddress), 'orders', 0)).toHaveLength(50)
      // The broker's Node flags reached its container: compose applied the restated entrypoint.
      const entrypoint = await execa('docker', ['inspect', '--format', '{{json .Config.Entrypoint}}', broker.containerId])
      expect(JSON.parse(entrypoint.stdout)).toEqual(['node', ...brokerNodeFlags(), 'harness/cli.ts'])

      await broker.pause()
      // A frozen broker accepts nothing and answers nothing: the probe times out.
      await expect(probeApiVersions(broker.kafkaAddress, 1500)).rejects.toThrow()
      await broker.resume()
      await probeApiVersions(broker.kafkaAddress, 10_000)
    } finally {
      await cluster.stop()
    }
    expect(await leftovers(project)).toEqual([])
  }, 300_000)

  it('network disconnect cuts a broker off from the proxy container; connect heals it', async ({ skip }) => {
    if (t.shared === null) skip(t.skipReason)
    const cluster: DockerCluster = await new DockerBackend({ engine: t.shared!, toxiproxy: true }).start({ brokers: 1, brokerConfig: {} })
    const project = cluster.project.options.project
    try {
      const broker = cluster.brokers[0]!
      const proxy = await new Toxiproxy(cluster.toxiproxyUrl!).createProxy({ name: 'to-sluice-0', listen: broker.proxy!.listen, upstream: 'sluice-0:9092' })
      expect(proxy.listen).toBe(broker.proxy!.listen)
      // The proxy container reaches the broker by its service name on the private network.
      expect(await waitForApiVersions(broker.proxy!.published, 20_000)).toBeNull()
      await broker.disconnect()
      await expect(probeApiVersions(broker.proxy!.published, 1500)).rejects.toThrow()
      await expect(probeApiVersions(broker.kafkaAddress, 1500)).rejects.toThrow()
      await broker.connect()
      // Back under its service name: the proxy finds it again, and so does the published port.
      expect(await waitForApiVersions(broker.proxy!.published, 20_000)).toBeNull()
      expect(await waitForApiVersions(broker.kafkaAddress, 20_000)).toBeNull()
    } finally {
      await cluster.stop()
    }
    expect(await leftovers(project)).toEqual([])
  }, 300_000)

  it('Ctrl-C of a harness removes its containers, network, volumes and its own podman service', async ({ skip }) => {
    if (t.shared === null) skip(t.skipReason)
    // Where the engine is podman, the child starts a service of its own, so its removal is tested too.
    const env = { ...process.env }
    if ((t.engine!.env.CONTAINERS_CONF ?? process.env.CONTAINERS_CONF) !== undefined) delete env.DOCKER_HOST
    const child = spawn(process.execPath, [join(import.meta.dirname, 'docker-sigint-child.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const exited = new Promise<NodeJS.Signals | number | null>(resolve => child.once('exit', (code, signal) => resolve(signal ?? code)))
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0]!)
        })
        child.once('exit', () => reject(new Error(`child exited before its cluster was up: ${stderr}`)))
      })
      const started = JSON.parse(line) as { project: string, dockerHost: string | null }
      expect(await leftovers(started.project)).not.toEqual([])
      child.kill('SIGINT')
      expect(await exited).toBe('SIGINT')
      expect(await leftovers(started.project)).toEqual([])
      if (env.DOCKER_HOST === undefined && started.dockerHost !== null) {
        const socket = started.dockerHost.replace('unix://', '')
        const ps = await execa('ps', ['-eo', 'args'])
        expect(ps.stdout.split('\n').filter(args => args.includes(socket))).toEqual([])
        expect(existsSync(socket)).toBe(false)
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }, 300_000)
})

