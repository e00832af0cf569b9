// One broker per data dir, as Kafka's `.lock` file does it: two brokers appending to one
// partition directory would hand out the same offsets and overwrite each other's records.
//
// The lock itself is a kernel object that dies with its process, so a SIGKILLed broker can
// never leave a stale lock behind and a recycled pid can never look like the holder: on Linux
// a Unix socket in the abstract namespace named after the directory's device and inode (two
// paths to one directory, through a symlink or a bind mount, get the same name). Binding it
// fails with EADDRINUSE while another live process holds it. Node has no flock(2), and this
// needs no native package. `<dataDir>/.lock` only says who holds the lock (pid, start time),
// for the error message; it is informational and rewritten by each new holder.
//
// Elsewhere (no abstract namespace) the file is the lock: created exclusively, and taken
// over only when the pid it names no longer exists.

import { createServer, type Server } from 'node:net'
import { hostname } from 'node:os'
import { open, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DataDirLockedError, KafkaStorageError } from './errors.ts'

export const LOCK_FILE = '.lock'
const LOCK_FILE_BYTES_MAX = 4096
/** Bound on takeover attempts of a stale lock file (non-Linux only). */
const TAKEOVER_ATTEMPTS_MAX = 3

interface Holder {
  pid: number
  startedAt: string
  host: string
}

function describeHolder (holder: Holder | null): string {
  if (holder === null) return 'another process (no readable .lock file says which)'
  return `pid ${holder.pid} on ${holder.host}, holding it since ${holder.startedAt}`
}

async function readHolder (path: string): Promise<Holder | null> {
  try {
    const text = (await readFile(path)).subarray(0, LOCK_FILE_BYTES_MAX).toString('utf8')
    const holder = JSON.parse(text) as Holder
    return Number.isInteger(holder.pid) ? holder : null
  } catch {
    return null
  }
}

function listenAbstract (name: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(socket => socket.destroy())
    server.once('error', reject)
    server.listen({ path: name, exclusive: true }, () => {
      server.off('error', reject)
      // The lock must not keep a broker that is otherwise done from exiting.
      server.unref()
      resolve(server)
    })
  })
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class DataDirLock {
  readonly dataDir: string
  readonly #server: Server | null
  #released = false

  private constructor (dataDir: string, server: Server | null) {
    this.dataDir = dataDir
    this.#server = server
  }

  /** Takes the lock of `dataDir` (an existing directory) or throws DataDirLockedError naming the holder. */
  static async acquire (dataDir: string): Promise<DataDirLock> {
    const lockPath = join(dataDir, LOCK_FILE)
    const me: Holder = { pid: process.pid, startedAt: new Date().toISOString(), host: hostname() }
    let server: Server | null = null
    if (process.platform === 'linux') {
      const { dev, ino } = await stat(dataDir)
      try {
        server = await listenAbstract(`\0sluice-data-dir-${dev}-${ino}`)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new KafkaStorageError(`lock ${dataDir}: ${(error as Error).message}`, { cause: error })
        throw new DataDirLockedError(dataDir, describeHolder(await readHolder(lockPath)))
      }
      await writeFile(lockPath, JSON.stringify(me) + '\n')
    } else {
      await createLockFile(dataDir, lockPath, me)
    }
    return new DataDirLock(dataDir, server)
  }

  /** Gives the lock up (idempotent). The process ending does the same. */
  async release (): Promise<void> {
    if (this.#released) return
    this.#released = true
    await unlink(join(this.dataDir, LOCK_FILE)).catch(() => {})
    if (this.#server !== null) await new Promise<void>(resolve => this.#server!.close(() => resolve()))
  }
}

async function createLockFile (dataDir: string, lockPath: string, me: Holder): Promise<void> {
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS_MAX; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o644)
      await handle.writeFile(JSON.stringify(me) + '\n')
      await handle.close()
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new KafkaStorageError(`lock ${dataDir}: ${(error as Error).message}`, { cause: error })
    }
    const holder = await readHolder(lockPath)
    if (holder !== null && isAlive(holder.pid)) throw new DataDirLockedError(dataDir, describeHolder(holder))
    await unlink(lockPath).catch(() => {})
  }
  throw new DataDirLockedError(dataDir, describeHolder(await readHolder(lockPath)))
}
