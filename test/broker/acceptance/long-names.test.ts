// Regression (issue 16, bug 0): a 32,767-byte topic name, quoted in an error message,
// overflowed the int16 string of the response and crashed the broker (Produce v8,
// CreateTopics v4) or closed the connection (DescribeConfigs). Every request below must be
// answered with INVALID_TOPIC_EXCEPTION and a short message, and the broker must stay up
// and keep serving another client.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiVersions } from '../../../broker/protocol/18-api-versions.ts'
import { CreateTopics } from '../../../broker/protocol/19-create-topics.ts'
import { DeleteTopics } from '../../../broker/protocol/20-delete-topics.ts'
import { DescribeConfigs } from '../../../broker/protocol/32-describe-configs.ts'
import { ListOffsets } from '../../../broker/protocol/02-list-offsets.ts'
import { Metadata } from '../../../broker/protocol/03-metadata.ts'
import { Produce } from '../../../broker/protocol/00-produce.ts'
import { ERROR_MESSAGE_CHARS_MAX } from '../../../broker/protocol/api.ts'
import { ErrorCode } from '../../../broker/protocol/errors.ts'
import { encodeRecordBatch } from '../../../broker/protocol/record-batch.ts'
import { removeDir, startBrokerProcess, type BrokerProcess } from '../../helpers/broker-process.ts'
import { RawConnection } from '../../helpers/raw-client.ts'

const LONGEST = 'x'.repeat(32_767)

describe('over-long topic names echoed in responses', () => {
  let broker: BrokerProcess
  let conn: RawConnection
  let bystander: RawConnection

  beforeAll(async () => {
    broker = await startBrokerProcess({ httpPort: 'none' })
    bystander = await RawConnection.open(broker.kafkaPort)
  })
  afterAll(async () => {
    bystander?.close()
    conn?.close()
    await broker?.stop()
    await removeDir(broker.dataDir)
  })

  async function expectBrokerServesOthers (): Promise<void> {
    const { response } = await bystander.request(ApiVersions, 3, { clientSoftwareName: 'bystander', clientSoftwareVersion: '1' })
    expect(response.errorCode).toBe(0)
    expect(broker.child.exitCode).toBeNull()
    expect(broker.stderr()).not.toMatch(/internal error|RangeError/)
  }

  function expectShortMessage (message: string | null | undefined): void {
    expect(message).toMatch(/must be 1-249 characters/)
    expect(message!.length).toBeLessThanOrEqual(ERROR_MESSAGE_CHARS_MAX)
  }

  it('Produce v8 to a 32,767-byte topic name gets INVALID_TOPIC_EXCEPTION, broker stays up', async () => {
    conn = await RawConnection.open(broker.kafkaPort)
    for (const version of [3, 8]) {
      const { response } = await conn.request(Produce, version, {
        transactionalId: null, acks: 1, timeoutMs: 1000,
        topics: [{ name: LONGEST, partitions: [{ partitionIndex: 0, records: encodeRecordBatch({ records: [{ key: null, value: Buffer.from('v') }] }) }] }],
      })
      const p = response.topics[0]!.partitions[0]!
      expect(p.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
      if (version >= 8) expectShortMessage(p.errorMessage)
    }
    await expectBrokerServesOthers()
  })

  it('CreateTopics v4 with a 32,767-byte name gets INVALID_TOPIC_EXCEPTION, broker stays up', async () => {
    for (const version of [0, 4]) {
      const { response } = await conn.request(CreateTopics, version, {
        topics: [{ name: LONGEST, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false,
      })
      expect(response.topics[0]!.name).toBe(LONGEST)
      expect(response.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
      if (version >= 1) expectShortMessage(response.topics[0]!.errorMessage)
    }
    await expectBrokerServesOthers()
  })

  it('DescribeConfigs for a 32,767-byte topic name answers INVALID_TOPIC_EXCEPTION instead of closing the connection', async () => {
    for (let version = 0; version <= 3; version++) {
      const { response } = await conn.request(DescribeConfigs, version, {
        resources: [{ resourceType: 2, resourceName: LONGEST, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false,
      })
      expect(response.results[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
      expectShortMessage(response.results[0]!.errorMessage)
    }
    expect(conn.closed).toBe(false)
    await expectBrokerServesOthers()
  })

  it('Metadata, ListOffsets and DeleteTopics with the name answer on the same connection', async () => {
    const metadata = await conn.request(Metadata, 8, { topics: [LONGEST], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
    expect(metadata.response.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION)
    const offsets = await conn.request(ListOffsets, 5, { replicaId: -1, isolationLevel: 0, topics: [{ name: LONGEST, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })
    expect(offsets.response.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const deleted = await conn.request(DeleteTopics, 3, { topicNames: [LONGEST], timeoutMs: 1000 })
    expect(deleted.response.topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    expect(conn.closed).toBe(false)
    await expectBrokerServesOthers()
  })
})
