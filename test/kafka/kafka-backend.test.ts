// A three-node Apache Kafka cluster started by the kafka backend: the shipped smoke workload
// and OMB's own workload file run against it to completion with every message produced also
// consumed, and the process faults the nemeses use (kill, restart, pause, resume) work on
// its JVMs. The cluster's JVMs are gone and its work dir removed after stop.
//
// The runs use the native driver: on a loaded two-core machine the platformatic producer
// stalled for seconds against three JVMs (README, "Real Apache Kafka"), and this file tests
// the backend, not the drivers.

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaBackend, type KafkaCluster } from '../../harness/cluster/kafka-backend.ts'
import { probeMetadata } from '../../harness/cluster/kafka-node.ts'
import { checkCompleteResult, runBenchCli, runDirsUnder } from '../harness/bench/bench-cli.ts'
import { announceSkip, kafkaEnv } from './kafka-env.ts'

const env = await kafkaEnv()
announceSkip('kafka-backend.test.ts', env)

function pidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe.skipIf(env.dist === null)('kafka backend: three real Kafka nodes', () => {
  let cluster: KafkaCluster
  let resultsDir: string
  const log: string[] = []

  beforeAll(async () => {
    resultsDir = mkdtempSync(join(tmpdir(), 'sluice-kafka-bench-'))
    cluster = await new KafkaBackend().start({ brokers: 3, brokerConfig: { 'num.partitions': 4, 'sluice.no.such.key': 'x' }, log: line => log.push(line) })
  }, 200_000)
  afterAll(async () => {
    await cluster?.stop()
    rmSync(resultsDir, { recursive: true, force: true })
  })

  it('forms one KRaft cluster and reports which Kafka and Java run it, and the keys it does not know', async () => {
    const md = await probeMetadata(cluster.bootstrap[2]!)
    expect(md.brokerIds).toEqual([0, 1, 2])
    expect(md.clusterId).toBe(cluster.clusterId)
    const info = cluster.info()
    expect(info.backend).toBe('kafka')
    expect(info.software?.kafka).toMatch(/^Apache Kafka 4\.\d+\.\d+ from /)
    expect(info.software?.java).toMatch(/version "(1[7-9]|[2-9]\d)/)
    expect(info.notes?.join('\n')).toMatch(/Kafka does not know \(it ignores them\): sluice\.no\.such\.key/)
    expect(info.notes?.join('\n')).toMatch(/reference broker does not know .*sluice\.no\.such\.key/)
  })

  it('runs workloads/smoke.yaml to completion with every message consumed', async () => {
    const dir = join(resultsDir, 'smoke')
    const run = await runBenchCli(['workloads/smoke.yaml', '--driver', 'native', '--bootstrap', cluster.bootstrap.join(','), '--duration', '4s', '--warmup', '3s', '--results-dir', dir, '--no-progress'], 150_000)
    expect(run.code, run.stderr).toBe(0)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    // No duration bound: three JVMs on two shared cores delay the harness's ticks.
    checkCompleteResult(dirs[0]!, { workloadName: 'smoke' })
  }, 180_000)

  it('runs the OMB file workloads/omb/simple-workload.yaml to completion with every message consumed', async () => {
    const dir = join(resultsDir, 'omb')
    const run = await runBenchCli(['workloads/omb/simple-workload.yaml', '--driver', 'native', '--bootstrap', cluster.bootstrap.join(','), '--duration', '3s', '--warmup', '3s', '--results-dir', dir, '--no-progress'], 150_000)
    expect(run.code, run.stderr).toBe(0)
    const dirs = runDirsUnder(dir)
    expect(dirs).toHaveLength(1)
    const result = checkCompleteResult(dirs[0]!, { workloadName: 'Simple Workload 1 producer on 1 topic' })
    expect(result.partitions).toBe(10)
  }, 180_000)

  it('kills, restarts, pauses and resumes a node by its PID, and the cluster takes it back', async () => {
    const node = cluster.brokers[1]!
    const firstPid = node.pid!
    await node.kill()
    expect(node.alive()).toBe(false)
    expect(pidAlive(firstPid)).toBe(false)
    await node.restart()
    expect(node.pid).not.toBe(firstPid)
    expect((await probeMetadata(node.kafkaAddress)).brokerIds).toEqual([0, 1, 2])
    await node.pause()
    // A stopped JVM accepts TCP connections (the kernel does) but answers nothing.
    await expect(probeMetadata(node.kafkaAddress, 1000)).rejects.toThrow()
    await node.resume()
    expect((await probeMetadata(node.kafkaAddress, 10_000)).brokerIds).toContain(1)
  }, 200_000)

  it('leaves no JVM and no work dir behind after stop', async () => {
    const pids = cluster.brokers.map(b => b.pid!)
    await cluster.stop()
    for (const pid of pids) expect(pidAlive(pid)).toBe(false)
    expect(existsSync(cluster.workDir)).toBe(false)
  }, 60_000)
})
