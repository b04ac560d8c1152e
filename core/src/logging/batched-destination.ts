// The log destination of a busy process: lines are encoded into one buffer as they are logged and handed
// to the writer (pino's SonicBoom: partial writes, EAGAIN) when the buffer is nearly full or at most
// `maxDelayMs` after its first line, and at once for an error line.
// Why not per event-loop turn: over HTTP a turn answers few requests, so each turn cost a handover and an
// asynchronous fs.write through libuv's threadpool (its wakeup and completion), and the pending strings
// (ropes pino builds by concatenation) were flattened later, often after surviving a young-generation
// collection. Encoding a line into the buffer while it is fresh lets it die young, and the writer gets one
// large chunk per batch, few enough to write synchronously (see logger.ts), so no write is ever in flight
// when the process exits.
// Trade-off: a process killed without running its exit handlers (SIGKILL, a native crash) loses at most
// the last `maxDelayMs` of info lines; error lines and everything on exit, flush and flushSync are kept.
import type { DestinationStream } from 'pino'

export interface FlushableDestination extends DestinationStream {
  /** Hands queued lines to the writer, then calls back once the writer has flushed. */
  flush(callback?: (error?: Error) => void): void
  /** Writes every queued line before returning (process exit). */
  flushSync(): void
}

/** Where batches go: pino's SonicBoom in buffer content mode (pino.destination({ contentMode: 'buffer' })). */
export interface LineWriter {
  write(chunk: Buffer): boolean
  flush(callback?: (error?: Error) => void): void
  /** Writes what the writer holds before returning. */
  flushSync(): void
}

export interface BatchOptions {
  /** Bytes encoded before the buffer is handed over (default 32 KiB). */
  capacity?: number
  /** Longest time a line waits in the buffer (default 25 ms). */
  maxDelayMs?: number
}

const DEFAULT_CAPACITY = 32 * 1024
const DEFAULT_MAX_DELAY_MS = 25
/** pino's numeric level of `error`: lines at or above it are handed over at once. */
const ERROR_LEVEL = 50
/** Asks pino to set lastLevel on the stream before each write (pino's multistream protocol). */
const PINO_METADATA = Symbol.for('pino.metadata')
/** A UTF-16 code unit encodes to at most 3 bytes of UTF-8. */
const MAX_BYTES_PER_CODE_UNIT = 3

// One exit listener for every batched destination, holding them weakly: a process may create many loggers
// (tests), and a destination no longer referenced has nothing queued worth keeping it alive for.
const live = new Set<WeakRef<BatchedDestination>>()
let exitListening = false

function drainAllOnExit(): void {
  for (const ref of live) {
    try {
      ref.deref()?.flushSync()
    } catch {
      // Exiting: a writer that can no longer write (closed stdout) must not hide the exit's own cause.
    }
  }
}

class BatchedDestination implements FlushableDestination {
  readonly [PINO_METADATA] = true
  /** Set by pino before each write (PINO_METADATA). */
  lastLevel = 0
  private readonly writer: LineWriter
  private readonly capacity: number
  private readonly maxDelayMs: number
  private readonly ref: WeakRef<BatchedDestination>
  // Allocated per batch: the writer keeps a handed-over chunk until it is written.
  private buffer: Buffer | undefined
  private used = 0
  private timer: NodeJS.Timeout | undefined

  constructor(writer: LineWriter, options: BatchOptions) {
    this.writer = writer
    this.capacity = options.capacity ?? DEFAULT_CAPACITY
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS
    this.ref = new WeakRef(this)
    live.add(this.ref)
    if (!exitListening) {
      exitListening = true
      process.on('exit', drainAllOnExit)
    }
  }

  write(line: string): boolean {
    const worstCase = line.length * MAX_BYTES_PER_CODE_UNIT
    if (this.used + worstCase > this.capacity) {
      this.handOver()
      if (worstCase > this.capacity) {
        // A line larger than a batch goes alone, still in order.
        this.writer.write(Buffer.from(line, 'utf8'))
        return true
      }
    }
    this.buffer ??= Buffer.allocUnsafeSlow(this.capacity)
    this.used += this.buffer.write(line, this.used, 'utf8')
    if (this.lastLevel >= ERROR_LEVEL) this.handOver()
    else if (!this.timer) this.arm()
    return true
  }

  private arm(): void {
    // A new timer per batch: a cleared timer cannot be refreshed back to life.
    this.timer = setTimeout(this.handOver, this.maxDelayMs)
    // The exit drain writes what is queued; a pending batch must not keep the process alive.
    this.timer.unref()
  }

  private readonly handOver = (): void => {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.used === 0 || !this.buffer) return
    const chunk = this.buffer.subarray(0, this.used)
    this.buffer = undefined
    this.used = 0
    this.writer.write(chunk)
  }

  flush(callback?: (error?: Error) => void): void {
    this.handOver()
    this.writer.flush(callback)
  }

  flushSync(): void {
    this.handOver()
    this.writer.flushSync()
  }

  /** Stops tracking this destination for the exit drain (its writer is closed by its owner). */
  release(): void {
    this.handOver()
    live.delete(this.ref)
  }
}

export function batchedDestination(
  writer: LineWriter,
  options: BatchOptions = {}
): FlushableDestination & { release(): void } {
  return new BatchedDestination(writer, options)
}
