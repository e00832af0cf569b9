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

// The short-write bookkeeping both writeAll forms share. A shared loop over a write function
// would have to be async, and would put a promise on the synchronous path that exists to
// avoid the hand-off; so the two keep their own three-line loop and share everything else.
interface WriteProgress {
  rest: Buffer[]
  writtenBytes: number
  totalBytes: number
  attempts: number
}

function startWrite (buffers: Buffer[]): WriteProgress {
  let totalBytes = 0
  for (const buffer of buffers) totalBytes += buffer.length
  return { rest: buffers, writtenBytes: 0, totalBytes, attempts: 0 }
}

/** Whether a write is still owed; throws once SHORT_IO_RETRIES_MAX writes have not finished it. */
function writeOwed (progress: WriteProgress): boolean {
  if (progress.writtenBytes >= progress.totalBytes) return false
  if (progress.attempts >= SHORT_IO_RETRIES_MAX) throw new Error(`writev made no progress after ${progress.attempts} attempts`)
  return true
}

function wrote (progress: WriteProgress, bytesWritten: number): void {
  progress.attempts++
  progress.writtenBytes += bytesWritten
  if (progress.writtenBytes < progress.totalBytes) progress.rest = dropPrefix(progress.rest, bytesWritten)
}

/** Writes all of `buffers` at `position`, retrying short writes; returns the bytes written. */
export async function writeAll (handle: FileHandle, buffers: Buffer[], position: number): Promise<number> {
  const progress = startWrite(buffers)
  while (writeOwed(progress)) {
    const { bytesWritten } = await handle.writev(progress.rest, position + progress.writtenBytes)
    wrote(progress, bytesWritten)
  }
  return progress.totalBytes
}

/** writeAll, synchronously on the calling thread (for writes up to SYNC_IO_BYTES_MAX). */
export function writeAllSync (fd: number, buffers: Buffer[], position: number): number {
  const progress = startWrite(buffers)
  while (writeOwed(progress)) wrote(progress, writevSync(fd, progress.rest, position + progress.writtenBytes))
  return progress.totalBytes
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
