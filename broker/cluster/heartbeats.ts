// The active controller's soft state about brokers: when each was last heard from and how
// far it has replayed the metadata log. None of this is in the log (Kafka's
// BrokerHeartbeatManager keeps it in memory too); a newly active controller starts every
// registered broker's session afresh, so a failover never fences a broker by itself.

import type { MetadataImage } from './image.ts'

interface Contact {
  lastContactMs: number
  metadataOffset: number
}

export class BrokerHeartbeats {
  readonly #contacts = new Map<number, Contact>()
  /** Offset of each broker's committed RegisterBrokerRecord; a broker is caught up past it. */
  readonly #registrationOffsets = new Map<number, number>()
  readonly #controlledShutdownOffsets = new Map<number, number>()

  touch (brokerId: number, nowMs: number, metadataOffset: number): void {
    this.#contacts.set(brokerId, { lastContactMs: nowMs, metadataOffset })
  }

  /** Everyone registered counts as just heard from (on becoming the active controller). */
  resetAll (image: MetadataImage, nowMs: number): void {
    this.#contacts.clear()
    for (const id of image.brokers.keys()) this.touch(id, nowMs, -1)
  }

  recordRegistrationOffset (brokerId: number, offset: number): void {
    this.#registrationOffsets.set(brokerId, offset)
    this.#controlledShutdownOffsets.delete(brokerId)
  }

  /** Undefined until the registration is committed: the broker cannot heartbeat yet. */
  registrationOffset (brokerId: number): number | undefined {
    return this.#registrationOffsets.get(brokerId)
  }

  /** Offset of the committed record that put the broker in controlled shutdown. */
  recordControlledShutdownOffset (brokerId: number, offset: number): void {
    this.#controlledShutdownOffsets.set(brokerId, offset)
  }

  controlledShutdownOffset (brokerId: number): number | undefined {
    return this.#controlledShutdownOffsets.get(brokerId)
  }

  /**
   * The lowest metadata offset replayed by any active broker: once a controlled shutdown
   * record is below it, every active broker knows the leaders moved (Kafka's rule).
   */
  lowestActiveOffset (image: MetadataImage): number {
    let lowest = Number.MAX_SAFE_INTEGER
    for (const b of image.brokers.values()) {
      if (b.fenced || b.inControlledShutdown) continue
      lowest = Math.min(lowest, this.#contacts.get(b.id)?.metadataOffset ?? -1)
    }
    return lowest
  }

  hasValidSession (brokerId: number, nowMs: number, sessionTimeoutMs: number): boolean {
    const contact = this.#contacts.get(brokerId)
    return contact !== undefined && nowMs - contact.lastContactMs <= sessionTimeoutMs
  }

  /** When the first unfenced broker's session runs out if it stays silent. */
  nextExpiryMs (image: MetadataImage, sessionTimeoutMs: number): number {
    let next = Number.POSITIVE_INFINITY
    for (const broker of image.brokers.values()) {
      const contact = this.#contacts.get(broker.id)
      if (!broker.fenced && contact !== undefined) next = Math.min(next, contact.lastContactMs + sessionTimeoutMs + 1)
    }
    return next
  }

  /** Unfenced brokers whose session has expired, by id. */
  expired (image: MetadataImage, nowMs: number, sessionTimeoutMs: number): number[] {
    const out: number[] = []
    for (const broker of image.brokers.values()) {
      if (!broker.fenced && !this.hasValidSession(broker.id, nowMs, sessionTimeoutMs)) out.push(broker.id)
    }
    return out.sort((a, b) => a - b)
  }
}
