// Saves a chaos run's result.json and the two reports rendered from it. Kept apart from
// result.ts so the result type does not import its own renderers (they import the type).

import type { RunDir } from '../results/run-dir.ts'
import { chaosResultToHtml } from './report-html.ts'
import { chaosResultToMarkdown } from './report-markdown.ts'
import type { ChaosResult } from './result.ts'

/** Writes result.json, report.md and report.html (each atomically); result.json first. */
export async function saveChaosResult (dir: RunDir, result: ChaosResult): Promise<void> {
  await dir.write('result.json', `${JSON.stringify(result, null, 2)}\n`)
  await dir.write('report.md', chaosResultToMarkdown(result))
  await dir.write('report.html', chaosResultToHtml(result))
}
