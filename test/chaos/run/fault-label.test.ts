// Fault labels for report bands and the progress line: targets for most faults, topology and
// groups for a split.

import { describe, expect, it } from 'vitest'
import { faultLabel } from '../../../chaos/run/fault-label.ts'

describe('faultLabel', () => {
  it('names the fault and its targets', () => {
    expect(faultLabel({ fault: 'kill', targets: ['broker-1'] })).toBe('kill broker-1')
    expect(faultLabel({ fault: 'pause', targets: ['broker-0', 'broker-2'] }, ', ')).toBe('pause broker-0, broker-2')
    expect(faultLabel({ fault: 'kill', targets: [] })).toBe('kill')
  })

  it('names a split by topology and groups', () => {
    const isolate = { fault: 'split', targets: ['broker-0'], details: [{ topology: 'isolate', groups: [['broker-0'], ['broker-1', 'broker-2']] }] }
    expect(faultLabel(isolate)).toBe('split isolate broker-0 | broker-1 broker-2')
    const bridge = { fault: 'split', targets: ['broker-2', 'broker-0', 'broker-1'], details: [{ topology: 'bridge', groups: [['broker-2'], ['broker-0'], ['broker-1']] }] }
    expect(faultLabel(bridge)).toBe('split bridge broker-2 | broker-0 | broker-1')
    expect(faultLabel({ fault: 'split', targets: ['broker-0'], details: [{ topology: 'ring', groups: [['broker-0', 'broker-1']] }] })).toBe('split ring each node hears its own majority')
    // A split that failed to start has no details: its targets still name it.
    expect(faultLabel({ fault: 'split', targets: ['broker-1'] })).toBe('split broker-1')
  })
})
