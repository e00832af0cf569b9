// report.md of a chaos run, rendered from result.json: the verdict first (what a CI job
// summary needs), then each anomaly with the evidence of its first cases (ops to open in
// history.jsonl), the white-box checks' statuses, the faults the nemesis injected, and the settings to replay the run.

import { ANOMALY_NAMES } from '../../chaos/check/anomaly.ts'
import type { Verdict } from '../../chaos/check/checker.ts'
import { formatCase, formatVerdict } from '../../chaos/check/format-verdict.ts'
import type { ChaosResult } from './result.ts'
import { whiteboxMarkdown } from './report-whitebox.ts'
import { formatDetection } from './detection.ts'

/** Cases shown per anomaly in the report (result.json keeps more, history.jsonl all). */
export const REPORT_CASES_SHOWN = 5

export function outcomeLabel (result: ChaosResult): string {
  if (result.exitCode === 130) return result.verdict?.valid === false ? 'PARTIAL (interrupted; anomalies found so far)' : 'PARTIAL (interrupted)'
  if (result.exitCode === 2) return result.verdict?.valid === true ? 'FAILED RUN (history valid so far)' : 'FAILED RUN'
  return result.exitCode === 0 ? 'VALID' : 'INVALID'
}

function cell (text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function anomalySection (result: ChaosResult): string[] {
  const verdict = result.verdict
  if (verdict === null) return ['No verdict: the history could not be checked.', '']
  const found = ANOMALY_NAMES.filter(name => verdict.anomalies[name] !== undefined)
  if (found.length === 0) return ['No anomalies found.', '']
  const lines = ['| anomaly | cases | evidence (first cases) |', '|---|---:|---|']
  for (const name of found) {
    const cases = verdict.anomalies[name]!
    const evidence = cases.slice(0, REPORT_CASES_SHOWN).map(c => `\`${cell(formatCase(c))}\``).join('<br>')
    lines.push(`| ${name} | ${verdict.anomalyCounts[name] ?? cases.length} | ${evidence} |`)
  }
  lines.push('', 'Op numbers are `index` values in history.jsonl.', '')
  return lines
}

/** One line: how long after the fault's start the anomaly showed (history clock). */
export function detectionLine (result: ChaosResult): string | null {
  if (result.verdict?.valid !== false || result.detection === undefined) return null
  if (result.detection === null) return 'Detection: not timed (no case cites an op of the history; white-box anomalies cite none).'
  return `Detection: ${formatDetection(result.detection)}.`
}

function faultSection (result: ChaosResult): string[] {
  const bands = result.nemesis.bands
  const lines = [`${result.nemesis.plannedFaults} fault(s) planned; ${bands.length} started.`, '']
  if (bands.length > 0) {
    lines.push('| fault | from (s) | to (s) |', '|---|---:|---:|')
    for (const band of bands) lines.push(`| ${cell(band.label)} | ${band.startSec.toFixed(1)} | ${band.endSec.toFixed(1)} |`)
    lines.push('')
  }
  for (const error of result.nemesis.errors) lines.push(`- nemesis error: ${cell(error)}`)
  if (result.nemesis.errors.length > 0) lines.push('')
  return lines
}

function settingsSection (result: ChaosResult): string[] {
  const s = result.settings
  const p = s.producer
  const brokerConfig = Object.entries(s.brokerConfig).map(([k, v]) => `${k}=${String(v)}`).join(', ') || 'defaults'
  const lines = [
    `- brokers: ${s.brokers}; partitions per topic: ${s.partitionsPerTopic}; broker config: ${brokerConfig}`,
    `- producer: acks=${p.acks === -1 ? 'all' : p.acks}, idempotent ${p.idempotent ? 'yes' : 'no'}, retries ${p.retries}`,
    `- chaos: ${JSON.stringify(s.chaos)}`,
    `- run: ${s.warmupSeconds} s warm-up + ${s.durationSeconds} s; mode ${result.mode}`,
  ]
  if (result.transform !== null) {
    const t = result.transform
    lines.push(`- transform: ${t.processors} processor(s), ${t.commitMode}, ${t.crashes} crash(es), drained ${t.drained ? 'yes' : 'NO'}`)
    for (const death of t.deaths) lines.push(`  - processor died: ${cell(death)}`)
  }
  if (result.cluster !== null) lines.push(`- cluster: ${result.cluster.description}`)
  if (result.toxiproxy !== null) lines.push(`- toxiproxy: ${result.toxiproxy.url} (${result.toxiproxy.embedded ? 'embedded' : 'external'})`)
  return lines
}

export function chaosResultToMarkdown (result: ChaosResult): string {
  const lines = [
    `# Sluice chaos run: ${result.workload} — ${outcomeLabel(result)}`,
    '',
    `Run \`${result.runId}\`, ${result.startTime} to ${result.endTime}. Seed ${result.seed} ` +
      `(replay the op sequence with \`sluice chaos ${result.workloadFile} --seed ${result.seed}\`); nemesis seed ${result.nemesisSeed}.`,
    '',
  ]
  if (result.failure !== null) lines.push(`**The run itself failed:** ${result.failure}`, '')
  lines.push('## Verdict', '', '```', result.verdict === null ? 'none' : formatVerdict(result.verdict as Verdict), '```', '')
  lines.push('## Anomalies', '', ...anomalySection(result))
  const detection = detectionLine(result)
  if (detection !== null) lines.push(detection, '')
  lines.push('## White-box checks', '', ...whiteboxMarkdown(result))
  lines.push('## Faults', '', ...faultSection(result))
  if (result.finalPolls !== null) {
    const f = result.finalPolls
    lines.push('## Final polls', '', `${f.polls} poll(s); ${f.complete.length} partition(s) read to the end` +
      (f.incomplete.length === 0 ? '.' : `; not finished: ${f.incomplete.map(i => `${i.partition} (${i.reason})`).join(', ')}.`), '')
  }
  const reasons = Object.entries(result.outcomeReasons)
  if (reasons.length > 0) {
    lines.push('## Client outcomes other than ok', '', '| op, outcome: reason | count |', '|---|---:|')
    for (const [reason, count] of reasons) lines.push(`| ${cell(reason)} | ${count} |`)
    lines.push('')
  }
  lines.push('## Settings', '', ...settingsSection(result), '')
  return lines.join('\n')
}
