// Reserved ports come from below the kernel's ephemeral range (where outgoing connections
// take their local ports), are distinct, and can be bound right after.

import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { reservableRange, reservePorts } from '../../../harness/cluster/ports.ts'

describe('reservePorts', () => {
  it('hands out distinct, bindable ports below the ephemeral range', async () => {
    const [low, high] = reservableRange()
    expect(low).toBeLessThan(high)
    const ports = await reservePorts(40)
    expect(new Set(ports).size).toBe(40)
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(low)
      expect(port).toBeLessThan(high)
    }
    const server = createServer()
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen({ host: '127.0.0.1', port: ports[0] }, resolve) })
    await new Promise<void>(resolve => server.close(() => resolve()))
  })

})
