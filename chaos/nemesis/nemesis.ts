// What every nemesis shares: the target a fault hits (a broker and the proxy in front of its
// client listener), the handle of a fault in progress, and the typed error. One module per
// fault family implements `FaultStarter`: process.ts (kill, pause), network.ts (proxy
// toxics, proxy down), container.ts (partition, restart), disk.ts (lose un-fsynced writes). schedule.ts decides when.
//
// A fault never throws for a target that is already in the state it wants (killing a dead
// broker, resuming a running one): overlapping schedule entries may hit the same broker, and
// healing must always be safe to repeat.

import type { Proxy } from 'toxiproxy-node-client'
import type { Fault, NemesisEntry } from '../spec.ts'

export type { Fault, NemesisEntry }

/**
 * What a nemesis needs of a broker: the process controls a cluster backend offers. The
 * harness's BrokerHandle extends it; chaos states it here so it never imports the harness.
 */
export interface NemesisBroker {
  readonly dataDir: string | null
  alive (): boolean
  /** SIGKILL (or the backend's equivalent). */
  kill (): Promise<void>
  /** SIGSTOP / SIGCONT. */
  pause (): Promise<void>
  resume (): Promise<void>
  /** Start again after kill, on the same ports and data dir; waits until ready. */
  restart (): Promise<void>
  /** Clean stop; restart() starts it again. */
  stop? (): Promise<void>
  /** Stalls the broker's disk writes and fsyncs for `durationMs` (0 ends it); reference brokers only. */
  stallDisk? (durationMs: number): Promise<void>
  /** Takes the broker off its network; container backends only. */
  disconnect? (): Promise<void>
  connect? (): Promise<void>
}

export interface FaultTarget {
  /** "broker-N", as schedule targets name brokers. */
  readonly name: string
  readonly index: number
  readonly broker: NemesisBroker
  /** The Toxiproxy proxy in front of the broker's client listener; null without proxies. */
  readonly proxy: Proxy | null
}

export interface ActiveFault {
  /** What the fault did, for the history's nemesis op (files truncated, toxics added...). */
  readonly detail: Record<string, unknown>
  /** Ends the fault: restart, resume, remove toxics, re-enable the proxy. Safe to repeat. */
  heal (): Promise<void>
}

/** `seq` makes names (toxic names) unique when faults overlap on one target. */
export type FaultStarter = (target: FaultTarget, entry: NemesisEntry, seq: number) => Promise<ActiveFault>

export type NemesisErrorCode = 'ERR_NEMESIS_TARGET' | 'ERR_NEMESIS_FAULT' | 'ERR_NEMESIS_HEAL'

export class NemesisError extends Error {
  readonly code: NemesisErrorCode
  readonly retriable = false
  constructor (code: NemesisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NemesisError'
    this.code = code
  }
}

export function brokerName (index: number): string {
  return `broker-${index}`
}

/** The index in a "broker-N" name (workload validation has checked the form). */
export function brokerIndex (name: string): number {
  return Number(name.slice('broker-'.length))
}

/** Runs `action`, turning any failure into a NemesisError that names the fault and target. */
export async function faultStep<T> (code: NemesisErrorCode, what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if (error instanceof NemesisError) throw error
    throw new NemesisError(code, `${what}: ${(error as Error).message}`, { cause: error })
  }
}
