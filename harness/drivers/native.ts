// The `native` driver: Sluice's own client (harness/client) with pre-encoded batches,
// the honest measure of the broker itself because the client costs almost nothing.
//
// - Partitioning: Java's rule, murmur2(key) & 0x7fffffff % partitions, computed in the
//   producer; unkeyed records use a sticky partition (see native-producer.ts).
// - acks: passed through as the Produce request's acks (0, 1, -1); acks=0 sends resolve
//   when the request is written, since the broker sends no answer.
// - Compression: none, gzip, snappy, lz4, zstd (broker/protocol/compression.ts).
// - Idempotence: not implemented (no InitProducerId yet): refused with ERR_UNSUPPORTED.
// - Consumer: does NOT join a group; it reads every partition from offset 0 with its own
//   in-memory positions, so each subscription is independent (see native-consumer.ts).
// - Connections: every producer and consumer has its own client and connections, as
//   separate OMB workers would; createTopic uses a separate admin client.

import { requirePlaintext } from './security.ts'
import { FrameArena } from '../../broker/client/frame-arena.ts'
import { KafkaClient } from '../../broker/client/kafka-client.ts'
import { toDriverError } from './common.ts'
import { DriverError, type BenchmarkConsumer, type BenchmarkDriver, type BenchmarkProducer, type ConsumedMessage, type DriverName, type DriverOptions, type ReceiveListener } from './driver.ts'
import { NativeConsumer } from './native-consumer.ts'
import { NativeProducer } from './native-producer.ts'

export class NativeDriver implements BenchmarkDriver {
  readonly name: DriverName = 'native'
  readonly #options: DriverOptions
  readonly #admin: KafkaClient
  readonly #open = new Set<{ close (): Promise<void> }>()
  #clientCount = 0

  constructor (options: DriverOptions) {
    requirePlaintext(options.security, 'native')
    this.#options = options
    this.#admin = this.#newClient('admin')
  }

  #newClient (role: string, arena: FrameArena | null = null): KafkaClient {
    return new KafkaClient({
      bootstrap: this.#options.bootstrap,
      clientId: `${this.#options.clientId}-${role}-${this.#clientCount++}`,
      inFlightMax: Math.max(this.#options.producer.maxInFlight, 1),
      ...(arena !== null && { frameAllocator: arena.allocate }),
    })
  }

  async createTopic (topic: string, partitions: number, replicationFactor = 1): Promise<void> {
    try {
      await this.#admin.createTopics([{ name: topic, partitions, replicationFactor }], { existingOk: true })
      const info = await this.#admin.topic(topic, true)
      if (info.partitions.length !== partitions) {
        throw new DriverError(`topic "${topic}" already exists with ${info.partitions.length} partitions, not ${partitions}`, { code: 'ERR_TOPIC_EXISTS' })
      }
    } catch (err) {
      throw toDriverError(err, `create topic "${topic}"`)
    }
  }

  async createProducer (topic: string): Promise<BenchmarkProducer> {
    const client = this.#newClient('producer')
    try {
      const producer = await NativeProducer.create(client, topic, this.#options.producer)
      const handle = {
        send: producer.send.bind(producer),
        sendTimed: producer.sendTimed.bind(producer),
        close: async () => {
          this.#open.delete(handle)
          await producer.close()
          client.close()
        },
      }
      this.#open.add(handle)
      return handle
    } catch (err) {
      client.close()
      throw toDriverError(err, `producer for "${topic}"`)
    }
  }

  async createConsumer (topic: string, subscription: string, onMessage: (message: ConsumedMessage) => void): Promise<BenchmarkConsumer> {
    return await this.#consumer(subscription, null, client => NativeConsumer.create(client, topic, this.#options.consumer, onMessage), topic)
  }

  async createTimedConsumer (topic: string, subscription: string, listener: ReceiveListener): Promise<BenchmarkConsumer> {
    // The client is the consumer's alone, so its large frames can come from an arena the
    // consumer recycles between fetch rounds (frame-arena.ts).
    const arena = new FrameArena()
    return await this.#consumer(subscription, arena, client => NativeConsumer.createTimed(client, topic, this.#options.consumer, listener, arena), topic)
  }

  async #consumer (subscription: string, arena: FrameArena | null, create: (client: KafkaClient) => Promise<NativeConsumer>, topic: string): Promise<BenchmarkConsumer> {
    const client = this.#newClient(`consumer-${subscription}`, arena)
    try {
      const consumer = await create(client)
      const handle = {
        errorCounts: consumer.errorCounts,
        pause: () => consumer.pause(),
        resume: () => consumer.resume(),
        close: async () => {
          this.#open.delete(handle)
          await consumer.close()
        },
      }
      this.#open.add(handle)
      return handle
    } catch (err) {
      client.close()
      throw toDriverError(err, `consumer for "${topic}"`)
    }
  }

  async close (): Promise<void> {
    await Promise.allSettled([...this.#open].map(h => h.close()))
    this.#admin.close()
  }
}
