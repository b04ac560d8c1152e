// The log destination of a busy process: lines logged in one turn of the event loop (the access lines of
// every request answered in it) go to the file or stdout as one write. SonicBoom (pino's asynchronous
// destination) does the writing (partial writes, EAGAIN, flushSync on exit); handed one line at a time it
// measures the byte length of its whole pending buffer on every line, which is the larger part of an
// access log line's cost under load. Lines wait at most until the end of the current loop turn.
import type { DestinationStream } from 'pino'

export interface FlushableDestination extends DestinationStream {
  /** Hands queued lines to the writer, then calls back once everything is written. */
  flush(callback?: (error?: Error) => void): void
  /** Writes every queued line before returning (process exit). */
  flushSync(): void
}

/** The SonicBoom surface this needs (pino.destination returns one). */
export interface LineWriter {
  write(chunk: string): boolean
  flush(callback?: (error?: Error) => void): void
  flushSync(): void
}

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
  private queued: string[] = []
  private scheduled = false
  private readonly writer: LineWriter
  private readonly ref: WeakRef<BatchedDestination>

  constructor(writer: LineWriter) {
    this.writer = writer
    this.ref = new WeakRef(this)
    live.add(this.ref)
    if (!exitListening) {
      exitListening = true
      process.on('exit', drainAllOnExit)
    }
  }

  write(line: string): boolean {
    this.queued.push(line)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.handOver)
    }
    return true
  }

  private readonly handOver = (): void => {
    this.scheduled = false
    if (this.queued.length === 0) return
    const chunk = this.queued.length === 1 ? this.queued[0] : this.queued.join('')
    this.queued = []
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
    live.delete(this.ref)
  }
}

export function batchedDestination(writer: LineWriter): FlushableDestination & { release(): void } {
  return new BatchedDestination(writer)
}
