// Every command in the README's shell blocks must run as written on a clean clone. This
// test reads the README, so a command added there is checked without touching this file:
//   - `npx sluice ...`: parses against the real CLI (every subcommand and flag exists), every
//     file it names that is not made by an earlier run exists, and `bench` lines run for real
//     with --dry-run (which loads and validates the workload and every override);
//   - `npm run X` / `npm test` / `npm ci`: the script exists in package.json;
//   - `curl ...`: runs against a real broker started here, its HTTP port put in place of 8082.
// Long commands (a 20 s benchmark, a chaos run, a broker in the foreground) are not run to
// the end here: the bench, chaos and broker tests run the same code paths.

import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CommanderError } from 'commander'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildProgram } from '../harness/program.ts'
import { startBrokerProcess, type BrokerProcess } from './helpers/broker-process.ts'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = resolve(ROOT, 'harness/cli.ts')
/** Paths that exist only once a run has written them. */
const MADE_BY_RUNS = /^(results\/|cmp\.md$|\/tmp\/)/

interface Command { line: number, text: string }

/** Every command line of the README's ```sh blocks, comments and continuation removed. */
function readmeCommands (): Command[] {
  const lines = readFileSync(resolve(ROOT, 'README.md'), 'utf8').split('\n')
  const commands: Command[] = []
  let inShell = false
  lines.forEach((raw, index) => {
    if (raw.startsWith('```')) {
      inShell = raw.trim() === '```sh'
      return
    }
    if (!inShell) return
    const text = raw.replace(/\s+#\s.*$/, '').trim()
    if (text === '' || text.startsWith('#')) return
    // `VAR=value cmd` sets the environment of one command: the command is what is checked.
    for (const part of text.split('&&')) commands.push({ line: index + 1, text: part.trim().replace(/^([A-Z_][A-Z0-9_]*=\S*\s+)+/, '') })
  })
  return commands
}

/** Shell words, with single- and double-quoted words kept whole. */
function words (text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(m => m[1] ?? m[2] ?? m[3]!)
}

/** Parses argv with the real program; the action is replaced by a stop so nothing runs. */
async function parses (argv: string[]): Promise<string | null> {
  const program = buildProgram()
  const stop = new Error('parsed')
  program.exitOverride()
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} })
  for (const command of program.commands) {
    command.exitOverride()
    command.configureOutput({ writeOut: () => {}, writeErr: () => {} })
    command.action(() => { throw stop })
  }
  try {
    await program.parseAsync(['node', 'sluice', ...argv])
    return 'no subcommand ran'
  } catch (error) {
    if (error === stop) return null
    if (error instanceof CommanderError) return error.message
    throw error
  }
}

function run (file: string, args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise(done => {
    execFile(file, args, { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
  })
}

const commands = readmeCommands()
const sluiceCommands = commands.filter(c => c.text.startsWith('npx sluice '))
const npmCommands = commands.filter(c => c.text.startsWith('npm '))
const curlCommands = commands.filter(c => c.text.startsWith('curl '))

describe('README commands', () => {
  it('are all of a kind this test checks', () => {
    expect(sluiceCommands.length).toBeGreaterThan(10)
    const unchecked = commands.filter(c => !sluiceCommands.includes(c) && !npmCommands.includes(c) && !curlCommands.includes(c))
    expect(unchecked.map(c => `README.md:${c.line}: ${c.text}`)).toEqual([])
  })

  it.each(sluiceCommands.map(c => [`README.md:${c.line}: ${c.text}`, c] as const))('%s parses, and the files it names exist', async (_, command) => {
    const argv = words(command.text).slice(2)
    expect(await parses(argv)).toBeNull()
    for (const word of argv) {
      if (!/\.(ya?ml|properties|jsonl?)$/.test(word) || MADE_BY_RUNS.test(word)) continue
      expect(existsSync(resolve(ROOT, word)), `${word} is named by README.md:${command.line}`).toBe(true)
    }
  })

  it('bench commands load their workload and overrides (run with --dry-run)', async () => {
    const bench = sluiceCommands.filter(c => words(c.text)[2] === 'bench')
    expect(bench.length).toBeGreaterThan(3)
    const outcomes = await Promise.all(bench.map(c => run(process.execPath, [CLI, ...words(c.text).slice(2), '--dry-run'])))
    outcomes.forEach((outcome, i) => {
      expect(outcome.code, `README.md:${bench[i]!.line}: ${outcome.stderr}`).toBe(0)
      expect(outcome.stdout).toMatch(/^plan for /)
    })
  }, 120_000)

  it('npm commands name scripts that exist', () => {
    const scripts = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    for (const command of npmCommands) {
      const [, verb, name] = words(command.text)
      if (verb === 'ci' || verb === 'install') continue
      const script = verb === 'run' ? name! : verb!
      expect(scripts[script], `README.md:${command.line}: npm ${verb} ${name ?? ''}`).toBeDefined()
    }
  })
})

describe('README HTTP API commands, against a real broker', () => {
  let broker: BrokerProcess

  beforeAll(async () => { broker = await startBrokerProcess() })
  afterAll(async () => { await broker?.stop() })

  it('each answers without a server error, in README order', async () => {
    expect(curlCommands.length).toBeGreaterThan(3)
    const address = broker.httpUrl!.replace('http://', '')
    for (const command of curlCommands) {
      const args = words(command.text).slice(1).map(word => word.replace('localhost:8082', address))
      const outcome = await run('curl', [...args, '-o', '/dev/null', '-w', '%{http_code}'])
      expect(outcome.code, `README.md:${command.line}`).toBe(0)
      const status = Number(outcome.stdout.slice(-3))
      expect(status, `README.md:${command.line}: ${command.text}`).toBeGreaterThanOrEqual(200)
      expect(status, `README.md:${command.line}: ${command.text}`).toBeLessThan(500)
    }
  })
})
