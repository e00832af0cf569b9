// The cluster keys: Kafka's KRaft names and defaults, checked across keys at start with
// errors that name the key; no cluster keys keeps the one-node broker as it was.

import { describe, expect, it } from 'vitest'
import { buildConfig, ConfigError } from '../../../broker/config/config.ts'

const combined = {
  'node.id': 2,
  'process.roles': 'broker,controller',
  'controller.quorum.voters': '1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293',
  'controller.listener.names': 'CONTROLLER',
  listeners: 'PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193',
  'cluster.id': 'MkU3OEVBNTcwNTJENDM2Qg',
}

function problemsOf (raw: Record<string, unknown>): string[] {
  try {
    buildConfig(raw)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('cluster config keys', () => {
  it('has Kafka\'s defaults and stays a one-node cluster without process.roles', () => {
    const config = buildConfig({})
    expect(config.cluster).toBeNull()
    expect(config.brokerId).toBe(0)
    expect(config.listener).toEqual({ host: '127.0.0.1', port: 9092 })
    expect([
      'broker.session.timeout.ms', 'broker.heartbeat.interval.ms', 'controller.quorum.election.timeout.ms', 'controller.quorum.fetch.timeout.ms',
      'leader.imbalance.check.interval.seconds', 'leader.imbalance.per.broker.percentage', 'replica.lag.time.max.ms', 'offsets.topic.replication.factor',
      'default.replication.factor', 'min.insync.replicas',
    ].map(k => config.int(k))).toEqual([9000, 2000, 1000, 2000, 300, 10, 30_000, 3, 1, 1])
    expect(config.bool('auto.leader.rebalance.enable')).toBe(true)
    expect(config.bool('unclean.leader.election.enable')).toBe(false)
  })

  it('reads a combined broker+controller node', () => {
    const config = buildConfig(combined)
    expect(config.brokerId).toBe(2)
    expect(config.listener).toEqual({ host: '127.0.0.1', port: 9192 })
    expect(config.listeners.map(l => l.name)).toEqual(['PLAINTEXT', 'CONTROLLER'])
    expect(config.cluster).toMatchObject({ nodeId: 2, controllerListenerNames: ['CONTROLLER'], interBrokerListenerName: 'PLAINTEXT' })
    expect([...config.cluster!.roles]).toEqual(['broker', 'controller'])
    expect(config.cluster!.voters).toEqual([{ id: 1, host: '127.0.0.1', port: 9093 }, { id: 2, host: '127.0.0.1', port: 9193 }, { id: 3, host: '127.0.0.1', port: 9293 }])
  })

  it('reads sluice.inter.broker.addresses, and names the key on a bad or repeated entry', () => {
    expect(buildConfig(combined).cluster!.interBrokerAddresses.size).toBe(0)
    const routed = buildConfig({ ...combined, 'sluice.inter.broker.addresses': '1@127.0.0.1:21001, 3@127.0.0.1:21003' })
    expect([...routed.cluster!.interBrokerAddresses]).toEqual([[1, { host: '127.0.0.1', port: 21001 }], [3, { host: '127.0.0.1', port: 21003 }]])
    expect(problemsOf({ ...combined, 'sluice.inter.broker.addresses': '127.0.0.1:21001' })).toEqual([expect.stringMatching(/^sluice.inter.broker.addresses entry "127.0.0.1:21001" must look like 1@127.0.0.1:9093/)])
    expect(problemsOf({ ...combined, 'sluice.inter.broker.addresses': '1@127.0.0.1:21001,1@127.0.0.1:21002' })).toEqual([expect.stringMatching(/^sluice.inter.broker.addresses lists broker 1 twice/)])
  })

  it('takes node.id over broker.id, and refuses the two disagreeing', () => {
    expect(buildConfig({ 'node.id': 4 }).brokerId).toBe(4)
    expect(buildConfig({ 'broker.id': 5 }).brokerId).toBe(5)
    expect(problemsOf({ 'node.id': 4, 'broker.id': 5 })).toEqual(['node.id 4 and broker.id 5 differ; set only node.id'])
  })

  it('refuses a voter list without this controller\'s own id', () => {
    expect(problemsOf({ ...combined, 'node.id': 7 })).toEqual([expect.stringMatching(/^controller.quorum.voters does not contain this controller's node.id 7/)])
  })

  it('refuses duplicate voter ids and malformed voters', () => {
    expect(problemsOf({ ...combined, 'controller.quorum.voters': '1@a:1,2@b:2,2@c:3' })).toEqual([expect.stringMatching(/controller.quorum.voters lists node 2 twice/)])
    expect(problemsOf({ ...combined, 'controller.quorum.voters': '1@a:1,two@b:2' })).toEqual([
      expect.stringMatching(/controller.quorum.voters entry "two@b:2" must look like/),
      expect.stringMatching(/process.roles needs controller.quorum.voters/),
    ])
  })

  it('refuses listener name and port clashes, naming the key', () => {
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093' })).toEqual([expect.stringMatching(/^listeners names PLAINTEXT twice/)])
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9092' })).toEqual([expect.stringMatching(/^listeners: CONTROLLER and PLAINTEXT both use 127.0.0.1:9092/)])
    expect(problemsOf({ 'sluice.http.listener': 'http://127.0.0.1:9092' })).toEqual([expect.stringMatching(/^sluice.http.listener port 9092 clashes/)])
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0' })).toEqual([])
  })

  it('checks the controller and inter-broker listener names against the roles', () => {
    expect(problemsOf({ ...combined, 'controller.listener.names': null })).toEqual([
      expect.stringMatching(/^controller.listener.names is required/),
      expect.stringMatching(/^controller.listener.names \(\) must name one of the listeners/),
    ])
    expect(problemsOf({ ...combined, 'process.roles': 'broker' })).toEqual([expect.stringMatching(/^listeners of a broker-only node must not include a controller listener/)])
    expect(problemsOf({ ...combined, 'inter.broker.listener.name': 'CONTROLLER' })).toEqual([expect.stringMatching(/^inter.broker.listener.name CONTROLLER is a controller listener/)])
    expect(problemsOf({ ...combined, 'inter.broker.listener.name': 'INTERNAL' })).toEqual([expect.stringMatching(/^inter.broker.listener.name INTERNAL is not one of the listeners/)])
    expect(problemsOf({ ...combined, 'process.roles': 'broker,broker' })).toEqual([expect.stringMatching(/^process.roles must be/)])
  })

  it('needs controller.quorum.voters, and says bootstrap servers alone (dynamic quorums) are not supported yet', () => {
    const { 'controller.quorum.voters': _voters, ...rest } = combined
    expect(problemsOf({ ...rest, 'controller.quorum.bootstrap.servers': '127.0.0.1:9093,127.0.0.1:9193' }))
      .toContainEqual(expect.stringMatching(/^controller.quorum.bootstrap.servers without controller.quorum.voters is not supported yet/))
    expect(problemsOf(rest)).toEqual([expect.stringMatching(/^process.roles needs controller.quorum.voters/)])
  })

  it('needs a cluster.id shared by every node', () => {
    const { 'cluster.id': _id, ...rest } = combined
    expect(problemsOf(rest)).toEqual([expect.stringMatching(/^cluster.id is required with process.roles/)])
  })

  it('refuses a heartbeat interval that is not below the session timeout', () => {
    expect(problemsOf({ 'broker.heartbeat.interval.ms': 9000 })).toEqual([expect.stringMatching(/^broker.heartbeat.interval.ms must be below broker.session.timeout.ms/)])
  })
})

describe('the shipped three-node cluster configs', () => {
  it('are valid, agree on the cluster, and differ in id, ports and data dir', async () => {
    const { readConfigFile } = await import('../../../broker/config/config.ts')
    const configs = await Promise.all([0, 1, 2].map(async i => buildConfig(await readConfigFile(`config/cluster/node-${i}.properties`))))
    expect(configs.map(c => c.brokerId)).toEqual([0, 1, 2])
    expect(new Set(configs.map(c => c.clusterId)).size).toBe(1)
    expect(new Set(configs.map(c => c.dataDir)).size).toBe(3)
    expect(new Set(configs.flatMap(c => c.listeners.map(l => l.port))).size).toBe(6)
    for (const c of configs) expect(c.cluster?.voters.map(v => v.id)).toEqual([0, 1, 2])
  })
})
