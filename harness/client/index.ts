// Sluice's own Kafka client: pipelined connections on the broker's codecs, incremental
// batch building, fetch decoding. See client.ts for what it does and does not do.

export { KafkaClient, parseAddress, type BrokerAddress, type FetchPartition, type KafkaClientOptions, type NewTopic, type PartitionInfo, type ProduceBatch, type TopicInfo } from './client.ts'
export { Connection, type ConnectionOptions } from '../../broker/client/connection.ts'
export { BatchBuilder, type HeaderMap } from './batch-builder.ts'
export { decodeFetchedRecords, type FetchedRecord } from './batch-reader.ts'
export { checkCompression, compressBatch, SUPPORTED_COMPRESSION, type CompressionName } from './compression.ts'
export { describeSocketError, isRetriableKafkaError, KafkaClientError, kafkaError, needsMetadataRefresh, type ClientErrorCode } from '../../broker/client/errors.ts'
