// Bad input to the kafka backend: a wrong KAFKA_HOME, a missing Java, a Kafka 3 folder, a
// node that cannot start because its port is taken, and keys the backend owns. Each fails
// with a message that says what to do, and leaves no process and no data behind.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveChildren } from '../../harness/cluster/child-registry.ts'
import { createBackend } from '../../harness/cluster/index.ts'
import { KafkaBackend } from '../../harness/cluster/kafka-backend.ts'
import { locateKafka } from '../../harness/cluster/kafka-dist.ts'
import { announceSkip, kafkaEnv } from './kafka-env.ts'

const env = await kafkaEnv()
announceSkip('kafka-bad-input.test.ts', env)

let scratch: string
beforeAll(() => { scratch = mkdtempSync(join(tmpdir(), 'sluice-kafka-bad-')) })
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('kafka backend: finding Kafka and Java', () => {
  it('a KAFKA_HOME that does not exist names it and says what to point it at', async () => {
    await expect(locateKafka({ kafkaHome: join(scratch, 'no-such-kafka') })).rejects.toThrow(/KAFKA_HOME=.*no-such-kafka does not exist: point KAFKA_HOME at an unpacked Apache Kafka 4\.x distribution .* or unset it and run `npm run kafka:fetch`/)
  })

  it('a KAFKA_HOME without Kafka jars says so', async () => {
    const home = join(scratch, 'empty-kafka')
    mkdirSync(join(home, 'libs'), { recursive: true })
    await expect(locateKafka({ kafkaHome: home })).rejects.toMatchObject({ code: 'ERR_KAFKA_NOT_FOUND', message: expect.stringMatching(/has no libs\/ with kafka_2\.13-\*\.jar/) })
  })

  it('a Kafka 3 distribution is refused with the version it found', async () => {
    const home = join(scratch, 'kafka-3')
    mkdirSync(join(home, 'libs'), { recursive: true })
    for (const jar of ['kafka_2.13-3.9.0.jar', 'kafka-clients-3.9.0.jar']) writeFileSync(join(home, 'libs', jar), '')
    await expect(locateKafka({ kafkaHome: home })).rejects.toMatchObject({ code: 'ERR_KAFKA_VERSION', message: expect.stringMatching(/holds Kafka 3\.9\.0; the kafka backend needs Kafka 4\.x/) })
  })

  it('no jars fetched and no KAFKA_HOME: says to run npm run kafka:fetch', async () => {
    await expect(locateKafka({ kafkaHome: '', fetchedLibsDir: join(scratch, 'nothing-fetched') })).rejects.toThrow(/Apache Kafka not found: .* run `npm run kafka:fetch`/)
  })

  it.skipIf(env.dist === null)('a missing Java says to install a JDK or set JAVA_HOME, before any process starts', async () => {
    const backend = new KafkaBackend({ javaHome: join(scratch, 'no-such-jdk') })
    const workDir = join(scratch, 'no-java-work')
    await expect(backend.start({ brokers: 1, brokerConfig: {}, workDir })).rejects.toMatchObject({
      code: 'ERR_JAVA_NOT_FOUND',
      message: expect.stringMatching(/Java 17\+ is needed .* not found: install a JDK \(apt-get install -y openjdk-17-jre-headless\) or set JAVA_HOME/),
    })
    expect(liveChildren()).toBe(0)
  })

  it('keys the backend owns are refused, naming the key', async () => {
    await expect(createBackend('kafka').start({ brokers: 1, brokerConfig: { listeners: 'PLAINTEXT://0.0.0.0:9092' } }))
      .rejects.toThrow(/brokerConfig\.listeners is set by the kafka backend itself .* remove it from the workload/)
  })
})

describe.skipIf(env.dist === null)('kafka backend: a node that cannot start', () => {
  let holder: Server
  let port: number
  const sockets = new Set<Socket>()
  beforeAll(async () => {
    // It accepts connections (as whatever holds a port would), so readiness probes get in.
    holder = createServer(socket => {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.once('close', () => sockets.delete(socket))
    })
    await new Promise<void>(resolve => holder.listen({ host: '127.0.0.1', port: 0 }, resolve))
    port = (holder.address() as { port: number }).port
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => holder.close(resolve))
  })

  it('a taken port fails the start with the reason and the log, and leaves no JVM or data behind', async () => {
    const workDir = join(scratch, 'port-taken')
    const backend = new KafkaBackend({ kafkaPorts: [port], startTimeoutMs: 120_000 })
    const error = await backend.start({ brokers: 1, brokerConfig: {}, workDir }).then(() => null, (e: Error) => e)
    expect(error?.message).toMatch(/kafka node 0 failed to start: it (exited with code \d+|logged a fatal error \(.*\))\. A port it needs is taken by another process: stop that process/)
    expect(error?.message).toMatch(/First error: .* ERROR /)
    expect(error?.message).toContain(`Log: ${join(workDir, 'kafka-0.log')}`)
    expect(liveChildren()).toBe(0)
    // The log stays for the post-mortem; the data dir is gone.
    expect(readdirSync(workDir).sort()).toEqual(['kafka-0', 'kafka-0.log'])
    expect(readdirSync(join(workDir, 'kafka-0'))).toEqual(['server.properties'])
  }, 150_000)
})
