// The toxic types Sluice implements, by their Toxiproxy names. Toxiproxy's HTTP-aware and
// experimental toxics (http_*, corrupt, limit_time, slow_open, ...) are not here; asking for
// one is a 400 "invalid toxic type", as for any unknown type.

import type { ChunkSink, LinkControl, Stage } from '../stage.ts'
import type { ToxicSpec } from '../toxic-spec.ts'
import { BandwidthStage } from './bandwidth.ts'
import { LatencyStage } from './latency.ts'
import { LimitDataStage } from './limit-data.ts'
import { NoopStage } from './noop.ts'
import { ResetPeerStage } from './reset-peer.ts'
import { SlicerStage } from './slicer.ts'
import { SlowCloseStage } from './slow-close.ts'
import { TimeoutStage } from './timeout.ts'

export function createStage (spec: ToxicSpec, link: LinkControl, next: ChunkSink): Stage {
  switch (spec.type) {
    case 'latency': return new LatencyStage(spec, link, next)
    case 'bandwidth': return new BandwidthStage(spec, link, next)
    case 'slow_close': return new SlowCloseStage(spec, link, next)
    case 'timeout': return new TimeoutStage(spec, link, next)
    case 'reset_peer': return new ResetPeerStage(spec, link, next)
    case 'slicer': return new SlicerStage(spec, link, next)
    case 'limit_data': return new LimitDataStage(spec, link, next)
    case 'noop': return new NoopStage(spec, link, next)
  }
}
