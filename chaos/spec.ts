// The chaos vocabulary the nemeses and chaos workers share with the workload schema: fault
// names, proxy streams, nemesis schedule entries, transform commit modes. It lives here, below
// the harness, so chaos never imports the harness; harness/workload re-exports it.
// Fault names match the nemesis table in design/checker.md.

export const FAULTS = ['kill', 'pause', 'restart', 'delay', 'bandwidth', 'blackhole', 'reset', 'proxy-down', 'partition', 'split', 'lose-unfsynced-writes', 'disk-stall'] as const
export type Fault = typeof FAULTS[number]

export const COMMIT_MODES = ['after-produce', 'auto-commit'] as const
export type CommitMode = typeof COMMIT_MODES[number]

export type ProxyStream = 'upstream' | 'downstream' | 'both'

/**
 * The shape of a `split` (a network partition between brokers): `isolate` cuts the targets
 * off from the rest; `halves` a random minority from the majority; `bridge` two halves that
 * one node still joins (Jepsen's bridge); `ring` gives every node its own majority, no two
 * the same (Jepsen's majorities ring).
 */
export const SPLIT_TOPOLOGIES = ['isolate', 'halves', 'bridge', 'ring'] as const
export type SplitTopology = typeof SPLIT_TOPOLOGIES[number]
/** `isolate` only: `in` drops what the rest sends the targets, `out` what the targets send the rest. */
export const SPLIT_DIRECTIONS = ['both', 'in', 'out'] as const
export type SplitDirection = typeof SPLIT_DIRECTIONS[number]
/** Whether clients still reach the cut-off nodes (`reach`) or lose them too (`cut`). */
export const SPLIT_CLIENTS = ['reach', 'cut'] as const
export type SplitClients = typeof SPLIT_CLIENTS[number]
/** Which broker-to-broker listeners a split cuts: replication fetches, controller (quorum and metadata) traffic, or both. */
export const SPLIT_LINKS = ['both', 'replication', 'controller'] as const
export type SplitLinks = typeof SPLIT_LINKS[number]

/**
 * 'random', 'all', 'leader' (of partition 0 of the first topic, when the fault starts),
 * 'follower' (an in-sync follower of that partition, when the fault starts), 'controller'
 * (the active controller, when the fault starts), 'minority' / 'majority' (a random set of
 * floor((n-1)/2) / floor(n/2)+1 brokers), or explicit names like ['broker-0'].
 */
export type NemesisTargets = 'random' | 'all' | 'leader' | 'follower' | 'controller' | 'minority' | 'majority' | readonly string[]

export interface NemesisEntry {
  readonly fault: Fault
  readonly targets: NemesisTargets
  readonly startSeconds: number
  readonly intervalSeconds: number
  readonly durationSeconds: number
  /** Fault-specific; null where the fault does not take the parameter. */
  readonly latencyMs: number | null
  readonly jitterMs: number | null
  readonly rateKBps: number | null
  readonly resetAfterMs: number | null
  readonly stream: ProxyStream | null
  /** split only. */
  readonly topology: SplitTopology | null
  readonly direction: SplitDirection | null
  readonly clients: SplitClients | null
  readonly links: SplitLinks | null
  /** isolate only: the brokers the targets are cut from (broker names); null: every other broker. */
  readonly peers: readonly string[] | null
}

export interface NemesisSpec {
  readonly schedule: readonly NemesisEntry[]
  /** null: the runner draws a seed and records it with the result. */
  readonly seed: number | null
  readonly quietEndSeconds: number
}
