// Records what real clients send: a TCP proxy in front of the broker (which advertises the
// proxy, so clients never bypass it) splits each client's byte stream into request frames
// while kcat and kafkajs produce, consume, join a group and use the admin API. The frames
// are the seed corpus the mutation fuzz corrupts.

import { execFile, spawn } from 'node:child_process'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { FrameSplitter, REQUEST_FRAME_BYTES_MIN } from '../../broker/protocol/frame-splitter.ts'

const run = promisify(execFile)

export interface RecordingProxy {
  port: number
  frames: Buffer[]
  /** Starts forwarding to the broker (known only once it is started with the proxy's port). */
  forwardTo (brokerPort: number): void
  close (): Promise<void>
}

/** Frames kept at most, so a long recording cannot grow without bound. */
const FRAMES_MAX = 20_000

export async function startRecordingProxy (): Promise<RecordingProxy> {
  const frames: Buffer[] = []
  const sockets = new Set<Socket>()
  let target = 0
  const server: Server = createServer(client => {
    const upstream = connect({ host: '127.0.0.1', port: target })
    sockets.add(client).add(upstream)
    const splitter = new FrameSplitter({ frameBytesMax: 100 * 1024 * 1024, frameBytesMin: REQUEST_FRAME_BYTES_MIN, limitName: 'recording' })
    client.on('data', chunk => {
      upstream.write(chunk)
      try {
        splitter.push(chunk, body => {
          if (frames.length >= FRAMES_MAX) return
          const frame = Buffer.alloc(4 + body.length)
          frame.writeInt32BE(body.length)
          body.copy(frame, 4)
          frames.push(frame)
        })
      } catch { /* not Kafka: forwarded, not recorded */ }
    })
    upstream.on('data', chunk => client.write(chunk))
    const end = (): void => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream) }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  await new Promise<void>(resolve => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('programmer error: recording proxy has no port')
  return {
    port: address.port,
    frames,
    forwardTo: port => { target = port },
    close: () => new Promise(resolve => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

function kcatProduce (bootstrap: string, topic: string, lines: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'linger.ms=5'], { stdio: ['pipe', 'ignore', 'ignore'] })
    child.on('error', reject)
    child.on('exit', code => code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}`)))
    child.stdin.end(lines)
  })
}

/** Drives kcat and kafkajs through `bootstrap` (the proxy): produce, consume, group, admin. */
export async function driveRealClients (bootstrap: string, topic: string): Promise<void> {
  await kcatProduce(bootstrap, topic, Array.from({ length: 200 }, (_, i) => `k${i % 7}:value-${i}`).join('\n') + '\n')
  await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-e', '-q', '-o', 'beginning'], { maxBuffer: 16 * 1024 * 1024 })
  await run('kcat', ['-L', '-b', bootstrap])
  const kafka = new Kafka({ clientId: 'fuzz-recorder', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } })
  const admin = kafka.admin()
  await admin.connect()
  await admin.fetchTopicOffsets(topic)
  await admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: false })
  await admin.listGroups()
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  for (let i = 0; i < 5; i++) await producer.send({ topic, messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${j}`, value: `kafkajs-${i}-${j}`, headers: { h: 'v' } })) })
  await producer.disconnect()
  const consumer = kafka.consumer({ groupId: 'fuzz-recorder', sessionTimeout: 6000, heartbeatInterval: 500 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let seen = 0
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, 10_000)
    consumer.run({
      eachMessage: async () => {
        if (++seen >= 20) { clearTimeout(timer); resolve() }
      },
    }).catch(reject)
  })
  await consumer.disconnect()
}
