// Gives an accepted TCP connection net's `onread` option, which Node offers only to sockets
// it constructs (new Socket(), net.connect()), never to a server's accepted ones.
//
// Why: an accepted socket reads each chunk into a fresh buffer of up to 64 KiB outside the
// JS heap, and V8 starts a full collection at every fixed step of such memory. At a fixed
// 150,000 msg/s of 1 KiB the broker ran 109 mark-compacts in a 30 s run reading that way,
// and 8 reading with `onread` into memory the connection chose (protocol/frame-receiver.ts).
//
// How: the accepted socket gives up its handle before it has read anything (the
// 'connection' listener runs before the first read, and the listener is created with
// pauseOnConnect) and is destroyed without it. From then on net.Server no longer counts
// the connection (getConnections() leaves it out, Node's maxConnections does not see it,
// server.close() does not wait for it): the Kafka listener keeps its own count and limits
// and closes its connections itself. A new Socket takes the handle with the `onread`
// option. `handle` is the option Node's own net.Server passes, but it is not documented,
// so test/broker/server/read-into.test.ts checks on every run that the new socket reads
// into the given memory, writes, sees its peer close, and that the server still closes.

import { Socket, type OnReadOpts } from 'node:net'

interface HandleHolder {
  _handle: object | null
}

/** A socket over `accepted`'s connection that reads through `onread`; `accepted` is destroyed and must not be used. */
export function readInto (accepted: Socket, onread: OnReadOpts): Socket {
  const holder = accepted as unknown as HandleHolder
  const handle = holder._handle
  if (handle === null || accepted.destroyed) throw new Error('programmer error: readInto needs a live accepted socket')
  holder._handle = null
  accepted.destroy()
  return new Socket({ handle, onread, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0])
}
