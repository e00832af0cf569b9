// The replication simulator's invariants (replication.md), checked after every step:
// - at most one leader per leader epoch, ever;
// - per replica incarnation, the HW and the leader epoch never go back;
// - any two live replicas are byte-identical (same offsets, epochs, values) below the
//   smaller of their HWs;
// - every ISR member the controller lists ends at or past the leader's HW;
// - no acknowledged acks=all write is missing from the current leader's log, and no record
//   a consumer read is missing or different there.
// Once a run goes beyond the guarantee (an unclean election, or lossy crashes of min ISR
// replicas: sim-cluster.ts voidReason), only the first two still apply: Kafka promises
// nothing more to a partition that lost committed data.
// A violation throws with a message naming the brokers, offsets and values.

import type { SimBroker } from './sim-broker.ts'
import type { SimCluster } from './sim-cluster.ts'

interface Seen { incarnation: number, hw: number, epoch: number }

export class ReplChecker {
  readonly #leaderOfEpoch = new Map<number, number>()
  readonly #seen = new Map<number, Seen>()
  /** What the last full scan of acknowledged and consumed records was made against. */
  #scannedKey = ''
  #ackedScanned = 0
  #consumedScanned = 0

  check (c: SimCluster): void {
    for (const b of c.brokers) {
      if (!b.up) continue
      this.#checkLeaderPerEpoch(b)
      this.#checkMonotonic(b, c.voidReason !== null)
    }
    if (c.voidReason !== null) return
    this.#checkAgreement(c)
    this.#checkDurability(c)
  }

  #checkLeaderPerEpoch (b: SimBroker): void {
    const lp = b.leader
    if (lp === null) return
    const other = this.#leaderOfEpoch.get(lp.leaderEpoch)
    if (other !== undefined && other !== b.id) throw new Error(`two leaders in leader epoch ${lp.leaderEpoch}: brokers ${other} and ${b.id}`)
    this.#leaderOfEpoch.set(lp.leaderEpoch, b.id)
  }

  #checkMonotonic (b: SimBroker, voided: boolean): void {
    if (b.role.kind === 'none') return
    const now: Seen = { incarnation: b.incarnation, hw: b.highWatermark, epoch: b.leaderEpoch }
    const last = this.#seen.get(b.id)
    if (last !== undefined && last.incarnation === now.incarnation) {
      if (now.epoch < last.epoch) throw new Error(`broker ${b.id}'s leader epoch went back from ${last.epoch} to ${now.epoch}`)
      if (now.hw < last.hw && !voided) throw new Error(`broker ${b.id}'s HW went back from ${last.hw} to ${now.hw}`)
    }
    this.#seen.set(b.id, now)
  }

  #checkAgreement (c: SimCluster): void {
    const live = c.brokers.filter(b => b.up)
    for (let i = 0; i < live.length; i++) {
      for (let j = i + 1; j < live.length; j++) {
        const a = live[i]!
        const b = live[j]!
        const upTo = Math.min(a.highWatermark, b.highWatermark)
        if (a.log.prefixHash(upTo) === b.log.prefixHash(upTo)) continue
        let o = 0
        while (o < upTo && a.log.entries[o]!.value === b.log.entries[o]!.value && a.log.entries[o]!.epoch === b.log.entries[o]!.epoch) o++
        const show = (x: SimBroker): string => `${x.log.entries[o]!.value}@epoch${x.log.entries[o]!.epoch}`
        throw new Error(`replicas ${a.id} and ${b.id} differ at offset ${o}, below both HWs (${a.highWatermark}, ${b.highWatermark}): ${show(a)} vs ${show(b)}`)
      }
    }
  }

  #checkDurability (c: SimCluster): void {
    const s = c.controller.state
    if (s.leader < 0) return
    const l = c.broker(s.leader)
    const lp = l.leader
    if (!l.up || lp === null || lp.leaderEpoch !== s.leaderEpoch) return // the leader has not taken office yet
    for (const id of s.isr) {
      const m = c.broker(id)
      if (m.up && !m.lostTail && m.log.logEndOffset < lp.highWatermark) throw new Error(`ISR member ${id} ends at ${m.log.logEndOffset}, below leader ${l.id}'s HW ${lp.highWatermark}`)
    }
    const key = `${l.id}/${l.incarnation}/${l.log.truncations}`
    if (key !== this.#scannedKey) {
      this.#scannedKey = key
      this.#ackedScanned = 0
      this.#consumedScanned = 0
    }
    for (; this.#ackedScanned < c.acked.length; this.#ackedScanned++) {
      const a = c.acked[this.#ackedScanned]!
      const have = l.log.entries[a.offset]?.value
      if (have !== a.value) throw new Error(`acknowledged acks=all write ${a.value} at offset ${a.offset} is not on leader ${l.id} (epoch ${lp.leaderEpoch}), which has ${have ?? 'nothing'} there`)
    }
    for (; this.#consumedScanned < c.consumedInOrder.length; this.#consumedScanned++) {
      const { offset, value } = c.consumedInOrder[this.#consumedScanned]!
      const have = l.log.entries[offset]?.value
      if (have !== value) throw new Error(`a consumer read ${value} at offset ${offset}, which vanished: leader ${l.id} (epoch ${lp.leaderEpoch}) has ${have ?? 'nothing'} there`)
    }
  }
}
