// What every report shows, computed once from a result so report.md, report.html and the
// terminal summary say the same thing: throughput rows, latency rows, errors, run facts.

import { formatValue } from '../compare/format.ts'
import type { LatencyKind } from '../measure/worker-stats.ts'
import type { BenchResult } from '../results/result.ts'

export interface ThroughputRow {
  label: string
  /** Null when not measured (consume, in a run without consumers). */
  msgPerSec: number | null
  miBPerSec: number | null
  messages: number | null
}

export interface LatencyRow {
  kind: LatencyKind
  label: string
  /** What is subtracted from what, for a reader who wonders which latency this is. */
  definition: string
  p50: number | null
  p99: number | null
  p999: number | null
  max: number | null
  count: number
}

/** The latencies a report lists, in order, with their names. */
export const LATENCY_ROWS: ReadonlyArray<{ kind: LatencyKind, label: string, definition: string }> = [
  { kind: 'publishLatencyUs', label: 'publish', definition: 'ack − actual send' },
  { kind: 'correctedPublishLatencyUs', label: 'publish from intended send', definition: 'ack − intended send (corrected for coordinated omission)' },
  { kind: 'endToEndLatencyUs', label: 'end-to-end', definition: 'consumer receive − producer timestamp' },
  { kind: 'publishDelayUs', label: 'publish delay', definition: 'actual send − intended send (producer behind schedule)' },
]

export const CORRECTED_LATENCY_NOTE = 'Publish latency from the intended send time counts the time a message waited ' +
  'because an earlier one was slow (the rate limiter\'s schedule, not the moment the client got round to sending), ' +
  'so stalls are charged to every message they delayed; it is the figure to quote.'

/** What reports say instead of consume and backlog figures when a run had no consumers. */
export const NO_CONSUMERS_NOTE = 'No consumers (subscriptionsPerTopic 0): consume rate, backlog and end-to-end latency are not measured.'

/** Whether the run had consumers; without, consume and backlog figures are absent. */
export function hasConsumers (result: BenchResult): boolean {
  return result.workloadConfig.subscriptionsPerTopic > 0
}

export function throughputRows (result: BenchResult): ThroughputRow[] {
  const s = result.summary
  const consumers = hasConsumers(result)
  return [
    { label: 'publish', msgPerSec: s.publishRateMsgPerSec, miBPerSec: s.publishRateMiBPerSec, messages: s.messagesProduced },
    { label: 'consume', msgPerSec: s.consumeRateMsgPerSec, miBPerSec: s.consumeRateMiBPerSec, messages: consumers ? s.messagesConsumed : null },
  ]
}

/** "at most N messages, M at the end", or null when no backlog was tracked (no consumers). */
export function backlogFigures (result: BenchResult): { max: string, end: string } | null {
  const s = result.summary
  if (!hasConsumers(result) || s.backlogMessagesMax === null || s.backlogMessagesEnd === null) return null
  return { max: formatCount(s.backlogMessagesMax), end: formatCount(s.backlogMessagesEnd) }
}

export function latencyRows (result: BenchResult): LatencyRow[] {
  const s = result.summary
  return LATENCY_ROWS.map(({ kind, label, definition }) => ({
    kind,
    label,
    definition,
    p50: s[`${kind}P50`],
    p99: s[`${kind}P99`],
    p999: s[`${kind}P999`],
    max: s[`${kind}Max`],
    count: s[`${kind}Count`] ?? 0,
  }))
}

export function errorRows (result: BenchResult): Array<{ code: string, count: number }> {
  return Object.entries(result.summary.errorsByCode)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
}

export const DASH = '–'

export function formatLatency (valueUs: number | null): string {
  return valueUs === null ? DASH : formatValue(valueUs, 'us')
}

export function formatRate (msgPerSec: number | null): string {
  return msgPerSec === null ? DASH : formatValue(msgPerSec, 'msg/s')
}

export function formatMiB (miBPerSec: number | null): string {
  return miBPerSec === null ? DASH : formatValue(miBPerSec, 'MiB/s')
}

export function formatCount (count: number | null): string {
  return count === null ? DASH : Math.round(count).toLocaleString('en-US')
}

export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let index = 0
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024
    index++
  }
  return `${index === 0 ? value : +value.toPrecision(3)} ${units[index]}`
}

export function formatSeconds (seconds: number): string {
  if (seconds < 120) return `${+seconds.toFixed(1)} s`
  const minutes = Math.floor(seconds / 60)
  const rest = Math.round(seconds - minutes * 60)
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`
}

/**
 * When the max-rate search's answer did not hold over the measured phase, the sentence a
 * report puts first: the figures that follow are for a rate the system could not sustain.
 */
export function unsustainedRateWarning (result: BenchResult): string | null {
  const check = result.maxRateSearch?.measuredPhase ?? null
  if (check === null || check.sustained) return null
  return `The rate the max-rate search found (${formatCount(check.ratePerSec)} msg/s) was not sustained over the measured phase: ` +
    `${check.problems.join('; ')}. The sustainable rate is lower; the figures below are for a rate this system could not keep up. ` +
    `Longer maxRate.stepSeconds (now ${result.workloadConfig.maxRate.stepSeconds} s) make the search stricter.`
}

/**
 * The run's status as reports show it. A complete run whose max-rate answer did not hold is
 * not shown as a plain (green) "complete": its figures are for a rate the system could not keep.
 */
export function statusBadge (result: BenchResult): { kind: 'complete' | 'warning' | 'partial', text: string } {
  if (result.status === 'partial') return { kind: 'partial', text: 'partial' }
  if (unsustainedRateWarning(result) !== null) return { kind: 'warning', text: 'complete, rate not sustained' }
  return { kind: 'complete', text: 'complete' }
}

/** One line saying what ran: workload shape, driver, rate and durations. */
export function runDescription (result: BenchResult): string {
  const w = result.workloadConfig
  const s = result.summary
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  const rate = s.targetRateMsgPerSec === null
    ? 'rate unknown'
    : s.targetRateMsgPerSec === 0 ? 'unlimited rate' : `target ${formatCount(s.targetRateMsgPerSec)} msg/s`
  const consumers = w.subscriptionsPerTopic === 0
    ? 'no consumers'
    : `${plural(w.subscriptionsPerTopic, 'subscription')} × ${plural(w.consumerPerSubscription, 'consumer')}`
  return [
    `${plural(w.topics, 'topic')} × ${plural(w.partitionsPerTopic, 'partition')}`,
    `${formatBytes(w.messageSize)} messages`,
    `${plural(w.producersPerTopic, 'producer')} per topic, ${consumers}`,
    rate,
    `${result.driverConfig.name} driver`,
    `${formatSeconds(s.durationSec)} measured after ${formatSeconds(s.warmupSec)} warm-up`,
  ].join(' · ')
}

export function environmentRows (result: BenchResult): Array<[string, string]> {
  const e = result.environment
  const commit = e.gitCommit === null ? 'unknown' : `${e.gitCommit.slice(0, 12)}${e.gitDirty === true ? ' (uncommitted changes)' : ''}`
  const rows: Array<[string, string]> = [
    ['commit', commit],
    ['Node', e.nodeVersion],
    ['CPU', `${e.cpuModel} × ${e.cpuCores} cores`],
    ['memory', formatBytes(e.totalMemoryBytes)],
    ['OS', `${e.os} (${e.arch})`],
    ['core sharing', e.coreSharing ?? 'not recorded'],
    ...Object.entries(e.brokerSoftware ?? {}),
  ]
  if (result.cluster !== null) rows.push(['cluster', result.cluster.description])
  for (const note of result.cluster?.notes ?? []) rows.push(['cluster note', note])
  rows.push(['started', result.startTime], ['ended', result.endTime], ['run id', result.runId])
  return rows
}

/** Settings that change the numbers: producer, replication, broker overrides, driver. */
export function configurationRows (result: BenchResult): Array<[string, string]> {
  const w = result.workloadConfig
  const p = w.producer
  const acks = p.acks === -1 ? 'all' : String(p.acks)
  const brokerConfig = Object.entries(w.brokerConfig).map(([key, value]) => `${key}=${String(value)}`).join(', ')
  return [
    ['producer', `acks=${acks}, linger ${p.lingerMs} ms, batch ${formatBytes(p.batchSizeBytes)}, compression ${p.compression}, idempotent ${p.idempotent ? 'yes' : 'no'}, max in flight ${p.maxInFlight}`],
    ['replication', `${w.brokers} broker${w.brokers === 1 ? '' : 's'}, replication factor ${w.replicationFactor}`],
    ['broker config', brokerConfig.length > 0 ? brokerConfig : 'defaults'],
    ['driver', result.driverConfig.name],
  ]
}

/** One driver setting: a value on one line, or a list (notes) one item per line. */
export interface DriverSetting {
  key: string
  value: string | null
  items: string[] | null
}

/** Bounds on what a report prints of the settings: they come from a result file. */
const SETTING_ITEMS_MAX = 20
const SETTING_VALUE_CHARS_MAX = 240
const SETTINGS_MAX = 40

function clip (text: string): string {
  return text.length > SETTING_VALUE_CHARS_MAX ? `${text.slice(0, SETTING_VALUE_CHARS_MAX - 1)}…` : text
}

function plainValue (value: unknown): string {
  if (value === null || value === undefined) return DASH
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value) ?? DASH
}

function moreNote (shown: number, total: number): string[] {
  return total > shown ? [`… ${formatCount(total - shown)} more`] : []
}

/**
 * The driver's settings as readable key: value pairs, in the order the runner wrote them
 * (notes first): objects as `name=value, ...` on one line ("none" when empty), lists of
 * scalars joined by commas, and `notes` (sentences) as a list. Everything is bounded, so a
 * huge or hostile result file cannot blow up a report.
 */
export function driverSettings (result: BenchResult): DriverSetting[] {
  const entries = Object.entries(result.driverConfig.settings)
  const out: DriverSetting[] = []
  for (const [key, value] of entries.slice(0, SETTINGS_MAX)) {
    if (key === 'notes' && Array.isArray(value)) {
      if (value.length === 0) continue
      const shown = value.slice(0, SETTING_ITEMS_MAX)
      out.push({ key, value: null, items: [...shown.map((note) => clip(plainValue(note))), ...moreNote(shown.length, value.length)] })
    } else if (Array.isArray(value)) {
      const shown = value.slice(0, SETTING_ITEMS_MAX).map(plainValue)
      out.push({ key, value: clip([...shown, ...moreNote(shown.length, value.length)].join(', ') || 'none'), items: null })
    } else if (value !== null && typeof value === 'object') {
      const pairs = Object.entries(value as Record<string, unknown>)
      const shown = pairs.slice(0, SETTING_ITEMS_MAX).map(([name, inner]) => `${name}=${plainValue(inner)}`)
      out.push({ key, value: clip([...shown, ...moreNote(shown.length, pairs.length)].join(', ') || 'none'), items: null })
    } else {
      out.push({ key, value: clip(plainValue(value)), items: null })
    }
  }
  if (entries.length > SETTINGS_MAX) out.push({ key: '…', value: `${formatCount(entries.length - SETTINGS_MAX)} more settings in result.json`, items: null })
  return out
}
