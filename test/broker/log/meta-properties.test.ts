// meta.properties ties a data dir to one cluster and one node: a broker started on another
// cluster's data dir refuses to start and says why, instead of serving foreign data.

import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeMetaProperties, parseMetaProperties } from '../../../broker/log/meta-properties.ts'

const run = promisify(execFile)
const CLI = fileURLToPath(new URL('../../../harness/cli.ts', import.meta.url))
const dirs: string[] = []

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('meta.properties', () => {
  it('writes node.id as Kafka\'s KRaft mode reads it, and reads either name', () => {
    const text = encodeMetaProperties({ brokerId: 3, clusterId: 'abc' }).toString()
    expect(text).toMatch(/^node\.id=3$/m)
    expect(parseMetaProperties('node.id=4\ncluster.id=x\n')).toEqual({ brokerId: 4, clusterId: 'x' })
  })

  it('makes `sluice broker` refuse another cluster\'s data dir, naming both cluster ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-meta-'))
    dirs.push(dir)
    await writeFile(join(dir, 'meta.properties'), encodeMetaProperties({ brokerId: 0, clusterId: 'clusterAAAAAAAAAAAAAAA' }))
    const err = await run(process.execPath, [CLI, 'broker', '--listen', '127.0.0.1:0', '--http', 'none', '--data-dir', dir, '-o', 'cluster.id=clusterBBBBBBBBBBBBBBB'], { timeout: 30_000 })
      .catch((e: { code: number, stderr: string }) => e)
    expect((err as { code: number }).code).toBe(2)
    expect((err as { stderr: string }).stderr).toMatch(/refusing to start: .* belongs to cluster clusterAAAAAAAAAAAAAAA .*cluster.id is clusterBBBBBBBBBBBBBBB/)
    expect(await readFile(join(dir, 'meta.properties'), 'utf8')).toMatch(/cluster.id=clusterAAAAAAAAAAAAAAA/)
  })
})
