// Append-only journal file with group commit: concurrent appends share one write + fdatasync.
import { closeSync, fdatasync, fstatSync, openSync, write } from 'node:fs'
import { promisify } from 'node:util'

const writeAsync = promisify(write)
const datasyncAsync = promisify(fdatasync)

interface Waiter {
  resolve: () => void
  reject: (err: Error) => void
}

export class JournalWriter {
  readonly path: string
  private readonly fd: number
  private queue: Buffer[] = []
  private waiters: Waiter[] = []
  private flushing: Promise<void> | null = null
  private failure: Error | null = null
  // The previous journal file must be durable before this one is written (recovery replays files in order).
  private barrier: Promise<void> | null
  bytes: number

  // Opened synchronously so a generation switch happens atomically with respect to other commands.
  constructor(path: string, barrier: Promise<void> | null = null) {
    this.path = path
    this.fd = openSync(path, 'a')
    this.bytes = fstatSync(this.fd).size
    this.barrier = barrier
  }

  // Resolves when the record is on disk (fdatasync done).
  append(record: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    this.queue.push(record)
    this.bytes += record.length
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (!this.flushing) this.flushing = this.flushLoop()
    return done
  }

  private async flushLoop(): Promise<void> {
    try {
      if (this.barrier) {
        await this.barrier.catch(() => {})
        this.barrier = null
      }
      while (this.queue.length > 0) {
        const batch = this.queue
        const waiters = this.waiters
        this.queue = []
        this.waiters = []
        try {
          const data = batch.length === 1 ? batch[0] : Buffer.concat(batch)
          let written = 0
          while (written < data.length)
            written += (await writeAsync(this.fd, data, written, data.length - written)).bytesWritten
          await datasyncAsync(this.fd)
          for (const w of waiters) w.resolve()
        } catch (err) {
          this.failure = new Error(`devdb journal write to ${this.path} failed: ${(err as Error).message}`)
          for (const w of [...waiters, ...this.waiters.splice(0)]) w.reject(this.failure)
          this.queue = []
          return
        }
      }
    } finally {
      this.flushing = null
    }
  }

  // Resolves once everything appended so far is durable.
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.failure) throw this.failure
  }

  async close(): Promise<void> {
    await this.drain().finally(() => closeSync(this.fd))
  }
}
