// `sluice list`: the workloads that ship with Sluice (with the first sentence of each file's
// header comment) and the faults a chaos workload's nemesis can inject.

import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { FAULT_DESCRIPTIONS, FAULTS } from '../workload/schema-chaos.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WORKLOADS_DIR = join(ROOT, 'workloads')
const SUMMARY_CHARS_MAX = 110

async function workloadFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files: string[] = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...await workloadFiles(path))
    else if (/\.ya?ml$/.test(entry.name)) files.push(path)
  }
  return files
}

/** The first sentence of the leading comment block, shortened to one line. */
export function headerSummary (text: string): string {
  const comment = text.split('\n').filter((line, i, lines) => lines.slice(0, i + 1).every(l => l.startsWith('#')))
    .map(line => line.replace(/^#\s?/, '')).join(' ')
  const sentence = /^(.*?[.!?])(\s|$)/.exec(comment)?.[1] ?? comment
  return sentence.length > SUMMARY_CHARS_MAX ? sentence.slice(0, SUMMARY_CHARS_MAX - 1) + '…' : sentence
}

export async function listing (): Promise<string> {
  const lines = ['Workloads (sluice bench <file>, chaos/ ones with sluice chaos <file>):']
  for (const file of await workloadFiles(WORKLOADS_DIR)) {
    const path = relative(ROOT, file)
    lines.push(`  ${path.padEnd(44)} ${headerSummary(await readFile(file, 'utf8'))}`)
  }
  lines.push('', 'Nemesis faults (nemesis.faults[].fault in a chaos workload):')
  for (const fault of FAULTS) lines.push(`  ${fault.padEnd(22)} ${FAULT_DESCRIPTIONS[fault]}`)
  return lines.join('\n') + '\n'
}

export function registerList (program: Command): void {
  program.command('list')
    .description('list the shipped workloads and the nemesis faults')
    .action(async () => { process.stdout.write(await listing()) })
}
