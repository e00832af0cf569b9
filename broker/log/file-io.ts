// Short-I/O helpers of the storage layer: regular files rarely write or read less than asked,
// but when they do the rest must follow at the right position, a bounded number of times.

import type { FileHandle } from 'node:fs/promises'

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
