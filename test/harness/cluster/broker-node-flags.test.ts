// The Node flags the process backend gives each broker: the default list reaches the real
// process (its command line), SLUICE_BROKER_NODE_OPTIONS replaces it (a V8 flag that prints
// shows up in the broker's log), and a value that is not a flag fails with the fix.

import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { ClusterError } from '../../../harness/cluster/cluster.ts'
import { BROKER_NODE_FLAGS_DEFAULT, BROKER_NODE_FLAGS_ENV, brokerNodeFlags } from '../../../harness/cluster/broker-node-flags.ts'
import { ProcessBackend, type ProcessCluster } from '../../../harness/cluster/process-backend.ts'
import { describeBrokerProcesses } from '../../../harness/bench/cluster-setup.ts'

function commandLine (pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(a => a !== '')
}

async function logMatches (file: string, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (pattern.test(readFileSync(file, 'utf8'))) return true
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return false
}

describe('broker node flags', () => {
  let cluster: ProcessCluster | undefined
  const saved = process.env[BROKER_NODE_FLAGS_ENV]
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
    if (saved === undefined) delete process.env[BROKER_NODE_FLAGS_ENV]
    else process.env[BROKER_NODE_FLAGS_ENV] = saved
  })

  it('reads the list from the environment, else the default; an empty value means none', () => {
    expect(brokerNodeFlags({})).toEqual(BROKER_NODE_FLAGS_DEFAULT)
    expect(BROKER_NODE_FLAGS_DEFAULT).toContain('--max-semi-space-size=8')
    expect(brokerNodeFlags({ [BROKER_NODE_FLAGS_ENV]: '' })).toEqual([])
    expect(brokerNodeFlags({ [BROKER_NODE_FLAGS_ENV]: '  --trace-gc   --max-semi-space-size=16 ' })).toEqual(['--trace-gc', '--max-semi-space-size=16'])
  })

  it('refuses a value that is not a Node flag, naming the variable and the fix', () => {
    const attempt = (): unknown => brokerNodeFlags({ [BROKER_NODE_FLAGS_ENV]: '--trace-gc max-semi-space-size=8' })
    expect(attempt).toThrow(ClusterError)
    expect(attempt).toThrow(/SLUICE_BROKER_NODE_OPTIONS holds "max-semi-space-size=8".*start with "--"/)
  })

  it('starts the broker process with the default flags before its script, and says so', async () => {
    delete process.env[BROKER_NODE_FLAGS_ENV]
    cluster = await new ProcessBackend({ stopTimeoutMs: 5000 }).start({ brokers: 1, brokerConfig: {} })
    const broker = cluster.brokers[0]!
    const argv = commandLine(broker.pid!)
    const script = argv.findIndex(a => a.endsWith('cli.ts'))
    expect(script).toBeGreaterThan(0)
    expect(argv.slice(1, script)).toEqual([...BROKER_NODE_FLAGS_DEFAULT])
    expect(describeBrokerProcesses(cluster)).toContain('(node --max-semi-space-size=8)')
  })

  it('gives the broker the environment\'s flags instead, across a restart', async () => {
    process.env[BROKER_NODE_FLAGS_ENV] = '--trace-gc'
    cluster = await new ProcessBackend({ stopTimeoutMs: 5000 }).start({ brokers: 1, brokerConfig: {} })
    const broker = cluster.brokers[0]!
    await broker.kill()
    await broker.restart()
    const argv = commandLine(broker.pid!)
    expect(argv).toContain('--trace-gc')
    expect(argv).not.toContain('--max-semi-space-size=8')
    // The flag reached V8: its collections are traced into the broker's log.
    expect(await logMatches(broker.logFile, /(Scavenge|Mark-Compact) \d/, 10_000)).toBe(true)
  })
})
