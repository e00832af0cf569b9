// A broker's membership in the cluster (Kafka's BrokerLifecycleManager): register with the
// active controller, heartbeat every broker.heartbeat.interval.ms with how far the metadata
// log has been replayed, re-register when the controller forgot this incarnation, and on
// shutdown ask for a controlled shutdown and wait until the controller has moved every
// leadership away (or a deadline passes) before the process exits.

import { ErrorCode } from '../../protocol/errors.ts'
import { BrokerRegistration, type RegistrationListener } from '../../protocol/62-broker-registration.ts'
import { BrokerHeartbeat, type BrokerHeartbeatResponse } from '../../protocol/63-broker-heartbeat.ts'
import { randomUuid } from '../../protocol/uuid.ts'
import type { ControllerChannel } from './controller-channel.ts'

export interface LifecycleOptions {
  brokerId: number
  clusterId: string
  listeners: RegistrationListener[]
  heartbeatIntervalMs: number
  /** The offset of the last metadata record this broker replayed. */
  metadataOffset: () => number
  log: (line: string) => void
}

const isNotController = (r: { errorCode: number }): boolean => r.errorCode === ErrorCode.NOT_CONTROLLER
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms).unref())

export class BrokerLifecycle {
  readonly #opts: LifecycleOptions
  readonly #channel: ControllerChannel
  readonly incarnationId = randomUuid()
  #brokerEpoch = -1
  #fenced = true
  #stopping = false
  #wantShutDown = false
  #loop: Promise<void> | null = null
  #wake: (() => void) | null = null

  constructor (opts: LifecycleOptions, channel: ControllerChannel) {
    this.#opts = opts
    this.#channel = channel
  }

  get brokerEpoch (): number { return this.#brokerEpoch }
  get fenced (): boolean { return this.#fenced }

  start (): void {
    this.#loop ??= this.#run()
  }

  /**
   * Controlled shutdown: heartbeats with want_shut_down until the controller says
   * should_shut_down (its leaderships have moved), at most `timeoutMs`.
   */
  async shutDown (timeoutMs: number): Promise<boolean> {
    if (this.#brokerEpoch < 0) return true
    this.#wantShutDown = true
    const deadlineMs = Date.now() + timeoutMs
    while (Date.now() < deadlineMs) {
      const response = await this.#heartbeat(Math.max(1, deadlineMs - Date.now())).catch(() => null)
      if (response?.shouldShutDown === true) return true
      await sleep(Math.min(100, this.#opts.heartbeatIntervalMs))
    }
    return false
  }

  stop (): void {
    this.#stopping = true
    this.#wake?.()
  }

  async #run (): Promise<void> {
    while (!this.#stopping) {
      if (this.#wantShutDown) {
        await sleep(this.#opts.heartbeatIntervalMs)
        continue
      }
      try {
        if (this.#brokerEpoch < 0) await this.#register()
        else await this.#beat()
      } catch (err) {
        this.#opts.log(`broker ${this.#opts.brokerId}: ${(err as Error).message}`)
      }
      await new Promise<void>(resolve => {
        this.#wake = resolve
        setTimeout(resolve, this.#brokerEpoch < 0 ? 200 : this.#opts.heartbeatIntervalMs).unref()
      })
    }
  }

  async #register (): Promise<void> {
    const o = this.#opts
    const response = await this.#channel.send(BrokerRegistration, {
      brokerId: o.brokerId, clusterId: o.clusterId, incarnationId: this.incarnationId, listeners: o.listeners,
      features: [{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }],
      rack: null, isMigratingZkBroker: false, logDirs: [], previousBrokerEpoch: -1,
    }, isNotController, 10_000)
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`registration refused with error ${response.errorCode}`)
    this.#brokerEpoch = response.brokerEpoch
    o.log(`broker ${o.brokerId}: registered with epoch ${response.brokerEpoch}`)
  }

  async #beat (): Promise<void> {
    const response = await this.#heartbeat(this.#opts.heartbeatIntervalMs * 2)
    if (response.errorCode === ErrorCode.STALE_BROKER_EPOCH || response.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) {
      this.#opts.log(`broker ${this.#opts.brokerId}: the controller does not know epoch ${this.#brokerEpoch} (error ${response.errorCode}); registering again`)
      this.#brokerEpoch = -1
      return
    }
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`heartbeat failed with error ${response.errorCode}`)
    if (response.isFenced !== this.#fenced) this.#opts.log(`broker ${this.#opts.brokerId}: ${response.isFenced ? 'fenced' : 'unfenced'}`)
    this.#fenced = response.isFenced
  }

  #heartbeat (timeoutMs: number): Promise<BrokerHeartbeatResponse> {
    return this.#channel.send(BrokerHeartbeat, {
      brokerId: this.#opts.brokerId, brokerEpoch: this.#brokerEpoch, currentMetadataOffset: this.#opts.metadataOffset(),
      wantFence: false, wantShutDown: this.#wantShutDown, offlineLogDirs: [],
    }, isNotController, timeoutMs)
  }
}
