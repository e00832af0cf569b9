// Sluice's own Kafka client: pipelined connections on the broker's codecs, incremental
// batch building, fetch decoding. The client itself lives in broker/client/kafka-client.ts (chaos
// workers use it too, and chaos sits below the harness); this index keeps the harness's imports.

export { KafkaClient, parseAddress, type BrokerAddress, type FetchPartition, type KafkaClientOptions, type NewTopic, type PartitionInfo, type ProduceBatch, type TopicInfo } from '../../broker/client/kafka-client.ts'
export { Connection, type ConnectionOptions } from '../../broker/client/connection.ts'
export { BatchBuilder, type HeaderMap } from './batch-builder.ts'
export { decodeFetchedRecords, type FetchedRecord } from '../../broker/client/batch-reader.ts'
export { checkCompression, compressBatch, SUPPORTED_COMPRESSION, type CompressionName } from '../../broker/client/compression.ts'
export { describeSocketError, isRetriableKafkaError, KafkaClientError, kafkaError, needsMetadataRefresh, type ClientErrorCode } from '../../broker/client/errors.ts'
