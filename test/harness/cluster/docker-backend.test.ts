// The docker backend cannot run here (no Docker engine), so this checks what can be
// checked: the compose file's shape, `docker compose config` when the CLI exists, and
// that starting without an engine fails with ERR_DOCKER_UNAVAILABLE.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { ClusterError } from '../../../harness/cluster/cluster.ts'
import { COMPOSE_LAYOUTS, DockerBackend } from '../../../harness/cluster/docker-backend.ts'

const composeFile = join(import.meta.dirname, '..', '..', '..', 'docker-compose.yml')

interface Service {
  image?: string
  build?: { context: string, dockerfile_inline?: string }
  profiles?: string[]
  command?: string[]
  ports?: string[]
  volumes?: string[]
}

const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service>, volumes: Record<string, unknown> }

async function works (cmd: string, args: string[]): Promise<boolean> {
  const r = await execa(cmd, args, { reject: false, timeout: 20_000 })
  return r.exitCode === 0
}

describe('docker-compose.yml', () => {
  it('defines the single and trio clusters the backend expects, built from the repo on Node 24', () => {
    for (const [size, layout] of Object.entries(COMPOSE_LAYOUTS)) {
      expect(layout.services).toHaveLength(Number(size))
      layout.services.forEach((name, index) => {
        const svc = compose.services[name]
        expect(svc, name).toBeDefined()
        expect(svc!.profiles).toEqual([layout.profile])
        expect(svc!.build?.context).toBe('.')
        expect(svc!.build?.dockerfile_inline).toMatch(/^FROM node:24/m)
        expect(svc!.build?.dockerfile_inline).toContain('harness/cli.ts')
        expect(svc!.command?.slice(0, 1)).toEqual(['broker'])
        expect(svc!.command).toContain('0.0.0.0:9092')
        expect(svc!.command?.[svc!.command.indexOf('--broker-id') + 1]).toBe(String(index))
        expect(svc!.ports?.some(p => /^127\.0\.0\.1:.*:9092$/.test(p))).toBe(true)
        expect(svc!.ports?.some(p => /^127\.0\.0\.1:.*:8082$/.test(p))).toBe(true)
        const volume = svc!.volumes?.[0]?.split(':')[0]
        expect(compose.volumes).toHaveProperty(volume!)
      })
    }
  })

  it('publishes host ports that do not collide', () => {
    const hostPorts = Object.values(compose.services).flatMap(s => s.ports ?? []).map(p => p.split(':').slice(0, -1).join(':'))
    expect(new Set(hostPorts).size).toBe(hostPorts.length)
  })

  it('has a Toxiproxy container with its API published', () => {
    const toxiproxy = compose.services.toxiproxy!
    expect(toxiproxy.image).toMatch(/^ghcr\.io\/shopify\/toxiproxy(:|$)/)
    expect(toxiproxy.ports?.some(p => p.endsWith(':8474'))).toBe(true)
  })

  it('passes `docker compose config -q` when the compose CLI exists', async ({ skip }) => {
    if (!await works('docker', ['compose', 'version'])) skip('docker compose CLI not installed')
    const r = await execa('docker', ['compose', '-f', composeFile, '--profile', 'single', '--profile', 'trio', '--profile', 'toxiproxy', 'config', '-q'], { reject: false })
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
  })
})

describe('docker backend', () => {
  it('fails with ERR_DOCKER_UNAVAILABLE when there is no engine or compose CLI', async ({ skip }) => {
    if (await works('docker', ['info'])) skip('a Docker engine is reachable here')
    const err = await new DockerBackend().start({ brokers: 1, brokerConfig: {} }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClusterError)
    expect((err as ClusterError).code).toBe('ERR_DOCKER_UNAVAILABLE')
    expect((err as Error).message).toMatch(/docker compose|Docker engine/)
  })

  it('refuses cluster sizes the compose file does not define', async () => {
    await expect(new DockerBackend().start({ brokers: 2, brokerConfig: {} })).rejects.toMatchObject({ code: 'ERR_CLUSTER_SPEC' })
  })
})
