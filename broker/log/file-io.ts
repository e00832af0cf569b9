// Short-I/O helpers of the storage layer: regular files rarely write or read less than asked,
// but when they do the rest must follow at the right position, a bounded number of times.
//
// Small writes and reads also come in a synchronous form. An async fs call goes through
// libuv's thread pool: a hand-off to another thread and back, tens of µs on an idle machine
// and milliseconds when the cores are busy (that thread must be scheduled first), once on
// every produce (the group's writev) and once on every fetch at the log's tail. A write or
// read of a few KiB that the page cache serves takes a few µs in place, less than the
// hand-off, so the storage layer does those synchronously (SYNC_IO_BYTES_MAX); bigger ones
// stay async so a large group or catch-up read never stalls the event loop.

import { readSync, writevSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

/** Writes and reads up to this size run synchronously on the calling thread. */
export const SYNC_IO_BYTES_MAX = 64 * 1024

/** Bound on loops that retry short reads or writes; regular files never need more than one. */
export const SHORT_IO_RETRIES_MAX = 64

/** Writes all of `buffers` at `position`, retrying short writes; returns the bytes written. */
export async function writeAll (handle: FileHandle, buffers: Buffer[], position: number): Promise<number> {
  let total = 0
  for (const buffer of buffers) total += buffer.length
  let written = 0
  let rest = buffers
  for (let attempt = 0; written < total; attempt++) {
    if (attempt >= SHORT_IO_RETRIES_MAX) throw new Error(`writev made no progress after ${attempt} attempts`)
    const { bytesWritten } = await handle.writev(rest, position + written)
    written += bytesWritten
    if (written < total) rest = dropPrefix(rest, bytesWritten)
  }
  return total
}

/** writeAll, synchronously on the calling thread (for writes up to SYNC_IO_BYTES_MAX). */
export function writeAllSync (fd: number, buffers: Buffer[], position: number): number {
  let total = 0
  for (const buffer of buffers) total += buffer.length
  let written = 0
  let rest = buffers
  for (let attempt = 0; written < total; attempt++) {
    if (attempt >= SHORT_IO_RETRIES_MAX) throw new Error(`writev made no progress after ${attempt} attempts`)
    const bytesWritten = writevSync(fd, rest, position + written)
    written += bytesWritten
    if (written < total) rest = dropPrefix(rest, bytesWritten)
  }
  return total
}

/** Reads up to `length` bytes at `position`, synchronously, retrying short reads; fewer only at end of file. */
export function readAllSync (fd: number, target: Buffer, targetOffset: number, length: number, position: number): number {
  let done = 0
  for (let attempt = 0; done < length && attempt < SHORT_IO_RETRIES_MAX; attempt++) {
    const bytesRead = readSync(fd, target, targetOffset + done, length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}

function dropPrefix (buffers: Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = []
  let skip = bytes
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length
      continue
    }
    out.push(skip > 0 ? buffer.subarray(skip) : buffer)
    skip = 0
  }
  return out
}

export function prefixOf (buffers: Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = []
  let left = bytes
  for (const buffer of buffers) {
    if (left <= 0) break
    out.push(buffer.length <= left ? buffer : buffer.subarray(0, left))
    left -= buffer.length
  }
  return out
}
