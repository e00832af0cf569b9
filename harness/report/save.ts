// Writes a run's files into its directory: result.json, report.md and report.html, each
// atomically. The runner calls this at the end of a run and may call it at any moment
// before (say every few seconds, or when a broker dies) with a partial result: the reports
// are rebuilt from the result each time, so they never disagree with it.

import type { FaultBand } from '../results/result.ts'
import { resultToHtml } from './html.ts'
import { resultToMarkdown } from './markdown.ts'
import { resultToJson } from '../results/result.ts'
import type { BenchResult } from '../results/result.ts'
import type { RunDir } from '../results/run-dir.ts'

export interface SavedFiles {
  resultJson: string
  reportMarkdown: string
  reportHtml: string
}

export async function saveRunFiles (dir: RunDir, result: BenchResult, options: { bands?: readonly FaultBand[] } = {}): Promise<SavedFiles> {
  // result.json first: if the reports fail to render, the data is still on disk.
  const resultJson = await dir.write('result.json', resultToJson(result))
  const reportMarkdown = await dir.write('report.md', resultToMarkdown(result))
  const reportHtml = await dir.write('report.html', resultToHtml(result, options))
  return { resultJson, reportMarkdown, reportHtml }
}
