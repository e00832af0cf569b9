// Debug-only broker config keys that re-create the historical replication bugs of
// replication.md ("Historical bugs"), so chaos runs on real broker processes can show the
// checkers catch each one. All default to false; with every key at its default the broker
// runs the safe rules. A broker started with any of them on says so loudly at start.
// The cluster layer and the request handlers read the booleans from here (one place, so both
// sides of one bug agree and neither layer imports the other).

import type { BrokerConfig } from './config.ts'

/** The switches, each named as the state machines' debug fields are (broker/cluster/replica/debug-faults.ts). */
export interface ReplicationDebug {
  /** Bug 1: a follower cuts its log back to its HW on following a new leader (pre-KIP-101). */
  truncateToHighWatermarkOnFollow: boolean
  /** Bug 2: a leader shrinks the ISR locally without waiting for the controller (pre-KIP-497). */
  shrinkIsrWithoutController: boolean
  /** Bug 3: min.insync.replicas is ignored for acks=all. */
  ignoreMinIsr: boolean
  /** Bug 4: a leader serves follower fetches whatever current_leader_epoch they carry (pre-KIP-320). */
  skipFetchEpochCheck: boolean
  /** Bug 5: consumers are served up to the leader's log end instead of the high watermark. */
  consumerReadsLogEnd: boolean
}

/** Config key of each switch. */
export const REPLICATION_DEBUG_KEYS: Readonly<Record<keyof ReplicationDebug, string>> = {
  truncateToHighWatermarkOnFollow: 'sluice.debug.replication.truncate.to.hw.on.follow',
  shrinkIsrWithoutController: 'sluice.debug.replication.shrink.isr.without.controller',
  ignoreMinIsr: 'sluice.debug.replication.ignore.min.isr',
  skipFetchEpochCheck: 'sluice.debug.replication.skip.fetch.epoch.check',
  consumerReadsLogEnd: 'sluice.debug.replication.consumer.reads.log.end',
}

export function replicationDebugFrom (config: Pick<BrokerConfig, 'bool'>): ReplicationDebug {
  const on = (field: keyof ReplicationDebug): boolean => config.bool(REPLICATION_DEBUG_KEYS[field])
  return {
    truncateToHighWatermarkOnFollow: on('truncateToHighWatermarkOnFollow'),
    shrinkIsrWithoutController: on('shrinkIsrWithoutController'),
    ignoreMinIsr: on('ignoreMinIsr'),
    skipFetchEpochCheck: on('skipFetchEpochCheck'),
    consumerReadsLogEnd: on('consumerReadsLogEnd'),
  }
}

/** The keys that are on, for the start-up warning; empty when the broker runs the safe rules. */
export function replicationDebugKeysOn (debug: ReplicationDebug): string[] {
  return (Object.keys(REPLICATION_DEBUG_KEYS) as Array<keyof ReplicationDebug>).filter(f => debug[f]).map(f => REPLICATION_DEBUG_KEYS[f])
}
