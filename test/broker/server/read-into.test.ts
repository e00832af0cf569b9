// readInto takes over an accepted socket through an option Node does not document
// (`handle`): these checks fail if a Node upgrade changes what it relies on. The new socket
// must read into the memory given, write, see its peer close, and leave the server able
// to close.

import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { readInto } from '../../../broker/server/read-into.ts'

let server: Server | null = null
afterEach(async () => {
  await new Promise<void>(resolve => server === null ? resolve() : server.close(() => resolve()))
  server = null
})

async function listen (onSocket: (accepted: Socket) => void): Promise<number> {
  server = createServer({ pauseOnConnect: true }, onSocket)
  await new Promise<void>(resolve => server!.listen({ host: '127.0.0.1', port: 0 }, resolve))
  return (server.address() as { port: number }).port
}

it('reads into the given memory, writes back, sees the peer close, and lets the server close', async () => {
  const memory = Buffer.alloc(1000)
  const seen: Array<{ same: boolean, text: string }> = []
  let closed!: () => void
  const peerClosed = new Promise<void>(resolve => { closed = resolve })
  const port = await listen(accepted => {
    const socket = readInto(accepted, {
      buffer: memory,
      callback: (bytes, buf) => {
        seen.push({ same: buf === memory, text: buf.subarray(0, bytes).toString() })
        socket.write(`echo:${buf.subarray(0, bytes).toString()}`)
        return true
      },
    })
    socket.on('close', () => closed())
    expect(accepted.destroyed).toBe(true)
  })
  const client = connect({ host: '127.0.0.1', port })
  client.write('hello')
  const reply = await new Promise<string>(resolve => client.once('data', chunk => resolve(chunk.toString())))
  expect(reply).toBe('echo:hello')
  expect(seen).toEqual([{ same: true, text: 'hello' }])
  client.end()
  await peerClosed
  // The server's count of open connections was settled when the accepted socket gave up its handle.
  await new Promise<void>(resolve => server!.close(() => resolve()))
  server = null
})

it('refuses a socket that has already given up its handle', async () => {
  let error: unknown = null
  const port = await listen(accepted => {
    readInto(accepted, { buffer: Buffer.alloc(10), callback: () => true }).destroy()
    try {
      readInto(accepted, { buffer: Buffer.alloc(10), callback: () => true })
    } catch (err) {
      error = err
    }
  })
  const client = connect({ host: '127.0.0.1', port })
  await new Promise<void>(resolve => client.on('close', () => resolve()))
  expect(String(error)).toMatch(/programmer error/)
})
