// result.json of a chaos run: the verdict with its evidence, what the nemesis did, how the
// final polls went, the per-second series the reports chart, and everything needed to
// replay the run (seeds, workload settings, environment). report.md and report.html are
// rendered from this object only (save.ts), so they never disagree with it.

import type { AnomalyName, Case } from '../../chaos/check/anomaly.ts'
import type { Verdict } from '../../chaos/check/checker.ts'
import type { ClusterInfo } from '../cluster/cluster.ts'
import type { Environment } from '../results/environment.ts'
import type { Workload } from '../workload/types.ts'
import type { FinalPollResult } from '../../chaos/run/final-polls.ts'
import type { FaultBand, SecondSample } from '../../chaos/run/timeline.ts'
import type { WhiteboxResult } from './whitebox-judge.ts'
import type { Detection } from './detection.ts'

export const CHAOS_RESULT_FORMAT = 'sluice-chaos-result'
export const CHAOS_RESULT_FORMAT_VERSION = 1
/** Cases kept per anomaly in result.json (the counts stay exact; history.jsonl has the rest). */
export const RESULT_CASES_MAX = 50

/** 0 valid, 1 anomalies found, 2 the run failed or the verdict is unknown, 130 interrupted (SIGINT). */
export type ChaosExitCode = 0 | 1 | 2 | 130
/** complete: ran to the end; partial: interrupted, verdict so far; failed: the run itself failed. */
export type ChaosStatus = 'complete' | 'partial' | 'failed'

export interface ChaosResult {
  format: typeof CHAOS_RESULT_FORMAT
  formatVersion: typeof CHAOS_RESULT_FORMAT_VERSION
  runId: string
  workload: string
  workloadFile: string
  startTime: string
  endTime: string
  /** The generator's seed (`--seed` replays the op sequences). */
  seed: number
  nemesisSeed: number
  /** 0 valid, 1 anomalies found, 2 the run itself failed or the verdict is unknown, 130 interrupted. */
  exitCode: ChaosExitCode
  status: ChaosStatus
  /** Why the run failed (exit code 2), else null. */
  failure: string | null
  verdict: {
    valid: Verdict['valid']
    anomalyCounts: Verdict['anomalyCounts']
    anomalies: Partial<Record<AnomalyName, Case[]>>
    errors: Verdict['errors']
    unchecked: string[]
    unknownReasons: string[]
    checkers: string[]
    stats: Verdict['stats']
    plots?: Verdict['plots']
  } | null
  mode: 'register' | 'transform'
  transform: { commitMode: string, processors: number, crashes: number, deaths: string[], drained: boolean } | null
  nemesis: { plannedFaults: number, bands: FaultBand[], errors: string[] }
  finalPolls: FinalPollResult | null
  /**
   * The white-box checks on the reference broker's own state (whitebox-judge.ts): each
   * check's status (ok, failed, incomplete, skipped) with why, the anomalies (also in
   * `verdict`), and each partition's leader and ISR size over time. Always written by
   * `sluice chaos`; absent only in results from before these checks existed.
   */
  whitebox?: WhiteboxResult
  /**
   * Time from fault to detection (detection.ts): the fault behind the first anomalous op and
   * how long after its start that op and the first complete evidence came. Null when the run
   * is not invalid or only white-box anomalies (which cite no ops) were found; absent in
   * results from before it existed.
   */
  detection?: Detection | null
  /** Client ops that did not end ok, by "f type: reason" (e.g. "send info: KafkaJSConnectionError"). */
  outcomeReasons: Record<string, number>
  opsWritten: number
  cluster: ClusterInfo | null
  toxiproxy: { url: string, embedded: boolean } | null
  environment: Environment
  settings: {
    brokers: number
    partitionsPerTopic: number
    durationSeconds: number
    warmupSeconds: number
    brokerConfig: Workload['brokerConfig']
    producer: Workload['producer']
    consumer: Workload['consumer']
    chaos: Workload['chaos']
    nemesis: Workload['nemesis']
  }
  series: SecondSample[]
}

export function verdictForResult (verdict: Verdict): NonNullable<ChaosResult['verdict']> {
  const anomalies: Partial<Record<AnomalyName, Case[]>> = {}
  for (const [name, cases] of Object.entries(verdict.anomalies) as Array<[AnomalyName, Case[]]>) anomalies[name] = cases.slice(0, RESULT_CASES_MAX)
  return {
    valid: verdict.valid, anomalyCounts: verdict.anomalyCounts, anomalies, errors: verdict.errors, unchecked: verdict.unchecked,
    unknownReasons: verdict.unknownReasons, checkers: verdict.checkers, stats: verdict.stats,
    ...(verdict.plots === undefined ? {} : { plots: verdict.plots }),
  }
}

export function workloadSettings (workload: Workload): ChaosResult['settings'] {
  return {
    brokers: workload.brokers,
    partitionsPerTopic: workload.partitionsPerTopic,
    durationSeconds: workload.durationSeconds,
    warmupSeconds: workload.warmupSeconds,
    brokerConfig: workload.brokerConfig,
    producer: workload.producer,
    consumer: workload.consumer,
    chaos: workload.chaos,
    nemesis: workload.nemesis,
  }
}
