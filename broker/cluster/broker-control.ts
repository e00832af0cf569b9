// Broker membership (Kafka's ClusterControlManager and BrokerHeartbeatManager): brokers
// register, start fenced, are unfenced once they have replayed the metadata log past their
// own registration, are fenced again when they ask to be or stop heartbeating for
// broker.session.timeout.ms, and shut down in a controlled way: leaderships move away
// first, and only then is the broker told it may exit.

import { ErrorCode } from '../protocol/errors.ts'
import type { ControllerContext } from './context.ts'
import { electOfflinePartitions, hasLeaderships, removeBrokerFromPartitions } from './partition-control.ts'
import type {
  BrokerHeartbeatReply, BrokerHeartbeatRequest, BrokerRegistrationReply, BrokerRegistrationRequest, ControllerResult,
} from './requests.ts'

type BrokerControlState = 'fenced' | 'unfenced' | 'controlledShutdown' | 'shutdownNow'

/** Epochs only grow: one more than any epoch ever handed out (brokers are never unregistered). */
function nextBrokerEpoch (ctx: ControllerContext): number {
  let max = 0
  for (const b of ctx.batch.image.brokers.values()) max = Math.max(max, b.epoch)
  return max + 1
}

/** Moves the broker's leaderships and ISR places away, then fences it. */
export function fenceBroker (ctx: ControllerContext, brokerId: number): void {
  const broker = ctx.batch.image.brokers.get(brokerId)!
  removeBrokerFromPartitions(ctx, brokerId)
  if (!broker.fenced) ctx.batch.add({ type: 'fenceBroker', brokerId, brokerEpoch: broker.epoch })
}

function unfenceBroker (ctx: ControllerContext, brokerId: number): void {
  const broker = ctx.batch.image.brokers.get(brokerId)!
  ctx.batch.add({ type: 'unfenceBroker', brokerId, brokerEpoch: broker.epoch })
  electOfflinePartitions(ctx)
}

// The registration change goes after the leadership moves, so once it is committed and
// replayed everywhere, so are they (Kafka uses the end offset of the batch instead).
function enterControlledShutdown (ctx: ControllerContext, brokerId: number): void {
  const broker = ctx.batch.image.brokers.get(brokerId)!
  removeBrokerFromPartitions(ctx, brokerId)
  ctx.batch.add({ type: 'brokerRegistrationChange', brokerId, brokerEpoch: broker.epoch, inControlledShutdown: true })
}

/** Shutdown is granted once no leaderships remain and every active broker has seen that. */
function mayShutDown (ctx: ControllerContext, brokerId: number): boolean {
  if (hasLeaderships(ctx, brokerId)) return false
  const offset = ctx.heartbeats.controlledShutdownOffset(brokerId)
  return offset !== undefined && offset <= ctx.heartbeats.lowestActiveOffset(ctx.batch.image)
}

export function registerBroker (ctx: ControllerContext, req: BrokerRegistrationRequest): ControllerResult<BrokerRegistrationReply> {
  const reply = (errorCode: number, errorMessage: string | null, brokerEpoch = -1): ControllerResult<BrokerRegistrationReply> =>
    ({ records: ctx.batch.records, reply: { errorCode, errorMessage, brokerEpoch } })
  if (req.clusterId !== ctx.options.clusterId) {
    return reply(ErrorCode.INCONSISTENT_CLUSTER_ID, `broker ${req.brokerId} belongs to cluster ${req.clusterId}, this is cluster ${ctx.options.clusterId}`)
  }
  const existing = ctx.batch.image.brokers.get(req.brokerId)
  if (existing !== undefined && existing.incarnationId !== req.incarnationId && !existing.fenced &&
      ctx.heartbeats.hasValidSession(req.brokerId, ctx.nowMs, ctx.options.sessionTimeoutMs)) {
    return reply(ErrorCode.DUPLICATE_BROKER_REGISTRATION, `another broker with id ${req.brokerId} is registered and alive`)
  }
  // A re-registering broker may have lost unsynced data: it leaves every ISR before its
  // new incarnation (fenced until caught up) replaces the old one.
  if (existing !== undefined) fenceBroker(ctx, req.brokerId)
  const brokerEpoch = nextBrokerEpoch(ctx)
  ctx.batch.add({
    type: 'registerBroker', brokerId: req.brokerId, incarnationId: req.incarnationId, brokerEpoch,
    endpoints: req.listeners, rack: req.rack, fenced: true, inControlledShutdown: false,
  })
  ctx.heartbeats.touch(req.brokerId, ctx.nowMs, -1)
  return reply(ErrorCode.NONE, null, brokerEpoch)
}

/** Kafka's BrokerHeartbeatManager.calculateNextBrokerState. */
function nextState (ctx: ControllerContext, current: BrokerControlState, req: BrokerHeartbeatRequest, registrationOffset: number): BrokerControlState {
  switch (current) {
    case 'fenced':
      if (req.wantShutDown) return 'shutdownNow'
      if (!req.wantFence && req.currentMetadataOffset >= registrationOffset) return 'unfenced'
      return 'fenced'
    case 'unfenced':
      if (req.wantFence) return req.wantShutDown ? 'shutdownNow' : 'fenced'
      if (req.wantShutDown) return hasLeaderships(ctx, req.brokerId) ? 'controlledShutdown' : 'shutdownNow'
      return 'unfenced'
    default:
      return mayShutDown(ctx, req.brokerId) ? 'shutdownNow' : 'controlledShutdown'
  }
}

export function brokerHeartbeat (ctx: ControllerContext, req: BrokerHeartbeatRequest): ControllerResult<BrokerHeartbeatReply> {
  const broker = ctx.batch.image.brokers.get(req.brokerId)
  const failed = (errorCode: number): ControllerResult<BrokerHeartbeatReply> =>
    ({ records: [], reply: { errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false } })
  if (broker === undefined) return failed(ErrorCode.BROKER_ID_NOT_REGISTERED)
  // Until its registration is committed a broker has no epoch it could know about.
  const registrationOffset = ctx.heartbeats.registrationOffset(req.brokerId)
  if (broker.epoch !== req.brokerEpoch || registrationOffset === undefined) return failed(ErrorCode.STALE_BROKER_EPOCH)
  ctx.heartbeats.touch(req.brokerId, ctx.nowMs, req.currentMetadataOffset)
  const current: BrokerControlState = broker.fenced ? 'fenced' : broker.inControlledShutdown ? 'controlledShutdown' : 'unfenced'
  const next = nextState(ctx, current, req, registrationOffset)
  if (next !== current) {
    if (next === 'fenced' || next === 'shutdownNow') fenceBroker(ctx, req.brokerId)
    else if (next === 'unfenced') unfenceBroker(ctx, req.brokerId)
    else enterControlledShutdown(ctx, req.brokerId)
  }
  return {
    records: ctx.batch.records,
    reply: {
      errorCode: ErrorCode.NONE,
      isCaughtUp: req.currentMetadataOffset >= registrationOffset,
      isFenced: next === 'fenced' || next === 'shutdownNow',
      shouldShutDown: next === 'shutdownNow',
    },
  }
}

/** Fences every unfenced broker whose session expired. */
export function fenceExpiredBrokers (ctx: ControllerContext): void {
  for (const brokerId of ctx.heartbeats.expired(ctx.batch.image, ctx.nowMs, ctx.options.sessionTimeoutMs)) fenceBroker(ctx, brokerId)
}
