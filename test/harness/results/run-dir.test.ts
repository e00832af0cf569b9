import { execFileSync } from 'node:child_process'
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collectEnvironment } from '../../../harness/results/environment.ts'
import { findResultFiles, readResultFile } from '../../../harness/results/read.ts'
import { ResultError } from '../../../harness/results/result.ts'
import { RunDirError, createRunDir, makeRunId, slugify, writeFileAtomic } from '../../../harness/results/run-dir.ts'
import { saveRunFiles } from '../../../harness/report/save.ts'
import { syntheticResult } from './synthetic.ts'

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(os.tmpdir(), 'sluice-run-dir-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('run directories', () => {
  it('names runs by UTC start time, workload and a random suffix', () => {
    expect(makeRunId('Max Throughput 1KB!', new Date('2025-01-14T15:30:12.345Z'), () => '3fa9c1')).toBe('20250114T153012Z-max-throughput-1kb-3fa9c1')
    expect(slugify('../../etc/passwd')).toBe('etc-passwd')
    expect(slugify('')).toBe('run')
    const a = makeRunId('smoke')
    const b = makeRunId('smoke')
    expect(a).toMatch(/^\d{8}T\d{6}Z-smoke-[0-9a-f]{6}$/)
    expect(a).not.toBe(b)
  })

  it('creates results/<run-id>/ and writes files into it, refusing names that escape it', async () => {
    const run = await createRunDir(join(dir, 'results'), 'smoke')
    expect(run.path).toBe(join(dir, 'results', run.id))
    const path = await run.write('result.json', '{"a":1}\n')
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n')
    expect(() => run.file('../escape.json')).toThrow(RunDirError)
    expect(() => run.file('..')).toThrow(RunDirError)
  })

  it('replaces files atomically: many concurrent rewrites leave one whole version and no temporaries', async () => {
    const path = join(dir, 'result.json')
    const versions = Array.from({ length: 20 }, (_, i) => JSON.stringify({ version: i, pad: 'x'.repeat(100_000 + i) }))
    await Promise.all(versions.map((text) => writeFileAtomic(path, text)))
    const text = await readFile(path, 'utf8')
    expect(versions).toContain(text)
    expect(await readdir(dir)).toEqual(['result.json'])
  })

  it('cleans up the temporary file when the write fails', async () => {
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'result.json'), 'x')).rejects.toThrow()
    expect(await readdir(dir)).toEqual([])
  })
})

describe('saving a run', () => {
  it('writes result.json, report.md and report.html, and a later save replaces a partial one', async () => {
    const run = await createRunDir(join(dir, 'results'), 'synthetic')
    const partial = syntheticResult({ seed: 4, measureSec: 3, status: 'partial', statusReason: 'interrupted' })
    const files = await saveRunFiles(run, partial)
    expect(JSON.parse(await readFile(files.resultJson, 'utf8')).status).toBe('partial')
    expect(await readFile(files.reportMarkdown, 'utf8')).toContain('(PARTIAL)')
    const complete = syntheticResult({ seed: 4, measureSec: 5 })
    await saveRunFiles(run, complete)
    expect(JSON.parse(await readFile(files.resultJson, 'utf8'))).toEqual(complete)
    expect(await readFile(files.reportHtml, 'utf8')).toContain('<span class="badge complete">')
    expect((await readdir(run.path)).sort()).toEqual(['report.html', 'report.md', 'result.json'])
    expect(await findResultFiles([join(dir, 'results')])).toEqual([files.resultJson])
  })
})

describe('finding and reading results', () => {
  it('finds result.json files recursively, in name order, and takes files as given', async () => {
    for (const run of ['b-run', 'a-run', 'nested/c-run']) {
      await mkdir(join(dir, run), { recursive: true })
      await writeFile(join(dir, run, 'result.json'), '{}')
    }
    await mkdir(join(dir, '.hidden'))
    await writeFile(join(dir, '.hidden', 'result.json'), '{}')
    expect(await findResultFiles([dir])).toEqual(['a-run', 'b-run', 'nested/c-run'].map((run) => join(dir, run, 'result.json')))
    expect(await findResultFiles([join(dir, 'b-run', 'result.json')])).toEqual([join(dir, 'b-run', 'result.json')])
  })

  it('names the path that is missing or holds no result', async () => {
    await expect(findResultFiles([join(dir, 'nope')])).rejects.toThrow(/nope: no such file or directory/)
    await mkdir(join(dir, 'empty'))
    await expect(findResultFiles([join(dir, 'empty')])).rejects.toThrow(/empty: no result.json/)
    await writeFile(join(dir, 'bad.json'), '{ nope')
    await expect(readResultFile(join(dir, 'bad.json'))).rejects.toThrow(ResultError)
    await writeFile(join(dir, 'array.json'), '[]')
    await expect(readResultFile(join(dir, 'array.json'))).rejects.toThrow(/must be a JSON object/)
  })
})

describe('environment', () => {
  it('records the commit, Node, CPU, memory and OS, and the core sharing the runner passes', async () => {
    const env = await collectEnvironment({ cwd: process.cwd(), coreSharing: 'broker and 2 workers on 2 cores' })
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: process.cwd(), encoding: 'utf8' }).trim()
    expect(env.gitCommit).toBe(head)
    expect(typeof env.gitDirty).toBe('boolean')
    expect(env.nodeVersion).toBe(process.version)
    expect(env.cpuCores).toBe(os.cpus().length)
    expect(env.cpuModel.length).toBeGreaterThan(0)
    expect(env.totalMemoryBytes).toBe(os.totalmem())
    expect(env.os).toContain(os.release())
    expect(env.coreSharing).toBe('broker and 2 workers on 2 cores')
  })

  it('has no commit outside a git repository', async () => {
    const env = await collectEnvironment({ cwd: dir })
    expect(env.gitCommit).toBeNull()
    expect(env.gitDirty).toBeNull()
    expect(env.coreSharing).toBeNull()
  })
})
