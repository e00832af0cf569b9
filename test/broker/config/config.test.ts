// Broker config: Kafka-style properties or YAML, strict keys, errors that name the key
// and the fix, and the CLI refusing to start on a bad config.

import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { buildConfig, ConfigError, parseOverrides, parseProperties, readConfigFile } from '../../../broker/config/config.ts'

const run = promisify(execFile)
const CLI = fileURLToPath(new URL('../../../harness/cli.ts', import.meta.url))

describe('broker config', () => {
  it('reads properties and YAML into the same typed values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-config-'))
    await writeFile(join(dir, 'a.properties'), '# comment\nlog.segment.bytes=1048576\nauto.create.topics.enable = false\nlisteners=PLAINTEXT://127.0.0.1:19092\n')
    await writeFile(join(dir, 'a.yaml'), 'log.segment.bytes: 1048576\nauto.create.topics.enable: false\nlisteners: PLAINTEXT://127.0.0.1:19092\n')
    for (const file of ['a.properties', 'a.yaml']) {
      const config = buildConfig(await readConfigFile(join(dir, file)), file)
      expect(config.int('log.segment.bytes')).toBe(1048576)
      expect(config.bool('auto.create.topics.enable')).toBe(false)
      expect(config.listener).toEqual({ host: '127.0.0.1', port: 19092 })
    }
  })

  it('names an unknown key and suggests the right one', () => {
    expect(() => buildConfig({ 'log.segment.byte': '10' })).toThrow(/unknown key "log.segment.byte": did you mean "log.segment.bytes"\?/)
  })

  it('names a mistyped value, the allowed range and what it got', () => {
    expect(() => buildConfig({ 'num.partitions': 'many' })).toThrow(/num.partitions must be an integer between 1 and 10000 \(got "many"\)/)
    expect(() => buildConfig({ 'auto.create.topics.enable': 'yes' })).toThrow(/must be true or false/)
    expect(() => buildConfig({ listeners: 'localhost' })).toThrow(/must look like PLAINTEXT:\/\/127.0.0.1:9092/)
  })

  it('reports every problem at once', () => {
    try {
      buildConfig({ 'num.partitions': 0, 'log.flush.interval.mesages': 1 })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).problems).toHaveLength(2)
    }
  })

  it('parses overrides and properties strictly', () => {
    expect(parseOverrides(['a.b=1', 'c = x'])).toEqual({ 'a.b': '1', c: 'x' })
    expect(() => parseOverrides(['novalue'])).toThrow(/is not key=value/)
    expect(() => parseProperties('justakey\n')).toThrow(/has no "="/)
  })

  it('makes `sluice broker` exit 2 with the message on a bad key', async () => {
    const err = await run(process.execPath, [CLI, 'broker', '-o', 'log.retention.hour=5'], { timeout: 20_000 }).catch((e: { code: number, stderr: string }) => e)
    expect((err as { code: number }).code).toBe(2)
    expect((err as { stderr: string }).stderr).toMatch(/unknown key "log.retention.hour"/)
  })
})
