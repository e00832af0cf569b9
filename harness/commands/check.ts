// `sluice check <history.jsonl>`: re-check a saved chaos history offline. Exit 0 when
// valid, 1 when anomalies were found, 2 when the verdict is unknown or the file is bad.

import type { Command } from 'commander'
import { checkHistoryFile } from '../check/checker.ts'
import { formatVerdict } from '../check/format-verdict.ts'

export function registerCheck (program: Command): void {
  program.command('check')
    .description('check a saved history.jsonl for lost, duplicated, reordered and wrongly committed messages')
    .argument('<history>', 'path to a history.jsonl written by `sluice chaos`')
    .option('--json', 'print the verdict as JSON')
    .action(async (path: string, flags: { json?: boolean }) => {
      const verdict = await checkHistoryFile(path)
      process.stdout.write(flags.json === true ? JSON.stringify(verdict, null, 2) + '\n' : formatVerdict(verdict) + '\n')
      process.exitCode = verdict.valid === true ? 0 : verdict.valid === false ? 1 : 2
    })
}
